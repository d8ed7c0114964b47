/**
 * Field-level history of backlog items, read from git: which commit changed which field of which item, old → new, and
 * the text of any item file at any commit, so a deleted item can be restored long after.
 */

import { parseItemFile } from '../core/codec.js'
import { BacklogError, isBacklogError } from '../core/errors.js'
import { decodeItemBytes } from '../core/file-bytes.js'
import { idKey } from '../core/ids.js'
import type { Item } from '../core/item.js'
import { diffItems, type FieldChange } from '../core/item-diff.js'
import { ARCHIVE_DIR, BACKLOG_DIR, idFromPath, isBacklogPath, TASKS_DIR } from '../core/layout.js'
import {
  type BacklogCommit,
  type BacklogLog,
  createBacklogLog,
  type WalkedCommit,
  type WalkStats,
} from './backlog-log.js'
import { diffTrees } from './git/read.js'
import type { Repo } from './repo.js'

export type { FieldChange } from '../core/item-diff.js'

/** One item a commit changed. */
export interface HistoryItem {
  id: string
  /** Where the file is after the commit; for a deletion, where it was. */
  path: string
  /** Where the file was before, when the commit moved it (archive, unarchive, a hand `git mv`). */
  from?: string
  /**
   * Field changes, see `diffItems`. A file that cannot be parsed shows as `{ field: 'unreadable', old?, new? }` with
   * the parse error: a hand edit that broke the YAML, then the edit that fixed it.
   */
  changes: FieldChange[]
}

export interface HistoryEntry {
  commit: string
  /** Author date, ISO UTC. */
  date: string
  author: string
  /** `Backlog-Agent` trailer. */
  agent?: string
  /** `Backlog-Op` trailer, or `edit` for a commit made by hand. */
  op?: string
  subject: string
  /** Items whose files the commit changed, by id; empty for a commit that changed only config or other files. */
  items: HistoryItem[]
  /** Items of the commit left out of `items` by `maxItems` (a bulk change): the history of each id has them. */
  more_items?: number
}

export interface HistoryOptions {
  /** One item's history (case-insensitive), across moves between tasks/ and archive/ and hand edits. */
  id?: string
  /** Only commits whose `Backlog-Agent` is this (case-insensitive). */
  agent?: string
  /** Entries per page (default 20). */
  limit?: number
  /**
   * Without `id`: at most this many items per entry (default: all), the rest counted in `more_items`. A commit that
   * wrote 10,000 files (an import, `doctor --fix`) then costs the diff of these, not of every file.
   */
  maxItems?: number
  /** The `next` of the previous page: entries continue after this commit. */
  after?: string
  /**
   * Walk at most this many commits for one page (default: all of them; git passes over code commits quickly, see
   * docs/adr/0016-one-git-reader.md); `next` then says where to go on, even when the page is short or empty.
   */
  maxCommits?: number
}

export interface ItemHistory {
  /**
   * Backlog commits reachable from HEAD, newest first (the order of `git log`), with the field changes of each item
   * file they changed, measured against the first parent. `next` is set when there are more entries: pass it as
   * `after` for the next page.
   */
  history(options?: HistoryOptions): Promise<HistoryPage>
  /** The text of a file under `.backlog/` at a commit, or undefined when the commit has no such file. */
  fileAt(commit: string, path: string): Promise<string | undefined>
  /**
   * The newest version of an item's file: for a deleted item, the file in the parent of the commit that deleted it;
   * for an item that still exists, the commit that last wrote it. Undefined when no commit ever had the item.
   */
  lastVersion(id: string): Promise<{ commit: string; path: string; text: string; bytes: Uint8Array } | undefined>
  /**
   * Every item file a commit changed against its first parent, with its text before and after (absent: no file), and
   * how many parents the commit has (a merge brings a whole branch: its diff against one parent is not its own change).
   */
  filesChanged(
    commit: string,
  ): Promise<{ parents: number; files: Array<{ path: string; before?: string; after?: string }> }>
  /**
   * The items a commit (a full id) changed against its first parent as this clone has it, with their field changes, as
   * `history` gives them; against nothing for a root commit or one at a shallow clone's edge.
   */
  itemsOf(commit: string): Promise<HistoryItem[]>
}

const DEFAULT_LIMIT = 20
const MAX_LIMIT = 1_000

/** A page of history, newest first. */
export interface HistoryPage {
  entries: HistoryEntry[]
  /** Set when there is more: pass it as `after` for the next page. */
  next?: string
  /** Set when history ends at the edge of a shallow clone: this commit's parents were never fetched. */
  shallow?: string
}

/** One side of a changed item file: where it is and which blob holds it. */
interface FileSide {
  path: string
  oid: string
}

