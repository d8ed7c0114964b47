import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

/** Runs the built bin in `dir` with its code cache in `cache`. */
function run(dir: string, cache: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV, GIT_BACKLOG_CACHE_DIR: cache },
    encoding: 'utf8',
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

const caches = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.v8cache'))

describe('the executable started from V8 code cache', () => {
  it('makes the cache on its first run and starts from it after, with the same answers', () => {
    const repo = tempRepo()
    const cache = join(mkdtempSync(join(tmpdir(), 'code-cache-')), 'git-backlog')
    expect(run(repo.dir, cache, 'init').code).toBe(0)
    expect(run(repo.dir, cache, 'add', 'Cached start').code).toBe(0)
    const [made] = caches(cache)
    expect(made).toMatch(/^[0-9a-f]+-v\d+\.\d+\.\d+-\w+-\w+\.v8cache$/)
    const file = join(cache, made as string)
    const bytes = readFileSync(file)
    expect(bytes.length).toBeGreaterThan(100_000)
    const old = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)

    // A command it has not seen adds the code it compiled; one it has seen only reads it.
    expect(readFileSync(file, 'latin1')).toMatch(/^git-backlog-cache init,add\n/)
    const listed = run(repo.dir, cache, 'list')
    expect(listed.code, listed.err).toBe(0)
    expect(listed.out).toMatch(/Cached start/)
    expect(readFileSync(file, 'latin1')).toMatch(/^git-backlog-cache init,add,list\n/)
    const grown = readFileSync(file)
    expect(grown.length).toBeGreaterThanOrEqual(bytes.length)
    utimesSync(file, old, old)
    expect(run(repo.dir, cache, 'list').out).toBe(listed.out)
    expect(run(repo.dir, cache, 'add', 'Another').code).toBe(0)
    expect(caches(cache)).toEqual([made])
    expect(Math.round(statSync(file).mtimeMs)).toBe(old.getTime())
    expect(readFileSync(file).equals(grown)).toBe(true)
  })

  it('replaces a cache V8 refuses, and runs without one where none can be written', () => {
    const repo = tempRepo()
    const cache = join(mkdtempSync(join(tmpdir(), 'code-cache-')), 'git-backlog')
    expect(run(repo.dir, cache, 'init').code).toBe(0)
    const [made] = caches(cache)
    const file = join(cache, made as string)
    // A file of the right form whose data V8 refuses (another node, another build): made again, not kept.
    writeFileSync(file, `git-backlog-cache init,list\n${'x'.repeat(4096)}`)
    const listed = run(repo.dir, cache, 'list', '--all')
    expect(listed.code, listed.err).toBe(0)
    expect(readFileSync(file).length).toBeGreaterThan(100_000)
    expect(readFileSync(file, 'latin1')).toMatch(/^git-backlog-cache list\n/)

    // A file where the folder would be: nothing can be written, and the command works all the same.
    const blocked = join(mkdtempSync(join(tmpdir(), 'code-cache-')), 'a-file')
    writeFileSync(blocked, '')
    const uncached = run(repo.dir, join(blocked, 'git-backlog'), 'list', '--all')
    expect(uncached.code, uncached.err).toBe(0)
    expect(uncached.out).toBe(listed.out)
  })

  it('keeps no cache where another user could write, nor in a relative folder', () => {
    const repo = tempRepo()
    const shared = mkdtempSync(join(tmpdir(), 'code-cache-'))
    chmodSync(shared, 0o777)
    expect(run(repo.dir, shared, 'init').code).toBe(0)
    expect(caches(shared)).toEqual([])
    expect(run(repo.dir, 'relative-cache', 'list').code).toBe(0)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('keeps the newest caches of other builds and removes older ones', () => {
    const repo = tempRepo()
    const cache = mkdtempSync(join(tmpdir(), 'code-cache-'))
    for (let i = 0; i < 6; i++) {
      const stale = join(cache, `${i}-v0.0.0-x-c1.v8cache`)
      writeFileSync(stale, 'old build')
      const time = new Date(Date.now() - (10 - i) * 60_000)
      utimesSync(stale, time, time)
    }
    expect(run(repo.dir, cache, 'init').code).toBe(0)
    const kept = caches(cache)
    expect(kept).toHaveLength(4)
    expect(kept.filter((name) => name.includes('-v0.0.0-')).sort()).toEqual([
      '3-v0.0.0-x-c1.v8cache',
      '4-v0.0.0-x-c1.v8cache',
      '5-v0.0.0-x-c1.v8cache',
    ])
  })

  it('loads isomorphic-git from its own file when a command needs it: a short commit id to expand', () => {
    const repo = tempRepo()
    const cache = mkdtempSync(join(tmpdir(), 'code-cache-'))
    expect(run(repo.dir, cache, 'init').code).toBe(0)
    expect(run(repo.dir, cache, 'add', 'Taken back').code).toBe(0)
    const short = repo.git('rev-parse', '--short=7', 'HEAD').trim()
    const undone = run(repo.dir, cache, 'undo', '--commit', short)
    expect(undone.code, undone.err).toBe(0)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^undo /)
  })
})
