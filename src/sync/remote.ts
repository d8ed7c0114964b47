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

export interface SyncResult {
  branch: string
  /** The branch's upstream, e.g. `origin/main`; absent when it has none (a base was named). */
  upstream?: string
  remote?: string
  /** Commits the upstream has that this branch does not, after the sync (as last fetched). */
  behind: number
  /** Commits this branch has that the upstream does not, after the sync. */
  ahead: number
  /** Commits brought in from the upstream (0 when there was nothing to fetch). */
  merged: number
  /** Commits sent. */
  pushed: number
  /** The merge commit made with the upstream, when one was made. */
  mergeCommit?: string
  /** When a base was named: what merging it into the branch brought in. */
  base?: { name: string; merged: number; mergeCommit?: string }
}

/** How long a fetch or push may take before it counts as offline. */
const NETWORK_TIMEOUT_MS = 60_000
/** How long a merge or commit waits for a lock another process holds for a moment (a backlog commit, say). */
const LOCK_WAIT_MS = 5_000

function git(repo: Repo, args: string[], options: number | GitOptions = {}) {
  return runGit(repo, args, typeof options === 'number' ? { timeoutMs: options } : options)
}

/** The last line git printed, without a full stop of its own (the messages add theirs). */
function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((line) => line.trim())
      .at(-1)
      ?.replace(/\.+$/, '') ?? ''
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
 * Merges `target` into the current branch, task files field by field, and commits the merge; throws CONFLICT (having
 * aborted the merge) when a file needs a person. `behind` and `ahead` are counted against `target` beforehand.
 */
function mergeIn(
  repo: Repo,
  target: { ref: string; name: string; behind: number; ahead: number },
  options: { config: BacklogConfig; now: Date; kept?: string },
): { merged: number; mergeCommit?: string } {
  if (target.behind === 0) return { merged: 0 }
  // Task files both sides changed are merged here, in this process, rather than by git starting the driver once
  // per file (a node start each: minutes for a thousand items). The driver set to `false` leaves them unmerged with
  // their three versions in the index, which `resolveConflicts` reads.
  const merge = git(
    repo,
    ['-c', 'merge.backlog.driver=false', 'merge', '--no-edit', '--no-commit', '--quiet', target.ref],
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
  const unchanged = `Sync changed nothing${options.kept ? ` more (${options.kept})` : ''}.`
  if (!failed && merging) {
    const committed = git(repo, ['commit', '--no-edit', '--quiet'], { waitForLocksMs: LOCK_WAIT_MS })
    if (committed.status !== 0) unresolved = conflictedFiles(repo)
    if (committed.status !== 0 && unresolved.length === 0) {
      git(repo, ['merge', '--abort'], { waitForLocksMs: LOCK_WAIT_MS })
      throw new BacklogError('CONFLICT', `git commit of the merge refused: ${lastLine(committed.stderr)}. ${unchanged}`)
    }
  }
  if (failed || unresolved.length) {
    const conflicts = unresolved.length ? unresolved : conflictedFiles(repo)
    if (merging || conflicts.length) git(repo, ['merge', '--abort'], { waitForLocksMs: LOCK_WAIT_MS })
    throw new BacklogError(
      'CONFLICT',
      conflicts.length
        ? `Both sides changed the same lines of ${conflicts.join(', ')}; a person must choose. ${unchanged} ` +
            `Run \`git merge ${target.name}\`, settle those files (\`git backlog resolve\` merges task files field by field; edit the markers left in descriptions), commit, then sync again.`
        : `git merge ${target.name} refused: ${lastLine(merge.stderr)}. ${unchanged} Commit or stash your own changes first if that is the reason.`,
      { files: conflicts },
    )
  }
  return {
    merged: target.behind,
    ...(target.ahead > 0 ? { mergeCommit: git(repo, ['rev-parse', 'HEAD']).stdout.trim() } : {}),
  }
}

/** Commits `ref` has that HEAD has not (behind), and the other way round (ahead). */
function distance(repo: Repo, ref: string): { behind: number; ahead: number } {
  const counts = git(repo, ['rev-list', '--left-right', '--count', `HEAD...${ref}`])
  const [ahead, behind] = counts.stdout.trim().split(/\s+/).map(Number)
  return { behind: behind ?? 0, ahead: ahead ?? 0 }
}

function fetchRemote(repo: Repo, remote: string): void {
  const fetched = git(repo, ['fetch', '--quiet', remote], NETWORK_TIMEOUT_MS)
  if (fetched.status !== 0) {
    throw new BacklogError(
      'OFFLINE',
      `Could not fetch from ${remote}: ${lastLine(fetched.stderr) || 'no answer'}. Nothing changed; your commits stay here until the next sync.`,
      { remote },
    )
  }
}

/**
 * The commit a named base is, fetching its remote first when it names a remote-tracking branch (`origin/main`), so
 * that the base is as the remote has it now.
 */
function resolveBase(repo: Repo, base: string, fetched: Set<string>): string {
  if (base.startsWith('-') || /[\s\0]/.test(base)) {
    throw new BacklogError('INVALID_INPUT', `"${base}" is not a branch or commit name.`)
  }
  const remotes = git(repo, ['remote']).stdout.split('\n').filter(Boolean)
  const remote = remotes.find((name) => base.startsWith(`${name}/`))
  if (remote && !fetched.has(remote)) {
    fetchRemote(repo, remote)
    fetched.add(remote)
  }
  const commit = git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${base}^{commit}`]).stdout.trim()
  if (!commit) {
    throw new BacklogError(
      'NOT_FOUND',
      `"${base}" names no branch or commit here. Name one \`git branch -a\` lists, e.g. origin/main; nothing changed.`,
      { base },
    )
  }
  return commit
}

