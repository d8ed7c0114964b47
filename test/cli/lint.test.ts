/**
 * `git backlog lint`, run in process over real repositories holding hand-written files: one test per rule (its code,
 * path and line), the three output formats, and the checkouts CI makes (shallow, a pull request's merge ref, a merge
 * in progress), none of which it may write to.
 */

import { statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { layoutItemFile } from '../../src/core/codec.js'
import type { LintFinding } from '../../src/core/lint.js'
import { runInProcess } from '../helpers/cli.js'
import { git, type TempRepo, tempRepo } from '../helpers/repo.js'

const CONFIG = 'prefix: bl\n'

/** An item file as a person writes it: id, title, then `extra` lines of frontmatter, then `body`. */
function item(id: string, extra = '', body = ''): string {
  return `---\nid: ${id}\ntitle: Item ${id}\n${extra}---\n${body ? `\n${body}` : ''}`
}

/** An item file as the tool writes it (docs/adr/0018-a-layout-the-merge-button-can-merge.md). */
function laidOut(id: string, extra = '', body = ''): string {
  return layoutItemFile(item(id, extra, body))
}

/** A repository whose one commit holds a config and `files`. */
function backlog(files: Record<string, string>): TempRepo {
  return tempRepo({ '.backlog/config.yml': CONFIG, ...files })
}

const lint = (dir: string, ...args: string[]) => runInProcess(dir, ['lint', ...args])

interface Report {
  ok: boolean
  errors: number
  warnings: number
  findings: LintFinding[]
}

/**
 * The JSON report, without the `merge-layout` warning that every compact hand-written file here gets (the warning
 * count less those); the test of that rule reads it whole.
 */
async function report(dir: string): Promise<Report> {
  const outcome = await lint(dir, '--format', 'json')
  expect(outcome.stderr).toBe('')
  const parsed = JSON.parse(outcome.stdout) as Report
  expect(outcome.code).toBe(parsed.ok ? 0 : 1)
  const findings = parsed.findings.filter((finding) => finding.rule !== 'merge-layout')
  return { ...parsed, warnings: parsed.warnings - (parsed.findings.length - findings.length), findings }
}

/** The findings of `report` without their messages, which say what to do in words that may change. */
async function found(dir: string): Promise<Array<Omit<LintFinding, 'message'>>> {
  return (await report(dir)).findings.map(({ message: _message, ...rest }) => rest)
}

/** What lint must never change: the working tree's status, every ref, the index and the repository's config. */
function gitState(repo: TempRepo) {
  const gitdir = join(repo.dir, '.git')
  // The index first, and a status that may not refresh it: `git status` itself rewrites a racily clean index.
  const index = statSync(join(gitdir, 'index')).mtimeMs
  return {
    index,
    status: repo.git('--no-optional-locks', 'status', '--porcelain'),
    refs: repo.git('for-each-ref', '--format=%(refname) %(objectname)'),
    head: repo.git('rev-parse', 'HEAD'),
    config: repo.read('.git/config'),
    backlogCache: statSync(join(gitdir, 'backlog'), { throwIfNoEntry: false }) !== undefined,
  }
}

describe('git backlog lint', () => {
  it('passes a sound backlog with exit 0, archived items, READMEs and the attributes file included', async () => {
    const repo = backlog({
      '.backlog/.gitattributes': '*.md merge=backlog\n',
      '.backlog/tasks/README.md': '# Tasks\n',
      '.backlog/tasks/2/bl-k3m9x2.md': laidOut('bl-k3m9x2', 'status: in_progress\npriority: H\ndue: 2026-12-01\n'),
      '.backlog/tasks/1/bl-p4q7w1.md': laidOut(
        'bl-p4q7w1',
        'parent: bl-k3m9x2\nepic: bl-zz0001\ndepends_on:\n  - bl-k3m9x2\nestimate: 3\n',
      ),
      '.backlog/archive/1/bl-zz0001.md': laidOut(
        'bl-zz0001',
        'type: epic\nstatus: done\nclosed: 2026-11-01T10:00:00Z\n',
      ),
    })
    const before = gitState(repo)
    const outcome = await lint(repo.dir)
    expect(outcome).toEqual({ code: 0, stdout: 'The backlog is sound: no errors, no warnings.\n', stderr: '' })
    expect(gitState(repo)).toEqual(before)
  })

  it('schema: names each invalid known field on its line, and leaves user attributes alone', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': item(
        'bl-k3m9x2',
        'type: story\nstatus: doing\npriority: critical\nsprint: 12\ndue: next week\nrecur: hourly\ncreated: 2026-02-30\n',
      ),
    })
    const path = '.backlog/tasks/2/bl-k3m9x2.md'
    expect(await found(repo.dir)).toEqual([
      { rule: 'schema', severity: 'error', path, line: 4 },
      { rule: 'schema', severity: 'error', path, line: 5 },
      { rule: 'schema', severity: 'error', path, line: 6 },
      { rule: 'schema', severity: 'error', path, line: 8 },
      { rule: 'schema', severity: 'error', path, line: 9 },
      { rule: 'schema', severity: 'error', path, line: 10 },
    ])
    const outcome = await lint(repo.dir)
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toContain(
      `${path}:5: error schema: status "doing" is not one of open, in_progress, blocked, done, cancelled`,
    )
    // The one warning: the compact hand-written file is not in the layout that merges line by line.
    expect(outcome.stdout).toMatch(/\n6 errors, 1 warning\n$/)
  })

  it('schema: checks status against the statuses config.yml sets', async () => {
    const repo = tempRepo({
      '.backlog/config.yml': 'statuses: [todo, doing, done]\n',
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2', 'status: doing\n'),
      '.backlog/tasks/1/bl-p4q7w1.md': item('bl-p4q7w1', 'status: open\n'),
    })
    expect(await found(repo.dir)).toEqual([
      { rule: 'schema', severity: 'error', path: '.backlog/tasks/1/bl-p4q7w1.md', line: 4 },
    ])
  })

  it('unreadable: bad YAML on the line the parser names, and a file with no frontmatter on line 1', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': '---\nid: bl-k3m9x2\ntitle: Fine\ntags: [a, b\nstatus: open\n---\n',
      '.backlog/tasks/1/bl-p4q7w1.md': 'Just some notes\n',
    })
    const findings = (await report(repo.dir)).findings
    expect(findings.map(({ message: _m, ...rest }) => rest)).toEqual([
      { rule: 'unreadable', severity: 'error', path: '.backlog/tasks/1/bl-p4q7w1.md', line: 1 },
      { rule: 'unreadable', severity: 'error', path: '.backlog/tasks/2/bl-k3m9x2.md', line: 5 },
    ])
    expect(findings[0]?.message).toMatch(/no YAML frontmatter/)
    expect(findings[1]?.message).toMatch(/invalid YAML frontmatter/)
  })

  it('conflict-markers: committed in the frontmatter or as a whole block in the body; an indented block is text', async () => {
    const block = '<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> topic\n'
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': `---\nid: bl-k3m9x2\n<<<<<<< HEAD\ntitle: Ours\n=======\ntitle: Theirs\n>>>>>>> topic\n---\n`,
      '.backlog/tasks/1/bl-p4q7w1.md': item('bl-p4q7w1', '', `Intro\n\n${block}`),
      '.backlog/tasks/3/bl-zz0003.md': item('bl-zz0003', '', `How it looks:\n\n${block.replace(/^/gm, '    ')}`),
    })
    expect(await found(repo.dir)).toEqual([
      { rule: 'conflict-markers', severity: 'error', path: '.backlog/tasks/1/bl-p4q7w1.md', line: 8 },
      { rule: 'conflict-markers', severity: 'error', path: '.backlog/tasks/2/bl-k3m9x2.md', line: 3 },
    ])
  })

  it('dangling-parent and dangling-dependency: ids no item has, an archived item counting as one', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': item(
        'bl-k3m9x2',
        'parent: bl-gone01\nepic: bl-zz0001\ndepends_on:\n  - bl-zz0001\n  - bl-gone02\n',
      ),
      '.backlog/tasks/1/bl-p4q7w1.md': item('bl-p4q7w1', 'epic: bl-gone03\n'),
      '.backlog/archive/1/bl-zz0001.md': item('bl-zz0001', 'type: epic\nstatus: done\n'),
    })
    const findings = (await report(repo.dir)).findings
    expect(findings.map(({ message: _m, ...rest }) => rest)).toEqual([
      { rule: 'dangling-parent', severity: 'error', path: '.backlog/tasks/1/bl-p4q7w1.md', line: 4 },
      { rule: 'dangling-parent', severity: 'error', path: '.backlog/tasks/2/bl-k3m9x2.md', line: 4 },
      { rule: 'dangling-dependency', severity: 'error', path: '.backlog/tasks/2/bl-k3m9x2.md', line: 8 },
    ])
    expect(findings[2]?.message).toMatch(/^depends_on bl-gone02 names no item/)
  })

  it('cycle: in parent chains and in depends_on, naming the ids once per cycle', async () => {
    const repo = backlog({
      '.backlog/tasks/1/bl-aaaaa1.md': item('bl-aaaaa1', 'parent: bl-bbbbb2\n'),
      '.backlog/tasks/2/bl-bbbbb2.md': item('bl-bbbbb2', 'parent: bl-aaaaa1\ndepends_on: [bl-ccccc3]\n'),
      '.backlog/tasks/3/bl-ccccc3.md': item('bl-ccccc3', 'depends_on:\n  - bl-ddddd4\n'),
      '.backlog/tasks/4/bl-ddddd4.md': item('bl-ddddd4', 'depends_on:\n  - bl-bbbbb2\n'),
      '.backlog/tasks/5/bl-eeeee5.md': item('bl-eeeee5', 'depends_on: [bl-eeeee5]\n'),
    })
    const findings = (await report(repo.dir)).findings
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'cycle', path: '.backlog/tasks/1/bl-aaaaa1.md', line: 4 }),
      expect.objectContaining({ rule: 'cycle', path: '.backlog/tasks/2/bl-bbbbb2.md', line: 5 }),
      expect.objectContaining({ rule: 'cycle', path: '.backlog/tasks/5/bl-eeeee5.md', line: 4 }),
    ])
    expect(findings.map((one) => one.message.split(';')[0])).toEqual([
      'parent forms a cycle: bl-aaaaa1 → bl-bbbbb2 → bl-aaaaa1',
      'depends_on forms a cycle: bl-bbbbb2 → bl-ccccc3 → bl-ddddd4 → bl-bbbbb2',
      'depends_on forms a cycle: bl-eeeee5 → bl-eeeee5',
    ])
  })

  it('duplicate-id: names the copy and the file that is used', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2'),
      '.backlog/tasks/2/copy.md': item('bl-k3m9x2'),
    })
    const findings = (await report(repo.dir)).findings
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'duplicate-id', severity: 'error', path: '.backlog/tasks/2/copy.md', line: 2 }),
    ])
    expect(findings[0]?.message).toContain('.backlog/tasks/2/bl-k3m9x2.md')
  })

  it('file-name: a name that is not the id is an error, a file in the wrong folder a warning', async () => {
    const repo = backlog({
      '.backlog/tasks/c/bl-abcabc.md': item('bl-xyzxyz'),
      '.backlog/tasks/7/bl-k3m9x2.md': item('bl-k3m9x2'),
      '.backlog/archive/bl-p4q7w1.md': item('bl-p4q7w1', 'status: done\n'),
    })
    const result = await report(repo.dir)
    expect(result.findings.map(({ message: _m, ...rest }) => rest)).toEqual([
      { rule: 'file-name', severity: 'warning', path: '.backlog/archive/bl-p4q7w1.md' },
      { rule: 'file-name', severity: 'warning', path: '.backlog/tasks/7/bl-k3m9x2.md' },
      { rule: 'file-name', severity: 'error', path: '.backlog/tasks/c/bl-abcabc.md', line: 2 },
    ])
    expect(result.findings[2]?.message).toContain('git mv .backlog/tasks/c/bl-abcabc.md .backlog/tasks/z/bl-xyzxyz.md')
    expect(result).toMatchObject({ ok: false, errors: 1, warnings: 2 })
  })

  it('outside-layout: a stray markdown file is an error, any other file a warning', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2'),
      '.backlog/tasks/notes.txt': 'remember\n',
      '.backlog/stray.md': item('bl-p4q7w1'),
    })
    expect(await found(repo.dir)).toEqual([
      { rule: 'outside-layout', severity: 'error', path: '.backlog/stray.md' },
      { rule: 'outside-layout', severity: 'warning', path: '.backlog/tasks/notes.txt' },
    ])
  })

  it('exits 0 on warnings alone, and 1 with --strict', async () => {
    const repo = backlog({ '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2'), '.backlog/todo.txt': 'x\n' })
    expect((await lint(repo.dir)).code).toBe(0)
    expect((await lint(repo.dir, '--strict')).code).toBe(1)
  })

  it('config: bad YAML and a wrong setting, on their lines', async () => {
    const repo = tempRepo({
      '.backlog/config.yml': 'prefix: bl\nstatuses: open\n',
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2'),
    })
    expect(await found(repo.dir)).toEqual([{ rule: 'config', severity: 'error', path: '.backlog/config.yml', line: 2 }])
    repo.write('.backlog/config.yml', 'prefix: bl\nstatuses: [open\n')
    expect(await found(repo.dir)).toEqual([
      { rule: 'config', severity: 'error', path: '.backlog/config.yml', line: expect.any(Number) },
    ])
  })

  it('merge-layout: warns of files not in the layout that merges line by line, ten by name, until doctor --fix', async () => {
    const files: Record<string, string> = {}
    for (let n = 0; n < 12; n++) {
      const id = `bl-old${String(n).padStart(2, '0')}x`
      files[`.backlog/tasks/x/${id}.md`] = item(id, 'status: open\n')
    }
    files['.backlog/tasks/2/bl-k3m9x2.md'] = laidOut('bl-k3m9x2', 'status: open\n')
    const repo = backlog(files)
    const outcome = await lint(repo.dir, '--format', 'json')
    expect(outcome.code).toBe(0)
    const { findings, warnings } = JSON.parse(outcome.stdout) as Report
    expect(warnings).toBe(11)
    expect(findings.every((finding) => finding.rule === 'merge-layout' && finding.severity === 'warning')).toBe(true)
    expect(findings.map((finding) => finding.path)).not.toContain('.backlog/tasks/2/bl-k3m9x2.md')
    expect(findings[10]?.message).toMatch(/^and 2 more item files not in the layout: `git backlog doctor --fix`/)
    expect((await lint(repo.dir, '--strict')).code).toBe(1)

    expect((await runInProcess(repo.dir, ['doctor', '--fix'])).code).toBe(0)
    expect(await lint(repo.dir)).toEqual({
      code: 0,
      stdout: 'The backlog is sound: no errors, no warnings.\n',
      stderr: '',
    })
  })

  it('--format github prints workflow commands, escaping messages and properties as GitHub requires', async () => {
    const repo = backlog({
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2', 'status: "50%, done:\\nsoon"\n'),
      '.backlog/tasks/a,b:c.txt': 'x\n',
    })
    const outcome = await lint(repo.dir, '--format', 'github')
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toBe(
      [
        '::warning file=.backlog/tasks/2/bl-k3m9x2.md,title=merge-layout::not in the layout that merges line by line (edits to different fields on two branches may conflict on a merge button): `git backlog doctor --fix` moves every item to it in one commit',
        '::error file=.backlog/tasks/2/bl-k3m9x2.md,line=4,title=schema::status "50%25, done:%0Asoon" is not one of open, in_progress, blocked, done, cancelled: use one of them, or add it to statuses in .backlog/config.yml',
        '::warning file=.backlog/tasks/a%2Cb%3Ac.txt,title=outside-layout::.backlog/ holds config.yml, .gitattributes and item files (*.md) under tasks/ and archive/: move this file out of .backlog/',
        'git backlog lint: 1 error, 2 warnings',
        '',
      ].join('\n'),
    )
  })

  it('--format json gives ok, the counts and the findings', async () => {
    const repo = backlog({ '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2', 'status: doing\n') })
    const outcome = await lint(repo.dir, '--format', 'json')
    expect(outcome.code).toBe(1)
    const parsed = JSON.parse(outcome.stdout)
    expect(Object.keys(parsed)).toEqual(['ok', 'errors', 'warnings', 'findings'])
    expect(parsed).toEqual({
      ok: false,
      errors: 1,
      warnings: 1,
      findings: [
        {
          rule: 'merge-layout',
          severity: 'warning',
          path: '.backlog/tasks/2/bl-k3m9x2.md',
          message: expect.stringMatching(/^not in the layout that merges line by line/),
        },
        {
          rule: 'schema',
          severity: 'error',
          path: '.backlog/tasks/2/bl-k3m9x2.md',
          line: 4,
          message: expect.stringMatching(/^status "doing" is not one of/),
        },
      ],
    })
    expect(JSON.parse((await lint(repo.dir, '--json')).stdout)).toEqual(parsed)
  })

  it('says there is no backlog, with exit 1, where there is none', async () => {
    const repo = tempRepo()
    const outcome = await lint(repo.dir)
    expect(outcome.code).toBe(1)
    expect(outcome.stderr).toMatch(/No backlog in .* yet/)
    expect(outcome.stdout).toBe('')
  })

  it('reports the conflict markers of a merge in progress instead of refusing, with no driver set up, writing nothing', async () => {
    const repo = backlog({
      '.backlog/.gitattributes': '*.md merge=backlog\n',
      '.backlog/tasks/2/bl-k3m9x2.md': item('bl-k3m9x2', 'status: open\n', 'First line\n'),
    })
    repo.git('checkout', '-q', '-b', 'topic')
    repo.write('.backlog/tasks/2/bl-k3m9x2.md', item('bl-k3m9x2', 'status: open\n', 'Their line\n'))
    repo.git('commit', '-qam', 'theirs')
    repo.git('checkout', '-q', 'main')
    repo.write('.backlog/tasks/2/bl-k3m9x2.md', item('bl-k3m9x2', 'status: open\n', 'Our line\n'))
    repo.git('commit', '-qam', 'ours')
    expect(() => repo.git('merge', 'topic')).toThrow()
    expect(repo.read('.backlog/tasks/2/bl-k3m9x2.md')).toContain('<<<<<<<')

    const before = gitState(repo)
    const result = await report(repo.dir)
    expect(result.findings.map(({ message: _m, ...rest }) => rest)).toEqual([
      { rule: 'conflict-markers', severity: 'error', path: '.backlog/tasks/2/bl-k3m9x2.md', line: 7 },
    ])
    expect(result.findings[0]?.message).toMatch(/unfinished/)
    expect(gitState(repo)).toEqual(before)
  })

  it('runs on a shallow clone and on the detached merge ref of a pull request, as CI checks them out', async () => {
    const origin = backlog({ '.backlog/tasks/2/bl-k3m9x2.md': laidOut('bl-k3m9x2') })
    origin.write('.backlog/tasks/1/bl-p4q7w1.md', laidOut('bl-p4q7w1', 'parent: bl-k3m9x2\n'))
    origin.git('add', '-A')
    origin.git('commit', '-qm', 'second')
    origin.git('checkout', '-q', '-b', 'feature')
    origin.write('.backlog/tasks/3/bl-zz0003.md', laidOut('bl-zz0003', 'depends_on: [bl-nothere]\n'))
    origin.git('add', '-A')
    origin.git('commit', '-qm', 'feature')
    origin.git('checkout', '-q', '--detach', 'main')
    origin.git('merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature')
    origin.git('update-ref', 'refs/pull/1/merge', origin.git('rev-parse', 'HEAD').trim())
    origin.git('checkout', '-q', 'main')

    const shallow = tempRepo({}, { commit: false })
    git(shallow.dir, 'fetch', '-q', '--depth', '1', `file://${origin.dir}`, 'main')
    git(shallow.dir, 'checkout', '-q', '--detach', 'FETCH_HEAD')
    expect(shallow.git('rev-parse', '--is-shallow-repository').trim()).toBe('true')
    expect(await lint(shallow.dir)).toMatchObject({ code: 0 })

    const pull = tempRepo({}, { commit: false })
    pull.git('clone', '-q', '--depth', '1', '--no-checkout', `file://${origin.dir}`, 'checkout')
    const dir = join(pull.dir, 'checkout')
    git(dir, 'fetch', '-q', '--depth', '1', 'origin', '+refs/pull/1/merge:refs/remotes/pull/1/merge')
    git(dir, 'checkout', '-q', '--detach', 'refs/remotes/pull/1/merge')
    const status = git(dir, '--no-optional-locks', 'status', '--porcelain')
    const outcome = await lint(dir)
    expect(outcome.code).toBe(1)
    expect(outcome.stdout).toBe(
      [
        '.backlog/tasks/3/bl-zz0003.md:20: error dangling-dependency: depends_on bl-nothere names no item (archived ones included): fix the id or remove it from the list',
        '1 error, 0 warnings',
        '',
      ].join('\n'),
    )
    expect(git(dir, '--no-optional-locks', 'status', '--porcelain')).toBe(status)
  })
})
