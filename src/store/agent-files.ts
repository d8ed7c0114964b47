/**
 * Files of instructions for agents at the repository's root (AGENTS.md, CLAUDE.md), which `git backlog init --agents`
 * writes when a person asks: the one write outside `.backlog/` (docs/adr/0019-agent-instructions-outside-the-backlog.md).
 * Committed by git itself with `git commit --only`, so the person's staged work stays staged and out of the commit;
 * a file holding the person's own uncommitted changes is written but left for them to commit.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
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
  commit?: string
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
  const changes = plans.flatMap((plan) => {
    const absolute = join(repo.worktree, plan.path)
    const current = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined
    const next = plan.next(current)
    return next === undefined || next === current
      ? []
      : [{ path: plan.path, absolute, next, isNew: current === undefined }]
  })
  const result: AgentFilesResult = { written: [], committed: [], uncommitted: [] }
  if (changes.length === 0) return result
  // `git status` names files with staged or unstaged changes, and untracked ones: the person's work in progress.
  const status = git(repo, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--',
    ...changes.map((c) => c.path),
  ])
  const dirty = new Set(
    status
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => entry.slice(3)),
  )
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
  git(repo, ['commit', '--only', '--no-verify', '--quiet', '-m', message, '--', ...result.committed])
  result.commit = git(repo, ['rev-parse', 'HEAD']).trim()
  return result
}