/** An item whose file (or files) a commit changed, grouped by the id the file name gives. */
interface ChangedItem {
  id: string
  before?: FileSide
  after?: FileSide
}

/** A parsed item file, or the parse error of a file a person broke. */
type Parsed = Item | BacklogError

function gitCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code
}

/** A file the read model would read as an item: `.md` under tasks/ or archive/, any depth, except a README. */
export function isItemPath(path: string): boolean {
  if (!path.startsWith(`${TASKS_DIR}/`) && !path.startsWith(`${ARCHIVE_DIR}/`)) return false
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase()
  return name.endsWith('.md') && name !== 'readme.md'
}

/** Of two files of one id, the item's first: the active one (tasks/) before the archived one, then by path. */
export function byPath(a: { path: string }, b: { path: string }): number {
  // tasks/ before archive/: when a file exists in both, the active one is the item.
  const rank = (side: { path: string }) => (side.path.startsWith(`${TASKS_DIR}/`) ? 0 : 1)
  return rank(a) - rank(b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
}

/** The changes between two parsed versions; a file that does not parse is reported as such, never as a deletion. */
function changesBetween(before: Parsed | undefined, after: Parsed | undefined): FieldChange[] {
  if (isBacklogError(after)) {
    return [{ field: 'unreadable', ...(isBacklogError(before) ? { old: before.message } : {}), new: after.message }]
  }
  if (isBacklogError(before)) {
    if (!after) return [{ field: 'deleted' }]
    return [{ field: 'unreadable', old: before.message }, ...diffItems(undefined, after)]
  }
  return diffItems(before, after)
}

/**
 * A change that wrote the item's file for the first time: its title has no old value, it was not a move, and it did
 * not fix a file that could not be read before.
 */
function isCreation(item: HistoryItem): boolean {
  return (
    item.from === undefined &&
    item.changes.some((change) => change.field === 'title' && !('old' in change)) &&
    !item.changes.some((change) => change.field === 'unreadable')
  )
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new BacklogError('INVALID_INPUT', `limit must be a whole number from 1 to ${MAX_LIMIT}, not ${limit}`)
  }
}

/**
 * Reads item history from the repository. Keep one per repository (and pass the app's BacklogLog to share its
 * cache): every commit's changes are worked out once, so later pages and repeated calls only cost new commits.
 *
 * @example
 * const history = createItemHistory(discoverRepo(process.cwd()))
 * const { entries, next } = await history.history({ id: 'bl-k3m9x2', limit: 10 })
 * // entries[0]: { commit: '9f2c…', date: '2026-11-23T12:00:03Z', author: 'Ann', agent: 'claude', op: 'update',
 * //   subject: 'done bl-k3m9x2: Fix auth', items: [{ id: 'bl-k3m9x2', path: '.backlog/tasks/2/bl-k3m9x2.md',
 * //   changes: [{ field: 'status', old: 'open', new: 'done' }, { field: 'closed', new: '2026-11-23T12:00:03Z' }] }] }
 * await history.lastVersion('bl-x9k2') // { commit, path, text } of a deleted item, ready to write back
 */
