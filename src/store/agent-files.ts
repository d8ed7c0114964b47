/**
 * Files of instructions for agents at the repository's root (AGENTS.md, CLAUDE.md), which `git backlog init --agents`
 * writes when a person asks: the one write outside `.backlog/` (docs/adr/0019-agent-instructions-outside-the-backlog.md).
 * Committed by git itself with `git commit --only`, so the person's staged work stays staged and out of the commit;
 * a file holding the person's own uncommitted changes is written but left for them to commit. A file that is a link is
 * written where it leads when that is inside the worktree (once, when two files lead to the same one), never outside.
 */

import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { runGit } from './git/cli.js'
import { assertNotBusy, type Repo } from './repo.js'

export interface AgentFilePlan {
  /** A path at the repository's root, e.g. `AGENTS.md`. */
  path: string
  /** The file's new text from its current text (undefined when there is no file); the same text means no change. */
  next(current: string | undefined): string | undefined
}

export interface AgentFilesResult {
  /** Files whose text changed. */
  written: string[]
  /** Of them, the ones committed. */
  committed: string[]
  /** Of them, the ones left uncommitted because they held the person's own uncommitted changes. */
  uncommitted: string[]
  /** Files that had the text already (nothing to write). */
  unchanged: string[]
  /** Of them, the ones with uncommitted changes: the section is there, but not committed yet. */
  unchanged_uncommitted: string[]
  /** Files that are links to another file of the worktree: written (or not) as that file, under its name. */
  linked: Array<{ path: string; target: string }>
  /** Files not written, and why: a link that leads outside the worktree, or nowhere. */
  skipped: Array<{ path: string; reason: string }>
  commit?: string
}

/**
 * Where a planned file really is: itself, or for a link the file it leads to, by its path in the worktree; or why it
 * is not to be written. A link out of the worktree (CLAUDE.md -> ~/.claude/CLAUDE.md) is the person's file elsewhere:
 * never written by a command run in this repository.
 */
function locate(worktree: string, path: string, planned: ReadonlySet<string>): { real: string } | { skip: string } {
  const absolute = join(worktree, path)
  let stat: ReturnType<typeof lstatSync>
  try {
    stat = lstatSync(absolute)
  } catch {
    return { real: path }
  }
  if (stat.isDirectory()) return { skip: `${path} is a folder; not written` }
  if (!stat.isSymbolicLink()) return { real: path }
  let target: string
  try {
    target = realpathSync(absolute)
  } catch {
    // A link to a file this run makes (CLAUDE.md -> AGENTS.md before AGENTS.md exists) is that file.
    const named = relative(worktree, resolve(dirname(absolute), readlinkSync(absolute)))
      .split(sep)
      .join('/')
    if (planned.has(named)) return { real: named }
    return { skip: `${path} is a link to a file that does not exist; not written` }
  }
  if (!statSync(target).isFile()) return { skip: `${path} is a link to a folder; not written` }
  const inside = relative(realpathSync(worktree), target)
  if (!inside || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return { skip: `${path} is a link to ${target}, outside this repository; not written` }
  }
  if (inside === '.git' || inside.startsWith(`.git${sep}`)) {
    return { skip: `${path} is a link into git's own folder (${inside}); not written` }
  }
  return { real: inside.split(sep).join('/') }
}

function git(repo: Repo, args: string[]): string {
  const run = runGit(repo, args)
  if (run.status !== 0) {
    throw new BacklogError(
      'WRITE_FAILED',
      `git ${args[0]} failed: ${(run.stderr || run.stdout || String(run.error ?? '')).trim()}`,
    )
  }
  return run.stdout
}

/**
 * Writes the planned files and commits those that had no uncommitted changes, in one commit with `message`.
 *
 * @example
 * writeAgentFiles(repo, [{ path: 'AGENTS.md', next: (text) => upsertSection(text, section) }], 'add agent instructions')
 */
export function writeAgentFiles(repo: Repo, plans: AgentFilePlan[], message: string): AgentFilesResult {
  assertNotBusy(repo)
  const result: AgentFilesResult = {
    written: [],
    committed: [],
    uncommitted: [],
    unchanged: [],
    unchanged_uncommitted: [],
    linked: [],
    skipped: [],
  }
  const seen = new Set<string>()
  const changes: Array<{ path: string; absolute: string; next: string; isNew: boolean }> = []
  const planned = new Set(plans.map((plan) => plan.path))
  for (const plan of plans) {
    const where = locate(repo.worktree, plan.path, planned)
    if ('skip' in where) {
      result.skipped.push({ path: plan.path, reason: where.skip })
      continue
    }
    const linked = () => {
      if (where.real !== plan.path) result.linked.push({ path: plan.path, target: where.real })
    }
    // Two names of one file (CLAUDE.md -> AGENTS.md) are one file: written once, under its own name.
    if (seen.has(where.real)) {
      linked()
      continue
    }
    seen.add(where.real)
    const absolute = join(repo.worktree, where.real)
    const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined
    const next = plan.next(current)
    if (next === undefined) continue
    linked()
    if (next === current) result.unchanged.push(where.real)
    else changes.push({ path: where.real, absolute, next, isNew: current === undefined })
  }
  const paths = [...changes.map((c) => c.path), ...result.unchanged]
  if (paths.length === 0) return result
  // `git status` names files with staged or unstaged changes, and untracked ones: the person's work in progress.
  const status = git(repo, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths])
  const dirty = new Set(
    status
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => entry.slice(3)),
  )
  // An ignored file (a personal CLAUDE.md) is the person's too: written, never committed.
  const ignored = runGit(repo, ['check-ignore', '--', ...paths])
  if (ignored.status !== 0 && ignored.status !== 1) {
    throw new BacklogError('WRITE_FAILED', `git check-ignore failed: ${ignored.stderr.trim()}`)
  }
  // The paths are plain names at the root (AGENTS.md, CLAUDE.md): one a line, never quoted.
  for (const path of ignored.stdout.split('\n')) if (path) dirty.add(path)
  result.unchanged_uncommitted = result.unchanged.filter((path) => dirty.has(path))
  for (const change of changes) {
    writeFileSync(change.absolute, change.next)
    result.written.push(change.path)
    ;(dirty.has(change.path) ? result.uncommitted : result.committed).push(change.path)
  }
  if (result.committed.length === 0) return result
  const fresh = changes.filter((change) => change.isNew && !dirty.has(change.path)).map((change) => change.path)
  // A new file must be known to git before `commit --only` can take it; nothing else is added to the index.
  if (fresh.length) git(repo, ['add', '--', ...fresh])
  // Hooks do not run for backlog commits (docs/adr/0012-signing-hooks-shallow.md); signing does, through git.
  try {
    git(repo, ['commit', '--only', '--no-verify', '--quiet', '-m', message, '--', ...result.committed])
  } catch (error) {
    // The index goes back to what the person had: the new files were added for this commit only.
    if (fresh.length) runGit(repo, ['reset', '--quiet', '--', ...fresh])
    throw error
  }
  result.commit = git(repo, ['rev-parse', 'HEAD']).trim()
  return result
}
