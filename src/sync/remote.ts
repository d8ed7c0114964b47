/**
 * The current branch against its upstream, through the git CLI: how far behind and ahead it is (from what was last
 * fetched), and `sync`: fetch, merge with the driver, push. Git's own safety rules apply (a merge refuses to run over
 * staged changes or to overwrite unstaged ones), so the user's work is never touched; a merge that needs a person
 * is aborted, so a failed sync leaves the repository as it found it.
 */

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { BacklogConfig } from '../core/config.js'
import { BacklogError } from '../core/errors.js'
import { resolveConflicts } from '../merge/resolve.js'
import { type GitOptions, runGit } from '../store/git/cli.js'
import { readHead, resolveHead, resolveRef } from '../store/git/refs.js'
import { type Repo, readConfigValue, repoConfig } from '../store/repo.js'

export interface Upstream {
  branch: string
  /** e.g. `origin/main` */
  upstream: string
  remote: string
  /** Commits the upstream has that this branch does not (as of the last fetch). */
  behind: number
  /** Commits this branch has that the upstream does not. */
  ahead: number
}

export interface SyncResult extends Upstream {
  /** Commits brought in by the merge (0 when there was nothing to fetch). */
  merged: number
  /** Commits sent. */
  pushed: number
  /** The merge commit, when one was made. */
  mergeCommit?: string
}

/** How long a fetch or push may take before it counts as offline. */
const NETWORK_TIMEOUT_MS = 60_000
/** How long a merge or commit waits for a lock another process holds for a moment (a backlog commit, say). */
const LOCK_WAIT_MS = 5_000

function git(repo: Repo, args: string[], options: number | GitOptions = {}) {
  return runGit(repo, args, typeof options === 'number' ? { timeoutMs: options } : options)
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .at(-1) ?? ''
  )
}

/** The branch, its upstream and the distance between them; undefined on a detached HEAD or without an upstream. */
export function upstreamOf(repo: Repo): Upstream | undefined {
  const names = git(repo, ['rev-parse', '--abbrev-ref', 'HEAD', '@{upstream}'])
  if (names.status !== 0) return undefined
  const [branch, upstream] = names.stdout.trim().split('\n')
  if (!branch || !upstream || branch === 'HEAD') return undefined
  const remote = git(repo, ['config', '--get', `branch.${branch}.remote`]).stdout.trim() || 'origin'
  const counts = git(repo, ['rev-list', '--left-right', '--count', 'HEAD...@{upstream}'])
  const [ahead, behind] = counts.stdout.trim().split(/\s+/).map(Number)
  return { branch, upstream, remote, behind: behind ?? 0, ahead: ahead ?? 0 }
}

/** Names the files git reports as conflicting in a merge it could not finish. */
function conflictedFiles(repo: Repo): string[] {
  return git(repo, ['diff', '--name-only', '--diff-filter=U']).stdout.trim().split('\n').filter(Boolean)
}

/**
 * Fetches the upstream, merges it (task files through the merge driver) and pushes what this branch has.
 *
 * @example
 * const result = syncWithUpstream(repo)
 * // { branch: 'main', upstream: 'origin/main', merged: 3, pushed: 1, behind: 0, ahead: 0, ... }
 */
