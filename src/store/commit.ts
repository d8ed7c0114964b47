/**
 * The commit protocol: one mutation, one commit built from HEAD's tree, touching only `.backlog/` paths, with git's
 * own locks, compare-and-swap on the ref, the index updated for our paths before the ref moves, and the user's staged,
 * unstaged and untracked work left exactly as it was (docs/adr/0003-git-writes.md, 0010-index-races-with-git-commit.md).
 *
 * Crash safety (docs/adr/0011-crash-safe-commits.md): the new objects wait in a quarantine folder; under the locks a
 * journal records the commit and what each path held before, and only then are objects, working files, index and
 * branch written. A writer killed at any instant leaves either nothing but temporary files, or a journal that the next
 * call settles: it finishes the commit when the branch is still where it was, and takes back the files otherwise.
 *
 * The committing is here (`commitChanges`, one attempt in `tryCommit`); the working files and index it writes are in
 * commit-files.ts, and settling a killed writer's journal in commit-settle.ts.
 */

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { isBacklogPath } from '../core/layout.js'
import type { Operation } from '../core/trailers.js'
import {
  assertNoConflicts,
  freshEntry,
  readIndex,
  stageZero,
  workingFile,
  writeIndex,
  writeWorkingFile,
} from './commit-files.js'
import { lockAll, sameHead, settleJournal, settleLocked, settleWorktree } from './commit-settle.js'
import { runGitAsync } from './git/cli.js'
import type { GitIndex } from './git/index-file.js'
import { formatZone, type ObjectStore, type Quarantine, type Signature } from './git/objects.js'
import { appendReflogs, readHead, resolveHead, writeRef } from './git/refs.js'
import type { CommitSettings } from './identity.js'
import { type IndexFix, readRecentChanges, rememberCommit, staleEntries } from './index-repair.js'
import { type Journal, type JournalChange, readJournal, removeJournal, writeJournal } from './journal.js'
import { acquireLock, type HeldLock } from './locks.js'
import { assertNotBusy, assertSupportedFormat, type Repo } from './repo.js'

/** One file of a mutation: new content (text is written as UTF-8), or null to delete it. Paths are repository-relative with `/`. */
export interface FileChange {
  path: string
  content: string | Uint8Array | null
  /**
   * The blob the working file held when the change was planned (null: no file). Set, it is checked under the locks:
   * a file edited by hand since makes the commit plan again, so the edit is kept, not overwritten.
   */
  basis?: string | null
}

export interface CommitPlan {
  message: string
  /**
   * The backlog operation this commit records (its message carries the same as a `Backlog-Op` trailer); absent for a
   * commit that is none (a plan made by hand in a test). The store reads what a commit is from here, never from text.
   */
  op?: Operation
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
  /** Who commits, and whether commits must be signed (asked of git once). */
  settings: () => Promise<CommitSettings>
  now: () => Date
  lockTimeoutMs?: number
}

/** What `settle` found and did. */
export interface Settled {
  /**
   * A killed writer's commit: finished (forward), found in history already with more on top (landed), taken back
   * (back), or left because HEAD moved to another branch (abandoned).
   */
  journal?: 'forward' | 'landed' | 'back' | 'abandoned'
  /** Locks of killed writers that were removed. */
  locks: string[]
  /** Temporary files and folders of killed writers that were removed. */
  leftovers: string[]
}

/** After this many lost compare-and-swap races, take the locks first and plan inside them. */
const OPTIMISTIC_ATTEMPTS = 3
/**
 * A file edited by hand between the plan and the locks makes the commit plan again on the edit, this many times at
 * most; then the change is refused rather than written over the edit.
 */
const MAX_REPLANS = 5
/** Signing can wait on gpg-agent or a hardware key; it runs before the locks are taken, but not forever. */
const SIGNING_TIMEOUT_MS = 60_000

const encoder = new TextEncoder()

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? encoder.encode(content) : content
}

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

/**
 * A file system error of a commit (a full disk, no permission, a folder where a file must go) as the clear error it
 * is: by then what was written has been put back. Anything else passes through.
 */
