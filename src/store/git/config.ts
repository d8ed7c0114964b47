/**
 * Git config, read one way: asked of git (`git config --null --list`), so includes, conditional includes, the global
 * and system files and `GIT_CONFIG_*` count as git counts them. Kept per working tree while the files git reads are
 * unchanged (docs/adr/0016-one-git-reader.md).
 */

import { statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { BacklogError } from '../../core/errors.js'
import { runGitAt } from './cli.js'

/** Config values by key: `section.key` or `section.subsection.key`, section and key in lower case as git prints them. */
export interface GitConfig {
  /** The last value of a key (a bare key, `[x] flag`, reads as 'true'), or undefined when it is not set. */
  get(key: string): string | undefined
  /** Every value of a key, in the order git reads them. */
  getAll(key: string): string[]
}

/** `git config --null --list` output: `key\nvalue\0` records, a bare key without its newline. */
function parseList(output: string): GitConfig {
  const values = new Map<string, string[]>()
  for (const record of output.split('\0')) {
    if (!record) continue
    const newline = record.indexOf('\n')
    const key = newline < 0 ? record : record.slice(0, newline)
    const value = newline < 0 ? 'true' : record.slice(newline + 1)
    const list = values.get(key) ?? []
    list.push(value)
    values.set(key, list)
  }
  return {
    get: (key) => values.get(normalizeKey(key))?.at(-1),
    getAll: (key) => [...(values.get(normalizeKey(key)) ?? [])],
  }
}

/** Section and name in lower case, the subsection between them as written: how git prints keys. */
function normalizeKey(key: string): string {
  const first = key.indexOf('.')
  const last = key.lastIndexOf('.')
  if (first < 0) return key.toLowerCase()
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}.${key.slice(last + 1).toLowerCase()}`
}

/**
 * Asks git. With `gitdir`, for that repository (`--git-dir`: no discovery, so neither a `GIT_DIR` in the environment
 * nor git's ownership check can put another repository's config, or none, in its place), and a failure is an error:
 * git could not read the config it would itself work by. Without, a folder outside any repository: what is set
 * globally, or nothing.
 */
function listed(cwd: string, args: readonly string[], options: { input?: string; gitdir?: string } = {}): GitConfig {
  const { input, gitdir } = options
  const run = runGitAt(
    cwd,
    [...(gitdir ? [`--git-dir=${gitdir}`] : []), 'config', '--null', ...args, '--list'],
    input === undefined ? {} : { input },
  )
  if (run.status !== 0 && gitdir !== undefined) {
    const said = (run.stderr || run.error?.message || '').trim()
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      `git could not read the config of ${gitdir}${said ? `: ${said}` : ''}. Fix what git names (\`git config --list\` shows it), then try again.`,
    )
  }
  return parseList(run.status === 0 ? run.stdout : '')
}

/** What tells that a config git reads may have changed: its files' identities and the variables that steer git. */
function stampOf(gitdirs: readonly string[]): string {
  const env = process.env
  const home = env.HOME ?? homedir()
  const xdg = env.XDG_CONFIG_HOME ?? join(home, '.config')
  const files = [
    // HEAD too: `includeIf "onbranch:…"` follows the branch checked out.
    ...gitdirs.flatMap((dir) => [join(dir, 'config'), join(dir, 'config.worktree'), join(dir, 'HEAD')]),
    env.GIT_CONFIG_GLOBAL ?? join(home, '.gitconfig'),
    join(xdg, 'git', 'config'),
    env.GIT_CONFIG_SYSTEM ?? '/etc/gitconfig',
  ]
  const stats = files.map((file) => {
    const info = statSync(file, { throwIfNoEntry: false })
    return info ? `${info.ino}:${info.mtimeMs}:${info.size}` : '-'
  })
  const vars = Object.keys(env)
    .filter((name) => name.startsWith('GIT_CONFIG') || name === 'GIT_DIR' || name === 'HOME')
    .sort()
    .map((name) => `${name}=${env[name]}`)
  return [...stats, ...vars].join('|')
}

const MAX_KEPT = 8
const kept = new Map<string, { stamp: string; config: GitConfig }>()

/**
 * The config git would use in `cwd` (in the repository whose git dir is `gitdirs[0]`, when given): every scope,
 * includes followed. Asked of git once, then again only when one of the files it reads (the repository's, the global
 * and system ones), the branch checked out or a `GIT_CONFIG*` variable changed; a change to an included file alone is
 * seen once its including file changes or the process restarts.
 *
 * @example
 * readGitConfig(repo.worktree, [repo.gitdir, repo.commondir]).get('branch.main.remote') // 'origin'
 */
export function readGitConfig(cwd: string, gitdirs: readonly string[] = []): GitConfig {
  const stamp = stampOf(gitdirs)
  const known = kept.get(cwd)
  if (known?.stamp === stamp) return known.config
  const config = listed(cwd, [], gitdirs[0] === undefined ? {} : { gitdir: gitdirs[0] })
  kept.delete(cwd)
  if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string)
  kept.set(cwd, { stamp, config })
  return config
}

/**
 * The config of one file's text, as git reads it (`git config --file -`): for a config file that is not in place.
 *
 * @example
 * parseConfigText('[branch "main"]\n\tremote = origin\n').get('branch.main.remote') // 'origin'
 */
export function parseConfigText(text: string, cwd = process.cwd()): GitConfig {
  return listed(cwd, ['--file', '-'], { input: text })
}
