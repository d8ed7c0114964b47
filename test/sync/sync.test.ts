/** `sync` over two clones of a bare remote, the "behind" note in lists, and claims among processes. */

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type App, createApp } from '../../src/app/index.js'
import { createInput, updateInput } from '../../src/core/inputs.js'
import { BIN, GIT_ENV, git } from '../helpers/repo.js'

async function clones() {
  const root = mkdtempSync(join(tmpdir(), 'git-backlog-sync-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  const remote = join(root, 'remote.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', remote)
  const a = join(root, 'a')
  git(root, 'clone', '-q', remote, a)
  git(a, 'checkout', '-q', '-b', 'main')
  const apps: App[] = []
  onTestFinished(() => {
    for (const app of apps) app.close()
  })
  const appIn = (dir: string, agent: string) => {
    const app = createApp({ cwd: dir, agent: () => agent })
    apps.push(app)
    return app
  }
  const first = appIn(a, 'claude')
  await first.init({})
  const id = (await first.create(createInput.parse({ title: 'Rotate keys', priority: 'medium' }))).items[0]!.id
  git(a, 'push', '-q', '-u', 'origin', 'main')
  const b = join(root, 'b')
  git(root, 'clone', '-q', remote, b)
  return { root, remote, a, b, id, appIn, first }
}

describe('git backlog sync', () => {
  it('waits out an index lock that another process holds for a moment, instead of failing', async () => {
    const { a, b, id, appIn, first } = await clones()
    await first.update(updateInput.parse({ id, priority: 'high' }))
    git(a, 'push', '-q', 'origin', 'main')
    const second = appIn(b, 'codex')
    await second.update(updateInput.parse({ id, note: 'from b' }))
    git(b, 'fetch', '-q')
    const lock = join(b, '.git', 'index.lock')
    writeFileSync(lock, '')
    // A process that lets go in a moment: the sync's git merge would fail at once on the lock without waiting.
    spawn('sh', ['-c', `sleep 0.4; rm -f '${lock}'`], { detached: true, stdio: 'ignore' }).unref()
    expect(await second.sync()).toMatchObject({ merged: 1, pushed: 2, behind: 0, ahead: 0 })
    expect((await second.get({ id: [id] })).items[0]).toMatchObject({ priority: 'high' })
    expect(git(b, 'status', '--porcelain')).toBe('')
  })

  it('fetches, merges field by field and pushes; lists say when the branch is behind', async () => {
    const { a, b, id, appIn, first } = await clones()
    const second = appIn(b, 'codex')
    await second.update(updateInput.parse({ id, priority: 'high', note: 'from b' }))
    expect(await second.sync()).toMatchObject({ branch: 'main', upstream: 'origin/main', merged: 0, pushed: 1 })

    await first.update(updateInput.parse({ id, priority: 'low', add_tags: ['a'] }))
    git(a, 'fetch', '-q')
    const listed = await first.list({})
    expect(listed.upstream).toMatchObject({ behind: 1, ahead: 1, upstream: 'origin/main' })

    const synced = await first.sync()
    expect(synced).toMatchObject({ merged: 1, pushed: 2, behind: 0, ahead: 0 })
    const item = (await first.get({ id: [id] })).items[0]!
    expect(item.priority).toBe('high')
    expect(item.tags).toEqual(['a'])
    expect(item.notes.map((note) => note.text)).toEqual(expect.arrayContaining(['from b']))
    expect((await first.list({})).upstream).toBeUndefined()
    expect(git(a, 'status', '--porcelain')).toBe('')
    expect(git(a, 'rev-parse', 'HEAD')).toBe(git(a, 'rev-parse', 'origin/main'))

    // b takes it all with one more sync
    expect(await second.sync()).toMatchObject({ merged: 2, pushed: 0 })
    expect((await second.get({ id: [id] })).items[0]!.tags).toEqual(['a'])
  })

  it('reports a remote it cannot reach and changes nothing', async () => {
    const { remote, first, a } = await clones()
    await first.create(createInput.parse({ title: 'Offline work' }))
    const head = git(a, 'rev-parse', 'HEAD')
    renameSync(remote, `${remote}.away`)
    await expect(first.sync()).rejects.toMatchObject({
      code: 'OFFLINE',
      message: expect.stringMatching(/Could not fetch from origin.*Nothing changed/),
    })
    expect(git(a, 'rev-parse', 'HEAD')).toBe(head)
  })

  it('stops on a conflict a person must settle, leaving the repository as it was', async () => {
    const { a, b, id, appIn, first } = await clones()
    const second = appIn(b, 'codex')
    await second.update(updateInput.parse({ id, description: 'Rotate every sixty days.\n' }))
    await second.sync()
    await first.update(updateInput.parse({ id, description: 'Rotate every thirty days.\n' }))
    const head = git(a, 'rev-parse', 'HEAD')
    await expect(first.sync()).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/same lines of \.backlog\/tasks\/.*Sync changed nothing/),
    })
    expect(git(a, 'rev-parse', 'HEAD')).toBe(head)
    expect(git(a, 'status', '--porcelain')).toBe('')
  })

  it('merges a named base into a pull request the merge button reports in conflict, field by field, and pushes it', async () => {
    const { a, b, remote, id, appIn } = await clones()
    // The pull request: a feature branch that starts the item, pushed with its upstream.
    git(b, 'checkout', '-q', '-b', 'feature')
    const feature = appIn(b, 'codex')
    await feature.update(updateInput.parse({ id, status: 'in_progress', note: 'on it' }))
    git(b, 'push', '-q', '-u', 'origin', 'feature')
    // Meanwhile main blocks the same item (the same line: what the button cannot merge) and changes its priority.
    const main = appIn(a, 'claude')
    await main.update(updateInput.parse({ id, status: 'blocked', priority: 'urgent' }))
    git(a, 'push', '-q', 'origin', 'main')

    const synced = await feature.sync({ base: 'origin/main' })
    expect(synced).toMatchObject({
      branch: 'feature',
      upstream: 'origin/feature',
      merged: 0,
      base: { name: 'origin/main', merged: 1, mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/) },
      pushed: 2,
      ahead: 0,
    })
    const item = (await feature.get({ id: [id] })).items[0]!
    expect(item).toMatchObject({ status: 'blocked', priority: 'urgent' })
    expect(item.notes.map((note) => note.text)).toEqual(expect.arrayContaining(['on it']))
    expect(git(b, 'status', '--porcelain')).toBe('')
    expect(git(b, 'log', '-1', '--format=%s')).toBe("Merge remote-tracking branch 'origin/main' into feature\n")
    // The pushed branch now holds main: the button's merge is a clean one.
    expect(git(remote, 'merge-base', '--is-ancestor', 'main', 'feature')).toBe('')
    expect(git(remote, 'merge-tree', '--write-tree', 'main', 'feature')).toMatch(/^[0-9a-f]{40}\n$/)
  })

  it('keeps the upstream merged when the base then needs a person, takes the base back and pushes nothing', async () => {
    const { a, b, root, remote, id, appIn } = await clones()
    git(b, 'checkout', '-q', '-b', 'feature')
    const feature = appIn(b, 'codex')
    await feature.update(updateInput.parse({ id, description: 'Rotate every sixty days.\n' }))
    git(b, 'push', '-q', '-u', 'origin', 'feature')
    // A teammate pushes to the feature branch, and main rewrites the same description.
    const c = join(root, 'c')
    git(root, 'clone', '-q', '-b', 'feature', remote, c)
    const teammate = appIn(c, 'ann')
    await teammate.create(createInput.parse({ title: 'Teammate task' }))
    git(c, 'push', '-q', 'origin', 'feature')
    const main = appIn(a, 'claude')
    await main.update(updateInput.parse({ id, description: 'Rotate every thirty days.\n' }))
    git(a, 'push', '-q', 'origin', 'main')

    const pushed = git(remote, 'rev-parse', 'feature')
    await expect(feature.sync({ base: 'origin/main' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        /same lines of \.backlog\/tasks\/.*Sync changed nothing more \(the merge of origin\/feature before it is kept\)\. Run `git merge origin\/main`/,
      ),
    })
    // The teammate's commit is here, merged; main's is not; the remote has not moved.
    expect(git(b, 'log', '--format=%s', '-3')).toMatch(/Teammate task/)
    expect(spawnSync('git', ['merge-base', '--is-ancestor', 'origin/main', 'HEAD'], { cwd: b }).status).toBe(1)
    expect(git(remote, 'rev-parse', 'feature')).toBe(pushed)
    expect(git(b, 'status', '--porcelain')).toBe('')
  })

  it('refuses a base that names nothing and changes nothing; merges one into a branch without an upstream', async () => {
    const { a, first, id } = await clones()
    const head = git(a, 'rev-parse', 'HEAD')
    await expect(first.sync({ base: 'origin/nowhere' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/"origin\/nowhere" names no branch or commit here.*nothing changed/),
    })
    await expect(first.sync({ base: '--upload-pack=touch /tmp/x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(git(a, 'rev-parse', 'HEAD')).toBe(head)
    git(a, 'checkout', '-q', '-b', 'local-only')
    await first.update(updateInput.parse({ id, priority: 'low' }))
    git(a, 'checkout', '-q', 'main')
    await first.update(updateInput.parse({ id, note: 'on main' }))
    git(a, 'checkout', '-q', 'local-only')
    const synced = await first.sync({ base: 'main' })
    expect(synced).toMatchObject({ branch: 'local-only', merged: 0, pushed: 0, base: { name: 'main', merged: 1 } })
    expect(synced.upstream).toBeUndefined()
    expect((await first.get({ id: [id] })).items[0]).toMatchObject({ priority: 'low' })
    expect(git(a, 'status', '--porcelain')).toBe('')
  })

  it('needs an upstream', async () => {
    const { a, first } = await clones()
    git(a, 'checkout', '-q', '-b', 'local-only')
    await expect(first.sync()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/upstream/),
    })
  })
})

