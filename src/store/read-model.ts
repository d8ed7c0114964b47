/**
 * The in-memory view of `.backlog/` as it is in the working tree (the source of truth): every item file parsed once,
 * then only what changed is read again. A long-running server watches the folders so hand edits are seen on the next
 * call without stat-ing every file; a one-shot CLI call scans once.
 */

import {
  type Dirent,
  existsSync,
  type FSWatcher,
  readdirSync,
  readFileSync,
  type Stats,
  statSync,
  unlinkSync,
  watch,
} from 'node:fs'
import { join, sep } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { hasConflictBlock, parseItemFile } from '../core/codec.js'
import { isBacklogError } from '../core/errors.js'
import { type DecodedFile, decodeItemBytes } from '../core/file-bytes.js'
import { idKey } from '../core/ids.js'
import { type Item, withItemShape } from '../core/item.js'
import { ARCHIVE_DIR, idFromPath, itemPath, TASKS_DIR } from '../core/layout.js'
import { temporaryOwner, writeFileAtomicSync } from './atomic-file.js'
import { objectId } from './git/objects.js'
import { isGoneProcess } from './locks.js'

export interface ItemRecord {
  item: Item
  /** Repository-relative path, `/`-separated. */
  path: string
  /** The file's text as last read or written (CRLF read as LF; see core/file-bytes.ts): the base of the next edit. */
  text: string
  /** The file's bytes when they are not exactly `text` (CRLF, not UTF-8, a byte order mark): what an edit keeps. */
  raw?: Uint8Array
  archived: boolean
  /** The git blob id of the file as read, so a caller can tell an edit not yet committed from HEAD's version. */
  blob?: string
}

/** A file under `.backlog/` that is not a readable item: reported everywhere, never dropped. */
export interface Problem {
  path: string
  line?: number
  reason: string
  fix: string
}

/** An id that several files hold. */
export interface Duplicate {
  /** The id as a key (idKey: lower case). */
  id: string
  /** Every file holding it, sorted. */
  paths: string[]
  /** The one `get` answers with: the file at the id's own path if there is one, else the first. */
  kept: string
}

interface FileState {
  stamp: string
  record?: ItemRecord
  problem?: Problem
}

interface DirState {
  mtimeMs: number
  names: Set<string>
  /** The sub-folders among `names`, so an unchanged folder is walked without looking at its files. */
  subdirs: string[]
  watcher?: FSWatcher
}

export interface TakenIds {
  readonly size: number
  has(id: string): boolean
}

export interface ReadModel {
  /** Brings the model up to date with the working tree. */
  refresh(): Promise<void>
  get(id: string): ItemRecord | undefined
  /**
   * Every readable item, archived ones included (check `archived`): a new array after each change, the same one
   * until then. An item keeps its position from one version to the next (a changed item is a new record at the same
   * place, a new item comes last, a removed one's place is taken by the last), so a reader that keeps something per
   * position updates only the positions whose record is a different object.
   */
  all(): ItemRecord[]
  /** The ids in use, readable files or not, so new ids never reuse one (matched case-insensitively). */
  takenIds(): TakenIds
  problems(): Problem[]
  /** Ids that more than one file holds: every such file, and the one used (the others are among `problems()`). */
  duplicates(): Duplicate[]
  /** The problem of an unreadable file that would hold this id (by its file name), if there is one. */
  problemFor(id: string): Problem | undefined
  /** Records a file this process just wrote (or deleted, with null), so the next read does not need the disk. */
  noteWritten(path: string, content: string | Uint8Array | null): void
  /** Calls `listener` when a watched file or folder changes (hand edits included); returns the unsubscribe. */
  onChange(listener: () => void): () => void
  /** The bytes of the file at `path` when they are not exactly its text (see `ItemRecord.raw`). */
  rawOf(path: string): Uint8Array | undefined
  /**
   * The blob id of the file at `path` as last read, null when there is no file there, undefined when not known (a
   * file outside tasks/ and archive/, an unreadable one, or one from an old cache).
   */
  blobOf(path: string): string | null | undefined
  /** Paths of readable items whose body holds a block of git's conflict markers: a conflict where git has them unmerged. */
  withConflictMarkers(): ReadonlySet<string>
  /**
   * Removes the temporary files of killed git-backlog processes that scans came across (hidden files named by
   * atomic-file.ts); returns their paths.
   */
  removeLeftovers(): string[]
  close(): void
}

