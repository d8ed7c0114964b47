/**
 * The command line for agents' sessions: the briefing, the Claude Code hooks run as Claude Code runs them (JSON on
 * standard input, CLAUDE_PROJECT_DIR, checking standard output and the exit code), and `init --agents`.
 */

import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { SECTION_END, SECTION_START } from '../../src/core/agents-section.js'
import { runBin, runInProcess } from '../helpers/cli.js'
import { tempRepo } from '../helpers/repo.js'

/** A folder outside any repository, as the hook's own working directory may be. */
function elsewhere(): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-elsewhere-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function backlogWith(titles: string[]) {
  const repo = tempRepo()
  expect((await runInProcess(repo.dir, ['init'])).code).toBe(0)
  const ids: string[] = []
  for (const title of titles) {
    const added = await runInProcess(repo.dir, ['add', title, '--json'], { BACKLOG_AGENT: 'planner' })
    ids.push((JSON.parse(added.stdout) as { items: Array<{ id: string }> }).items[0]?.id as string)
  }
  return { repo, ids }
}

function todoWrite(cwd: string, todos: Array<{ content: string; status: string }>, oldTodos?: typeof todos) {
  return JSON.stringify({
    session_id: 'abc',
    transcript_path: '/tmp/transcript.jsonl',
    cwd,
    hook_event_name: 'PostToolUse',
    tool_name: 'TodoWrite',
    tool_input: { todos: todos.map((todo) => ({ ...todo, activeForm: todo.content })) },
    tool_response: { oldTodos: oldTodos ?? [], newTodos: todos },
  })
}

