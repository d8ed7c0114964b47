/**
 * Settling what a killed writer left (docs/adr/0011-crash-safe-commits.md): its journaled commit finished (forward) or
 * taken back, its locks and temporary files removed; and the two locks every commit takes.
 */

import { dirname, join } from 'node:path'
import type { Settled } from './commit.js'
import {
  attempt,
  freshEntry,
  readIndex,
  stageZero,
  uncheckedEntry,
  workingFile,
  writeIndex,
  writeWorkingFile,
} from './commit-files.js'
import type { GitIndex, IndexEntry } from './git/index-file.js'
import { type ObjectStore, promoteQuarantine, removeQuarantine } from './git/objects.js'
import { appendReflogs, type Head, readHead, resolveHead, targetOf, writeRef } from './git/refs.js'
import type { IndexFix } from './index-repair.js'
import { isOrphaned, type Journal, readJournal, removeJournal } from './journal.js'
import { removeLeftovers } from './leftovers.js'
import { acquireLock, clearDeadLock, type HeldLock } from './locks.js'
import type { Repo } from './repo.js'

/** True when both name the same branch, or the same detached commit. */
export function sameHead(a: Head, b: Head): boolean {
  return a.kind === b.kind && (a.kind === 'branch' ? a.ref === (b as typeof a).ref : a.oid === (b as typeof a).oid)
}

/** The locks of a commit, index first, then the branch's ref: released by the caller, in any order. */
export async function lockAll(repo: Repo, head: Head, lockTimeoutMs: number): Promise<HeldLock[]> {
  const index = await acquireLock(join(repo.gitdir, 'index.lock'), { timeoutMs: lockTimeoutMs })
  try {
    const ref = await acquireLock(`${targetOf(repo, head).file}.lock`, { timeoutMs: lockTimeoutMs })
    return [ref, index]
  } catch (error) {
    await index.release()
    throw error
  }
}

/** The index now, and the stage-0 entries of a journal's paths in it. */
export function indexFor(repo: Repo, journal: Journal): { index: GitIndex; entries: Map<string, IndexEntry> } {
  const index = readIndex(repo)
  return {
    index,
    entries: stageZero(
      index,
      journal.changes.map((change) => change.path),
    ),
  }
}

/** Finishes a journaled commit whose branch is still at the journal's old commit (or already at its new one). */
export async function rollForward(repo: Repo, objects: ObjectStore, journal: Journal, head: Head): Promise<void> {
  const { index, entries } = indexFor(repo, journal)
  const updates: IndexFix[] = []
  for (const change of journal.changes) {
    const current = workingFile(repo, change.path)?.oid ?? null
    let holdsNew = current === change.blob
    // A file someone changed since is theirs: it is left alone, and the index says so by its stat data.
    if (!holdsNew && current === change.work) {
      writeWorkingFile(repo, change.path, change.blob === null ? null : await objects.readBlob(change.blob))
      holdsNew = true
    }
    const indexed = entries.get(change.path)?.oid ?? null
    if (indexed !== change.blob && indexed !== (change.index?.oid ?? null)) continue
    if (change.blob === null) updates.push({ path: change.path, entry: null })
    else
      updates.push({
        path: change.path,
        entry: holdsNew
          ? freshEntry(repo, change.path, change.blob)
          : uncheckedEntry(change.path, change.blob, 0o100644),
      })
  }
  if (updates.length) writeIndex(repo, index, updates)
  if (resolveHead(repo, head) !== journal.new) writeRef(repo, head, journal.new)
  appendReflogs(repo, head, { ...journal.reflog, old: journal.old ?? undefined, new: journal.new }, true)
}

/** Puts back what a journaled commit wrote to the working tree and index, where they still hold its versions. */
export async function rollBack(repo: Repo, objects: ObjectStore, journal: Journal): Promise<void> {
  const { index, entries } = indexFor(repo, journal)
  const updates: IndexFix[] = []
  for (const change of journal.changes) {
    const current = workingFile(repo, change.path)?.oid ?? null
    if (current === change.blob && change.work !== change.blob) {
      let before: Uint8Array | null = null
      if (change.workBytes !== undefined) before = Buffer.from(change.workBytes, 'base64')
      else if (change.work !== null) before = await objects.readBlob(change.work)
      writeWorkingFile(repo, change.path, before)
    }
    const indexed = entries.get(change.path)?.oid ?? null
    if (indexed === change.blob && indexed !== (change.index?.oid ?? null)) {
      updates.push({
        path: change.path,
        entry: change.index ? uncheckedEntry(change.path, change.index.oid, change.index.mode) : null,
      })
    }
  }
  if (updates.length) writeIndex(repo, index, updates)
}