/**
 * A record read from the parse cache. A class, so the 10,000 records of a large backlog share one object shape with
 * the getter on the prototype: object literals with their own getter made every `record.item` read slow.
 */
class CachedRecord implements ItemRecord {
  #decoded: DecodedFile | undefined
  constructor(
    readonly item: Item,
    readonly path: string,
    readonly archived: boolean,
    readonly blob: string | undefined,
    private readonly file: string,
  ) {}
  get text(): string {
    this.#decoded ??= decodeItemBytes(readFileSync(this.file))
    return this.#decoded.text
  }
  get raw(): Uint8Array | undefined {
    this.#decoded ??= decodeItemBytes(readFileSync(this.file))
    return this.#decoded.raw
  }
}

/** Larger item files are reported, not read; the store refuses to write one (inputs.ts LIMITS keep each input far below). */
export const MAX_ITEM_BYTES = 2 * 1024 * 1024

const FIX_HINT =
  'Fix the file by hand where the reason says, or bring back its last committed version with `git checkout HEAD -- <path>`.'

/** What tells a file apart from its earlier versions without reading it: time, size and inode. */
export function stampOf(info: { mtimeMs: number; size: number; ino: number }): string {
  return `${info.mtimeMs}:${info.size}:${info.ino}`
}

export interface ReadModelOptions {
  worktree: string
  /** Watch the folders (long-running servers) instead of re-stat-ing every file on each refresh. */
  watchFiles: boolean
  /**
   * Where parsed items are kept between processes, keyed by path and file stamp, so a cold start at 10,000 items
   * stats files instead of parsing them. Absent: no cache.
   */
  cache?: { file: string; key: string }
}

/** For each answer of a read model's `all()`: the answer before it and the positions where the two differ. */
const revisions = new WeakMap<readonly ItemRecord[], { previous: readonly ItemRecord[]; positions: number[] }>()

/**
 * The positions where `next` holds another record than `previous` (appended and removed ones included, in order), when
 * `next` is the answer of `all()` right after `previous`: the read model noted them as it placed the changed files, so a
 * reader patching what it derived need not compare every position. Undefined when it did not (another pair).
 *
 * @example
 * const before = model.all(); await model.refresh(); changedSince(before, model.all()) // [417]
 */
export function changedSince(previous: readonly ItemRecord[], next: readonly ItemRecord[]): number[] | undefined {
  const revision = revisions.get(next)
  return revision?.previous === previous ? revision.positions : undefined
}

/**
 * A long-running server saves the cache once it has been quiet this long: writing 10,000 parsed items takes longer
 * than a call, so it is never done on a call's path.
 */
const CACHE_IDLE_SAVE_MS = 5_000

interface CacheFile {
  key: string
  files: Array<CacheEntry>
}

type CacheEntry = [path: string, stamp: string, item: Item, blob?: string]

function loadCache(cache: ReadModelOptions['cache']): Map<string, CacheEntry> {
  const entries = new Map<string, CacheEntry>()
  if (!cache) return entries
  try {
    const data = JSON.parse(readFileSync(cache.file, 'utf8')) as CacheFile
    if (data.key !== cache.key || !Array.isArray(data.files)) return entries
    for (const entry of data.files) entries.set(entry[0], entry)
  } catch {
    // no cache yet, or an unreadable one: parse everything and write a new one
  }
  return entries
}