describe('git backlog briefing', () => {
  it('prints the briefing, and as JSON with the text in it', async () => {
    const { repo, ids } = await backlogWith(['Write the parser', 'Write the printer'])
    const text = await runInProcess(repo.dir, ['briefing', '--agent', 'claude', '--max-bytes', '512'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^Backlog briefing for claude on main: 2 items; 0 in progress, 2 ready, 0 blocked\./)
    expect(text.stdout).toContain(`- ${ids[0]} Write the parser`)
    expect(Buffer.byteLength(text.stdout.trimEnd())).toBeLessThanOrEqual(512)
    const json = JSON.parse((await runInProcess(repo.dir, ['briefing', '--json'], { BACKLOG_AGENT: 'planner' })).stdout)
    expect(json).toMatchObject({ agent: 'planner', max_bytes: 3072, ready: { total: 2 }, changes: { total: 0 } })
    expect(json.text).toContain('Changed since your last change')
    const tooSmall = await runInProcess(repo.dir, ['briefing', '--max-bytes', '10'])
    expect(tooSmall.code).toBe(1)
    expect(tooSmall.stderr).toMatch(/max-bytes|max_bytes/)
  })
})

describe('Claude Code hooks', () => {
  it('session-start prints the briefing as additionalContext, from CLAUDE_PROJECT_DIR (the built bin)', async () => {
    const { repo, ids } = await backlogWith(['Write the parser'])
    const input = JSON.stringify({ session_id: 'abc', hook_event_name: 'SessionStart', source: 'startup' })
    const run = await runBin(elsewhere(), ['hook', 'session-start'], { CLAUDE_PROJECT_DIR: repo.dir }, input)
    expect(run.code).toBe(0)
    const output = JSON.parse(run.stdout) as {
      hookSpecificOutput: { hookEventName: string; additionalContext: string }
    }
    expect(output.hookSpecificOutput.hookEventName).toBe('SessionStart')
    expect(output.hookSpecificOutput.additionalContext).toMatch(/^Backlog briefing for claude-code on main/)
    expect(output.hookSpecificOutput.additionalContext).toContain(`- ${ids[0]} Write the parser`)
  })

  it('session-start says nothing and exits 0 outside a repository or without a backlog', async () => {
    const outside = await runInProcess(elsewhere(), ['hook', 'session-start'], {}, { input: '{}' })
    expect(outside).toMatchObject({ code: 0, stdout: '' })
    expect(outside.stderr).toContain('NOT_A_REPO')
    const bare = tempRepo()
    expect(await runInProcess(bare.dir, ['hook', 'session-start'], {}, { input: '{}' })).toMatchObject({
      code: 0,
      stdout: '',
    })
    const garbage = await runInProcess(bare.dir, ['hook', 'session-start'], {}, { input: 'not json' })
    expect(garbage).toMatchObject({ code: 0, stdout: '' })
  })

  it('todo-write claims the item a started todo names and closes the one a completed todo names', async () => {
    const { repo, ids } = await backlogWith(['Write the parser', 'Write the printer', 'Unrelated'])
    const [parser, printer] = ids as [string, string]
    const env = { CLAUDE_PROJECT_DIR: repo.dir }
    const first = [
      { content: `${parser}: write the parser`, status: 'in_progress' },
      { content: `Write the printer (${printer})`, status: 'pending' },
      { content: 'Tidy the README', status: 'pending' },
    ]
    const started = await runBin(elsewhere(), ['hook', 'todo-write'], env, todoWrite('/nowhere', first))
    expect(started.code).toBe(0)
    expect(JSON.parse(started.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PostToolUse',
        additionalContext: `Backlog, following your todo list: claimed ${parser}.`,
      },
    })
    const shown = JSON.parse((await runInProcess(repo.dir, ['show', parser, '--json'])).stdout)
    expect(shown.items[0]).toMatchObject({ status: 'in_progress', assignee: 'claude-code' })
    expect(repo.git('log', '-1', '--format=%B')).toContain('Backlog-Agent: claude-code')

    // The next write: the parser is done, the printer started; the unchanged todo is left alone (no commit for it).
    const before = Number(repo.git('rev-list', '--count', 'HEAD'))
    const second = [
      { content: `${parser}: write the parser`, status: 'completed' },
      { content: `Write the printer (${printer})`, status: 'in_progress' },
      { content: 'Tidy the README', status: 'pending' },
    ]
    const next = await runInProcess(repo.dir, ['hook', 'todo-write'], {}, { input: todoWrite(repo.dir, second, first) })
    expect(next.code).toBe(0)
    expect(JSON.parse(next.stdout).hookSpecificOutput.additionalContext).toBe(
      `Backlog, following your todo list: claimed ${printer}; marked done ${parser} (add evidence with backlog_update add_evidence).`,
    )
    expect(Number(repo.git('rev-list', '--count', 'HEAD'))).toBe(before + 2)
    const again = await runInProcess(
      repo.dir,
      ['hook', 'todo-write'],
      {},
      { input: todoWrite(repo.dir, second, second) },
    )
    expect(again).toMatchObject({ code: 0, stdout: '' })
    expect(Number(repo.git('rev-list', '--count', 'HEAD'))).toBe(before + 2)
  })

  it("todo-write reports an item someone else holds, and ignores other tools' calls", async () => {
    const { repo, ids } = await backlogWith(['Write the parser'])
    const [parser] = ids as [string]
    expect((await runInProcess(repo.dir, ['claim', parser], { BACKLOG_AGENT: 'other-agent' })).code).toBe(0)
    const refused = await runInProcess(
      repo.dir,
      ['hook', 'todo-write'],
      {},
      { input: todoWrite(repo.dir, [{ content: `Do ${parser}`, status: 'in_progress' }]) },
    )
    expect(refused.code).toBe(0)
    expect(JSON.parse(refused.stdout).hookSpecificOutput.additionalContext).toMatch(
      new RegExp(`${parser} not changed: CONFLICT: .*other-agent`),
    )
    const bash = JSON.stringify({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } })
    expect(await runInProcess(repo.dir, ['hook', 'todo-write'], {}, { input: bash })).toMatchObject({
      code: 0,
      stdout: '',
    })
  })
  it('todo-write acts on the whole id a todo names: dotted and dashed ids beside their parents, never a prefix', async () => {
    const repo = tempRepo()
    expect((await runInProcess(repo.dir, ['init'])).code).toBe(0)
    // Ids as beads and Backlog.md make them: an epic and its dotted child, an id with a second dash beside a shorter one.
    const beads = [
      { id: 'bd-e1', title: 'The epic', status: 'open', issue_type: 'epic' },
      { id: 'bd-e1.1.1.1', title: 'A deep task', status: 'open', issue_type: 'task' },
      { id: 'bd-x', title: 'X', status: 'open', issue_type: 'task' },
      { id: 'bd-x-2', title: 'X again', status: 'open', issue_type: 'task' },
      { id: 'bd-e2', title: 'Another epic', status: 'open', issue_type: 'epic' },
      { id: 'bd-e2.1', title: 'Its child', status: 'open', issue_type: 'task' },
    ]
    const imported = await runInProcess(
      repo.dir,
      ['import', 'beads', '-'],
      {},
      {
        input: beads.map((line) => JSON.stringify(line)).join('\n'),
      },
    )
    expect(imported.code, imported.stderr).toBe(0)
    const status = async (id: string) =>
      JSON.parse((await runInProcess(repo.dir, ['show', id, '--json'])).stdout).items[0].status as string
    const hook = (todos: Array<{ content: string; status: string }>) =>
      runInProcess(repo.dir, ['hook', 'todo-write'], {}, { input: todoWrite(repo.dir, todos) })

    const started = await hook([
      { content: 'Start bd-e1.1.1.1.', status: 'in_progress' },
      { content: 'Then bd-x-2, as planned', status: 'in_progress' },
    ])
    expect(JSON.parse(started.stdout).hookSpecificOutput.additionalContext).toBe(
      'Backlog, following your todo list: claimed bd-e1.1.1.1, bd-x-2.',
    )
    const finished = await hook([{ content: 'Finish bd-e1.1.1.1', status: 'completed' }])
    expect(finished.code).toBe(0)
    expect(await status('bd-e1.1.1.1')).toBe('done')
    expect(await status('bd-e1')).toBe('open')
    expect(await status('bd-x')).toBe('open')
    expect(await status('bd-x-2')).toBe('in_progress')

    // An id that names no item is not cut down to one that does: bd-e2.9 is not bd-e2.
    const commits = repo.git('rev-list', '--count', 'HEAD')
    expect(await hook([{ content: 'Finish bd-e2.9 (bd-x-99)', status: 'completed' }])).toMatchObject({
      code: 0,
      stdout: '',
    })
    expect(await status('bd-e2')).toBe('open')
    expect(repo.git('rev-list', '--count', 'HEAD')).toBe(commits)
  })

  it('todo-write does not mark done an item another agent holds, and tells the agent so', async () => {
    const { repo, ids } = await backlogWith(['Write the parser'])
    const [parser] = ids as [string]
    expect((await runInProcess(repo.dir, ['claim', parser], { BACKLOG_AGENT: 'other-agent' })).code).toBe(0)
    const commits = repo.git('rev-list', '--count', 'HEAD')
    const run = await runInProcess(
      repo.dir,
      ['hook', 'todo-write'],
      {},
      { input: todoWrite(repo.dir, [{ content: `${parser}: write the parser`, status: 'completed' }]) },
    )
    expect(run.code).toBe(0)
    const context = JSON.parse(run.stdout).hookSpecificOutput.additionalContext as string
    expect(context).toMatch(
      new RegExp(`^Backlog, following your todo list: ${parser} not changed: CONFLICT: .*other-agent`),
    )
    // One full stop at the end, not two.
    expect(context).toMatch(/Nothing was written\.$/)
    const shown = JSON.parse((await runInProcess(repo.dir, ['show', parser, '--json'])).stdout)
    expect(shown.items[0]).toMatchObject({ status: 'in_progress', assignee: 'other-agent' })
    expect(repo.git('rev-list', '--count', 'HEAD')).toBe(commits)
  })

  it('a hook exits 0 whatever its input, saying on standard error what went wrong', async () => {
    const { repo } = await backlogWith(['Write the parser'])
    for (const event of ['session-start', 'todo-write']) {
      // JSON that is not an object, and a cwd that is not a folder name (an error of no BacklogError kind inside).
      for (const input of ['null', '[1, 2]', '{"cwd": 5}']) {
        const run = await runInProcess(elsewhere(), ['hook', event], { CLAUDE_PROJECT_DIR: '' }, { input })
        expect(run, `${event} ${input}`).toMatchObject({ code: 0, stdout: '' })
        expect(run.stderr).toMatch(new RegExp(`^git-backlog hook ${event}: `))
      }
    }
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})

describe('git backlog init --agents', () => {
  it('writes its section once, keeps the rest of the file, and leaves staged work alone', async () => {
    const repo = tempRepo({ 'README.md': '# project\n', 'AGENTS.md': '# Agents\n\nRun npm test before committing.\n' })
    repo.write('src/app.ts', 'export const staged = 1\n')
    repo.git('add', 'src/app.ts')
    const first = await runInProcess(repo.dir, ['init', '--agents'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/Wrote the backlog section of AGENTS.md \[[0-9a-f]{7}\]/)
    const text = repo.read('AGENTS.md')
    expect(text.startsWith('# Agents\n\nRun npm test before committing.\n\n')).toBe(true)
    expect(text).toContain(`${SECTION_START}\n## Task backlog (git-backlog)`)
    expect(text.endsWith(`${SECTION_END}\n`)).toBe(true)
    // The section's commit holds AGENTS.md alone; the person's staged file is still staged, and nothing else changed.
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim()).toBe('AGENTS.md')
    expect(repo.git('log', '-1', '--format=%B')).toContain('Backlog-Op: init')
    expect(repo.git('status', '--porcelain')).toBe('A  src/app.ts\n')

    const commits = repo.git('rev-list', '--count', 'HEAD')
    const second = await runInProcess(repo.dir, ['init', '--agents'])
    expect(second.stdout).toContain('AGENTS.md already has the backlog section.')
    expect(repo.read('AGENTS.md')).toBe(text)
    expect(repo.git('rev-list', '--count', 'HEAD')).toBe(commits)

    // A changed section is replaced in place, text after it kept.
    repo.write('AGENTS.md', `${text.replace('## Task backlog (git-backlog)', '## Old words')}\n## Later\n`)
    repo.git('commit', '-q', '-m', 'edit agents', '--', 'AGENTS.md')
    await runInProcess(repo.dir, ['init', '--agents'])
    expect(repo.read('AGENTS.md')).toBe(`${text}\n## Later\n`)
    expect(repo.git('status', '--porcelain')).toBe('A  src/app.ts\n')
  })

  it('writes CLAUDE.md too when there is one, and leaves a file with uncommitted changes uncommitted', async () => {
    const repo = tempRepo({ 'CLAUDE.md': '# Claude\n' })
    await runInProcess(repo.dir, ['init'])
    repo.write('CLAUDE.md', '# Claude\n\nMy unfinished note.\n')
    const run = await runInProcess(repo.dir, ['init', '--agents', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const { agents } = JSON.parse(run.stdout)
    expect(agents).toMatchObject({
      written: ['AGENTS.md', 'CLAUDE.md'],
      committed: ['AGENTS.md'],
      uncommitted: ['CLAUDE.md'],
    })
    expect(repo.read('CLAUDE.md')).toMatch(/^# Claude\n\nMy unfinished note\.\n\n<!-- git-backlog:start/)
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim()).toBe('AGENTS.md')
    expect(repo.git('status', '--porcelain')).toBe(' M CLAUDE.md\n')

    // Run again, it says both files have the section, and that CLAUDE.md still waits to be committed.
    const again = await runInProcess(repo.dir, ['init', '--agents'])
    expect(again.stdout).toContain('AGENTS.md and CLAUDE.md already have the backlog section.')
    expect(again.stdout).toContain('CLAUDE.md is not committed yet')

    // A CLAUDE.md that imports AGENTS.md, wherever on a line and however written, gets nothing twice.
    for (const text of ['@AGENTS.md\n', '# Claude\n\nSee @AGENTS.md.\n', 'Read @./AGENTS.md first.\n']) {
      const importing = tempRepo({ 'CLAUDE.md': text })
      await runInProcess(importing.dir, ['init', '--agents'])
      expect(importing.read('CLAUDE.md')).toBe(text)
      expect(importing.read('AGENTS.md')).toContain(SECTION_START)
    }
    // A mention in a code span is not an import.
    const mention = tempRepo({ 'CLAUDE.md': 'Codex reads `@AGENTS.md`.\n' })
    await runInProcess(mention.dir, ['init', '--agents'])
    expect(mention.read('CLAUDE.md')).toContain(SECTION_START)
  })

  it('never writes through a link out of the repository, and writes a CLAUDE.md linked to AGENTS.md once', async () => {
    const home = elsewhere()
    const personal = join(home, 'CLAUDE.md')
    writeFileSync(personal, '# My own instructions, for every project\n')
    const repo = tempRepo({ 'README.md': '# project\n' })
    symlinkSync(personal, join(repo.dir, 'CLAUDE.md'))
    repo.git('add', 'CLAUDE.md')
    repo.git('commit', '-q', '-m', 'link my instructions')
    const run = await runInProcess(repo.dir, ['init', '--agents', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(readFileSync(personal, 'utf8')).toBe('# My own instructions, for every project\n')
    expect(JSON.parse(run.stdout).agents).toMatchObject({
      written: ['AGENTS.md'],
      committed: ['AGENTS.md'],
      skipped: [{ path: 'CLAUDE.md', reason: expect.stringContaining('outside this repository') }],
    })
    const text = await runInProcess(repo.dir, ['init', '--agents'])
    expect(text.stdout).toContain(`CLAUDE.md is a link to ${personal}, outside this repository; not written.`)
    expect(repo.git('status', '--porcelain')).toBe('')

    // CLAUDE.md -> AGENTS.md: one file, given the section once, and the link stays a link.
    const linked = tempRepo({ 'AGENTS.md': '# Agents\n' })
    symlinkSync('AGENTS.md', join(linked.dir, 'CLAUDE.md'))
    linked.git('add', 'CLAUDE.md')
    linked.git('commit', '-q', '-m', 'one file for every agent')
    const once = await runInProcess(linked.dir, ['init', '--agents'])
    expect(once.code, once.stderr).toBe(0)
    expect(once.stdout).toMatch(/Wrote the backlog section of AGENTS\.md \[[0-9a-f]{7}\]\./)
    expect(once.stdout).toContain('CLAUDE.md is a link to AGENTS.md: one file, given the section once.')
    expect(linked.read('AGENTS.md').split(SECTION_START)).toHaveLength(2)
    expect(lstatSync(join(linked.dir, 'CLAUDE.md')).isSymbolicLink()).toBe(true)
    expect(linked.git('show', '--name-only', '--format=', 'HEAD').trim()).toBe('AGENTS.md')
    expect(linked.git('status', '--porcelain')).toBe('')

    // CLAUDE.md -> AGENTS.md before AGENTS.md exists: the link names the file this run makes.
    const ahead = tempRepo()
    symlinkSync('AGENTS.md', join(ahead.dir, 'CLAUDE.md'))
    ahead.git('add', 'CLAUDE.md')
    ahead.git('commit', '-q', '-m', 'a link for later')
    const made = await runInProcess(ahead.dir, ['init', '--agents'])
    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toContain('CLAUDE.md is a link to AGENTS.md: one file, given the section once.')
    expect(made.stdout).not.toContain('does not exist')
    expect(ahead.read('AGENTS.md')).toContain(SECTION_START)
    expect(ahead.git('status', '--porcelain')).toBe('')
  })

  it('writes an ignored CLAUDE.md without committing it, and skips a CLAUDE.md that is a folder or links to one', async () => {
    const repo = tempRepo({ '.gitignore': 'CLAUDE.md\n' })
    writeFileSync(join(repo.dir, 'CLAUDE.md'), '# Mine alone\n')
    const run = await runInProcess(repo.dir, ['init', '--agents', '--json'])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).agents).toMatchObject({ committed: ['AGENTS.md'], uncommitted: ['CLAUDE.md'] })
    expect(readFileSync(join(repo.dir, 'CLAUDE.md'), 'utf8')).toContain(SECTION_START)
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim()).toBe('AGENTS.md')
    // Nothing left staged: the index holds what the person had, plus the committed AGENTS.md.
    expect(repo.git('status', '--porcelain')).toBe('')

    const folder = tempRepo({ 'docs/readme.md': '# docs\n' })
    symlinkSync('docs', join(folder.dir, 'CLAUDE.md'))
    folder.git('add', 'CLAUDE.md')
    folder.git('commit', '-q', '-m', 'a link to a folder')
    const skipped = await runInProcess(folder.dir, ['init', '--agents', '--json'])
    expect(skipped.code, skipped.stderr).toBe(0)
    expect(JSON.parse(skipped.stdout).agents).toMatchObject({
      committed: ['AGENTS.md'],
      skipped: [{ path: 'CLAUDE.md', reason: expect.stringContaining('a link to a folder') }],
    })
    expect(folder.git('status', '--porcelain')).toBe('')
  })
})
