/** `git backlog import` in real repositories: one commit per import, nothing else touched, refusals that write nothing. */

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runInProcess } from '../helpers/cli.js'
import { fsckOutput, type TempRepo, tempRepo } from '../helpers/repo.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'import')

const commits = (repo: TempRepo) => Number(repo.git('rev-list', '--count', 'HEAD').trim())
const status = (repo: TempRepo) => repo.git('status', '--porcelain')

/** A folder outside any repository, for input files that must not show in `git status`. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-import-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('git backlog import', () => {
  it('imports each source in one commit, leaving staged and unstaged work as it was', async () => {
    const repo = tempRepo({ 'README.md': '# shop\n', 'src/app.ts': 'export {}\n' })
    repo.write('notes.txt', 'staged\n')
    repo.git('add', 'notes.txt')
    repo.write('src/app.ts', 'export const edited = 1\n')
    const before = status(repo)
    const sources: Array<[string, string, number]> = [
      ['beads', join(FIXTURES, 'beads'), 5],
      ['github', join(FIXTURES, 'github', 'issues.json'), 5],
      ['taskwarrior', join(FIXTURES, 'taskwarrior', 'export.json'), 7],
      ['backloghq', join(FIXTURES, 'backloghq', 'tasks.json'), 4],
      ['backlog.md', join(FIXTURES, 'backlog.md'), 8],
      ['backlog-mcp', join(FIXTURES, 'backlog-mcp'), 4],
    ]
    for (const [source, path, count] of sources) {
      const start = commits(repo)
      const { code, stdout, stderr } = await runInProcess(repo.dir, ['import', source, path])
      expect({ code, stderr }, source).toEqual({ code: 0, stderr: '' })
      expect(stdout).toMatch(
        new RegExp(`^Imported ${count} items from ${source.replace('.', '\\.')} \\[[0-9a-f]{7}\\]\\.`),
      )
      expect(commits(repo), source).toBe(start + 1)
      expect(status(repo), source).toBe(before)
      const message = repo.git('log', '-1', '--format=%B')
      expect(message).toMatch(new RegExp(`^import ${count} items: `))
      expect(message).toContain(`Imported from ${source}: ${count} items`)
      expect(message.match(/^Backlog-Id: /gm)).toHaveLength(count)
      expect(message).toContain('Backlog-Op: create')
    }
    expect(fsckOutput(repo.dir)).toBe('')
    expect(repo.git('diff', '--cached', '--name-only')).toBe('notes.txt\n')

    const lint = await runInProcess(repo.dir, ['lint'])
    expect(lint.code, lint.stdout).toBe(0)
    const shown = await runInProcess(repo.dir, ['show', 'bd-b2c4', '--json'])
    expect(JSON.parse(shown.stdout).items[0]).toMatchObject({ parent: 'bd-a1f3', epic: 'bd-a1f3', status: 'done' })
    expect(repo.git('ls-files', '.backlog/archive')).toContain('task-4.md')
    const ready = await runInProcess(repo.dir, ['ls', '--all', '--json', 'depends:task-1'])
    expect(JSON.parse(ready.stdout).items.map((row: { id: string }) => row.id)).toEqual(['task-2'])
  })

  it('prints per item what could not be mapped', async () => {
    const repo = tempRepo()
    const { code, stdout } = await runInProcess(repo.dir, ['import', 'beads', join(FIXTURES, 'beads', 'issues.jsonl')])
    expect(code).toBe(0)
    expect(stdout).toContain(
      '  bd-d7e8: Recovery codes\n    - priority 4 (backlog) read as low: there is no lower priority here\n    - depends_on bd-zz99: no such item in the source or here; dropped\n',
    )
    expect(stdout).toContain('For every item:\n  - updated_at is not imported')
  })

  it('writes nothing on a dry run, and says what it would do', async () => {
    const repo = tempRepo()
    const start = commits(repo)
    const { code, stdout } = await runInProcess(repo.dir, [
      'import',
      'github',
      join(FIXTURES, 'github', 'issues.json'),
      '--dry-run',
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Would import 5 items from github; nothing was written\./)
    expect(stdout).toContain('  gh-12 (was #12): Passkey button on the sign-in page\n    - assignees bob dropped')
    expect(commits(repo)).toBe(start)
    expect(status(repo)).toBe('')
    expect(repo.git('ls-files', '--others', '--exclude-standard')).toBe('')
  })

  it('refuses a second import of the same items, and with --skip-existing brings only the new ones', async () => {
    const repo = tempRepo()
    const dir = scratch()
    const lines = (await import('node:fs')).readFileSync(join(FIXTURES, 'beads', 'issues.jsonl'), 'utf8').split('\n')
    writeFileSync(join(dir, 'issues.jsonl'), `${lines.slice(0, 3).join('\n')}\n`)
    expect((await runInProcess(repo.dir, ['import', 'beads', join(dir, 'issues.jsonl')])).code).toBe(0)
    const start = commits(repo)

    writeFileSync(join(dir, 'issues.jsonl'), lines.join('\n'))
    const again = await runInProcess(repo.dir, ['import', 'beads', dir])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(
      /^error: 3 items of the import have ids this backlog has already: bd-a1f3, bd-b2c4, bd-c5d6\. Import again with --skip-existing \(existing: "skip"\) to bring only the others, .*Nothing was written\./,
    )
    expect(commits(repo)).toBe(start)
    expect(status(repo)).toBe('')

    const skipping = await runInProcess(repo.dir, ['import', 'beads', dir, '--skip-existing'])
    expect(skipping.code).toBe(0)
    expect(skipping.stdout).toMatch(
      /^Imported 2 items from beads \[[0-9a-f]{7}\]\.\nSkipped 3 items this backlog has already: bd-a1f3, bd-b2c4, bd-c5d6\./,
    )
    expect(commits(repo)).toBe(start + 1)
    const nothing = await runInProcess(repo.dir, ['import', 'beads', dir, '--skip-existing'])
    expect(nothing.stdout).toMatch(/^Nothing to import from beads/)
    expect(commits(repo)).toBe(start + 1)
    expect(status(repo)).toBe('')
  })

  it('knows a taskwarrior task imported before by its UUID, when a new task shares its first 12 digits', async () => {
    const repo = tempRepo()
    const dir = scratch()
    const first = join(FIXTURES, 'taskwarrior', 'export.json')
    expect((await runInProcess(repo.dir, ['import', 'taskwarrior', first])).code).toBe(0)
    const start = commits(repo)
    const tasks = JSON.parse(readFileSync(first, 'utf8')) as Array<Record<string, unknown>>
    // The first task's UUID is 5f1c2a9e-0b7d-…: the new one shares 5f1c2a9e0b7d, so both need 16 digits in this export.
    const fresh = {
      description: 'Translate the release notes',
      status: 'pending',
      uuid: '5f1c2a9e-0b7d-4fff-8000-000000000001',
    }
    writeFileSync(join(dir, 'export.json'), JSON.stringify([...tasks, fresh]))

    const refused = await runInProcess(repo.dir, ['import', 'taskwarrior', join(dir, 'export.json')])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error: 7 items of the import have ids this backlog has already: tw-5f1c2a9e0b7d, /)
    const { code, stdout } = await runInProcess(repo.dir, [
      'import',
      'taskwarrior',
      join(dir, 'export.json'),
      '--skip-existing',
      '--json',
    ])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result.imported).toBe(1)
    expect(result.items.map((row: { id: string }) => row.id)).toEqual(['tw-5f1c2a9e0b7d4fff'])
    expect(result.skipped).toContain('tw-5f1c2a9e0b7d')
    expect(commits(repo)).toBe(start + 1)
    const all = await runInProcess(repo.dir, ['ls', '--all', '--json'])
    const ids = JSON.parse(all.stdout).items.map((row: { id: string }) => row.id)
    expect(ids).toHaveLength(8)
    expect(ids.filter((id: string) => id.startsWith('tw-5f1c2a9e0b7d'))).toHaveLength(2)
  })

  it('keeps the id an item imported before has, and takes a longer id where another item has the short one', async () => {
    const repo = tempRepo({
      // Imported by an earlier version, with 8 digits.
      '.backlog/tasks/9e/tw-5f1c2a9e.md':
        '---\nid: tw-5f1c2a9e\ntitle: Write the release notes\nstatus: open\ntaskwarrior_uuid: 5f1c2a9e-0b7d-4c1e-9a3f-2b6d8e4f1a01\n---\n',
      // Made here by hand, with the id the next task would get.
      '.backlog/tasks/4d/tw-8b2e6f103c4d.md': '---\nid: tw-8b2e6f103c4d\ntitle: Something else\nstatus: open\n---\n',
    })
    const { code, stdout } = await runInProcess(repo.dir, [
      'import',
      'taskwarrior',
      join(FIXTURES, 'taskwarrior', 'export.json'),
      '--skip-existing',
    ])
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^Imported 6 items from taskwarrior \[[0-9a-f]{7}\]\.\nSkipped 1 item this backlog has already: tw-5f1c2a9e\./,
    )
    expect(stdout).toContain(
      "    - id tw-8b2e6f103c4d is another item's here (without this taskwarrior_uuid): imported as tw-8b2e6f103c4d4e5f\n",
    )
    const shown = await runInProcess(repo.dir, ['show', 'tw-8b2e6f103c4d4e5f', '--json'])
    expect(JSON.parse(shown.stdout).items[0]).toMatchObject({
      title: 'Publish the release',
      depends_on: ['tw-5f1c2a9e'],
    })
  })

  it('refuses malformed input with a clear error and writes nothing', async () => {
    const repo = tempRepo()
    const dir = scratch()
    writeFileSync(join(dir, 'issues.jsonl'), '{"id":"bd-1","title":"Fine"}\n{"id": "bd-2", "title": \n')
    writeFileSync(join(dir, 'export.json'), '{"not": "an array"}')
    const start = commits(repo)
    const cases: Array<[string[], RegExp]> = [
      [
        ['import', 'beads', join(dir, 'issues.jsonl')],
        /^error: \/.*\/issues\.jsonl line 2 is not valid JSON: .*Nothing was written\.\n$/,
      ],
      [
        ['import', 'github', join(dir, 'export.json')],
        /is not a JSON array of issues: give the output of `gh issue list/,
      ],
      [['import', 'taskwarrior', join(dir, 'missing.json')], /^error: cannot read .*missing\.json \(ENOENT\)/],
      [['import', 'jira', dir], /^error: "jira" is not a source to import from; use one of backlog\.md, backlog-mcp/],
      [['import', 'backlog.md', dir], /holds no Backlog\.md folder/],
      [['import', 'backlog.md', '-'], /backlog\.md is a folder of files: name the folder, not -/],
    ]
    for (const [args, error] of cases) {
      const { code, stderr } = await runInProcess(repo.dir, args)
      expect(code, args.join(' ')).toBe(1)
      expect(stderr, args.join(' ')).toMatch(error)
    }
    expect(commits(repo)).toBe(start)
    expect(status(repo)).toBe('')
  })

  it('reads a single file from standard input, as gh prints it, and prints JSON when asked', async () => {
    const repo = tempRepo()
    const input = JSON.stringify([{ number: 3, title: 'Piped', body: 'from gh', state: 'OPEN', labels: [] }])
    const { code, stdout } = await runInProcess(repo.dir, ['import', 'gh', '-', '--json'], {}, { input })
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({ source: 'github', imported: 1, changed: true, dry_run: false })
    expect(result.items[0]).toMatchObject({ id: 'gh-3', title: 'Piped' })
    expect(repo.read('.backlog/tasks/3/gh-3.md')).toContain('github_issue: 3')
    expect(status(repo)).toBe('')
  })

  it('writes labels with commas as tags the tag flags can name', async () => {
    const repo = tempRepo()
    const input = JSON.stringify([{ number: 5, title: 'Labelled', state: 'OPEN', labels: [{ name: 'help, wanted' }] }])
    const imported = await runInProcess(repo.dir, ['import', 'github', '-'], {}, { input })
    expect(imported.stdout).toContain(
      '    - tag "help, wanted" holds a comma, which --tag reads as two tags: imported as "help-wanted"\n',
    )
    const found = await runInProcess(repo.dir, ['ls', '--tag', 'help-wanted', '--json'])
    expect(JSON.parse(found.stdout).items.map((row: { id: string }) => row.id)).toEqual(['gh-5'])
    const removed = await runInProcess(repo.dir, ['update', 'gh-5', '--remove-tag', 'help-wanted'])
    expect(removed.code, removed.stderr).toBe(0)
    expect(repo.read('.backlog/tasks/5/gh-5.md')).not.toContain('help')
  })

  it('brings a git-backlog export into another repository with every field, ids and archive as they were', async () => {
    const example = join(import.meta.dirname, '..', '..', '.backlog.example')
    const files: Record<string, string> = {}
    for (const name of readdirSync(example, { recursive: true, encoding: 'utf8' })) {
      if (statSync(join(example, name)).isFile()) files[`.backlog/${name}`] = readFileSync(join(example, name), 'utf8')
    }
    const from = tempRepo(files)
    const archived = await runInProcess(from.dir, ['archive', '--older-than', '0'])
    expect(archived.code, archived.stderr).toBe(0)
    const dir = scratch()
    const exported = await runInProcess(from.dir, ['export', '--all', '--archived', '-o', join(dir, 'backlog.json')])
    expect(exported.code, exported.stderr).toBe(0)

    const to = tempRepo()
    const imported = await runInProcess(to.dir, ['import', 'git-backlog', join(dir, 'backlog.json')])
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).not.toContain('Not carried over')
    const items = async (repo: TempRepo) => {
      const { stdout } = await runInProcess(repo.dir, ['export', '--all', '--archived'])
      return (JSON.parse(stdout).items as Array<Record<string, unknown>>).map(({ path, updated, ...item }) => item)
    }
    const before = await items(from)
    expect(before.some((item) => item.archived)).toBe(true)
    expect(await items(to)).toEqual(before)
  })

  it('is undone in one step', async () => {
    const repo = tempRepo()
    await runInProcess(repo.dir, ['import', 'taskwarrior', join(FIXTURES, 'taskwarrior', 'export.json')])
    const undo = await runInProcess(repo.dir, ['undo'])
    expect(undo.code, undo.stderr).toBe(0)
    expect(repo.git('ls-files', '.backlog/tasks')).toBe('')
    expect(status(repo)).toBe('')
  })
})