export function createReadModel({ worktree, watchFiles, cache }: ReadModelOptions): ReadModel {
  const files = new Map<string, FileState>()
  let cached: Map<string, CacheEntry> | undefined
  let parsedSinceSave = 0
  const dirs = new Map<string, DirState>()
  /** The file of each id (idKey); a set of them only when files share an id (10,000 sets were 2 MiB). */
  const byId = new Map<string, string | Set<string>>()
  const dirtyFiles = new Set<string>()
  const dirtyDirs = new Set<string>()
  /** Folders with changes the watcher named (each file, or a dot-file): up to date once those are looked at. */
  const namedChanges = new Set<string>()
  /** Dot-files the watcher named, among them writers' temporary files: looked at on the next refresh. */
  const dotFiles = new Set<string>()
  let scanned = false
  const listeners = new Set<() => void>()
  const changed = () => {
    for (const listener of listeners) listener()
  }

  // Paths are relative and `/`-separated, made of names read from the folders: on POSIX they join by concatenation,
  // which a scan does for every file (path.join normalizes each one again).
  const root = `${worktree}${sep}`
  const absolute = sep === '/' ? (path: string) => root + path : (path: string) => join(worktree, ...path.split('/'))
  /** Temporary files of ours seen by scans: a killed writer's are removed by `removeLeftovers`. */
  const temporaries = new Set<string>()

  /** The records of `all()` at their positions, kept in step with the files key by key. */
  const slots: ItemRecord[] = []
  const slotOf = new Map<string, number>()
  /** Ids (idKey) whose record may have changed since `all()` last answered. */
  const dirtyKeys = new Set<string>()
  /** What `all()` last answered: a copy of `slots`, so an answer a caller holds never changes under it. */
  let everything: ItemRecord[] | undefined
  let problemList: Problem[] | undefined
  /** Files that are not readable items, and ids two files claim: what `problems()` lists, without a pass over all. */
  const problemFiles = new Set<string>()
  const duplicated = new Set<string>()
  /** Ids named by the file names of unreadable files, so a new id never takes one of theirs. */
  const unreadable = new Map<string, string>()
  /** Readable files whose body holds a block of git's conflict markers (a conflict only if git says so). */
  const withMarkers = new Set<string>()

  function unindex(path: string): void {
    unreadable.delete(path)
    withMarkers.delete(path)
    const record = files.get(path)?.record
    if (!record) return
    const key = idKey(record.item.id)
    dirtyKeys.add(key)
    const paths = byId.get(key)
    if (paths === path) byId.delete(key)
    else if (typeof paths === 'object') {
      paths.delete(path)
      if (paths.size < 2) {
        duplicated.delete(key)
        const left = paths.values().next().value
        if (left === undefined) byId.delete(key)
        else byId.set(key, left)
      }
    }
  }

  function setFile(path: string, state: FileState): void {
    unindex(path)
    problemList = undefined
    files.set(path, state)
    if (state.problem) problemFiles.add(path)
    else problemFiles.delete(path)
    const named = idFromPath(path)
    if (state.problem && named) unreadable.set(path, idKey(named))
    if (state.record) {
      if (hasConflictBlock(state.record.item.description)) withMarkers.add(path)
      const key = idKey(state.record.item.id)
      dirtyKeys.add(key)
      const paths = byId.get(key)
      if (paths === undefined || paths === path) byId.set(key, path)
      else {
        if (typeof paths === 'string') byId.set(key, new Set([paths, path]))
        else paths.add(path)
        duplicated.add(key)
      }
    }
  }

  function dropFile(path: string): void {
    unindex(path)
    problemList = undefined
    problemFiles.delete(path)
    files.delete(path)
  }

  /** A record whose item came from the cache: its text is read only when an edit needs it as a base. */
  function cachedRecord(path: string, item: Item, blob: string | undefined): ItemRecord {
    return new CachedRecord(item, path, path.startsWith(`${ARCHIVE_DIR}/`), blob, absolute(path))
  }

  let idleSave: NodeJS.Timeout | undefined
  function saveWhenIdle(): void {
    clearTimeout(idleSave)
    idleSave = setTimeout(saveCache, CACHE_IDLE_SAVE_MS)
    idleSave.unref()
  }

  function saveCache(): void {
    if (!cache || parsedSinceSave === 0) return
    const data: CacheFile = { key: cache.key, files: [] }
    for (const [path, state] of files)
      if (state.record && state.stamp) {
        const { item, blob } = state.record
        data.files.push(blob === undefined ? [path, state.stamp, item] : [path, state.stamp, item, blob])
      }
    try {
      writeFileAtomicSync(cache.file, JSON.stringify(data))
      parsedSinceSave = 0
    } catch {
      // a cache that cannot be written only costs speed
    }
  }

  function parse(path: string, content: Buffer, stamp: string): FileState {
    const { text, raw } = decodeItemBytes(content)
    try {
      const item = parseItemFile(text, idFromPath(path))
      const archived = path.startsWith(`${ARCHIVE_DIR}/`)
      const blob = objectId('blob', content)
      return { stamp, record: raw ? { item, path, text, raw, archived, blob } : { item, path, text, archived, blob } }
    } catch (error) {
      if (!isBacklogError(error)) throw error
      const line = typeof error.details?.line === 'number' ? error.details.line : undefined
      const reason = typeof error.details?.reason === 'string' ? error.details.reason : error.message
      return { stamp, problem: { path, ...(line ? { line } : {}), reason, fix: FIX_HINT } }
    }
  }

  // Reads are synchronous on purpose: thousands of small files read one after another are several times faster
  // this way than through promises, and nothing else waits on this process meanwhile.
  function loadFile(path: string): void {
    let info: Stats
    let content: Buffer
    try {
      info = statSync(absolute(path))
      const stamp = stampOf(info)
      if (files.get(path)?.stamp === stamp) return
      const hit = cached?.get(path)
      if (hit && hit[1] === stamp) {
        setFile(path, { stamp, record: cachedRecord(path, withItemShape(hit[2]), hit[3]) })
        return
      }
      if (info.size > MAX_ITEM_BYTES) {
        const reason = `the file is ${(info.size / 1024 / 1024).toFixed(1)} MB; an item file may be at most ${MAX_ITEM_BYTES / 1024 / 1024} MB`
        setFile(path, {
          stamp,
          problem: { path, reason, fix: 'Move the bulk of it to a file the item links to (references).' },
        })
        return
      }
      content = readFileSync(absolute(path))
    } catch {
      dropFile(path)
      return
    }
    parsedSinceSave++
    setFile(path, parse(path, content, stampOf(info)))
  }

  function forgetDir(path: string): void {
    const state = dirs.get(path)
    if (!state) return
    state.watcher?.close()
    dirs.delete(path)
    for (const file of [...files.keys()]) if (file.startsWith(`${path}/`)) dropFile(file)
    for (const dir of [...dirs.keys()]) if (dir.startsWith(`${path}/`)) forgetDir(dir)
  }

  function watchDir(path: string): FSWatcher | undefined {
    if (!watchFiles) return undefined
    try {
      const watcher = watch(absolute(path), { persistent: false }, (_event, name) => {
        if (name) {
          const entry = name.toString()
          const child = `${path}/${entry}`
          if (entry.endsWith('.md')) dirtyFiles.add(child)
          else if (entry.startsWith('.')) dotFiles.add(child)
          else dirtyDirs.add(path)
          namedChanges.add(path)
        } else dirtyDirs.add(path)
        changed()
      })
      watcher.on('error', () => {
        dirtyDirs.add(path)
        changed()
      })
      return watcher
    } catch {
      return undefined
    }
  }

  /** Lists a folder again when it is new or its entries changed, then loads what appeared; `deep` re-stats every file. */
  function scanDir(path: string, deep: boolean): void {
    let info: Stats
    try {
      info = statSync(absolute(path))
    } catch {
      forgetDir(path)
      return
    }
    if (!info.isDirectory()) return
    let state = dirs.get(path)
    const changed = !state || state.mtimeMs !== info.mtimeMs || dirtyDirs.has(path)
    dirtyDirs.delete(path)
    if (!changed && !deep && state) {
      for (const name of state.subdirs) scanDir(`${path}/${name}`, false)
      return
    }
    // A folder seen for the first time was not watched until now: files this process wrote into it may have been
    // edited since, so all of them are looked at once.
    const fresh = !state
    if (!state) {
      state = { mtimeMs: info.mtimeMs, names: new Set(), subdirs: [], watcher: watchDir(path) }
      dirs.set(path, state)
    }
    state.mtimeMs = info.mtimeMs
    let entries: Dirent[] = []
    try {
      entries = readdirSync(absolute(path), { withFileTypes: true })
    } catch {
      // vanished between stat and read: the next refresh forgets it
    }
    const names = new Set<string>()
    const subdirs: string[] = []
    for (const entry of entries) {
      if (entry.name.startsWith('.')) {
        if (temporaryOwner(entry.name) !== undefined) temporaries.add(`${path}/${entry.name}`)
        continue
      }
      const child = `${path}/${entry.name}`
      if (entry.isDirectory()) {
        names.add(entry.name)
        subdirs.push(entry.name)
        scanDir(child, deep || fresh)
      } else if (entry.isFile() && entry.name.endsWith('.md') && entry.name.toLowerCase() !== 'readme.md') {
        names.add(entry.name)
        if (deep || fresh || !files.has(child)) loadFile(child)
      }
    }
    for (const name of state.names) {
      if (names.has(name)) continue
      const child = `${path}/${name}`
      if (dirs.has(child)) forgetDir(child)
      else dropFile(child)
    }
    state.names = names
    state.subdirs = subdirs
  }

  /**
   * Takes in what the watcher named since the last refresh: the files, the temporary files still there, and the new
   * time of each folder whose every change was named, so that folder is not listed again (at 50,000 items a write
   * would otherwise list the 1,500 files of its folder). A folder with an unnamed change is listed as before.
   */
  function takeNamedChanges(): void {
    const pending = [...dirtyFiles]
    dirtyFiles.clear()
    for (const path of pending) {
      loadFile(path)
      const slash = path.lastIndexOf('/')
      const names = dirs.get(path.slice(0, slash))?.names
      if (files.has(path)) names?.add(path.slice(slash + 1))
      else names?.delete(path.slice(slash + 1))
    }
    for (const path of dotFiles) {
      if (temporaryOwner(path.slice(path.lastIndexOf('/') + 1)) === undefined) continue
      if (existsSync(absolute(path))) temporaries.add(path)
    }
    dotFiles.clear()
    for (const path of namedChanges) {
      const state = dirs.get(path)
      if (!state || dirtyDirs.has(path)) continue
      try {
        state.mtimeMs = statSync(absolute(path)).mtimeMs
      } catch {
        dirtyDirs.add(path)
      }
    }
    namedChanges.clear()
  }

  function winner(paths: Set<string>, id: string): string | undefined {
    const canonical = itemPath(id)
    if (paths.has(canonical)) return canonical
    return [...paths].sort()[0]
  }

  /** The file used for an id (idKey): the only one, or the winner among files that share it. */
  function pathOf(key: string): string | undefined {
    const paths = byId.get(key)
    return typeof paths === 'object' ? winner(paths, key) : paths
  }

  /**
   * Puts the record now used for `key` (if any) at its position: in place, last when new, the last one moved in when
   * gone; `placed` gets the positions it wrote.
   */
  function placeKey(key: string, placed: number[]): void {
    const path = pathOf(key)
    const record = path ? files.get(path)?.record : undefined
    const slot = slotOf.get(key)
    if (record) {
      if (slot === undefined) {
        slotOf.set(key, slots.length)
        placed.push(slots.length)
        slots.push(record)
      } else {
        slots[slot] = record
        placed.push(slot)
      }
      return
    }
    if (slot === undefined) return
    slotOf.delete(key)
    placed.push(slot, slots.length - 1)
    const last = slots.pop() as ItemRecord
    if (slot < slots.length) {
      slots[slot] = last
      slotOf.set(idKey(last.item.id), slot)
    }
  }

  return {
    async refresh() {
      if (watchFiles && scanned) {
        // Two turns of the event loop pass through one poll phase, where watch events already queued by the kernel
        // (an edit saved just before this call) are delivered; only then is the dirty set complete.
        await nextTurn()
        await nextTurn()
        takeNamedChanges()
        for (const root of [TASKS_DIR, ARCHIVE_DIR]) scanDir(root, false)
        if (parsedSinceSave > 0) saveWhenIdle()
        return
      }
      cached ??= loadCache(cache)
      for (const root of [TASKS_DIR, ARCHIVE_DIR]) scanDir(root, true)
      scanned = true
      cached = new Map() // only a cold start needs it; later scans compare against what is in memory
      // A server saves when quiet; a one-shot command saves when it closes.
      if (watchFiles && parsedSinceSave > 0) saveWhenIdle()
    },
    get(id) {
      const key = idKey(id)
      const path = pathOf(key)
      if (!path) return undefined
      // One stat makes a single-item read exact even if a watch event is late; it is the base of the next edit.
      loadFile(path)
      return files.get(path)?.record ?? (byId.has(key) ? this.get(id) : undefined)
    },
    all() {
      if (everything && dirtyKeys.size === 0) return everything
      const placed: number[] = []
      for (const key of dirtyKeys) placeKey(key, placed)
      dirtyKeys.clear()
      const previous = everything
      everything = slots.slice()
      if (previous) {
        const next = everything
        const positions = [...new Set(placed)]
          .filter((position) => previous[position] !== next[position])
          .sort((a, b) => a - b)
        // Only the newest pair is kept: a revision that named the one before it would keep every version alive.
        revisions.delete(previous)
        revisions.set(everything, { previous, positions })
      }
      return everything
    },
    takenIds() {
      return {
        get size() {
          return files.size
        },
        has: (id: string) => {
          const key = idKey(id)
          if (byId.has(key)) return true
          for (const taken of unreadable.values()) if (taken === key) return true
          return false
        },
      }
    },
    problems() {
      if (problemList) return problemList
      const problems: Problem[] = []
      for (const path of problemFiles) {
        const problem = files.get(path)?.problem
        if (problem) problems.push(problem)
      }
      for (const { id, paths, kept } of this.duplicates()) {
        for (const path of paths) {
          if (path === kept) continue
          problems.push({
            path,
            reason: `duplicate id ${id}: ${kept} has the same id and is the one used`,
            fix: 'Give one of the files a new id (and file name), or delete the copy you do not want.',
          })
        }
      }
      problemList = problems.sort((a, b) => (a.path < b.path ? -1 : 1))
      return problemList
    },
    duplicates() {
      const found: Duplicate[] = []
      for (const key of duplicated) {
        const paths = byId.get(key)
        if (typeof paths !== 'object' || paths.size < 2) continue
        found.push({ id: key, paths: [...paths].sort(), kept: winner(paths, key) as string })
      }
      return found
    },
    problemFor(id) {
      const key = idKey(id)
      for (const [path, named] of unreadable) if (named === key) return files.get(path)?.problem
      return undefined
    },
    noteWritten(path, content) {
      if (content === null) {
        dropFile(path)
        return
      }
      // The stamp is unknown until the next stat; an empty stamp makes the next look at this file read it again.
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)
      setFile(path, { ...parse(path, bytes, ''), stamp: '' })
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    withConflictMarkers: () => withMarkers,
    rawOf: (path) => files.get(path)?.record?.raw,
    blobOf(path) {
      if (!path.startsWith(`${TASKS_DIR}/`) && !path.startsWith(`${ARCHIVE_DIR}/`)) return undefined
      // Every item file under tasks/ and archive/ is known after a refresh: one not known is not there.
      const state = files.get(path)
      return state ? state.record?.blob : null
    },
    removeLeftovers() {
      const removed: string[] = []
      for (const path of temporaries) {
        if (!isGoneProcess(temporaryOwner(path.slice(path.lastIndexOf('/') + 1)))) continue
        temporaries.delete(path)
        try {
          unlinkSync(absolute(path))
          removed.push(path)
        } catch {
          // gone already
        }
      }
      return removed
    },
    close() {
      listeners.clear()
      clearTimeout(idleSave)
      saveCache()
      for (const state of dirs.values()) state.watcher?.close()
      dirs.clear()
    },
  }
}
