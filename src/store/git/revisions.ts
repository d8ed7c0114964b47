/**
 * Revisions as git names them (`main`, `origin/main`, `HEAD~3`, `v1.2`, an abbreviated id), the merge base of two
 * commits, the branch a pull request would go into, and the files of a folder that differ from HEAD in the working
 * tree: what `review` needs to know which two states of the backlog to compare. Git answers each (its revision
 * syntax is its own); nothing here writes.
 */

import type { Repo } from '../repo.js'
import { runGit } from './cli.js'

/**
 * The commit a revision names, or undefined when it names none (no such branch, tag or commit, or not a commit).
 *
 * @example
 * resolveRevision(repo, 'origin/main') // '9f2c4e1…'
 */
export function resolveRevision(repo: Repo, revision: string): string | undefined {
  const run = runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`])
  const oid = run.stdout.trim()
  return run.status === 0 && /^[0-9a-f]{40}$/.test(oid) ? oid : undefined
}

/**
 * The best common ancestor of two commits, or undefined when this clone holds none (unrelated histories, or a
 * shallow clone whose fetched histories do not meet).
 */
export function mergeBase(repo: Repo, a: string, b: string): string | undefined {
  const run = runGit(repo, ['merge-base', '--end-of-options', a, b])
  const oid = run.stdout.trim().split('\n')[0] ?? ''
  return run.status === 0 && /^[0-9a-f]{40}$/.test(oid) ? oid : undefined
}

/**
 * The revision a branch's changes are reviewed against. On a branch other than the default one: the default branch, as
 * the remote has it (`origin/HEAD`, else `origin/main` or `origin/master`), else `main` or `master` here, which is
 * what its pull request goes into. On the default branch itself (or with no default branch): its upstream, so the
 * review is what is not pushed yet. Undefined when there is none of them.
 *
 * @example
 * defaultBase(repo) // 'origin/main' on a feature branch; 'origin/main' on main too, as its upstream
 */
export function defaultBase(repo: Repo): string | undefined {
  const upstream = runGit(repo, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}'])
  const tracked = upstream.status === 0 ? upstream.stdout.trim() || undefined : undefined
  const mainline = defaultBranch(repo)
  const branch = runGit(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']).stdout.trim()
  const onMainline = mainline !== undefined && (mainline === branch || mainline.endsWith(`/${branch}`))
  if (mainline !== undefined && branch && !onMainline) return mainline
  return tracked ?? mainline
}

/** The branch pull requests go into: the remote's default branch, else `main` or `master`. */
function defaultBranch(repo: Repo): string | undefined {
  const remoteHead = runGit(repo, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'])
  if (remoteHead.status === 0 && remoteHead.stdout.trim()) return remoteHead.stdout.trim()
  for (const name of ['origin/main', 'origin/master', 'main', 'master']) {
    if (resolveRevision(repo, name)) return name
  }
  return undefined
}

/**
 * Files under `folder` whose working-tree state differs from HEAD: changed, staged, deleted or new (untracked and not
 * ignored), each path once, renames as their two paths. Repository paths with `/`.
 */
export function worktreeChanges(repo: Repo, folder: string): string[] {
  const tracked = runGit(repo, ['diff', 'HEAD', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--', folder])
  const untracked = runGit(repo, ['ls-files', '-z', '--others', '--exclude-standard', '--', folder])
  if (tracked.status !== 0) throw new Error(`git diff HEAD failed: ${tracked.stderr.trim()}`)
  if (untracked.status !== 0) throw new Error(`git ls-files failed: ${untracked.stderr.trim()}`)
  const paths = `${tracked.stdout}${untracked.stdout}`.split('\0').filter(Boolean)
  return [...new Set(paths)]
}
