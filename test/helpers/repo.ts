/** Real git repositories in temp folders, with a fixed author, checked with the real git CLI. */

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { onTestFinished } from 'vitest'

export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test Person',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test Person',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

export interface TempRepo {
  dir: string
  git(...args: string[]): string
  write(path: string, content: string): void
  read(path: string): string
}

/** Runs the real git in `dir` with the fixed test identity. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * A new repository with one commit of `files` (default: a README), removed when the test ends.
 *
 * @example
 * const repo = tempRepo({ 'src/a.ts': 'export {}\n' })
 */
export function tempRepo(
  files: Record<string, string> = { 'README.md': '# project\n' },
  options: { commit?: boolean } = {},
): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-test-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  git(dir, 'init', '-q', '-b', 'main')
  const repo: TempRepo = {
    dir,
    git: (...args) => git(dir, ...args),
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true })
      writeFileSync(join(dir, path), content)
    },
    read: (path) => readFileSync(join(dir, path), 'utf8'),
  }
  for (const [path, content] of Object.entries(files)) repo.write(path, content)
  if (options.commit !== false && Object.keys(files).length) {
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', 'initial')
  }
  return repo
}

/** A fixed clock that advances one second per call, so commit times are stable and ordered. */
export function steppingClock(start = Date.UTC(2026, 10, 23, 12, 0, 0)): () => Date {
  let now = start
  return () => {
    const date = new Date(now)
    now += 1000
    return date
  }
}

/** A deterministic id source: a simple linear congruential sequence over [0, 32). */
export function seededRandom(seed = 7): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return (state >> 8) & 31
  }
}

export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'git-backlog.js')

/**
 * Everything `git fsck --strict` says, on standard output and error: empty for a sound repository with no dangling
 * objects. (It prints "bad sha1 file" warnings on stderr and still exits 0.)
 */
export function fsckOutput(dir: string): string {
  const result = spawnSync('git', ['fsck', '--strict'], {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
  })
  return `${result.stdout}${result.stderr}`
}
