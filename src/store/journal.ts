/**
 * The commit journal: what a commit is about to do to the object store, working tree, index and branch, written
 * before it touches any of them, so that a writer killed at any instant leaves a record the next call settles
 * (docs/adr/0011-crash-safe-commits.md).
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { removeFileSync, writeFileAtomicSync } from './atomic-file.js'
import type { Head, ReflogEntry } from './git/refs.js'
import { isOwnerGone, readLockOwner } from './locks.js'
import type { Repo } from './repo.js'

/** One file of a journaled commit, with what the index and working tree held before it. */
export interface JournalChange {
  path: string
  /** The blob the commit puts at the path; null for a delete. */
  blob: string | null
  /** The index's stage-0 entry before the commit (its blob and mode), or null when it had none. */
  index: { oid: string; mode: number } | null
  /** The working file's blob before the commit, or null when there was no file. */
  work: string | null
  /** The working file's bytes (base64) when the object store does not hold them: an edit not yet committed. */
  workBytes?: string
}

export interface Journal {
  version: 1
  /** The owner line of the `index.lock` its writer holds while the journal exists: the writer is alive while it does. */
  lock: string
  /** The branch (or detached HEAD) the commit moves. */
  head: Head
  /** The branch's commit before, or null on an unborn branch. */
  old: string | null
  /** The new commit. */
  new: string
  /** The quarantine folder under `objects/` holding the new objects until they are moved into the store. */
  quarantine: string
  reflog: Omit<ReflogEntry, 'old' | 'new'>
  changes: JournalChange[]
}

/** Where a worktree's journal lives: beside its index, since a commit holds that index's lock while it exists. */
export function journalPath(repo: Repo): string {
  return join(repo.gitdir, 'backlog', 'commit-journal.json')
}

export function writeJournal(repo: Repo, journal: Journal): void {
  writeFileAtomicSync(journalPath(repo), JSON.stringify(journal))
}

export function removeJournal(repo: Repo): void {
  removeFileSync(journalPath(repo))
}

/**
 * The journal left in this worktree, if any: `unreadable` when the file exists but is not a journal (a hand edit;
 * it is written atomically, so never half).
 */
export function readJournal(repo: Repo): Journal | 'unreadable' | undefined {
  let text: string
  try {
    text = readFileSync(journalPath(repo), 'utf8')
  } catch {
    return undefined
  }
  try {
    const journal = JSON.parse(text) as Journal
    if (
      journal.version !== 1 ||
      !Array.isArray(journal.changes) ||
      typeof journal.new !== 'string' ||
      typeof journal.lock !== 'string'
    )
      return 'unreadable'
    return journal
  } catch {
    return 'unreadable'
  }
}

/**
 * True when the journal's writer is gone. A writer holds `index.lock` for as long as its journal exists, so a journal
 * whose lock is no longer there as the writer wrote it, or whose owner is a process of this host that is gone, is
 * left over.
 */
export function isOrphaned(repo: Repo, journal: Journal): boolean {
  return readLockOwner(join(repo.gitdir, 'index.lock')) !== journal.lock || isOwnerGone(journal.lock)
}
