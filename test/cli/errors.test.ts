import { describe, expect, it } from 'vitest'
import { runInProcess } from '../helpers/cli.js'
import { tempRepo } from '../helpers/repo.js'

/** A backlog with one item whose description has three lines; its id. */
async function backlog() {
  const repo = tempRepo()
  await runInProcess(repo.dir, ['init'])
  const added = await runInProcess(repo.dir, ['add', 'Login UI', '-d', 'one\ntwo\nthree\n', '--json'])
  const id = (JSON.parse(added.stdout) as { items: Array<{ id: string }> }).items[0]!.id
  return { repo, id }
}

/** Runs a command that must fail as a user error; its message. */
async function failing(dir: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runInProcess(dir, args)
  expect(code, stdout).toBe(1)
  return stderr
}

describe('errors on the command line name commands and flags, not MCP tools and arguments', () => {
  it('says which command lists the ids, for an unknown or malformed id', async () => {
    const { repo, id } = await backlog()
    expect(await failing(repo.dir, ['show', 'bl-nothere'])).toBe(
      'error: No item bl-nothere. Run `git backlog list` to see ids.\n',
    )
    expect(await failing(repo.dir, ['show', '../x'])).toBe(
      'error: id: "../x" is not an item id. Ids look like bl-k3m9x2 (letters, digits, "-", "_" or "."). Run `git backlog list` to see ids\n',
    )
    expect(await failing(repo.dir, ['update', id, '--parent', 'bl-nothere'])).toBe(
      'error: parent: no item bl-nothere. Run `git backlog list` to see ids.\n',
    )
    expect(await failing(repo.dir, ['context', 'bl-nothere'])).toBe(
      'error: No item bl-nothere. Run `git backlog list` to see ids.\n',
    )
    const json = await failing(repo.dir, ['show', 'bl-nothere', '--json'])
    expect(JSON.parse(json)).toEqual({
      error: { code: 'NOT_FOUND', message: 'No item bl-nothere. Run `git backlog list` to see ids.' },
    })
  })

  it('shows the items that exist and names the ids that do not, exiting 1', async () => {
    const { repo, id } = await backlog()
    const mixed = await runInProcess(repo.dir, ['show', id, 'bl-nothere', 'bl-gone'])
    expect(mixed.code).toBe(1)
    expect(mixed.stdout).toContain('Login UI')
    expect(mixed.stderr).toBe('error: no item bl-nothere, bl-gone. Run `git backlog list` to see ids.\n')
    const json = await runInProcess(repo.dir, ['show', id, 'bl-nothere', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toMatchObject({ items: [{ id }], missing: ['bl-nothere'] })
    expect(await failing(repo.dir, ['show', 'bl-nothere', 'bl-gone'])).toBe(
      'error: No items bl-nothere, bl-gone. Run `git backlog list` to see ids.\n',
    )
  })

  it('names flags and commands in refusals of claim, rm and list edits', async () => {
    const { repo, id } = await backlog()
    const added = await runInProcess(repo.dir, ['add', 'Endpoint', '--depends-on', id, '--json'])
    const endpoint = (JSON.parse(added.stdout) as { items: Array<{ id: string }> }).items[0]!.id
    const claim = await failing(repo.dir, ['claim', endpoint])
    expect(claim).toContain('take the dependency off with `git backlog update <id> --remove-dep <dependency>`')
    expect(claim).not.toMatch(/remove_depends_on|backlog_/)
    const rm = await failing(repo.dir, ['rm', id])
    expect(rm).toContain('(--parent or --epic set to another id or to "", --remove-dep)')
    expect(await failing(repo.dir, ['update', id, '--remove-evidence', 'nope'])).toMatch(
      /^error: --remove-evidence: bl-\w+ has no evidence "nope"/,
    )
    expect(await failing(repo.dir, ['update', id, '--remove-note', 'nope'])).toMatch(
      /^error: --remove-note: bl-\w+ has no note whose text/,
    )
    await runInProcess(repo.dir, ['claim', id], { BACKLOG_AGENT: 'ann' })
    expect(await failing(repo.dir, ['claim', id])).toContain(
      'ask them to release it (`git backlog update <id> --assignee ""`)',
    )
  })

  it('runs in the folder -C names, and refuses a -C after the command instead of writing elsewhere', async () => {
    const { repo } = await backlog()
    const other = tempRepo()
    const attached = await runInProcess(other.dir, [`-C${repo.dir}`, 'add', 'Meant for the first'])
    expect(attached.code, attached.stderr).toBe(0)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/Meant for the first/)
    expect(other.git('log', '--format=%s').trim().split('\n')).toHaveLength(1)
    expect(await failing(other.dir, ['add', 'Misplaced', '-C', repo.dir])).toMatch(/unknown option '-C'/)
    expect(other.git('status', '--porcelain')).toBe('')
  })

  it('keeps the command in an error of one item of a batch', async () => {
    const { repo } = await backlog()
    const batch = JSON.stringify([{ title: 'API' }, { title: 'UI', parent: 'bl-nothere' }])
    const { code, stderr } = await runInProcess(repo.dir, ['add', '--json-items', '-'], {}, { input: batch })
    expect(code).toBe(1)
    expect(stderr).toBe(
      'error: items[1] ("UI"): parent: no item bl-nothere. Run `git backlog list` to see ids. Nothing was written.\n',
    )
  })

  it('names log, undo and list where history, restore and context point onwards', async () => {
    const { repo, id } = await backlog()
    expect(await failing(repo.dir, ['undo', '--commit', 'abcdef1'])).toMatch(
      /^error: No backlog commit abcdef1 on this branch\. `git backlog log` lists the changes\.\n$/,
    )
    expect(await failing(repo.dir, ['undo', '--id', 'bl-nothere'])).toMatch(
      /^error: Nothing to undo: .*\. `git backlog log` lists the changes\.\n$/,
    )
    expect(await failing(repo.dir, ['restore', id])).toBe(
      `error: ${id} exists; restore brings back deleted items. Use \`git backlog undo\` to take back a change.\n`,
    )
    expect(await failing(repo.dir, ['context', '--query', 'zyxxyz'])).toBe(
      'error: No item matches "zyxxyz". Try other words, or `git backlog list` to browse.\n',
    )
  })

  it("names edit's flags where the body edit names the operation's inputs", async () => {
    const { repo, id } = await backlog()
    expect(await failing(repo.dir, ['edit', id, '--replace', '', '--with', 'x'])).toBe(
      'error: the --replace text is empty: give the exact text to replace, or use --insert-after <line> --text <text> or --append to add text\n',
    )
    expect(await failing(repo.dir, ['edit', id, '--replace', 'o', '--with', 'x'])).toMatch(
      /^error: the --replace text matches 2 times \(lines 1, 2\); include more surrounding text/,
    )
    expect(await failing(repo.dir, ['edit', id, '--replace', 'two\t', '--with', 'x'])).toMatch(
      /^error: the --replace text was not found in the body; .*\nNear match at line 2: the body has spaces where the --replace text has tabs; the --replace text has trailing spaces\./,
    )
    expect(await failing(repo.dir, ['edit', id, '--insert-after', '9', '--text', 'x'])).toBe(
      'error: --insert-after 9 is past the end: the body has 3 lines; use 0 to 3, or --append\n',
    )
    expect(await failing(repo.dir, ['edit', id, '--insert-after', '0', '--text', '---\na: 1\n---'])).toMatch(
      /^error: the edit would start the body with .* Change the item's fields with `git backlog update`\.\n$/,
    )
  })
})
