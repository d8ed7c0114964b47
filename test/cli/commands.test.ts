/**
 * Every command of the command line, run in process through the same `runCli` as the bin (test/helpers/cli.ts): what
 * each prints, its exit code, what it commits. What only a real process shows (the bin's own wiring, standard input
 * as a pipe, `git backlog` through git) is in test/e2e/cli.test.ts.
 */

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { VERSION } from '../../src/package-files.js'
import { runInProcess } from '../helpers/cli.js'
import { tempRepo } from '../helpers/repo.js'

/** Runs one command line in process; `input` is its standard input. */
const cli = (cwd: string, args: string[], env: Record<string, string> = {}, input = '') =>
  runInProcess(cwd, args, env, { input })

async function ok(cwd: string, ...args: string[]): Promise<string> {
  const outcome = await cli(cwd, args)
  expect(outcome.code, outcome.stderr).toBe(0)
  return outcome.stdout
}

async function okWithInput(cwd: string, input: string, ...args: string[]): Promise<string> {
  const outcome = await cli(cwd, args, {}, input)
  expect(outcome.code, outcome.stderr).toBe(0)
  return outcome.stdout
}

async function json<T = Record<string, unknown>>(cwd: string, ...args: string[]): Promise<T> {
  return JSON.parse(await ok(cwd, ...args, '--json')) as T
}

interface Rows {
  items: Array<{ id: string; title: string; status: string; blocked?: boolean; archived?: boolean }>
}

/** Ids of the rows, by title. */
function idsByTitle(result: Rows): Record<string, string> {
  return Object.fromEntries(result.items.map((row) => [row.title, row.id]))
}

