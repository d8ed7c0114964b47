/**
 * The commit protocol: one mutation, one commit built from HEAD's tree, touching only `.backlog/` paths, with git's
 * own locks, compare-and-swap on the ref, the index updated for our paths before the ref moves, and the user's staged,
 * unstaged and untracked work left exactly as it was (docs/adr/0003-git-writes.md, 0010-index-races-with-git-commit.md).
 *
 * Crash safety (docs/adr/0011-crash-safe-commits.md): the new objects wait in a quarantine folder; under the locks a
 * journal records the commit and what each path held before, and only then are objects, working files, index and
 * branch written. A writer killed at any instant leaves either nothing but temporary files, or a journal that the next
 * call settles: it finishes the commit when the branch is still where it was, and takes back the files otherwise.
 */

import type { BigIntStats } from 'node:fs'
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { BACKLOG_DIR, isBacklogPath } from '../core/layout.js'
import { removeFileSync, writeFileAtomicSync } from './atomic-file.js'
import { runGitAsync } from './git/cli.js'
import {
  emptyIndex,
  entryFromStats,
  findEntries,
  type GitIndex,
  type IndexEntry,
  parseIndex,
  serializeIndex,
  updateIndexEntries,
} from './git/index-file.js'
import {
  formatZone,
  type ObjectStore,
  objectId,
  promoteQuarantine,
  type Quarantine,
  removeQuarantine,
  type Signature,
} from './git/objects.js'
import { appendReflogs, type Head, readHead, resolveHead, targetOf, writeRef } from './git/refs.js'
import type { CommitSettings } from './identity.js'
import { type IndexFix, readRecentChanges, rememberCommit, staleEntries } from './index-repair.js'
import { isOrphaned, type Journal, type JournalChange, readJournal, removeJournal, writeJournal } from './journal.js'
import { removeLeftovers } from './leftovers.js'
import { acquireLock, clearDeadLock, type HeldLock } from './locks.js'
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