export function createItemHistory(repo: Repo, log: BacklogLog = createBacklogLog(repo)): ItemHistory {
  const reader = log.reader
  /** Everything derived here is kept in the reader's one cache, keyed by object ids (which never change). */
  function remember<T>(key: string, value: T, bytes: number): T {
    return reader.cache.set(key, value, bytes)
  }

  async function backlogTree(commit: string | undefined): Promise<string | null> {
    if (commit === undefined) return null
    return (await reader.treeAt((await reader.commit(commit)).tree, BACKLOG_DIR)) ?? null
  }

  /** Item files that differ between two `.backlog` trees, descending only where items may be. */
  async function diffItemTrees(
    before: string | null,
    after: string | null,
    out: Array<{ path: string; before?: string; after?: string }>,
  ): Promise<void> {
    await diffTrees(
      reader.tree,
      before,
      after,
      BACKLOG_DIR,
      (path) => path === TASKS_DIR || path === ARCHIVE_DIR || path.split('/').length > 2,
      (path, old, now) => {
        if (!path.startsWith(`${TASKS_DIR}/`) && !path.startsWith(`${ARCHIVE_DIR}/`)) return
        const oldBlob = old?.type === 'blob' ? old.oid : undefined
        const newBlob = now?.type === 'blob' ? now.oid : undefined
        if ((oldBlob || newBlob) && isItemPath(path)) {
          out.push({ path, ...(oldBlob ? { before: oldBlob } : {}), ...(newBlob ? { after: newBlob } : {}) })
        }
      },
    )
  }

  /** The items whose files a commit changed against its first parent, by id key. */
  async function itemsChanged(commit: string, parent: string | undefined): Promise<Map<string, ChangedItem>> {
    const key = `history changed ${commit} ${parent ?? ''}`
    const known = reader.cache.get<Map<string, ChangedItem>>(key)
    if (known) return known
    const paths: Array<{ path: string; before?: string; after?: string }> = []
    await diffItemTrees(await backlogTree(parent), await backlogTree(commit), paths)
    const groups = new Map<string, { id: string; before: FileSide[]; after: FileSide[] }>()
    for (const { path, before, after } of paths) {
      const id = idFromPath(path) as string
      const group = groups.get(idKey(id)) ?? { id, before: [], after: [] }
      if (before) group.before.push({ path, oid: before })
      if (after) group.after.push({ path, oid: after })
      groups.set(idKey(id), group)
    }
    const items = new Map<string, ChangedItem>()
    for (const [id, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const before = group.before.sort(byPath)[0]
      const after = group.after.sort(byPath)[0]
      items.set(id, { id: group.id, ...(before ? { before } : {}), ...(after ? { after } : {}) })
    }
    return remember(key, items, 200 + 400 * items.size)
  }

  async function readBytes(oid: string): Promise<Uint8Array> {
    return reader.blob(oid)
  }

  async function readText(oid: string): Promise<string> {
    return decodeItemBytes(await readBytes(oid)).text
  }

  async function parse(side: FileSide | undefined): Promise<Parsed | undefined> {
    if (!side) return undefined
    const key = `history parsed ${side.oid}`
    const known = reader.cache.get<Parsed>(key)
    if (known) return known
    let result: Parsed
    const text = await readText(side.oid)
    try {
      result = parseItemFile(text, idFromPath(side.path))
    } catch (error) {
      if (!isBacklogError(error)) throw error
      result = error
    }
    // A parsed item holds about its text again, in fields.
    return remember(key, result, 1_000 + 4 * text.length)
  }

  async function historyItem(commit: string, parent: string | undefined, changed: ChangedItem): Promise<HistoryItem> {
    const key = `history item ${commit} ${parent ?? ''} ${idKey(changed.id)}`
    const known = reader.cache.get<HistoryItem>(key)
    if (known) return known
    const { before, after } = changed
    const path = (after ?? before)?.path as string
    const item: HistoryItem = {
      id: changed.id,
      path,
      ...(before && after && before.path !== after.path ? { from: before.path } : {}),
      changes: changesBetween(await parse(before), await parse(after)),
    }
    return remember(key, item, 300 + 2 * JSON.stringify(item).length)
  }

  /** The entry of a walked commit, its items cut to one id when asked; undefined when that item's file is untouched. */
  async function entryOf(
    { entry, parent }: WalkedCommit,
    id: string | undefined,
    maxItems: number,
  ): Promise<HistoryEntry | undefined> {
    const changed = await itemsChanged(entry.commit, parent)
    const chosen =
      id === undefined
        ? [...changed.values()].slice(0, maxItems)
        : [changed.get(id)].filter((item) => item !== undefined)
    if (id !== undefined && chosen.length === 0) return undefined
    const more = id === undefined ? changed.size - chosen.length : 0
    const items: HistoryItem[] = []
    for (const item of chosen) items.push(copyItem(await historyItem(entry.commit, parent, item)))
    return {
      commit: entry.commit,
      date: entry.date,
      author: entry.author,
      ...(entry.agent ? { agent: entry.agent } : {}),
      ...(entry.op ? { op: entry.op } : {}),
      subject: entry.subject,
      items,
      ...(more > 0 ? { more_items: more } : {}),
    }
  }

  /** Callers own what they get: the cached item stays as it was whatever they do with theirs. */
  function copyItem(item: HistoryItem): HistoryItem {
    return structuredClone(item)
  }

  function names(entry: Readonly<BacklogCommit>, id: string): boolean {
    return entry.ids.some((named) => idKey(named) === id)
  }

  /** A full commit id from a full or abbreviated one; NOT_FOUND when the repository has no such commit. */
  async function resolveCommit(commit: string, what: string): Promise<string> {
    const text = commit.trim().toLowerCase()
    if (!/^[0-9a-f]{4,40}$/.test(text)) {
      throw new BacklogError('INVALID_INPUT', `${what}: "${commit}" is not a commit id (4 to 40 hex digits)`)
    }
    try {
      const oid = await reader.expand(text)
      await reader.commit(oid)
      return oid
    } catch (error) {
      const code = gitCode(error)
      if (code === 'AmbiguousError') {
        throw new BacklogError('AMBIGUOUS', `${what}: ${commit} names more than one object; give more digits`)
      }
      if (code === 'NotFoundError' || code === 'ObjectTypeError') {
        throw new BacklogError('NOT_FOUND', `${what}: no commit ${commit} in this repository`, { commit })
      }
      throw error
    }
  }

  async function filesChanged(
    commit: string,
  ): Promise<{ parents: number; files: Array<{ path: string; before?: string; after?: string }> }> {
    const oid = await resolveCommit(commit, 'commit')
    const object = await reader.commit(oid)
    const paths: Array<{ path: string; before?: string; after?: string }> = []
    await diffItemTrees(await backlogTree(object.parent[0]), await backlogTree(oid), paths)
    const files = await Promise.all(
      paths.map(async ({ path, before, after }) => ({
        path,
        ...(before ? { before: await readText(before) } : {}),
        ...(after ? { after: await readText(after) } : {}),
      })),
    )
    return { parents: object.parent.length, files }
  }

  return {
    filesChanged,
    async itemsOf(commit) {
      const [parent] = await reader.parents(commit)
      const items: HistoryItem[] = []
      for (const changed of (await itemsChanged(commit, parent)).values()) {
        items.push(copyItem(await historyItem(commit, parent, changed)))
      }
      return items
    },
    async history({
      id,
      agent,
      limit = DEFAULT_LIMIT,
      after,
      maxCommits = Number.POSITIVE_INFINITY,
      maxItems = Number.POSITIVE_INFINITY,
    } = {}) {
      assertLimit(limit)
      const wanted = id === undefined ? undefined : idKey(id)
      const agentKey = agent === undefined ? undefined : agent.trim().toLowerCase()
      const cursor = after === undefined ? undefined : await resolveCommit(after, 'after')
      const entries: HistoryEntry[] = []
      let next: string | undefined
      const stats: WalkStats = {}
      for await (const walked of log.walk({ maxCommits, ...(cursor ? { after: cursor } : {}), stats })) {
        // What a commit at the edge of a shallow clone changed cannot be known: history shows up to it, and says so.
        if (walked.boundary) continue
        if (agentKey !== undefined && walked.entry.agent?.toLowerCase() !== agentKey) continue
        // Trailers (or, for a hand commit, the files it touched) say which items a commit changed: the trees of the
        // others are never read.
        if (wanted !== undefined && !names(walked.entry, wanted)) continue
        const entry = await entryOf(walked, wanted, maxItems)
        if (!entry) continue
        // One entry past the page tells whether there is a next page; it is cached for that page.
        if (entries.length === limit) {
          next = entries[entries.length - 1]?.commit
          break
        }
        entries.push(entry)
        // Ids are never reused: an item's history ends where a create wrote its file first, so the walk stops there
        // (a restore or an undo of a delete writes it again, and older history lies beyond).
        if (wanted !== undefined && entry.op === 'create' && entry.items.some(isCreation)) break
      }
      if (cursor !== undefined && !stats.passedAfter) {
        throw new BacklogError(
          'NOT_FOUND',
          `after: ${after} is not a commit in the history of HEAD. Pass the \`next\` of the previous page, or leave after out to start from the newest.`,
          { after },
        )
      }
      // The walk ran out of its allowance before the page filled: go on from where it stopped.
      if (next === undefined && stats.limited) next = stats.last
      return {
        entries,
        ...(next === undefined ? {} : { next }),
        ...(next === undefined && stats.shallow ? { shallow: stats.shallow } : {}),
      }
    },

    async fileAt(commit, path) {
      if (!isBacklogPath(path)) {
        throw new BacklogError('PATH_OUTSIDE_BACKLOG', `${path} is not a file under ${BACKLOG_DIR}/`, { path })
      }
      const oid = await resolveCommit(commit, 'commit')
      const blob = await reader.blobAt((await reader.commit(oid)).tree, path)
      // No such path, or a folder there: either way the commit has no file to give.
      return blob === undefined ? undefined : decodeItemBytes(await reader.blob(blob)).text
    },

    async lastVersion(id) {
      const wanted = idKey(id)
      for await (const { entry, parent } of log.walk()) {
        if (!names(entry, wanted)) continue
        const changed = (await itemsChanged(entry.commit, parent)).get(wanted)
        const last = changed?.after ?? (parent !== undefined ? changed?.before : undefined)
        if (last) {
          const bytes = await readBytes(last.oid)
          return {
            commit: changed?.after ? entry.commit : (parent as string),
            path: last.path,
            text: decodeItemBytes(bytes).text,
            bytes,
          }
        }
      }
      return undefined
    },
  }
}
