/**
 * A backlog commit made while the person's `git commit` runs must stay in history. git 2.39 reads the index *before*
 * it takes `index.lock`, then writes what it read back (refreshed) into the index, and only then moves the branch
 * with a compare-and-swap. A backlog commit that lands between that read and that lock moves the branch, so git's
 * commit fails ("cannot lock ref 'HEAD'") — but the index git already wrote lacks the backlog's new entry: the item
 * shows as a staged deletion, and the person's next `git commit` deletes it from history.
 * Found by the concurrent-writers test (item files deleted by "person N" commits, left untracked in the worktree).
 * strace holds git at that moment so the interleaving happens every time; without strace the test is skipped.
 */

import { execFile, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { updateInput } from '../../src/core/inputs.js'
import { itemPath } from '../../src/core/layout.js'
import { GIT_ENV, steppingClock, tempRepo } from '../helpers/repo.js'

const run = promisify(execFile)

const canTrace = spawnSync('strace', ['-o', '/dev/null', 'true']).status === 0
// The next backlog commit puts back entries that git's stale index lost (src/store/commit.ts lostEntries).
const itWhenTraceable = canTrace ? it : it.skip

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await sleep(5)
  }
}

describe("a backlog commit during the person's git commit", () => {
  itWhenTraceable("stays in the index and in history after git's commit fails on the moved branch", async () => {
    const repo = tempRepo({ 'src/x.ts': 'x = 1\n' })
    const app = createApp({ cwd: repo.dir, watch: true })
    await app.init({})
    repo.write('src/x.ts', 'x = 2\n')
    repo.git('add', 'src/x.ts')

    // The person commits. git reads HEAD and the index; strace holds back its open of index.lock for 3 s, and git's
    // trace2 events say when the index was read.
    const gitdir = join(repo.dir, '.git')
    const events = join(gitdir, 'trace2-events.json')
    const lockOpen = ['-P', join(gitdir, 'index.lock'), '-e', 'trace=openat']
    const delay = ['-e', 'inject=openat:delay_enter=3000000:when=1']
    const person = run(
      'strace',
      ['-f', '-o', '/dev/null', ...lockOpen, ...delay, 'git', 'commit', '-q', '-m', 'person'],
      {
        cwd: repo.dir,
        env: { ...process.env, ...GIT_ENV, GIT_TRACE2_EVENT: events },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    )
    await until(() => existsSync(events) && readFileSync(events, 'utf8').includes('"label":"do_read_index"'))

    // Meanwhile an agent commits an item.
    const { items } = await app.create({ title: 'Made while the person commits' })
    const path = itemPath(items[0]!.id)

    // git notices the moved branch and refuses, as it should, and writes back the index it read: the item is lost
    // from it for a moment...
    const outcome = await person
    expect(outcome.code).not.toBe(0)
    expect(outcome.stderr).toMatch(/cannot lock ref 'HEAD'/)
    // ...until a server (watching the index) puts it back, so the person's next try keeps it.
    await until(() => repo.git('status', '--porcelain', '--', '.backlog') === '', 5_000)
    app.close()
    repo.git('commit', '-q', '-m', 'person, again')
    expect(repo.git('ls-tree', '-r', '--name-only', 'HEAD', '--', path)).toBe(`${path}\n`)
    expect(repo.git('show', 'HEAD:src/x.ts')).toBe('x = 2\n')
  })

  it('puts a dropped entry back with the next backlog commit too (a one-shot command has no watcher)', async () => {
    const repo = tempRepo({ 'src/x.ts': 'x = 1\n' })
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const { items } = await app.create({ title: 'Dropped from the index' })
    const path = itemPath(items[0]!.id)
    // The state git's stale index leaves: the file in HEAD and in the worktree, gone from the index.
    repo.git('rm', '-q', '--cached', path)
    expect(repo.git('status', '--porcelain', '-uall', '--', '.backlog')).toBe(`D  ${path}\n?? ${path}\n`)
    await app.create({ title: 'The next commit' })
    expect(repo.git('status', '--porcelain')).toBe('')
    repo.write('src/x.ts', 'x = 2\n')
    repo.git('commit', '-qam', 'person')
    expect(repo.git('ls-tree', '-r', '--name-only', 'HEAD', '--', path)).toBe(`${path}\n`)
    app.close()
  })

  it('puts back the version an update replaced, and drops what a delete removed', async () => {
    const repo = tempRepo({ 'src/x.ts': 'x = 1\n' })
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const [keep, gone] = (await app.create({ items: [{ title: 'Updated' }, { title: 'Deleted' }] })).items.map(
      (row) => row.id,
    )
    const [updated, deleted] = [itemPath(keep!), itemPath(gone!)]
    const before = repo.git('rev-parse', `HEAD:${updated}`).trim()
    const old = repo.git('rev-parse', `HEAD:${deleted}`).trim()
    await app.update(updateInput.parse({ id: keep, priority: 'high' }))
    await app.remove({ id: [gone!] })
    // What git's stale index leaves: the update's old version staged back, the deleted file back in the index.
    repo.git('update-index', '--cacheinfo', `100644,${before},${updated}`)
    repo.git('update-index', '--add', '--cacheinfo', `100644,${old},${deleted}`)
    expect(repo.git('status', '--porcelain', '--', '.backlog')).not.toBe('')

    await app.create({ title: 'The next commit' })
    expect(repo.git('status', '--porcelain')).toBe('')
    app.close()
  })

  it('leaves alone what the person did to files no recent backlog commit changed', async () => {
    const repo = tempRepo({ 'src/x.ts': 'x = 1\n' })
    // A clock long past: these backlog commits are not recent.
    const app = createApp({ cwd: repo.dir, now: steppingClock(Date.UTC(2026, 0, 1)) })
    await app.init({})
    const path = itemPath((await app.create({ title: 'Untracked on purpose' })).items[0]!.id)
    repo.git('rm', '-q', '--cached', path)
    await app.create({ title: 'Another' })
    expect(repo.git('status', '--porcelain', '-uall', '--', path)).toBe(`D  ${path}\n?? ${path}\n`)
    app.close()
  })
})
