import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { BacklogError } from '../../src/core/errors.js'
import { createCommitter } from '../../src/store/commit.js'
import { createObjectStore } from '../../src/store/git/objects.js'
import { discoverRepo } from '../../src/store/repo.js'
import { expectError } from '../helpers/errors.js'
import { BIN, GIT_ENV, git, seededRandom, steppingClock, tempRepo } from '../helpers/repo.js'

const run = promisify(execFile)

async function initApp(dir: string, options: { lockTimeoutMs?: number } = {}) {
  const app = createApp({ cwd: dir, now: steppingClock(), random: seededRandom(), ...options })
  await app.init({})
  return app
}

/** The commit protocol alone over the repository in `dir`, with a fixed identity. */
function committerIn(dir: string) {
  const repo = discoverRepo(dir)
  return createCommitter({
    repo,
    objects: createObjectStore(repo.commondir),
    settings: async () => ({ name: 'T', email: 't@e', sign: false }),
    now: () => new Date(),
  })
}

describe('the commit protocol on a real repository', () => {
  it("makes one commit per mutation and leaves the user's staged, unstaged and untracked work alone", async () => {
    const repo = tempRepo({ 'src/a.ts': 'export const a = 1\n', 'src/b.ts': 'export const b = 1\n' })
    repo.write('src/a.ts', 'export const a = 2 // staged\n')
    repo.git('add', 'src/a.ts')
    repo.write('src/a.ts', 'export const a = 3 // unstaged on top of staged\n')
    repo.write('src/b.ts', 'export const b = 2 // unstaged\n')
    repo.write('scratch.txt', 'untracked\n')
    repo.write('src/new.ts', 'export {}\n')
    repo.git('add', '-N', 'src/new.ts')
    const stagedBefore = repo.git('diff', '--cached')
    const unstagedBefore = repo.git('diff')

    const app = await initApp(repo.dir)
    const ids: string[] = []
    for (let i = 0; i < 60; i++) ids.push((await app.create({ title: `Task ${i}` })).items[0]!.id)
    for (let i = 0; i < 30; i++) await app.update({ id: [ids[i]!], status: 'done' })
    await app.remove({ id: ids.slice(50, 60) })
    for (let i = 0; i < 9; i++) await app.update({ id: [ids[i]!], note: `note ${i}` })
    app.close()

    expect(Number(repo.git('rev-list', '--count', 'HEAD'))).toBe(1 + 1 + 60 + 30 + 1 + 9)
    expect(repo.git('diff', '--cached')).toBe(stagedBefore)
    expect(repo.git('diff')).toBe(unstagedBefore)
    expect(repo.read('scratch.txt')).toBe('untracked\n')
    expect(repo.git('status', '--porcelain', '--', '.backlog')).toBe('')
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
    expect(repo.git('log', '-1', '--format=%B')).toMatch(
      /^update bl-\w+: Task 8\n\nChanged: note\n\nBacklog-Op: update\nBacklog-Id: bl-\w+\n/,
    )
    // Only .backlog/ paths in backlog commits.
    const touched = repo.git('log', '--format=', '--name-only', 'HEAD~100..HEAD').split('\n').filter(Boolean)
    expect(touched.every((path) => path.startsWith('.backlog/'))).toBe(true)

    // The person commits their staged work afterwards: every item survives in that commit.
    repo.git('commit', '-q', '-m', 'user work')
    const tracked = repo.git('ls-tree', '-r', '--name-only', 'HEAD', '.backlog/tasks').trim().split('\n')
    expect(tracked).toHaveLength(50)
    expect(repo.git('show', 'HEAD:src/a.ts')).toBe('export const a = 2 // staged\n')
    expect(repo.git('status', '--porcelain', '--', '.backlog')).toBe('')
  })

  it('writes reflog entries for the branch and HEAD', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    await app.create({ title: 'Reflogged' })
    app.close()
    expect(repo.git('reflog', '-2', '--format=%gs', 'main')).toMatch(
      /^backlog: add bl-\w+: Reflogged\nbacklog: init backlog\n$/,
    )
    expect(repo.git('reflog', '-1', '--format=%gs', 'HEAD')).toMatch(/^backlog: add/)
  })

  it('commits on an unborn branch, with no parent', async () => {
    const repo = tempRepo({})
    const app = await initApp(repo.dir)
    await app.create({ title: 'First ever' })
    app.close()
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2')
    expect(repo.git('rev-list', '--max-parents=0', 'HEAD').trim()).toBe(repo.git('rev-parse', 'HEAD~1').trim())
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
  })

  it('moves only HEAD when it is detached', async () => {
    const repo = tempRepo()
    const main = repo.git('rev-parse', 'main').trim()
    repo.git('checkout', '-q', '--detach')
    const app = await initApp(repo.dir)
    await app.create({ title: 'Detached work' })
    app.close()
    expect(repo.git('rev-parse', 'main').trim()).toBe(main)
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('3')
    expect(repo.read('.git/HEAD')).toMatch(/^[0-9a-f]{40}\n$/)
  })

  it("commits to the branch of a linked worktree, updating that worktree's index", async () => {
    const repo = tempRepo()
    const worktree = `${repo.dir}-wt`
    repo.git('worktree', 'add', '-q', '-b', 'feature', worktree)
    try {
      const app = await initApp(worktree)
      await app.create({ title: 'In the worktree' })
      app.close()
      expect(git(worktree, 'rev-list', '--count', 'feature').trim()).toBe('3')
      expect(repo.git('rev-list', '--count', 'main').trim()).toBe('1')
      expect(git(worktree, 'status', '--porcelain')).toBe('')
      expect(repo.git('status', '--porcelain')).toBe('')
      expect(repo.git('fsck', '--no-dangling')).toBe('')
    } finally {
      rmSync(worktree, { recursive: true, force: true })
    }
  })

  it('refuses to write in the middle of a merge, and writes nothing', async () => {
    const repo = tempRepo({ 'a.txt': 'base\n' })
    const app = await initApp(repo.dir)
    const { items } = await app.create({ title: 'Before the merge' })
    repo.git('checkout', '-q', '-b', 'other')
    repo.write('a.txt', 'other\n')
    repo.git('commit', '-qam', 'other')
    repo.git('checkout', '-q', 'main')
    repo.write('a.txt', 'main\n')
    repo.git('commit', '-qam', 'main')
    expect(() => repo.git('merge', 'other')).toThrow()
    const head = repo.git('rev-parse', 'HEAD')
    const file = repo.read(`.backlog/tasks/${items[0]!.id.slice(-1)}/${items[0]!.id}.md`)
    const error = await expectError(app.update({ id: [items[0]!.id], status: 'done' }), 'REPO_BUSY')
    expect(error.message).toMatch(/merge.*git merge --abort/)
    await expectError(app.create({ title: 'During the merge' }), 'REPO_BUSY')
    app.close()
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.read(`.backlog/tasks/${items[0]!.id.slice(-1)}/${items[0]!.id}.md`)).toBe(file)
    expect(repo.git('status', '--porcelain', '--', '.backlog')).toBe('')
  })

  it('waits for a locked index, then fails clearly and writes nothing', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir, { lockTimeoutMs: 300 })
    const head = repo.git('rev-parse', 'HEAD')
    writeFileSync(join(repo.dir, '.git', 'index.lock'), '')
    const error = await expectError(app.create({ title: 'Locked out' }), 'REPO_LOCKED')
    expect(error.message).toMatch(/index\.lock exists: another git process is running/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(existsSync(join(repo.dir, '.git', 'index.lock'))).toBe(true)
    rmSync(join(repo.dir, '.git', 'index.lock'))
    expect(repo.git('ls-files', '--others', '--exclude-standard')).toBe('')
    await app.create({ title: 'After the lock' })
    app.close()
  })

  it('waits out a lock git holds for a moment, inside the call, and commits once it is free', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    const lock = join(repo.dir, '.git', 'index.lock')
    const branchLock = join(repo.dir, '.git', 'refs', 'heads', 'main.lock')
    writeFileSync(lock, '')
    writeFileSync(branchLock, '')
    // Another process (as git would be) lets go of both after a while.
    execFileSync('sh', ['-c', `(sleep 0.6; rm -f '${lock}'; sleep 0.3; rm -f '${branchLock}') >/dev/null 2>&1 &`])
    const started = Date.now()
    const result = await app.create({ title: 'Waited for git' })
    app.close()
    expect(Date.now() - started).toBeGreaterThan(800)
    expect(result.commit).toBe(repo.git('rev-parse', 'HEAD').trim())
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('recovers a lock left by a git-backlog process that died', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir, { lockTimeoutMs: 2_000 })
    const dead = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
    writeFileSync(
      join(repo.dir, '.git', 'index.lock'),
      `git-backlog lock pid=${dead.stdout} host=${(await import('node:os')).hostname()} nonce=x\n`,
    )
    await app.create({ title: 'After a crash' })
    app.close()
    expect(existsSync(join(repo.dir, '.git', 'index.lock'))).toBe(false)
    expect(repo.git('fsck', '--no-dangling')).toBe('')
  })

  it('works with an index in version 4, keeping it version 4', async () => {
    const repo = tempRepo({ 'src/deep/path/file.ts': 'x\n', 'src/deep/path/other.ts': 'y\n' })
    repo.git('update-index', '--index-version', '4')
    const app = await initApp(repo.dir)
    await app.create({ title: 'V4 index' })
    app.close()
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(readFileSync(join(repo.dir, '.git', 'index')).readUInt32BE(4)).toBe(4)
  })

  it('refuses a split index clearly and writes nothing', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    repo.git('update-index', '--split-index')
    const head = repo.git('rev-parse', 'HEAD')
    const error = await expectError(app.create({ title: 'Split' }), 'REPO_UNSUPPORTED')
    expect(error.message).toMatch(/--no-split-index/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    app.close()
  })

  it('never writes outside .backlog/, even through a symlink', async () => {
    const repo = tempRepo()
    const committer = committerIn(repo.dir)
    for (const path of ['src/evil.md', '.backlog/../evil.md', '.backlog/tasks/../../x.md', '.git/config']) {
      await expectError(
        committer.commit(async () => ({ message: 'x', changes: [{ path, content: 'x' }] }), { autoCommit: true }),
        'PATH_OUTSIDE_BACKLOG',
      )
    }
    const outside = `${repo.dir}-outside`
    mkdirSync(outside)
    try {
      mkdirSync(join(repo.dir, '.backlog', 'tasks'), { recursive: true })
      symlinkSync(outside, join(repo.dir, '.backlog', 'tasks', 'x'))
      await expectError(
        committer.commit(async () => ({ message: 'x', changes: [{ path: '.backlog/tasks/x/a.md', content: 'x' }] }), {
          autoCommit: true,
        }),
        'PATH_OUTSIDE_BACKLOG',
      )
      expect(existsSync(join(outside, 'a.md'))).toBe(false)
    } finally {
      rmSync(outside, { recursive: true, force: true })
    }
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('1')
  })

  it('puts back what it wrote when a write fails midway, and leaves no journal or stray object', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    const { items } = await app.create({ title: 'Edited by hand, then by the tool' })
    app.close()
    const item = items[0]!
    const path = `.backlog/tasks/${item.id.slice(-1)}/${item.id}.md`
    repo.write(path, `${repo.read(path)}A hand edit not yet committed.\n`)
    repo.git('add', path)
    repo.write('.backlog/tasks/blocked', 'a file where a folder must go\n')
    const head = repo.git('rev-parse', 'HEAD')
    const before = {
      status: repo.git('status', '--porcelain'),
      text: repo.read(path),
      staged: repo.git('diff', '--cached'),
    }

    const committer = committerIn(repo.dir)
    const failure = await committer
      .commit(
        async () => ({
          message: 'two files\n\nBacklog-Op: update\n',
          changes: [
            { path, content: `${before.text}And the tool's line.\n` },
            { path: '.backlog/tasks/new/a.md', content: '---\nid: a\ntitle: A\n---\n' },
            { path: '.backlog/tasks/blocked/b.md', content: '---\nid: b\ntitle: B\n---\n' },
          ],
        }),
        { autoCommit: true },
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      )
    expect(failure).toBeInstanceOf(BacklogError)
    expect((failure as BacklogError).code).toBe('WRITE_FAILED')
    expect((failure as BacklogError).details?.code).toMatch(/^(ENOTDIR|EEXIST)$/)
    expect((failure as BacklogError).message).toMatch(/Nothing was committed, and what was written was put back/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.read(path)).toBe(before.text)
    expect(existsSync(join(repo.dir, '.backlog/tasks/new/a.md'))).toBe(false)
    expect(repo.git('diff', '--cached')).toBe(before.staged)
    expect(repo.git('status', '--porcelain')).toBe(before.status)
    expect(existsSync(join(repo.dir, '.git/backlog/commit-journal.json'))).toBe(false)
    expect(readdirSync(join(repo.dir, '.git/objects')).filter((name) => name.startsWith('tmp_'))).toEqual([])
    expect(repo.git('fsck', '--strict')).toBe('')
  })

  it('plans again on a hand edit made between its plan and its locks, keeping the edit', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    const { items } = await app.create({ title: 'Edited by both' })
    app.close()
    const id = items[0]!.id
    const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`
    const committer = committerIn(repo.dir)
    let plans = 0
    const result = await committer.commit(
      async () => {
        plans++
        const text = repo.read(path)
        const basis = repo.git('hash-object', path).trim()
        // The person saves an edit right after the first plan read the file.
        if (plans === 1) repo.write(path, `${text}A line the person saved.\n`)
        return { message: 'tool edit', changes: [{ path, content: `${text}A line the tool added.\n`, basis }] }
      },
      { autoCommit: true },
    )
    expect(plans).toBe(2)
    expect(repo.git('show', `${result.commit}:${path}`)).toMatch(
      /A line the person saved\.\nA line the tool added\.\n$/,
    )
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('only writes files when auto_commit is off', async () => {
    const repo = tempRepo()
    const app = await initApp(repo.dir)
    const config = repo.read('.backlog/config.yml').replace('auto_commit: true', 'auto_commit: false')
    repo.write('.backlog/config.yml', config)
    repo.git('commit', '-qam', 'turn auto-commit off')
    const head = repo.git('rev-parse', 'HEAD')
    const result = await app.create({ title: 'By hand' })
    app.close()
    expect(result.commit).toBeUndefined()
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain')).toMatch(/^\?\? \.backlog\/tasks\//)
  })

  it("takes the author from the repository's git config", async () => {
    const repo = tempRepo()
    repo.git('config', 'user.name', 'Repo Person')
    repo.git('config', 'user.email', 'repo@example.com')
    const env = { ...process.env }
    for (const key of Object.keys(GIT_ENV)) delete env[key]
    const { stdout } = await run(process.execPath, [BIN, 'init'], {
      cwd: repo.dir,
      env: { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    })
    expect(stdout).toMatch(/Created/)
    expect(repo.git('log', '-1', '--format=%an <%ae>|%cn').trim()).toBe('Repo Person <repo@example.com>|Repo Person')
  })
})

describe('concurrent writers', () => {
  it('keeps every acknowledged write of several processes, with unique ids, while the person commits too', async () => {
    const repo = tempRepo({ 'src/work.txt': '0\n' })
    const app = await initApp(repo.dir)
    app.close()
    const writer = join(import.meta.dirname, '..', 'fixtures', 'writer.mjs')
    const writers = ['alpha', 'beta', 'gamma', 'delta'].map((label) =>
      run(process.execPath, [writer, repo.dir, '25', label], { env: { ...process.env, ...GIT_ENV } }),
    )
    let personCommits = 0
    let stop = false
    const person = (async () => {
      while (!stop) {
        writeFileSync(join(repo.dir, 'src', 'work.txt'), `${personCommits + 1}\n`)
        try {
          await run('git', ['commit', '-q', '-am', `person ${personCommits + 1}`], {
            cwd: repo.dir,
            env: { ...process.env, ...GIT_ENV },
          })
          personCommits++
        } catch {
          // git refuses while our lock is held; a person would retry, and so do we
        }
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    })()
    const outputs = await Promise.all(writers)
    stop = true
    await person
    const acknowledged = outputs.flatMap(({ stdout }) => stdout.trim().split('\n')).map((line) => line.split(' '))
    expect(acknowledged).toHaveLength(100)
    expect(new Set(acknowledged.map(([id]) => id)).size).toBe(100)
    const history = new Set(repo.git('rev-list', 'HEAD').trim().split('\n'))
    for (const [, commit] of acknowledged) expect(history.has(commit!)).toBe(true)
    const files = repo.git('ls-tree', '-r', '--name-only', 'HEAD', '.backlog/tasks').trim().split('\n')
    expect(files).toHaveLength(100)
    expect(personCommits).toBeGreaterThan(0)
    expect(repo.git('log', '--format=%s', '--grep=^person').trim().split('\n')).toHaveLength(personCommits)
    expect(repo.git('show', 'HEAD:src/work.txt')).toBe(`${personCommits}\n`)
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
    expect(repo.git('status', '--porcelain', '--', '.backlog')).toBe('')
    expect(existsSync(join(repo.dir, '.git', 'index.lock'))).toBe(false)
  }, 120_000)
})
