/**
 * Each way a killed writer's commit is settled, caught deterministically: the writer is frozen (SIGSTOP) while its
 * commit journal exists, then killed, and the next call must finish the commit, or take its files back when the
 * branch moved meanwhile. Checked with the real git CLI.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { fsckOutput, GIT_ENV, type TempRepo, tempRepo } from '../helpers/repo.js'
import { freezeWhen, signal, strayFiles, waitUntilGone } from './processes.js'

const WRITER = join(import.meta.dirname, '..', 'fixtures', 'writer.mjs')

async function initializedRepo(): Promise<TempRepo> {
  const repo = tempRepo({ 'src/x.ts': 'export const x = 0\n' })
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  await app.create({ title: 'already there' })
  app.close()
  return repo
}

/** A writer creating items until it is stopped, frozen while its journal exists, then killed; returns the journal. */
async function killInsideCommit(
  repo: TempRepo,
): Promise<{ journal: { new: string; old: string; changes: unknown[] } }> {
  const journalFile = join(repo.dir, '.git', 'backlog', 'commit-journal.json')
  const child: ChildProcess = spawn(process.execPath, [WRITER, repo.dir, '100000', 'victim'], {
    env: { ...process.env, ...GIT_ENV },
    stdio: 'ignore',
  })
  const pid = child.pid as number
  try {
    await freezeWhen(pid, () => existsSync(journalFile), 'with its journal written')
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'))
    signal(pid, 'SIGKILL')
    await waitUntilGone(pid)
    return { journal }
  } finally {
    signal(pid, 'SIGKILL')
  }
}

function expectClean(repo: TempRepo): void {
  expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
  expect(strayFiles(join(repo.dir, '.git'))).toEqual([])
  expect(fsckOutput(repo.dir)).toBe('')
}

describe('a writer killed inside its commit', () => {
  it('has its commit finished by the next call while the branch is where it left it', async () => {
    const repo = await initializedRepo()
    const { journal } = await killInsideCommit(repo)
    // The dead writer's locks keep the person's own git out until the next backlog call.
    expect(existsSync(join(repo.dir, '.git', 'index.lock'))).toBe(true)

    const next = createApp({ cwd: repo.dir })
    const settled = await next.store.settle()
    expect(settled.journal).toBe('forward')
    const listed = await next.list({})
    next.close()

    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(journal.new)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^add bl-\w+: victim \d+/)
    expect(listed.items.map((item) => item.title)).toContain(
      repo.git('log', '-1', '--format=%s').split(': ')[1]?.trim(),
    )
    // The reflog records the move once, as git would have.
    expect(repo.git('reflog', '-1', '--format=%H %gs', 'main')).toMatch(new RegExp(`^${journal.new} backlog: add `))
    expectClean(repo)
  }, 60_000)

  it('has its files taken back when the branch moved on without it', async () => {
    const repo = await initializedRepo()
    const { journal } = await killInsideCommit(repo)
    // Someone removes the dead writer's locks by hand and moves the branch with a commit of their own.
    rmSync(join(repo.dir, '.git', 'index.lock'), { force: true })
    rmSync(join(repo.dir, '.git', 'refs', 'heads', 'main.lock'), { force: true })
    const theirs = repo.git('commit-tree', `${journal.old}^{tree}`, '-p', journal.old, '-m', 'their own commit').trim()
    repo.git('update-ref', 'refs/heads/main', theirs)

    const next = createApp({ cwd: repo.dir })
    expect((await next.store.settle()).journal).toBe('back')
    next.close()
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(theirs)
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(strayFiles(join(repo.dir, '.git'))).toEqual([])
    // Objects it had already moved into the store may be left unreferenced, as after any abandoned git commit.
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
  }, 60_000)

  it('leaves committed work alone when the branch went on past its commit', async () => {
    const repo = await initializedRepo()
    const { journal } = await killInsideCommit(repo)
    const journalFile = join(repo.dir, '.git', 'backlog', 'commit-journal.json')
    const saved = readFileSync(journalFile, 'utf8')
    const first = createApp({ cwd: repo.dir })
    expect((await first.store.settle()).journal).toBe('forward')
    first.close()
    // The person commits on top; then the same journal turns up again (a second worktree on the branch, say).
    repo.git('commit', '--allow-empty', '-qm', 'on top')
    writeFileSync(journalFile, saved)
    const next = createApp({ cwd: repo.dir })
    expect((await next.store.settle()).journal).toBe('landed')
    next.close()
    expect(repo.git('merge-base', '--is-ancestor', journal.new, 'HEAD')).toBe('')
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(existsSync(journalFile)).toBe(false)
  }, 60_000)

  it('is settled by a server as it starts, before any call', async () => {
    const repo = await initializedRepo()
    const { journal } = await killInsideCommit(repo)
    const server = createApp({ cwd: repo.dir, watch: true })
    await server.store.warm()
    server.close()
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(journal.new)
    expectClean(repo)
    const quarantines = readdirSync(join(repo.dir, '.git', 'objects')).filter((name) => name.startsWith('tmp_'))
    expect(quarantines).toEqual([])
  }, 60_000)
})