/**
 * Settles a journal while holding the locks of the current HEAD: forward when the branch is at the new commit, or
 * still at the old one with the new commit whole (unless `back` asks to take it back: the writer itself failed
 * midway), back otherwise. The journal, its quarantine and its writer's temporary files are gone afterwards.
 */
export async function settleJournal(
  repo: Repo,
  objects: ObjectStore,
  journal: Journal,
  preferBack: boolean,
): Promise<NonNullable<Settled['journal']>> {
  const head = readHead(repo)
  // A detached HEAD that moved to the journal's new commit is the same HEAD, moved by it.
  const moved = head.kind === 'detached' && journal.head.kind === 'detached' && head.oid === journal.new
  let outcome: NonNullable<Settled['journal']> = 'back'
  if (!moved && !sameHead(head, journal.head)) outcome = 'abandoned'
  else {
    const tip = resolveHead(repo, head) ?? null
    if (tip === journal.new || (tip === journal.old && !preferBack)) {
      promoteQuarantine(join(repo.commondir, 'objects'), journal.quarantine)
      if (tip === journal.new || (await objects.has(journal.new))) outcome = 'forward'
    } else if (tip !== journal.old && tip !== null && (await objects.isAncestor(journal.new, tip))) {
      // The commit landed and more came on top (its locks were removed by hand meanwhile): nothing to take back.
      outcome = 'landed'
    }
  }
  if (outcome === 'forward') await rollForward(repo, objects, journal, moved ? journal.head : head)
  else if (outcome === 'back') await rollBack(repo, objects, journal)
  removeJournal(repo)
  removeQuarantine(join(repo.commondir, 'objects'), journal.quarantine)
  // The journal's branch may not be HEAD's any more: its dead lock goes too, or fetch and push to it would fail.
  clearDeadLock(`${targetOf(repo, journal.head).file}.lock`)
  return outcome
}

/** Settles a journal left in this worktree, with the locks held (a journal found then is a dead writer's). */
export async function settleLocked(repo: Repo, objects: ObjectStore): Promise<Settled['journal']> {
  const journal = readJournal(repo)
  if (journal === undefined) return undefined
  if (journal === 'unreadable') {
    removeJournal(repo)
    return undefined
  }
  const outcome = await settleJournal(repo, objects, journal, false)
  removeLeftovers(
    repo,
    journal.changes.map((change) => dirname(join(repo.worktree, ...change.path.split('/')))),
  )
  return outcome
}

/**
 * Settles what killed writers left (see `Committer.settle`). `state.swept` says whether this process looked for their
 * temporary files already.
 */
export async function settleWorktree(
  repo: Repo,
  objects: ObjectStore,
  state: { swept: boolean },
  lockTimeoutMs: number,
): Promise<Settled> {
  const settled: Settled = { locks: [], leftovers: [] }
  const journal = readJournal(repo)
  if (journal !== undefined && (journal === 'unreadable' || isOrphaned(repo, journal))) {
    const locks = await lockAll(repo, readHead(repo), lockTimeoutMs)
    try {
      settled.journal = await settleLocked(repo, objects)
    } finally {
      for (const lock of locks) await lock.release()
    }
  } else {
    const head = attempt(() => readHead(repo))
    const lockFiles = [join(repo.gitdir, 'index.lock'), ...(head ? [`${targetOf(repo, head).file}.lock`] : [])]
    for (const lock of lockFiles) if (clearDeadLock(lock)) settled.locks.push(lock)
  }
  // Once per process, and after a killed writer was found: what killed writers left besides a journal.
  if (!state.swept || settled.journal || settled.locks.length) {
    state.swept = true
    settled.leftovers.push(...removeLeftovers(repo))
  }
  return settled
}