function asWriteFailure(error: unknown): unknown {
  const { code, syscall, path } = error as NodeJS.ErrnoException
  if (typeof code !== 'string' || typeof syscall !== 'string') return error
  return new BacklogError(
    'WRITE_FAILED',
    `The file system refused: ${code} on ${syscall}${path ? ` of ${path}` : ''}. Nothing was committed, and what was written was put back; fix the cause (disk space, permissions, a file or folder in the way) and try again.`,
    { code, ...(path ? { path } : {}) },
    { cause: error },
  )
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
  /**
   * Settles what killed writers left: a journaled commit is finished or taken back, their locks and temporary files
   * removed. Cheap when there is nothing (a few file checks), so every call starts with it.
   */
  settle(): Promise<Settled>
}

function signatures(person: CommitSettings, date: Date): { author: Signature; committer: Signature } {
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

/**
 * A signed commit, made by git itself (`git commit-tree -S`) so that every signing setup git knows works as it does
 * for `git commit`: gpg, x509 or ssh keys, agents, `user.signingkey`. git writes the commit into the quarantine,
 * reading the new trees there and everything else from the object store.
 */
async function signCommit(
  repo: Repo,
  staged: Quarantine,
  commit: { tree: string; parents: string[]; message: string; author: Signature; committer: Signature },
): Promise<string> {
  mkdirSync(staged.dir, { recursive: true })
  const when = (signature: Signature) => `@${signature.timestamp} ${formatZone(signature.timezoneOffset)}`
  const result = await runGitAsync(
    repo,
    ['commit-tree', commit.tree, ...commit.parents.flatMap((parent) => ['-p', parent]), '-S', '-F', '-'],
    {
      input: commit.message,
      timeoutMs: SIGNING_TIMEOUT_MS,
      env: {
        GIT_OBJECT_DIRECTORY: staged.dir,
        GIT_ALTERNATE_OBJECT_DIRECTORIES: join(repo.commondir, 'objects'),
        GIT_AUTHOR_NAME: commit.author.name,
        GIT_AUTHOR_EMAIL: commit.author.email,
        GIT_AUTHOR_DATE: when(commit.author),
        GIT_COMMITTER_NAME: commit.committer.name,
        GIT_COMMITTER_EMAIL: commit.committer.email,
        GIT_COMMITTER_DATE: when(commit.committer),
      },
    },
  )
  const oid = result.stdout?.trim() ?? ''
  if (result.status !== 0 || !/^[0-9a-f]{40}$/.test(oid)) {
    const reason = (result.stderr || result.error?.message || 'no output').trim().split('\n').slice(-3).join(' ')
    throw new BacklogError(
      'SIGNING_FAILED',
      `commit.gpgsign is on, and git could not sign the commit (${reason}). Nothing was written. Check that \`git commit -S\` works here, or turn signing off for this repository with \`git config commit.gpgsign false\`.`,
    )
  }
  staged.adopt(oid, commit.tree)
  return oid
}

/**
 * What each path held before the commit (`previous`: its blob in the commit's parent): the journal's way back, and
 * its test for what is still ours to finish.
 */
function priorStates(
  repo: Repo,
  index: GitIndex,
  changes: FileChange[],
  blobs: Map<string, string | null>,
  previous: Map<string, string | undefined>,
): JournalChange[] {
  const entries = stageZero(
    index,
    changes.map((change) => change.path),
  )
  const journal: JournalChange[] = []
  for (const change of changes) {
    const entry = entries.get(change.path)
    const file = workingFile(repo, change.path)
    const blob = blobs.get(change.path) ?? null
    const record: JournalChange = {
      path: change.path,
      blob,
      index: entry ? { oid: entry.oid, mode: entry.mode } : null,
      work: file?.oid ?? null,
    }
    // An edit not yet committed is in neither the object store nor the index: the journal keeps its bytes.
    if (file && file.oid !== blob && file.oid !== entry?.oid && file.oid !== previous.get(change.path))
      record.workBytes = file.bytes.toString('base64')
    journal.push(record)
  }
  return journal
}

async function tryCommit(
  options: Required<CommitterOptions>,
  plan: () => Promise<CommitPlan | null>,
  locksFirst: boolean,
  replans: number,
): Promise<CommitResult | 'lost-race'> {
  const { repo, objects, settings, now, lockTimeoutMs } = options
  assertNotBusy(repo)
  const head = readHead(repo)
  let locks = locksFirst ? await lockAll(repo, head, lockTimeoutMs) : undefined
  let staged: Quarantine | undefined
  try {
    if (locks) await settleLocked(repo, objects)
    const tip = resolveHead(repo, head)
    const planned = await plan()
    if (!planned || planned.changes.length === 0) return { changes: [] }
    assertOwnPaths(planned.changes)
    const person = await settings()

    // Outside the locks: every new object, into a quarantine that a lost race or a crash simply discards.
    staged = objects.quarantine({ gitLayout: person.sign })
    const bytes = new Map<string, Uint8Array | null>()
    const blobs = new Map<string, string | null>()
    for (const change of planned.changes) {
      const content = change.content === null ? null : bytesOf(change.content)
      bytes.set(change.path, content)
      blobs.set(change.path, content === null ? null : staged.writeBlob(content))
    }
    const baseTree = tip ? await objects.commitTree(tip) : undefined
    const tree = await staged.rewriteTree(baseTree, blobs)
    const { author, committer } = signatures(person, planned.date ?? now())
    const message = planned.message.endsWith('\n') ? planned.message : `${planned.message}\n`
    const shape = { tree, parents: tip ? [tip] : [], message, author, committer }
    const commit = person.sign ? await signCommit(repo, staged, shape) : staged.writeCommit(shape)

    // Worked out before the locks are taken, so they are held as briefly as possible: what the commit replaces
    // (the journal's way back, and what the index repair of later commits looks for), and the recent history that
    // the index repair reads under the lock.
    const previous = new Map<string, string | undefined>()
    for (const change of planned.changes) previous.set(change.path, await objects.blobAt(baseTree, change.path))
    const replaced: Array<[string, string]> = planned.op
      ? planned.changes.map((change) => [change.path, previous.get(change.path) ?? ''])
      : []
    await readRecentChanges(objects, tip, Date.now() / 1000)
    if (!locks) {
      locks = await lockAll(repo, head, lockTimeoutMs)
      await settleLocked(repo, objects)
    }
    const headNow = readHead(repo)
    if (!sameHead(head, headNow) || resolveHead(repo, headNow) !== tip) return 'lost-race'
    assertNotBusy(repo)
    const index = readIndex(repo)
    assertNoConflicts(index, planned.changes)
    const own = new Set(planned.changes.map((change) => change.path))
    const fixes = await staleEntries(repo.worktree, objects, index, tip, Date.now() / 1000, own)

    const reflog = {
      name: committer.name,
      email: committer.email,
      timestamp: committer.timestamp,
      timezoneOffset: committer.timezoneOffset,
      message: `backlog: ${message.split('\n', 1)[0]}`,
    }
    const prior = priorStates(repo, index, planned.changes, blobs, previous)
    const edited = planned.changes.find((change, at) => change.basis !== undefined && change.basis !== prior[at]?.work)
    if (edited && replans < MAX_REPLANS) return 'lost-race'
    if (edited) {
      throw new BacklogError(
        'CONFLICT',
        `${edited.path} kept changing on disk while this change was being written (an editor saving it?); nothing was written. Try again once it is saved.`,
        { path: edited.path },
      )
    }
    const journal: Journal = {
      version: 1,
      lock: (locks[1] as HeldLock).owner,
      head,
      old: tip ?? null,
      new: commit,
      quarantine: staged.name,
      reflog,
      changes: prior,
    }
    // From here on, a crash at any instant leaves a journal the next call settles.
    writeJournal(repo, journal)
    try {
      for (const change of planned.changes) writeWorkingFile(repo, change.path, bytes.get(change.path) ?? null)
      const updates: IndexFix[] = [...fixes]
      for (const change of planned.changes) {
        const blob = blobs.get(change.path) ?? null
        updates.push({ path: change.path, entry: blob === null ? null : freshEntry(repo, change.path, blob) })
      }
      writeIndex(repo, index, updates)
      // The objects join the store only now: a failure before this point leaves none of them behind.
      staged.promote()
      writeRef(repo, head, commit)
      appendReflogs(repo, head, { ...reflog, old: tip, new: commit })
    } catch (error) {
      // Failed midway (a full disk, a folder in the way): put back what was written, unless the branch moved.
      await settleJournal(repo, objects, journal, true).catch(() => undefined)
      throw error
    }
    removeJournal(repo)
    rememberCommit(objects, commit, { time: committer.timestamp, ...(tip ? { parent: tip } : {}), replaced })
    return { commit, changes: planned.changes }
  } finally {
    for (const lock of locks ?? []) await lock.release()
    staged?.discard()
  }
}

/**
 * Runs `plan` against the current state and commits what it returns (see `Committer.commit`): optimistically first,
 * then, after lost races, planning inside the locks.
 */
export async function commitChanges(
  options: Required<CommitterOptions>,
  plan: () => Promise<CommitPlan | null>,
  { autoCommit }: { autoCommit: boolean },
): Promise<CommitResult> {
  const { repo } = options
  if (!autoCommit) {
    const planned = await plan()
    if (!planned || planned.changes.length === 0) return { changes: [] }
    assertOwnPaths(planned.changes)
    for (const change of planned.changes)
      writeWorkingFile(repo, change.path, change.content === null ? null : bytesOf(change.content))
    return { changes: planned.changes }
  }
  assertSupportedFormat(repo)
  try {
    for (let lost = 0; ; lost++) {
      const result = await tryCommit(options, plan, lost >= OPTIMISTIC_ATTEMPTS, lost)
      if (result !== 'lost-race') return result
    }
  } catch (error) {
    throw asWriteFailure(error)
  }
}

/** Corrects index entries a concurrent `git commit` put back to an older state (see `Committer.heal`). */
export async function healIndex(repo: Repo, objects: ObjectStore): Promise<number> {
  try {
    assertNotBusy(repo)
    // A killed writer's journal is settled first, by the next call: its index entries are its to finish.
    if (readJournal(repo) !== undefined) return 0
    const stale = () =>
      staleEntries(
        repo.worktree,
        objects,
        readIndex(repo),
        resolveHead(repo, readHead(repo)),
        Date.now() / 1000,
        new Set(),
      )
    // Looked for without the lock, so the person's own git is not kept waiting when there is nothing to do.
    if ((await stale()).length === 0) return 0
    const lock = await acquireLock(join(repo.gitdir, 'index.lock'), { timeoutMs: 250 })
    try {
      assertNotBusy(repo)
      const index = readIndex(repo)
      const fixes = await staleEntries(
        repo.worktree,
        objects,
        index,
        resolveHead(repo, readHead(repo)),
        Date.now() / 1000,
        new Set(),
      )
      if (fixes.length) writeIndex(repo, index, fixes)
      return fixes.length
    } finally {
      await lock.release()
    }
  } catch {
    // busy, locked, or gone: the next backlog commit looks again
    return 0
  }
}

/**
 * The committer of one repository: `commit`, `settle` and `heal` over its working tree, index and branch.
 *
 * @example
 * const committer = createCommitter({ repo, objects, settings, now: () => new Date() })
 * await committer.commit(async () => ({ op: 'create', message, changes }), { autoCommit: true })
 */
export function createCommitter({ lockTimeoutMs = 5_000, ...rest }: CommitterOptions): Committer {
  const options = { ...rest, lockTimeoutMs }
  const { repo, objects } = options
  const state = { swept: false }
  return {
    commit: (plan, settings) => commitChanges(options, plan, settings),
    settle: () => settleWorktree(repo, objects, state, lockTimeoutMs),
    heal: () => healIndex(repo, objects),
  }
}