describe('the git-backlog command line', () => {
  it('runs a whole session: init, add, list, show, start, update, done, rm', async () => {
    const repo = tempRepo()
    expect(await ok(repo.dir, 'init', '--prefix', 'web')).toMatch(/^Created \.backlog\/config\.yml \[[0-9a-f]{7}\]/)
    expect(await ok(repo.dir, 'init')).toMatch(/^Already initialized/)

    const added = await ok(
      repo.dir,
      'add',
      'Fix',
      'the',
      'login',
      'flow',
      '-p',
      'H',
      '--tag',
      'auth',
      '--tag',
      'web',
      '-d',
      'Users get logged out.',
    )
    const id = /^Added (web-\w{6}): Fix the login flow \[[0-9a-f]{7}\]\n$/.exec(added)?.[1]
    expect(id).toBeDefined()
    await ok(repo.dir, 'add', 'Write docs', '--set', 'estimate=2')

    const table = await ok(repo.dir, 'list')
    expect(table.split('\n')[0]).toMatch(/^ID\s+STATUS\s+PRI\s+TYPE\s+URG\s+TITLE$/)
    expect(table).toMatch(new RegExp(`${id}\\s+open\\s+high\\s+task\\s+-?\\d+\\.\\d\\s+Fix the login flow  #auth #web`))
    const listed = JSON.parse(await ok(repo.dir, 'list', '--json')) as { items: Array<{ id: string }>; total: number }
    expect(listed.total).toBe(2)

    await ok(repo.dir, 'start', id!, '-m', 'Looking at the cookie')
    await ok(repo.dir, 'set', id!, '--add-tag', 'p1', '--remove-tag', 'web', '-a', 'ann')
    const shown = await ok(repo.dir, 'show', id!)
    expect(shown).toMatch(/Status:\s+in_progress/)
    expect(shown).toMatch(/Tags:\s+auth, p1/)
    expect(shown).toMatch(/Notes:\n {2}2026-\S+ {2}Test Person\n {4}Looking at the cookie/)
    expect(shown).toContain('    Users get logged out.')

    expect(await ok(repo.dir, 'done', id!)).toMatch(new RegExp(`^Done ${id}: Fix the login flow`))
    expect((await ok(repo.dir, 'list')).includes(id!)).toBe(false)
    expect(await ok(repo.dir, 'list', '--all')).toContain(id!)
    const detail = JSON.parse(await ok(repo.dir, 'show', id!, '--json')) as {
      items: Array<{ closed?: string; started?: string }>
    }
    expect(detail.items[0]!.closed).toMatch(/^2026-/)

    expect(await ok(repo.dir, 'rm', id!)).toMatch(new RegExp(`^Deleted ${id}`))
    const log = repo.git('log', '--format=%s')
    expect(log.split('\n').slice(0, 7)).toEqual([
      `rm ${id}: Fix the login flow`,
      `done ${id}: Fix the login flow`,
      `update ${id}: Fix the login flow`,
      `start ${id}: Fix the login flow`,
      expect.stringMatching(/^add web-\w+: Write docs$/),
      `add ${id}: Fix the login flow`,
      'init backlog',
    ])
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('fsck', '--no-dangling')).toBe('')
  })

  // The same through a real pipe: test/e2e/cli.test.ts.
  it('reads a description from standard input with -d -', async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    const stdout = await okWithInput(repo.dir, '# Spec\n\nFrom a pipe.\n', 'add', 'Piped', '-d', '-', '--json')
    const id = (JSON.parse(stdout) as { items: Array<{ id: string }> }).items[0]!.id
    expect(await ok(repo.dir, 'show', id)).toContain('    From a pipe.')
  })

  it('exits 1 with a clear message for user errors, and writes nothing', async () => {
    const repo = tempRepo()
    const outside = await cli(mkdtempSync(join(tmpdir(), 'not-a-repo-')), ['list'])
    expect(outside).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: .* is not inside a git repository\. Run `git init` first/),
    })
    expect(await cli(repo.dir, ['list'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^No backlog in this repository yet: `git backlog add <title>` starts it/),
    })
    expect(await cli(repo.dir, ['undo'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: No backlog in .* yet: creating the first item starts one/),
    })
    await ok(repo.dir, 'init')
    const head = repo.git('rev-parse', 'HEAD')
    const cases: Array<[string[], RegExp]> = [
      [['show', 'bl-nothere'], /^error: No item bl-nothere\./],
      [['show', '../../etc/passwd'], /^error: id: "..\/..\/etc\/passwd" is not an item id/],
      [['add', 'x', '-p', 'whenever'], /^error: priority: priority "whenever" is not one of urgent, high, medium, low/],
      [['add', 'x', '--due', 'blursday'], /^error: due: .*"blursday" is not a date/],
      [['add', 'x', '-t', 'story'], /error: option '-t, --type <type>' argument 'story' is invalid/],
      [['add'], /error: missing required argument 'title'/],
      [['frobnicate'], /error: unknown command 'frobnicate'/],
      [['list', '--bogus'], /error: unknown option '--bogus'/],
      [['done', 'bl-nothere'], /^error: No item bl-nothere/],
      [['add', 'x', '--set', 'novalue'], /^error: --set novalue: write it as key=value/],
    ]
    for (const [args, message] of cases) {
      const outcome = await cli(repo.dir, args)
      expect(outcome.code, args.join(' ')).toBe(1)
      expect(outcome.stderr, args.join(' ')).toMatch(message)
    }
    const json = await cli(repo.dir, ['show', 'bl-nothere', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/^No item bl-nothere/) },
    })
    const reserved = await cli(repo.dir, ['add', 'x', '--set', 'id=zz'])
    expect(reserved).toMatchObject({ code: 1, stderr: expect.stringMatching(/"id" is a field of its own/) })
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('exits 1 with a clear message when the disk says no, or when the repository is damaged', async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    rmSync(join(repo.dir, '.git', 'index'))
    mkdirSync(join(repo.dir, '.git', 'index'))
    const refused = await cli(repo.dir, ['add', 'Boom'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error: The file system refused: EISDIR on read\. Nothing was committed/)
    // A corrupt object is the repository's damage, not a bug to report: git fsck says what is wrong. (A repository
    // this process has not read yet: objects are immutable, so one read before stays in the reader's cache.)
    const damaged = tempRepo()
    const tree = damaged.git('rev-parse', 'HEAD^{tree}').trim()
    const object = join(damaged.dir, '.git', 'objects', tree.slice(0, 2), tree.slice(2))
    chmodSync(object, 0o644)
    writeFileSync(object, 'not an object')
    const outcome = await cli(damaged.dir, ['add', 'Boom'])
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toMatch(
      new RegExp(`^error: object ${tree} in this repository's git objects is damaged.*git fsck`),
    )
  })

  it('exits 70 and asks for a report when something unexpected breaks', async () => {
    const repo = tempRepo()
    let err = ''
    // Standard output that fails as no command expects: the edge's last resort, not a user error.
    const code = await runCli(['--version'], {
      cwd: repo.dir,
      out: () => {
        throw new Error('stdout went away')
      },
      err: (text) => {
        err += text
      },
      env: {},
    })
    expect(code).toBe(70)
    expect(err).toMatch(/^internal error: Error: stdout went away[\s\S]*please report it/)
  })

  // Every command's help, in process: test/cli/help.test.ts.
  it('prints help and the version', async () => {
    const repo = tempRepo()
    expect((await ok(repo.dir, '--version')).trim()).toBe(VERSION)
    const help = await ok(repo.dir, '--help')
    const commands = ['init', 'add', 'did', 'list', 'show', 'search', 'context', 'board', 'tags', 'values', 'log']
    commands.push('update', 'start', 'done', 'note', 'block', 'edit', 'rm', 'archive', 'unarchive', 'undo', 'redo')
    commands.push('restore', 'mcp', 'claim', 'sync', 'resolve', 'doctor', 'merge-driver')
    for (const command of commands) expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    expect(await ok(repo.dir, 'ls', '--help')).toMatch(/^Usage: git-backlog list\|ls /)
    // main.ts sends merge-driver to the driver alone, except for its help: through the bin in test/e2e/cli.test.ts.
    expect(await ok(repo.dir, 'merge-driver', '-h')).toMatch(/^Usage: git-backlog merge-driver /)
  })
})