/**
 * Brings the current branch up to date and shares it: fetches and merges its upstream, then, when `base` is named,
 * merges that too (a pull request's base branch, say `origin/main`: the way to settle a pull request the merge button
 * reports in conflict), task files field by field; then pushes the branch to its upstream. Either merge that needs a
 * person is taken back and named in a CONFLICT error.
 *
 * @example
 * syncBranch(repo, { config, now }) // { branch: 'main', upstream: 'origin/main', merged: 3, pushed: 1, ... }
 * syncBranch(repo, { config, now, base: 'origin/main' }) // on a feature branch: main merged in, then pushed
 */
export function syncBranch(repo: Repo, options: { config: BacklogConfig; now: Date; base?: string }): SyncResult {
  const { base, ...merging } = options
  const before = upstreamOf(repo)
  const branch = git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']).stdout.trim()
  if (!branch) throw new BacklogError('INVALID_INPUT', 'HEAD is detached: check out the branch to sync first.')
  if (!before && base === undefined) {
    throw new BacklogError(
      'INVALID_INPUT',
      'This branch has no upstream to sync with. Push it once with `git push -u origin <branch>`, then sync (or name a base to merge: `git backlog sync origin/main`).',
    )
  }
  const fetched = new Set<string>()
  let merged = 0
  let mergeCommit: string | undefined
  if (before) {
    fetchRemote(repo, before.remote)
    fetched.add(before.remote)
    const fresh = upstreamOf(repo) ?? before
    const result = mergeIn(
      repo,
      { ref: '@{upstream}', name: fresh.upstream, ...distance(repo, '@{upstream}') },
      merging,
    )
    merged = result.merged
    mergeCommit = result.mergeCommit
  }
  let baseResult: SyncResult['base']
  if (base !== undefined) {
    // Merged by its name, checked above, so the merge commit says what came in ("Merge branch 'main' into feature").
    const commit = resolveBase(repo, base, fetched)
    const kept = merged ? `the merge of ${before?.upstream} before it is kept` : undefined
    const result = mergeIn(
      repo,
      { ref: base, name: base, ...distance(repo, commit) },
      { ...merging, ...(kept ? { kept } : {}) },
    )
    baseResult = { name: base, ...result }
  }
  const ready = upstreamOf(repo)
  let pushed = 0
  if (ready && ready.ahead > 0) {
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
  const after = upstreamOf(repo)
  return {
    branch,
    ...(after ? { upstream: after.upstream, remote: after.remote } : {}),
    behind: after?.behind ?? 0,
    ahead: after?.ahead ?? 0,
    merged,
    pushed,
    ...(mergeCommit ? { mergeCommit } : {}),
    ...(baseResult ? { base: baseResult } : {}),
  }
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