describe('what killed writers of older versions left', () => {
  it('is reported by doctor and settled by doctor --fix: temporary files gone, items committed or brought back', async () => {
    const repo = tempRepo({ 'src/x.ts': 'export const x = 0\n' })
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const { items } = await app.create({
      items: [{ title: 'will be archived halfway', status: 'done' }, { title: 'will vanish' }, { title: 'kept' }],
    })
    app.close()
    const [archived, vanished] = items.map((item) => item.id) as [string, string]
    const pathOf = (id: string, root = 'tasks') => `.backlog/${root}/${id.slice(-1)}/${id}.md`

    // A pid that no longer runs, as the old writers' names carry it.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    const someObject = repo.git('rev-parse', 'HEAD').trim()
    repo.write(`.git/objects/${someObject.slice(0, 2)}/.${someObject.slice(2)}.${dead}-0a1b2c3d.tmp`, 'half an object')
    repo.write(`.git/.index.${dead}-0a1b2c3d.tmp`, 'half an index')
    repo.write(`.backlog/tasks/k/.bl-k.md.${dead}-0a1b2c3d.tmp`, 'half an item')
    // An archive stopped halfway: deleted from tasks/, an untracked copy in archive/. An item deleted and lost. An
    // item created and staged, never committed.
    repo.write(pathOf(archived, 'archive'), repo.read(pathOf(archived)))
    rmSync(join(repo.dir, pathOf(archived)))
    rmSync(join(repo.dir, pathOf(vanished)))
    repo.write('.backlog/tasks/z/bl-stagedz.md', '---\nid: bl-stagedz\ntitle: staged, never committed\n---\n')
    repo.git('add', '.backlog/tasks/z/bl-stagedz.md')
    expect(fsckOutput(repo.dir)).toMatch(/bad sha1 file/)

    const doctor = createApp({ cwd: repo.dir })
    const report = await doctor.doctor()
    const byName = new Map(report.checks.map((check) => [check.name, check]))
    expect(report.ok).toBe(false)
    expect(byName.get('leftover files')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^3 temporary files/),
    })
    expect(byName.get('uncommitted items')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^4 item files differ.*brings back 1 deleted item/),
    })

    const fixed = await doctor.doctor({ fix: true })
    doctor.close()
    const fixedByName = new Map(fixed.checks.map((check) => [check.name, check]))
    expect(fixedByName.get('leftover files')).toMatchObject({ ok: true, fixed: true })
    expect(fixedByName.get('uncommitted items')).toMatchObject({
      ok: true,
      fixed: true,
      detail: 'committed 3 item files, brought back 1 deleted item',
    })
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(fsckOutput(repo.dir)).toBe('')
    // The hand-written file among them is then moved to the layout of ADR 0018, in a commit of its own.
    expect(repo.git('log', '-2', '--format=%s')).toBe(
      'doctor: move 1 item file to the layout that merges line by line\ndoctor: commit 3 item files left uncommitted\n',
    )
    const tracked = repo.git('ls-tree', '-r', '--name-only', 'HEAD', '.backlog').split('\n')
    expect(tracked).toContain(pathOf(archived, 'archive'))
    expect(tracked).not.toContain(pathOf(archived))
    expect(tracked).toContain(pathOf(vanished))
    expect(tracked).toContain('.backlog/tasks/z/bl-stagedz.md')
  })
})