export function syncWithUpstream(repo: Repo, options: { config: BacklogConfig; now: Date }): SyncResult {
  const before = upstreamOf(repo)
  if (!before) {
    throw new BacklogError(
      'INVALID_INPUT',
      'This branch has no upstream to sync with (or HEAD is detached). Push it once with `git push -u origin <branch>`, then sync.',
    )
  }
  const fetched = git(repo, ['fetch', '--quiet', before.remote], NETWORK_TIMEOUT_MS)
  if (fetched.status !== 0) {
    throw new BacklogError(
      'OFFLINE',
      `Could not fetch from ${before.remote}: ${lastLine(fetched.stderr) || 'no answer'}. Nothing changed; your commits stay here until the next sync.`,
      { remote: before.remote },
    )
  }
  const fresh = upstreamOf(repo) ?? before
  let merged = 0
  let mergeCommit: string | undefined
  if (fresh.behind > 0) {
    // Task files both sides changed are merged here, in this process, rather than by git starting the driver once
    // per file (a node start each: minutes for a thousand items). The driver set to `false` leaves them unmerged with
    // their three versions in the index, which `resolveConflicts` reads.
    const merge = git(
      repo,
      ['-c', 'merge.backlog.driver=false', 'merge', '--no-edit', '--no-commit', '--quiet', '@{upstream}'],
      { waitForLocksMs: LOCK_WAIT_MS },
    )
    let unresolved: string[] = []
    if (merge.status !== 0 && conflictedFiles(repo).length) {
      const tasks = new Set(
        resolveConflicts(repo, { ...options, overwrite: true })
          .filter((file) => file.outcome === 'merged')
          .map((f) => f.path),
      )
      unresolved = conflictedFiles(repo).filter((path) => !tasks.has(path))
    }
    const merging = existsSync(join(repo.gitdir, 'MERGE_HEAD'))
    const failed = merge.status !== 0 && (unresolved.length > 0 || !merging)
    if (!failed && merging) {
      const committed = git(repo, ['commit', '--no-edit', '--quiet'], { waitForLocksMs: LOCK_WAIT_MS })
      if (committed.status !== 0) unresolved = conflictedFiles(repo)
      if (committed.status !== 0 && unresolved.length === 0) {
        git(repo, ['merge', '--abort'], { waitForLocksMs: LOCK_WAIT_MS })
        throw new BacklogError(
          'CONFLICT',
          `git commit of the merge refused: ${lastLine(committed.stderr)}. Sync changed nothing.`,
        )
      }
    }
    if (failed || unresolved.length) {
      const conflicts = unresolved.length ? unresolved : conflictedFiles(repo)
      if (merging || conflicts.length) git(repo, ['merge', '--abort'], { waitForLocksMs: LOCK_WAIT_MS })
      throw new BacklogError(
        'CONFLICT',
        conflicts.length
          ? `Both sides changed the same lines of ${conflicts.join(', ')}; a person must choose. Sync changed nothing. ` +
              'Run `git pull`, settle those files (`git backlog resolve` merges task files field by field; edit the markers left in descriptions), commit, then sync again.'
          : `git merge ${fresh.upstream} refused: ${lastLine(merge.stderr)}. Sync changed nothing; commit or stash your own changes first if that is the reason.`,
        { files: conflicts },
      )
    }
    merged = fresh.behind
    if (fresh.ahead > 0) mergeCommit = git(repo, ['rev-parse', 'HEAD']).stdout.trim()
  }
  const ready = upstreamOf(repo) ?? fresh
  let pushed = 0
  if (ready.ahead > 0) {
    // The branch the upstream follows, as configured (refs/heads/...): a name cut out of `origin/main` would be wrong
    // for an upstream in this same repository (remote `.`).
    const target = git(repo, ['config', '--get', `branch.${ready.branch}.merge`]).stdout.trim()
    const push = git(
      repo,
      ['push', '--quiet', ready.remote, `HEAD:${target || ready.upstream.slice(ready.remote.length + 1)}`],
      NETWORK_TIMEOUT_MS,
    )
    if (push.status !== 0) {
      const rejected = /rejected|fetch first|non-fast-forward/i.test(push.stderr)
      throw new BacklogError(
        rejected ? 'CONFLICT' : 'OFFLINE',
        rejected
          ? `${ready.upstream} moved while syncing (someone pushed just now); what was merged is kept here. Sync again.`
          : `Could not push to ${ready.remote}: ${lastLine(push.stderr) || 'no answer'}. Your commits are merged here and stay until the next sync.`,
      )
    }
    pushed = ready.ahead
  }
  const after = upstreamOf(repo) ?? ready
  return { ...after, merged, pushed, ...(mergeCommit ? { mergeCommit } : {}) }
}

/** The remote-tracking ref a branch follows, from the repository config; undefined when it follows none. */
function trackingRef(repo: Repo, branch: string): { remote: string; ref: string; name: string } | undefined {
  const config = repoConfig(repo)
  const remote = readConfigValue(config, 'branch', 'remote', branch)
  const merge = readConfigValue(config, 'branch', 'merge', branch)
  if (!remote || remote === '.' || !merge?.startsWith('refs/heads/')) return undefined
  const name = merge.slice('refs/heads/'.length)
  return { remote, ref: `refs/remotes/${remote}/${name}`, name: `${remote}/${name}` }
}

/**
 * How far the branch is behind its upstream as last fetched, for tool results: cheap enough for every call, as git
 * counts only when HEAD or the upstream moved.
 */
export function createUpstreamWatch(repo: Repo): { status(): Promise<Upstream | undefined> } {
  let known: { head: string; tracked: string; status: Upstream } | undefined
  return {
    async status() {
      const head = readHead(repo)
      if (head.kind !== 'branch') return undefined
      const branch = head.ref.slice('refs/heads/'.length)
      const tracking = trackingRef(repo, branch)
      const tip = resolveHead(repo, head)
      const tracked = tracking ? resolveRef(repo, tracking.ref) : undefined
      if (!tracking || !tip || !tracked) return undefined
      if (known?.tracked === tracked && known.head === tip && known.status.branch === branch) return known.status
      const counts = git(repo, ['rev-list', '--left-right', '--count', `${tip}...${tracked}`])
      if (counts.status !== 0) return undefined
      const [ahead, behind] = counts.stdout.trim().split(/\s+/).map(Number)
      const status = {
        branch,
        upstream: tracking.name,
        remote: tracking.remote,
        behind: behind ?? 0,
        ahead: ahead ?? 0,
      }
      known = { head: tip, tracked, status }
      return status
    },
  }
}