describe('claims', () => {
  it('lets one agent take an item, refuses another naming the holder, and is idempotent for the holder', async () => {
    const { first, id, appIn, a } = await clones()
    const claimed = await first.update(updateInput.parse({ id, claim: true }))
    expect(claimed.items[0]).toMatchObject({ assignee: 'claude', status: 'in_progress' })
    const other = appIn(a, 'codex')
    await expect(other.update(updateInput.parse({ id, claim: true }))).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/claimed by claude/),
    })
    expect((await first.update(updateInput.parse({ id, claim: true }))).changed).toBe(false)
    expect(() => updateInput.parse({ filter: 'status:open', claim: true })).toThrow(/claim takes ids/)
  })

  it('gives an item to exactly one of six processes claiming it at once', async () => {
    const { a, id } = await clones()
    const runs = Array.from(
      { length: 6 },
      (_, n) =>
        new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [BIN, 'claim', id], {
            cwd: a,
            env: { ...process.env, ...GIT_ENV, BACKLOG_AGENT: `agent-${n}` },
          })
          let stderr = ''
          child.stderr.on('data', (chunk) => {
            stderr += chunk
          })
          child.on('close', (code) => resolve({ code, stderr }))
        }),
    )
    const outcomes = await Promise.all(runs)
    expect(outcomes.filter((outcome) => outcome.code === 0)).toHaveLength(1)
    for (const lost of outcomes.filter((outcome) => outcome.code !== 0))
      expect(lost.stderr).toMatch(/claimed by agent-\d/)
    const claims = git(a, 'log', '--format=%s', '--grep', `Backlog-Id: ${id}`).trim().split('\n')
    expect(claims.filter((subject) => subject.startsWith('start '))).toHaveLength(1)
    git(a, 'fsck', '--strict')
  })
})