describe('the whole tool surface on the command line', () => {
  /** An epic with two tasks made as one batch from stdin, the second waiting on the first, plus a bug for Ann Lee. */
  async function planned() {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    const batch = [
      { title: 'Auth epic', type: 'epic' },
      { title: 'API login endpoint', parent: '#1', priority: 'high' },
      { title: 'Login UI', parent: '#1', depends_on: ['#2'], description: 'Steps:\n1. form\n2. errors\n' },
    ]
    const added = await okWithInput(repo.dir, JSON.stringify(batch), 'add', '--json-items', '-', '--tag', 'auth')
    expect(added.trim().split('\n')).toHaveLength(3)
    await ok(repo.dir, 'add', 'Cookie expires early', '-a', 'Ann Lee', '--tag', 'bug', '-p', 'urgent')
    const ids = idsByTitle(await json<Rows>(repo.dir, 'list', '--all'))
    return { repo, ids }
  }

  it('adds a batch with #refs from standard input in one commit', async () => {
    const { repo, ids } = await planned()
    expect(repo.git('log', '--format=%s').split('\n')[1]).toMatch(/^add 3 items: /)
    const shown = await json<{ items: Array<{ parent?: string; depends_on: string[]; tags: string[] }> }>(
      repo.dir,
      'show',
      ids['Login UI']!,
    )
    expect(shown.items[0]).toMatchObject({
      parent: ids['Auth epic'],
      depends_on: [ids['API login endpoint']],
      tags: ['auth'],
    })
    const broken = await cli(repo.dir, ['add', '--json-items', '-'], {}, '[{"title": "x", "parent": "#5"}]')
    expect(broken).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/#5.*names item 5, but this call has 1 item/),
    })
    const notJson = await cli(repo.dir, ['add', '--json-items', '-'], {}, '{oops')
    expect(notJson).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: --json-items -: not valid JSON/) })
  })

  it('lists by a filter expression with a quoted value and virtual tags', async () => {
    const { repo, ids } = await planned()
    const ann = await ok(repo.dir, 'ls', 'assignee:"Ann Lee"')
    expect(ann).toContain(ids['Cookie expires early'])
    expect(ann).not.toContain(ids['Login UI'])
    const blocked = await ok(repo.dir, 'ls', '+BLOCKED')
    expect(blocked).toMatch(new RegExp(`${ids['Login UI']}\\s+open ⊘`))
    expect(blocked.split('\n').filter((line) => line.startsWith('bl-'))).toHaveLength(1)
    // -BLOCKED reads as a filter word, not as an unknown option, wherever it stands.
    const unblocked = idsByTitle(await json<Rows>(repo.dir, 'ls', '-BLOCKED', '+auth', '--sort', 'id'))
    expect(Object.keys(unblocked).sort()).toEqual(['API login endpoint', 'Auth epic'])
    const counted = await json<{ counts: { by_tag: Record<string, number> } }>(repo.dir, 'ls', '--counts', '-n', '1')
    expect(counted.counts.by_tag).toEqual({ auth: 3, bug: 1 })
    expect(await cli(repo.dir, ['ls', 'due.before:blursday'])).toMatchObject({ code: 1 })
  })

  it('updates every item a filter matches in one commit, and refuses an empty filter without --all', async () => {
    const { repo, ids } = await planned()
    const before = Number(repo.git('rev-list', '--count', 'HEAD'))
    const updated = await ok(repo.dir, 'update', '--filter', '+auth -BLOCKED', '--add-tag', 'sprint1', '-a', 'bo')
    expect(updated.trim().split('\n')).toHaveLength(2)
    expect(Number(repo.git('rev-list', '--count', 'HEAD'))).toBe(before + 1)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^update 2 items: /)
    expect(Object.keys(idsByTitle(await json<Rows>(repo.dir, 'ls', '+sprint1'))).sort()).toEqual([
      'API login endpoint',
      'Auth epic',
    ])

    const head = repo.git('rev-parse', 'HEAD')
    const refused = await cli(repo.dir, ['update', '--filter', '', '-p', 'low'])
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: --filter is empty.*--all/) })
    expect(await cli(repo.dir, ['update', '-p', 'low'])).toMatchObject({ code: 1 })
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    await ok(repo.dir, 'update', '--filter', '', '--all', '-p', 'low')
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^update 4 items: /)

    await ok(repo.dir, 'update', ids['Auth epic']!, ids['Login UI']!, '--add-ref', 'https://example.com/spec')
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^update 2 items: /)
  })

  it('adds and removes notes, blocks with a reason, and logs finished work', async () => {
    const { repo, ids } = await planned()
    const id = ids['Cookie expires early']!
    expect(await ok(repo.dir, 'note', id, 'The', 'TTL', 'is', '300s')).toMatch(new RegExp(`^Noted ${id}`))
    expect(await ok(repo.dir, 'show', id)).toContain('    The TTL is 300s')
    await ok(repo.dir, 'update', id, '--remove-note', 'The TTL is 300s')
    expect(await ok(repo.dir, 'show', id)).not.toContain('TTL')
    await okWithInput(repo.dir, 'From a pipe\n', 'note', id, '-')
    expect(await ok(repo.dir, 'show', id)).toContain('    From a pipe')

    await ok(repo.dir, 'block', id, 'waiting', 'on', 'infra')
    const detail = await json<{ items: Array<{ status: string; blocked_reason: string[] }> }>(repo.dir, 'show', id)
    expect(detail.items[0]).toMatchObject({ status: 'blocked', blocked_reason: ['waiting on infra'] })

    const logged = await json<Rows>(repo.dir, 'did', 'Rotated', 'the', 'keys')
    expect(logged.items[0]).toMatchObject({ title: 'Rotated the keys', status: 'done' })
  })

  it('edits a description, and on a mismatch exits 1 showing the real text', async () => {
    const { repo, ids } = await planned()
    const id = ids['Login UI']!
    const head = repo.git('rev-parse', 'HEAD')
    const missed = await cli(repo.dir, ['edit', id, '--replace', '2. warnings', '--with', '2. messages'])
    expect(missed.code).toBe(1)
    expect(missed.stderr).toMatch(/^error: the --replace text was not found in the body/)
    expect(missed.stderr).toContain('3| 2. errors')
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)

    await ok(repo.dir, 'edit', id, '--replace', '2. errors', '--with', '2. error messages')
    await ok(repo.dir, 'edit', id, '--insert-after', '0', '--text', '## Plan')
    await okWithInput(repo.dir, 'Done when reviewed.\n', 'edit', id, '--append', '-')
    const body = (await json<{ items: Array<{ description: string }> }>(repo.dir, 'show', id)).items[0]!.description
    expect(body).toBe('## Plan\nSteps:\n1. form\n2. error messages\nDone when reviewed.\n')
    expect(repo.git('log', '-1', '--format=%s').trim()).toBe(`edit ${id}: Login UI`)
    expect(await cli(repo.dir, ['edit', id])).toMatchObject({ code: 1, stderr: expect.stringMatching(/give one edit/) })
  })

  it('archives (dry run first), lists archived items and unarchives them', async () => {
    const { repo, ids } = await planned()
    const id = ids['Cookie expires early']!
    await ok(repo.dir, 'done', id)
    const head = repo.git('rev-parse', 'HEAD')
    const dry = await ok(repo.dir, 'archive', '--dry-run', '--older-than', '0')
    expect(dry).toMatch(new RegExp(`^Would archive 1:\\n.*\\n${id}\\s+done`))
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)

    expect(await ok(repo.dir, 'archive', '--older-than', '0')).toMatch(new RegExp(`^Archived ${id}`))
    expect(repo.git('ls-files', '.backlog/archive')).toContain(`${id}.md`)
    expect(await ok(repo.dir, 'ls', '--all')).not.toContain(id)
    expect(await ok(repo.dir, 'ls', '--all', '--archived')).toMatch(new RegExp(`${id}\\s+done \\(archived\\)`))

    expect(await ok(repo.dir, 'unarchive', id)).toMatch(new RegExp(`^Unarchived ${id}`))
    expect(await ok(repo.dir, 'ls', '--all')).toContain(id)
    expect(await ok(repo.dir, 'unarchive', id)).toMatch(/^Nothing to unarchive/)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('draws a board that fits 80 columns, with the most recent 10 done', async () => {
    const { repo, ids } = await planned()
    await ok(repo.dir, 'start', ids['API login endpoint']!)
    const done = Array.from({ length: 12 }, (_, index) => ({ title: `Finished thing ${index + 1}`, status: 'done' }))
    await okWithInput(repo.dir, JSON.stringify(done), 'add', '--json-items', '-')
    await ok(repo.dir, 'add', 'Dropped idea', '-s', 'cancelled')
    await ok(repo.dir, 'add', 'A task with a very long title that cannot possibly fit into one narrow board column')

    const board = await ok(repo.dir, 'board', '--width', '80')
    const lines = board.trimEnd().split('\n')
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(80)
    for (const header of ['OPEN (4)', 'IN_PROGRESS (1)', 'BLOCKED (0)', 'DONE (10 of 12)'])
      expect(board).toContain(header)
    expect(board).not.toContain('CANCELLED')
    expect(board).toContain('…')
    expect(board).toMatch(/!! bl-\w+ Cookie/)
    expect(board).toMatch(new RegExp(`⊘ ${ids['Login UI']} Login UI`))
    expect(board.match(/Finished thing/g)).toHaveLength(10)

    const all = await ok(repo.dir, 'board', '--all', '--width', '80')
    expect(all).toContain('CANCELLED (1)')
    expect(all).toContain('DONE (12)')
    expect(Math.max(...all.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80)

    const filtered = await json<{ columns: Array<{ status: string; total: number; items: unknown[] }> }>(
      repo.dir,
      'board',
      '+auth',
    )
    expect(filtered.columns.map((column) => [column.status, column.total])).toEqual([
      ['open', 2],
      ['in_progress', 1],
      ['blocked', 0],
      ['done', 0],
    ])
    expect(await cli(repo.dir, ['board', '--width', '5'])).toMatchObject({ code: 1 })
  })

  it('marks a column over its work-in-progress limit from config.yml, on the board and in its JSON', async () => {
    const { repo, ids } = await planned()
    const config = join(repo.dir, '.backlog/config.yml')
    writeFileSync(config, `${readFileSync(config, 'utf8')}\nwip_limits:\n  open: 2\n  in_progress: 3\n`)
    await ok(repo.dir, 'start', ids['API login endpoint']!)
    const board = await ok(repo.dir, 'board', '--width', '120')
    expect(board).toContain('OPEN (3 / limit 2 OVER)')
    expect(board).toContain('IN_PROGRESS (1 / limit 3)')
    expect(board).toContain('BLOCKED (0)')
    const columns = (await json<{ columns: Array<{ status: string; limit?: number }> }>(repo.dir, 'board')).columns
    expect(columns.map((column) => [column.status, column.limit])).toEqual([
      ['open', 2],
      ['in_progress', 3],
      ['blocked', undefined],
      ['done', undefined],
    ])
    writeFileSync(config, 'wip_limits:\n  doing: 2\n')
    expect(await cli(repo.dir, ['board'])).toMatchObject({ code: 1, stderr: expect.stringContaining('"doing"') })
  })

  it('searches with snippets and gathers context in readable sections', async () => {
    const { repo, ids } = await planned()
    const found = await ok(repo.dir, 'search', 'errors')
    expect(found).toMatch(new RegExp(`^${ids['Login UI']}\\s+open\\s+Login UI  #auth\\n    description: .*errors`))
    const hits = await json<{ items: Array<{ id: string; matched_fields: string[] }>; total: number }>(
      repo.dir,
      'search',
      'login',
      '--status',
      'open',
      '-n',
      '1',
    )
    expect(hits.items).toHaveLength(1)
    expect(hits.total).toBe(2)

    const context = await ok(repo.dir, 'context', ids['Login UI']!)
    expect(context).toMatch(/^bl-\w+ {2}Login UI\n/)
    expect(context).toContain(`Parent chain (nearest first):\n  ${ids['Auth epic']}  [open, epic] Auth epic`)
    expect(context).toContain(`Depends on:\n  ${ids['API login endpoint']}  [open, high] API login endpoint`)
    expect(context).toMatch(/Activity:\n {2}[0-9a-f]{7} {2}\d{4}-\d\d-\d\d {2}Test Person {2}add 3 items/)
    expect(context).toMatch(/\(~\d+ of 4000 tokens\)$/m)
    const bundle = await json<{
      focal: { id: string }
      activity: unknown[]
      metadata: { focal_resolved_from: string }
    }>(repo.dir, 'context', '--query', 'cookie', '--no-activity')
    expect(bundle.focal.id).toBe(ids['Cookie expires early'])
    expect(bundle.activity).toEqual([])
    expect(bundle.metadata.focal_resolved_from).toBe('query')
    expect(await cli(repo.dir, ['context'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/give id or query/),
    })
  })

  it('counts tags and values in use, over every status', async () => {
    const { repo, ids } = await planned()
    await ok(repo.dir, 'done', ids['Cookie expires early']!)
    const tags = await ok(repo.dir, 'tags')
    expect(tags.trim().split('\n')).toEqual([expect.stringMatching(/^TAG\s+COUNT$/), 'auth      3', 'bug       1'])
    expect(await json(repo.dir, 'tags')).toEqual({
      tags: [
        { tag: 'auth', count: 3 },
        { tag: 'bug', count: 1 },
      ],
    })
    expect(await ok(repo.dir, 'values', 'assignee')).toMatch(/^ASSIGNEE\s+COUNT\nnone\s+3\nAnn Lee\s+1\n$/)
    expect(await json(repo.dir, 'values', 'status')).toEqual({
      field: 'status',
      values: [
        { value: 'open', count: 3 },
        { value: 'done', count: 1 },
      ],
    })
  })

  it('prints the next occurrence when a recurring item is done, and copies an item with --from', async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    const id = (await json<Rows>(repo.dir, 'add', 'Water the plants', '--recur', 'weekly', '--due', 'today')).items[0]!
      .id
    const done = await ok(repo.dir, 'done', id)
    expect(done).toMatch(
      new RegExp(
        `^Done ${id}: Water the plants \\[[0-9a-f]{7}\\]\\nNext occurrence: (bl-\\w+): Water the plants \\(due \\d{4}-\\d\\d-\\d\\d\\)\\n$`,
      ),
    )
    const copy = await json<Rows>(repo.dir, 'add', '--from', id, 'Water', 'the', 'cactus', '-p', 'low')
    expect(copy.items[0]).toMatchObject({ title: 'Water the cactus', status: 'open', priority: 'low' })
    expect(repo.git('log', '-1', '--format=%s').trim()).toMatch(/^duplicate bl-\w+: Water the cactus$/)
  })

  it('prints JSON for every new command', async () => {
    const { repo, ids } = await planned()
    const id = ids['Cookie expires early']!
    const commands: string[][] = [
      ['search', 'cookie'],
      ['context', id],
      ['board'],
      ['tags'],
      ['values', 'priority'],
      ['note', id, 'hello'],
      ['block', id, 'reason'],
      ['edit', id, '--append', 'more'],
      ['did', 'Shipped', 'it'],
      ['done', id],
      ['archive', '--dry-run', '--older-than', '0'],
      ['archive', id],
      ['unarchive', id],
      ['update', '--filter', '+auth', '--add-tag', 'x'],
    ]
    for (const args of commands) {
      const outcome = await cli(repo.dir, [...args, '--json'])
      expect(outcome.code, `${args.join(' ')}: ${outcome.stderr}`).toBe(0)
      expect(() => JSON.parse(outcome.stdout), args.join(' ')).not.toThrow()
    }
  })
})