/** An index entry git must check by content (size 0, no stat data): for a file we did not write just now. */
function uncheckedEntry(path: string, oid: string, mode: number): IndexEntry {
  const zero = { ctimeNs: 0n, mtimeNs: 0n, dev: 0n, ino: 0n, uid: 0n, gid: 0n, size: 0n } as BigIntStats
  return entryFromStats(path, oid, mode, zero)
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

export function createCommitter({ repo, objects, settings, now, lockTimeoutMs = 5_000 }: CommitterOptions): Committer {
  const backlogRoot = join(repo.worktree, BACKLOG_DIR)
  const objectsDir = join(repo.commondir, 'objects')
  const indexFile = join(repo.gitdir, 'index')
  let swept = false

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

  /** The working file's bytes and blob id, or null when there is none. */
  function workingFile(path: string): { oid: string; bytes: Buffer } | null {
    const bytes = attempt(() => readFileSync(absolutePath(path)))
    return bytes === undefined ? null : { oid: objectId('blob', bytes), bytes }
  }

  function writeWorkingFile(path: string, content: Uint8Array | null): void {
    const absolute = absolutePath(path)
    if (content === null) removeFileSync(absolute)
    else writeFileAtomicSync(absolute, content)
  }

  function readIndex(): GitIndex {
    let fd: number | undefined
    try {
      fd = openSync(indexFile, 'r')
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

  function writeIndex(index: GitIndex, updates: IndexFix[]): void {
    writeFileAtomicSync(indexFile, serializeIndex(updateIndexEntries(index, updates)))
  }

  /** The entry for a file this commit just wrote: its stat data, so git does not read it again. */
  function freshEntry(path: string, blob: string): IndexEntry {
    return entryFromStats(path, blob, 0o100644, lstatSync(absolutePath(path), { bigint: true }))
  }

  /** Stage-0 entries of these paths; paths in conflict (stages 1-3) are left out, being git's business. */
  function stageZero(index: GitIndex, paths: string[]): Map<string, IndexEntry> {
    const found = new Map<string, IndexEntry>()
    const conflicted = new Set<string>()
    for (const entry of findEntries(index, paths)) {
      if (entry.stage > 0) conflicted.add(entry.path)
      else found.set(entry.path, entry)
    }
    for (const path of conflicted) found.delete(path)
    return found
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
          GIT_ALTERNATE_OBJECT_DIRECTORIES: objectsDir,
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

  /**
   * What each path held before the commit (`previous`: its blob in the commit's parent): the journal's way back, and
   * its test for what is still ours to finish.
   */
  function priorStates(
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
      const file = workingFile(change.path)
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

  /** The index now, and the stage-0 entries of a journal's paths in it. */
  function indexFor(journal: Journal): { index: GitIndex; entries: Map<string, IndexEntry> } {
    const index = readIndex()
    return {
      index,
      entries: stageZero(
        index,
        journal.changes.map((change) => change.path),
      ),
    }
  }

  /** Finishes a journaled commit whose branch is still at the journal's old commit (or already at its new one). */
  async function rollForward(journal: Journal, head: Head): Promise<void> {
    const { index, entries } = indexFor(journal)
    const updates: IndexFix[] = []
    for (const change of journal.changes) {
      const current = workingFile(change.path)?.oid ?? null
      let holdsNew = current === change.blob
      // A file someone changed since is theirs: it is left alone, and the index says so by its stat data.
      if (!holdsNew && current === change.work) {
        writeWorkingFile(change.path, change.blob === null ? null : await objects.readBlob(change.blob))
        holdsNew = true
      }
      const indexed = entries.get(change.path)?.oid ?? null
      if (indexed !== change.blob && indexed !== (change.index?.oid ?? null)) continue
      if (change.blob === null) updates.push({ path: change.path, entry: null })
      else
        updates.push({
          path: change.path,
          entry: holdsNew ? freshEntry(change.path, change.blob) : uncheckedEntry(change.path, change.blob, 0o100644),
        })
    }
    if (updates.length) writeIndex(index, updates)
    if (resolveHead(repo, head) !== journal.new) writeRef(repo, head, journal.new)
    appendReflogs(repo, head, { ...journal.reflog, old: journal.old ?? undefined, new: journal.new }, true)
  }

  /** Puts back what a journaled commit wrote to the working tree and index, where they still hold its versions. */
  async function rollBack(journal: Journal): Promise<void> {
    const { index, entries } = indexFor(journal)
    const updates: IndexFix[] = []
    for (const change of journal.changes) {
      const current = workingFile(change.path)?.oid ?? null
      if (current === change.blob && change.work !== change.blob) {
        let before: Uint8Array | null = null
        if (change.workBytes !== undefined) before = Buffer.from(change.workBytes, 'base64')
        else if (change.work !== null) before = await objects.readBlob(change.work)
        writeWorkingFile(change.path, before)
      }
      const indexed = entries.get(change.path)?.oid ?? null
      if (indexed === change.blob && indexed !== (change.index?.oid ?? null)) {
        updates.push({
          path: change.path,
          entry: change.index ? uncheckedEntry(change.path, change.index.oid, change.index.mode) : null,
        })
      }
    }
    if (updates.length) writeIndex(index, updates)
  }

  /**
   * Settles a journal while holding the locks of the current HEAD: forward when the branch is at the new commit, or
   * still at the old one with the new commit whole (unless `back` asks to take it back: the writer itself failed
   * midway), back otherwise. The journal, its quarantine and its writer's temporary files are gone afterwards.
   */
  async function settleJournal(journal: Journal, preferBack: boolean): Promise<NonNullable<Settled['journal']>> {
    const head = readHead(repo)
    // A detached HEAD that moved to the journal's new commit is the same HEAD, moved by it.
    const moved = head.kind === 'detached' && journal.head.kind === 'detached' && head.oid === journal.new
    let outcome: NonNullable<Settled['journal']> = 'back'
    if (!moved && !sameHead(head, journal.head)) outcome = 'abandoned'
    else {
      const tip = resolveHead(repo, head) ?? null
      if (tip === journal.new || (tip === journal.old && !preferBack)) {
        promoteQuarantine(objectsDir, journal.quarantine)
        if (tip === journal.new || (await objects.has(journal.new))) outcome = 'forward'
      } else if (tip !== journal.old && tip !== null && (await objects.isAncestor(journal.new, tip))) {
        // The commit landed and more came on top (its locks were removed by hand meanwhile): nothing to take back.
        outcome = 'landed'
      }
    }
    if (outcome === 'forward') await rollForward(journal, moved ? journal.head : head)
    else if (outcome === 'back') await rollBack(journal)
    removeJournal(repo)
    removeQuarantine(objectsDir, journal.quarantine)
    // The journal's branch may not be HEAD's any more: its dead lock goes too, or fetch and push to it would fail.
    clearDeadLock(`${targetOf(repo, journal.head).file}.lock`)
    return outcome
  }

  async function tryCommit(
    plan: () => Promise<CommitPlan | null>,
    locksFirst: boolean,
    replans: number,
  ): Promise<CommitResult | 'lost-race'> {
    assertNotBusy(repo)
    const head = readHead(repo)
    let locks = locksFirst ? await lockAll(head) : undefined
    let staged: Quarantine | undefined
    try {
      if (locks) await settleLocked()
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
      const commit = person.sign ? await signCommit(staged, shape) : staged.writeCommit(shape)

      // Worked out before the locks are taken, so they are held as briefly as possible: what the commit replaces
      // (the journal's way back, and what the index repair of later commits looks for), and the recent history that
      // the index repair reads under the lock.
      const previous = new Map<string, string | undefined>()
      for (const change of planned.changes) previous.set(change.path, await objects.blobAt(baseTree, change.path))
      const replaced: Array<[string, string]> = /^Backlog-Op:/m.test(message)
        ? planned.changes.map((change) => [change.path, previous.get(change.path) ?? ''])
        : []
      await readRecentChanges(objects, tip, Date.now() / 1000)
      if (!locks) {
        locks = await lockAll(head)
        await settleLocked()
      }
      const headNow = readHead(repo)
      if (!sameHead(head, headNow) || resolveHead(repo, headNow) !== tip) return 'lost-race'
      assertNotBusy(repo)
      const index = readIndex()
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
      const prior = priorStates(index, planned.changes, blobs, previous)
      const edited = planned.changes.find(
        (change, at) => change.basis !== undefined && change.basis !== prior[at]?.work,
      )
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
        for (const change of planned.changes) writeWorkingFile(change.path, bytes.get(change.path) ?? null)
        const updates: IndexFix[] = [...fixes]
        for (const change of planned.changes) {
          const blob = blobs.get(change.path) ?? null
          updates.push({ path: change.path, entry: blob === null ? null : freshEntry(change.path, blob) })
        }
        writeIndex(index, updates)
        // The objects join the store only now: a failure before this point leaves none of them behind.
        staged.promote()
        writeRef(repo, head, commit)
        appendReflogs(repo, head, { ...reflog, old: tip, new: commit })
      } catch (error) {
        // Failed midway (a full disk, a folder in the way): put back what was written, unless the branch moved.
        await settleJournal(journal, true).catch(() => undefined)
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

  /** Settles a journal left in this worktree, with the locks held (a journal found then is a dead writer's). */
  async function settleLocked(): Promise<Settled['journal']> {
    const journal = readJournal(repo)
    if (journal === undefined) return undefined
    if (journal === 'unreadable') {
      removeJournal(repo)
      return undefined
    }
    const outcome = await settleJournal(journal, false)
    removeLeftovers(
      repo,
      journal.changes.map((change) => dirname(join(repo.worktree, ...change.path.split('/')))),
    )
    return outcome
  }

  return {
    async commit(plan, { autoCommit }) {
      if (!autoCommit) {
        const planned = await plan()
        if (!planned || planned.changes.length === 0) return { changes: [] }
        assertOwnPaths(planned.changes)
        for (const change of planned.changes)
          writeWorkingFile(change.path, change.content === null ? null : bytesOf(change.content))
        return { changes: planned.changes }
      }
      assertSupportedFormat(repo)
      try {
        for (let lost = 0; ; lost++) {
          const result = await tryCommit(plan, lost >= OPTIMISTIC_ATTEMPTS, lost)
          if (result !== 'lost-race') return result
        }
      } catch (error) {
        throw asWriteFailure(error)
      }
    },

    async settle() {
      const settled: Settled = { locks: [], leftovers: [] }
      const journal = readJournal(repo)
      if (journal !== undefined && (journal === 'unreadable' || isOrphaned(repo, journal))) {
        const locks = await lockAll(readHead(repo))
        try {
          settled.journal = await settleLocked()
        } finally {
          for (const lock of locks) await lock.release()
        }
      } else {
        const head = attempt(() => readHead(repo))
        const lockFiles = [join(repo.gitdir, 'index.lock'), ...(head ? [`${targetOf(repo, head).file}.lock`] : [])]
        for (const lock of lockFiles) if (clearDeadLock(lock)) settled.locks.push(lock)
      }
      // Once per process, and after a killed writer was found: what killed writers left besides a journal.
      if (!swept || settled.journal || settled.locks.length) {
        swept = true
        settled.leftovers.push(...removeLeftovers(repo))
      }
      return settled
    },

    async heal() {
      try {
        assertNotBusy(repo)
        // A killed writer's journal is settled first, by the next call: its index entries are its to finish.
        if (readJournal(repo) !== undefined) return 0
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
          if (fixes.length) writeIndex(index, fixes)
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
