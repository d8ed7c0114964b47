/**
 * Locks and leftovers as they meet the world: names that only look like ours, a pid that runs again, a lock that is
 * not a file, a lock someone else took over.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { resolveCommitSettings } from '../../src/store/identity.js'
import { acquireLock } from '../../src/store/locks.js'
import { expectError } from '../helpers/errors.js'
import { tempRepo } from '../helpers/repo.js'

async function initialized() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  return repo
}

describe('what git-backlog takes for its own', () => {
  it('never sweeps a branch, tag or item whose name only looks like a temporary file of ours', async () => {
    const repo = await initialized()
    const names = ['git-backlog-99999-add', 'feature/git-backlog-12-cafe', 'x.lock.dead-99999-0a1b2c3d']
    for (const name of names) repo.git('branch', name)
    repo.git('tag', 'git-backlog-99999-0a1b2c3d')
    repo.write('.backlog/notes/git-backlog-99999-0a1b2c3d.tmp', 'a note of the person\n')
    const app = createApp({ cwd: repo.dir })
    await app.create({ title: 'After the sweep' })
    await app.doctor({ fix: true })
    app.close()
    const refs = repo.git('for-each-ref', '--format=%(refname)')
    for (const name of names) expect(refs).toContain(`refs/heads/${name}\n`)
    expect(refs).toContain('refs/tags/git-backlog-99999-0a1b2c3d')
    expect(repo.read('.backlog/notes/git-backlog-99999-0a1b2c3d.tmp')).toBe('a note of the person\n')
  })
})

describe('locks', () => {
  it('recovers a lock of an earlier run under this very pid, or of an earlier boot', async () => {
    const repo = await initialized()
    const lock = join(repo.dir, '.git', 'index.lock')
    // What a server that is pid 1 in its container leaves when it is killed and started again under the same pid.
    writeFileSync(lock, `git-backlog lock pid=${process.pid} host=${hostname()} nonce=0a0b0c0d0e0f\n`)
    const app = createApp({ cwd: repo.dir, lockTimeoutMs: 2_000 })
    await app.create({ title: 'Same pid, new run' })
    // A live pid, but written before the machine last started.
    writeFileSync(lock, `git-backlog lock pid=1 host=${hostname()} boot=not-this-boot nonce=0a0b0c0d0e0f\n`)
    await app.create({ title: 'Earlier boot' })
    app.close()
    expect(repo.git('log', '-2', '--format=%s')).toMatch(/^add bl-\w+: Earlier boot\nadd bl-\w+: Same pid, new run\n$/)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('waits out a lock that is not a file, then says so, without holding up anything else', async () => {
    const repo = await initialized()
    mkdirSync(join(repo.dir, '.git', 'index.lock'))
    const app = createApp({ cwd: repo.dir, lockTimeoutMs: 400 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 20)
    await expectError(app.create({ title: 'Blocked' }), 'REPO_LOCKED')
    clearInterval(timer)
    app.close()
    expect(ticks).toBeGreaterThan(5)
  })

  it('leaves a lock alone on release when someone else holds it by then', async () => {
    const repo = await initialized()
    const path = join(repo.dir, '.git', 'index.lock')
    const lock = await acquireLock(path, { timeoutMs: 1_000 })
    expect(readFileSync(path, 'utf8')).toBe(lock.owner)
    writeFileSync(path, 'git-backlog lock pid=1 host=elsewhere nonce=ffffffffffff\n')
    await lock.release()
    expect(readFileSync(path, 'utf8')).toMatch(/host=elsewhere/)
  })
})

describe('commit settings', () => {
  it('reads a bare `gpgsign` key as true, as git does', async () => {
    const repo = tempRepo()
    writeFileSync(join(repo.dir, '.git', 'config'), `${repo.read('.git/config')}[commit]\n\tgpgsign\n`)
    expect(repo.git('config', '--bool', 'commit.gpgsign').trim()).toBe('true')
    expect((await resolveCommitSettings(repo.dir)).sign).toBe(true)
  })
})
