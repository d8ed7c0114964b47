import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createInput, updateInput } from '../../src/core/inputs.js'
import { createBacklogLog } from '../../src/store/backlog-log.js'
import { createByteCache } from '../../src/store/git/cache.js'
import { createGitReader } from '../../src/store/git/reader.js'
import { createItemHistory } from '../../src/store/item-history.js'
import { discoverRepo } from '../../src/store/repo.js'
import { steadyApp } from '../helpers/app.js'
import { GIT_ENV, type TempRepo, tempRepo } from '../helpers/repo.js'

/** `count` commits of code on top of HEAD (files outside .backlog/), made at once with `git fast-import`. */
function codeCommits(repo: TempRepo, count: number, from: number): void {
  const stream: string[] = []
  for (let n = 0; n < count; n++) {
    const text = `export const n = ${n}\n`
    stream.push(
      `commit refs/heads/main\ncommitter A <a@b.c> ${from + n} +0000\ndata 5\ncode\n`,
      n === 0 ? 'from refs/heads/main^0\n' : '',
      `M 644 inline src/f${n % 50}.ts\ndata ${text.length}\n${text}\n`,
    )
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    input: stream.join(''),
    env: { ...process.env, ...GIT_ENV },
    maxBuffer: 1 << 28,
  })
  repo.git('reset', '-q', '--hard')
}

describe('the bounded cache', () => {
  it('stays within its bound in bytes, dropping the least recently used first', () => {
    const cache = createByteCache(1_000)
    for (let n = 0; n < 100; n++) {
      cache.set(`k${n}`, n, 150)
      expect(cache.stats.bytes).toBeLessThanOrEqual(1_000)
      // k0 is read each time: the most recently used is kept while the others come and go.
      expect(cache.get('k0')).toBe(0)
    }
    expect(cache.stats).toEqual({ entries: 6, bytes: 900, maxBytes: 1_000 })
    expect(cache.get('k50')).toBeUndefined()
    expect(cache.get('k99')).toBe(99)
  })

  it('hands back a value larger than the whole bound without keeping it, and counts a replaced value once', () => {
    const cache = createByteCache(1_000)
    expect(cache.set('big', 'x', 5_000)).toBe('x')
    expect(cache.get('big')).toBeUndefined()
    cache.set('a', 1, 400)
    cache.set('a', 2, 300)
    expect(cache.stats).toEqual({ entries: 1, bytes: 300, maxBytes: 1_000 })
    cache.delete('a')
    expect(cache.stats.bytes).toBe(0)
  })

  it('keeps a reader within its bound through a whole history, and reads the same as an unbounded one', async () => {
    const repo = await tempRepo()
    const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
    await app.init({})
    const ids: string[] = []
    for (let n = 0; n < 20; n++) {
      ids.push((await app.create(createInput.parse({ title: `Item ${n}`, agent: 'ann' }))).items[0]!.id)
    }
    for (const [n, id] of ids.entries()) {
      await app.update(updateInput.parse({ id, priority: n % 2 ? 'high' : 'low', agent: 'bob' }))
    }
    app.close()
    const dir = discoverRepo(repo.dir)
    const small = createGitReader(dir.commondir, { maxBytes: 20_000 })
    const large = createGitReader(dir.commondir)
    const read = async (reader: typeof small) => {
      const seen: string[] = []
      for await (const commit of reader.log({ from: repo.git('rev-parse', 'HEAD').trim() })) {
        const summary = await reader.commit(commit.oid)
        const root = await reader.tree(summary.tree)
        seen.push(`${commit.oid} ${summary.tree} ${root.map((entry) => entry.oid).join(',')}`)
        for (const id of ids)
          seen.push(`${await reader.blobAt(summary.tree, `.backlog/tasks/${id.slice(-1)}/${id}.md`)}`)
        expect(reader.cache.stats.bytes).toBeLessThanOrEqual(reader.cache.stats.maxBytes)
      }
      return seen
    }
    expect(await read(small)).toEqual(await read(large))
    expect(small.cache.stats.bytes).toBeLessThanOrEqual(20_000)
    expect(large.cache.stats.bytes).toBeGreaterThan(20_000)
    // History through a reader this small still gives the same answers, only slower.
    const history = createItemHistory(dir, createBacklogLog(dir, small))
    const wide = createItemHistory(dir, createBacklogLog(dir, large))
    expect(await history.history({ limit: 50 })).toEqual(await wide.history({ limit: 50 }))
    expect(small.cache.stats.bytes).toBeLessThanOrEqual(20_000)
  })
})

describe('history past a long run of code commits', () => {
  it("finds an item's older commits with 10,500 commits of code after them", async () => {
    const repo = await tempRepo()
    const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
    await app.init({})
    const id = (await app.create(createInput.parse({ title: 'Old item', agent: 'ann' }))).items[0]!.id
    await app.update(updateInput.parse({ id, priority: 'high', agent: 'ann' }))
    app.close()
    // More than the 10,000 commits a page of history used to walk before it gave up.
    codeCommits(repo, 10_500, 1_800_000_000)

    const dir = discoverRepo(repo.dir)
    const history = createItemHistory(dir)
    const page = await history.history({ id })
    expect(page.entries.map((entry) => entry.op)).toEqual(['update', 'create'])
    expect(page.next).toBeUndefined()
    expect((await history.lastVersion(id))?.text).toContain('priority: high')
    // A bounded walk still counts the code commits it passes, as `maxCommits` says.
    const bounded = await history.history({ id, maxCommits: 100 })
    expect(bounded.entries).toEqual([])
    expect(bounded.next).toBeDefined()
  }, 120_000)
})