describe('undo, redo, log and restore on the command line', () => {
  it("takes back a person's own change, redoes it, shows the log of an item and restores a deleted one", async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    const added = await json<Rows>(repo.dir, 'add', 'Write', 'the', 'docs')
    const id = added.items[0]!.id
    await ok(repo.dir, 'update', id, '--title', 'Write the user docs')
    expect(await ok(repo.dir, 'undo')).toMatch(/^Undid [0-9a-f]{7} update .*: Write the user docs \[[0-9a-f]{7}\]/)
    expect((await json<{ items: Array<{ title: string }> }>(repo.dir, 'show', id)).items[0]!.title).toBe(
      'Write the docs',
    )
    expect(await ok(repo.dir, 'redo')).toMatch(/^Redid /)
    const log = await ok(repo.dir, 'log', id)
    expect(log).toMatch(/title: Write the docs → Write the user docs/)
    expect(repo.git('log', '--format=%s', '-3')).toMatch(/^redo /)
    await ok(repo.dir, 'rm', id)
    expect(await ok(repo.dir, 'restore', id)).toMatch(new RegExp(`^Restored ${id}: Write the user docs`))
    expect(repo.git('status', '--porcelain')).toBe('')
    const nothing = await cli(tempRepo().dir, ['undo'])
    expect(nothing.code).toBe(1)
  })

  it('lists the first 50 items of a bulk commit in the log, and counts the rest', async () => {
    const repo = tempRepo()
    const many = Array.from({ length: 60 }, (_, index) => ({ title: `Imported thing ${index + 1}` }))
    await okWithInput(repo.dir, JSON.stringify(many), 'add', '--json-items', '-')
    const log = await ok(repo.dir, 'log')
    expect(log.match(/created /g)).toHaveLength(50)
    expect(log).toContain('… and 10 more items; `git backlog log <id>` shows each')
    const entries = (await json<{ entries: Array<{ items: unknown[]; more_items?: number }> }>(repo.dir, 'log')).entries
    expect(entries[0]).toMatchObject({ more_items: 10 })
    expect(entries[0]?.items).toHaveLength(50)
  })
})
