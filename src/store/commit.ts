/**
 * The commit protocol (DESIGN.md §4): one mutation, one commit built from HEAD's tree, touching only `.backlog/`
 * paths, with git's own locks, compare-and-swap on the ref, the index updated for our paths before the ref moves,
 * and the user's staged, unstaged and untracked work left exactly as it was.
 */

import { closeSync, fstatSync, lstatSync, openSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { BACKLOG_DIR, isBacklogPath } from '../core/layout.js'
import { removeFileSync, writeFileAtomicSync } from './atomic-file.js'
import {
  emptyIndex,
  entryFromStats,
  findEntries,
  type GitIndex,
  parseIndex,
  serializeIndex,
  updateIndexEntries,
} from './git-index.js'
import type { ObjectStore, Signature } from './git-objects.js'
import type { Identity } from './identity.js'
import { type IndexFix, rememberCommit, staleEntries } from './index-repair.js'
import { acquireLock, type HeldLock } from './locks.js'
import { appendReflogs, type Head, readHead, resolveHead, targetOf, writeRef } from './refs.js'
import { assertNotBusy, assertSupportedFormat, type Repo } from './repo.js'

/** One file of a mutation: new content, or null to delete it. Paths are repository-relative with `/`. */
export interface FileChange {
  path: string
  content: string | null
}

export interface CommitPlan {
  message: string
  changes: FileChange[]
  /** The commit's time; defaults to now. The app passes the time it stamped into the items, so both agree. */
  date?: Date
}

export interface CommitResult {
  /** The new commit, or undefined when nothing changed or auto-commit is off. */
  commit?: string
  changes: FileChange[]
}

export interface CommitterOptions {
  repo: Repo
  objects: ObjectStore
  identity: () => Promise<Identity>
  now: () => Date
  lockTimeoutMs?: number
}

/** After this many lost compare-and-swap races, take the locks first and plan inside them. */
const OPTIMISTIC_ATTEMPTS = 3

const encoder = new TextEncoder()

function assertOwnPaths(changes: FileChange[]): void {
  const seen = new Set<string>()
  for (const change of changes) {
    // Checked before anything is written: a plan naming a file twice would leave the working tree half changed.
    if (seen.has(change.path)) {
      throw new BacklogError('INVALID_INPUT', `${change.path} is changed twice in one commit; nothing was written`)
    }
    seen.add(change.path)
    if (!isBacklogPath(change.path)) {
      throw new BacklogError(
        'PATH_OUTSIDE_BACKLOG',
        `Refusing to write ${change.path}: git-backlog only writes under .backlog/`,
      )
    }
  }
}

/** The value of `read`, or undefined if it throws (a path that does not exist yet). */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

function sameHead(a: Head, b: Head): boolean {
  return a.kind === b.kind && (a.kind === 'branch' ? a.ref === (b as typeof a).ref : a.oid === (b as typeof a).oid)
}

export interface Committer {
  /**
   * Runs `plan` against the current state and commits what it returns. `plan` is called again if another writer
   * moved the branch in the meantime, so it must read what it needs afresh each time. Returns without a commit when
   * the plan is null or empty.
   */
  commit(plan: () => Promise<CommitPlan | null>, options: { autoCommit: boolean }): Promise<CommitResult>
  /**
   * Corrects index entries of `.backlog/` files that a concurrent `git commit` put back to an older state (see
   * `staleEntries` in index-repair.ts), under `index.lock`; returns how many. Does nothing while git is mid-operation or the lock is taken.
   */
  heal(): Promise<number>
}

export function createCommitter({ repo, objects, identity, now, lockTimeoutMs = 5_000 }: CommitterOptions): Committer {
  const backlogRoot = join(repo.worktree, BACKLOG_DIR)

  /** Resolves a repository path to a file inside `.backlog/`, refusing symlinked folders that lead elsewhere. */
  function absolutePath(path: string): string {
    const absolute = join(repo.worktree, ...path.split('/'))
    const realRoot = attempt(() => realpathSync(backlogRoot)) ?? backlogRoot
    let parent = dirname(absolute)
    while (parent.length > backlogRoot.length) {
      const info = attempt(() => lstatSync(parent))
      if (info?.isSymbolicLink()) {
        const target = realpathSync(parent)
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          throw new BacklogError(
            'PATH_OUTSIDE_BACKLOG',
            `${path} leads outside .backlog/ through a symlink; nothing was written`,
          )
        }
      }
      parent = dirname(parent)
    }
    const rootInfo = attempt(() => lstatSync(backlogRoot))
    if (rootInfo?.isSymbolicLink()) {
      throw new BacklogError(
        'PATH_OUTSIDE_BACKLOG',
        '.backlog is a symlink; git-backlog writes only to a real .backlog folder',
      )
    }
    return absolute
  }

  function writeWorkingFiles(changes: FileChange[]): void {
    for (const change of changes) {
      const path = absolutePath(change.path)
      if (change.content === null) removeFileSync(path)
      else writeFileAtomicSync(path, change.content)
    }
  }

  function readIndex(): GitIndex {
    let fd: number | undefined
    try {
      fd = openSync(join(repo.gitdir, 'index'), 'r')
      // The time of the index as read: entries changed in its second are smudged when it is written again.
      const racyFrom = Number(fstatSync(fd, { bigint: true }).mtimeNs / 1_000_000_000n)
      return parseIndex(readFileSync(fd), { racyFrom })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex()
      throw error
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }

  function updateIndex(
    index: GitIndex,
    changes: FileChange[],
    blobs: Map<string, string | null>,
    fixes: IndexFix[],
  ): void {
    const updates: IndexFix[] = [...fixes]
    for (const change of changes) {
      const blob = blobs.get(change.path)
      if (change.content === null || !blob) {
        updates.push({ path: change.path, entry: null })
        continue
      }
      const stats = lstatSync(absolutePath(change.path), { bigint: true })
      updates.push({ path: change.path, entry: entryFromStats(change.path, blob, 0o100644, stats) })
    }
    writeFileAtomicSync(join(repo.gitdir, 'index'), serializeIndex(updateIndexEntries(index, updates)))
  }

  function assertNoConflicts(index: GitIndex, changes: FileChange[]): void {
    // Reading `index.entries` would decode the whole index; findEntries decodes only our paths' entries.
    const paths = changes.map((change) => change.path)
    const conflicted = findEntries(index, paths).find((entry) => entry.stage > 0)
    if (conflicted) {
      throw new BacklogError(
        'REPO_BUSY',
        `${conflicted.path} has an unresolved conflict in the git index; resolve it (edit, then \`git add\`) and try again. Nothing was written.`,
        { path: conflicted.path },
      )
    }
  }

  async function signature(date: Date): Promise<{ author: Signature; committer: Signature }> {
    const person = await identity()
    const author = {
      name: person.name,
      email: person.email,
      timestamp: Math.floor(date.getTime() / 1000),
      timezoneOffset: date.getTimezoneOffset(),
    }
    const committer = {
      ...author,
      name: process.env.GIT_COMMITTER_NAME?.trim() || author.name,
      email: process.env.GIT_COMMITTER_EMAIL?.trim() || author.email,
    }
    return { author, committer }
  }

  async function lockAll(head: Head): Promise<HeldLock[]> {
    const index = await acquireLock(join(repo.gitdir, 'index.lock'), { timeoutMs: lockTimeoutMs })
    try {
      const ref = await acquireLock(`${targetOf(repo, head).file}.lock`, { timeoutMs: lockTimeoutMs })
      return [ref, index]
    } catch (error) {
      await index.release()
      throw error
    }
  }

  async function tryCommit(
    plan: () => Promise<CommitPlan | null>,
    locksFirst: boolean,
  ): Promise<CommitResult | 'lost-race'> {
    assertNotBusy(repo)
    const head = readHead(repo)
    let locks = locksFirst ? await lockAll(head) : undefined
    try {
      const tip = resolveHead(repo, head)
      const planned = await plan()
      if (!planned || planned.changes.length === 0) return { changes: [] }
      assertOwnPaths(planned.changes)

      const blobs = new Map<string, string | null>()
      for (const change of planned.changes) {
        blobs.set(change.path, change.content === null ? null : await objects.writeBlob(encoder.encode(change.content)))
      }
      const baseTree = tip ? await objects.commitTree(tip) : undefined
      const tree = await objects.rewriteTree(baseTree, blobs)
      const { author, committer } = await signature(planned.date ?? now())
      const message = planned.message.endsWith('\n') ? planned.message : `${planned.message}\n`
      const commit = await objects.writeCommit({ tree, parents: tip ? [tip] : [], message, author, committer })

      // What the commit replaces, worked out before the locks are taken: the index repair of later commits reads it.
      const replaced = /^Backlog-Op:/m.test(message)
        ? await Promise.all(
            planned.changes.map(
              async (change): Promise<[string, string]> => [
                change.path,
                (await objects.blobAt(baseTree, change.path)) ?? '',
              ],
            ),
          )
        : []
      locks ??= await lockAll(head)
      const headNow = readHead(repo)
      if (!sameHead(head, headNow) || resolveHead(repo, headNow) !== tip) return 'lost-race'
      assertNotBusy(repo)
      const index = readIndex()
      assertNoConflicts(index, planned.changes)
      const own = new Set(planned.changes.map((change) => change.path))
      const fixes = await staleEntries(repo.worktree, objects, index, tip, Date.now() / 1000, own)

      writeWorkingFiles(planned.changes)
      updateIndex(index, planned.changes, blobs, fixes)
      writeRef(repo, head, commit)
      rememberCommit(commit, { time: committer.timestamp, ...(tip ? { parent: tip } : {}), replaced })
      appendReflogs(repo, head, {
        old: tip,
        new: commit,
        name: committer.name,
        email: committer.email,
        timestamp: committer.timestamp,
        timezoneOffset: committer.timezoneOffset,
        message: `backlog: ${message.split('\n', 1)[0]}`,
      })
      return { commit, changes: planned.changes }
    } finally {
      for (const lock of locks ?? []) await lock.release()
    }
  }

  return {
    async commit(plan, { autoCommit }) {
      if (!autoCommit) {
        const planned = await plan()
        if (!planned || planned.changes.length === 0) return { changes: [] }
        assertOwnPaths(planned.changes)
        writeWorkingFiles(planned.changes)
        return { changes: planned.changes }
      }
      assertSupportedFormat(repo)
      for (let lost = 0; ; lost++) {
        const result = await tryCommit(plan, lost >= OPTIMISTIC_ATTEMPTS)
        if (result !== 'lost-race') return result
      }
    },

    async heal() {
      try {
        assertNotBusy(repo)
        const stale = () =>
          staleEntries(
            repo.worktree,
            objects,
            readIndex(),
            resolveHead(repo, readHead(repo)),
            Date.now() / 1000,
            new Set(),
          )
        // Looked for without the lock, so the person's own git is not kept waiting when there is nothing to do.
        if ((await stale()).length === 0) return 0
        const lock = await acquireLock(join(repo.gitdir, 'index.lock'), { timeoutMs: 250 })
        try {
          assertNotBusy(repo)
          const index = readIndex()
          const fixes = await staleEntries(
            repo.worktree,
            objects,
            index,
            resolveHead(repo, readHead(repo)),
            Date.now() / 1000,
            new Set(),
          )
          if (fixes.length)
            writeFileAtomicSync(join(repo.gitdir, 'index'), serializeIndex(updateIndexEntries(index, fixes)))
          return fixes.length
        } finally {
          await lock.release()
        }
      } catch {
        // busy, locked, or gone: the next backlog commit looks again
        return 0
      }
    },
  }
}
