/**
 * The backlog's history as git recorded it: which commits changed which items, newest first, for activity feeds and
 * the context bundle. Read straight from the object store, so it sees every commit, ours and those made by hand.
 */

import { formatTimestamp } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { ARCHIVE_DIR, BACKLOG_DIR, idFromPath, TASKS_DIR } from '../core/layout.js'
import { parseTrailers } from '../core/trailers.js'
import { diffTrees } from './git/read.js'
import { type GitReader, gitReader } from './git/reader.js'
import { readHead, resolveHead } from './git/refs.js'
import type { Repo } from './repo.js'

export interface BacklogCommit {
  commit: string
  /** Author date, ISO UTC: when the change was made, as `git log` shows it. */
  date: string
  /** Author name. */
  author: string
  /** `Backlog-Agent` trailer: the agent that made the change. */
  agent?: string
  /** `Backlog-Op` trailer (init, create, update, delete), or `edit` for a commit made by hand. */
  op?: string
  /** Items the commit changed: its `Backlog-Id` trailers, or for a hand commit the item files it touched. */
  ids: string[]
  subject: string
  /** The `Changed:` line of an update: the fields it changed. */
  changed?: string[]
  /** `Backlog-Reverts` trailer: the commit an undo or redo took back. */
  reverts?: string
}

export interface RecentOptions {
  /** Only commits that changed one of these items (case-insensitive). An empty list matches nothing. */
  ids?: Iterable<string>
  /** At most this many commits (default 50). */
  limit?: number
  /** Stop after walking this many commits, matching or not (default 1,000), so an old repository stays fast. */
  maxCommits?: number
}

/**
 * Backlog commits reachable from HEAD, newest first (by committer date, all parents, as `git log` walks).
 * A commit with `Backlog-*` trailers is one of ours. A commit without them counts when it changed files under
 * `.backlog/` (a hand edit): it gets op `edit` and the ids of the item files it changed. A merge without trailers
 * counts only for files it left different from every parent (a resolution made in the merge itself); what it merely
 * brought over from a branch is already listed under that branch's commits.
 */
export interface BacklogLog {
  recent(options?: RecentOptions): Promise<BacklogCommit[]>
  /**
   * The same commits as `recent`, read lazily with each one's first parent (absent for a root or a shallow boundary),
   * for readers that page through all of history: leave the loop and the walk stops. The entries are the cached ones:
   * read them, do not change them.
   */
  walk(options?: WalkOptions): AsyncGenerator<WalkedCommit>
  /** The reader it walks with: item history and updated times read through the same one. */
  readonly reader: GitReader
}

export interface WalkOptions {
  /** Stop after walking this many commits, matching or not (counted from `after` when given). */
  maxCommits?: number
  /** Leave out this commit and every commit it reaches, as `git log <since>..HEAD` does: what is new since then. */
  since?: string
  /** Start after this commit (any commit of the walk, backlog commit or not): the walk of a previous page went to it. */
  after?: string
  /** Filled in as the walk goes, so a caller can tell why it ended and where to go on from. */
  stats?: WalkStats
}

export interface WalkStats {
  /** True once the walk passed `after`. */
  passedAfter?: boolean
  /** A commit at the edge of a shallow clone that the walk reached: history before it is not in this clone. */
  shallow?: string
  /** True when the walk stopped at `maxCommits` with history left. */
  limited?: boolean
  /** The last commit walked: pass it as `after` to go on. */
  last?: string
}

export interface WalkedCommit {
  entry: Readonly<BacklogCommit>
  /** What the commit's changes are measured against, as `git diff <parent> <commit>` would. */
  parent?: string
  /**
   * True for a commit at the edge of a shallow clone: its parents were never fetched, so what it changed cannot be
   * known (its entry is measured against nothing).
   */
  boundary?: true
}

const DEFAULT_LIMIT = 50
const DEFAULT_MAX_COMMITS = 1_000

/** A commit as the walk reads it: from the `git log` stream, its parents as this clone has them. */
interface Walked {
  oid: string
  parents: string[]
  authorTime: number
  author: string
  tree: string
  message: string
  /** The files under `.backlog/` it changed against its first parent, as git listed them; absent for a merge. */
  files?: string[]
}

/** A commit of the path-limited walk, as kept for the next walk from the same tip. */
interface Touching {
  oid: string
  files?: string[]
}

/** The walk from one tip, kept so that a second walk at the same HEAD asks git nothing. */
interface WalkMemo {
  commits: Touching[]
  complete: boolean
  bytes: number
}

/** Estimated bytes of a cached entry, for the reader's bound. */
function entryBytes(entry: BacklogCommit | null): number {
  if (!entry) return 120
  return 400 + 2 * (entry.subject.length + entry.author.length) + 40 * entry.ids.length
}

/** The `Changed: a, b` line of the body, if there is one. */
function parseChanged(message: string): string[] | undefined {
  const match = /^Changed:[ \t]*(.+)$/m.exec(message.slice(message.indexOf('\n') + 1))
  if (!match) return undefined
  const fields = (match[1] as string)
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean)
  return fields.length ? fields : undefined
}

/** Item ids named by changed paths: `.md` files under tasks/ or archive/, as the read model reads them. */
function idsFromPaths(paths: Iterable<string>): string[] {
  const ids = new Map<string, string>()
  for (const path of paths) {
    if (!path.startsWith(`${TASKS_DIR}/`) && !path.startsWith(`${ARCHIVE_DIR}/`)) continue
    if (path.slice(path.lastIndexOf('/') + 1).toLowerCase() === 'readme.md') continue
    const id = idFromPath(path)
    if (id && !ids.has(idKey(id))) ids.set(idKey(id), id)
  }
  return [...ids.values()].sort((a, b) => (idKey(a) < idKey(b) ? -1 : idKey(a) > idKey(b) ? 1 : 0))
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'NotFoundError'
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new BacklogError('INVALID_INPUT', `${name} must be a whole number of at least ${min}, not ${value}`)
  }
}

/**
 * Reads backlog commits from the repository's history. Keep one per repository: what each commit is to the backlog is
 * kept in the repository's reader (git/reader.ts), so a second call only reads the commits made since the first.
 *
 * git walks: `git log -- .backlog` names the commits that touched the backlog, so a long history of code costs git's
 * tree comparisons only (docs/adr/0016-one-git-reader.md). A walk bounded by `maxCommits` or started `after` a commit
 * also counts the commits it passes over, from `git rev-list` in the same order.
 *
 * @example
 * const log = createBacklogLog(discoverRepo(process.cwd()))
 * await log.recent({ ids: ['bl-k3m9x2'], limit: 10 })
 * // [{ commit: '9f2c…', date: '2026-11-23T12:00:03Z', author: 'Ann', agent: 'claude', op: 'update',
 * //    ids: ['bl-k3m9x2'], subject: 'done bl-k3m9x2: Fix auth', changed: ['status', 'closed'] }, …]
 */
export function createBacklogLog(repo: Repo, reader: GitReader = gitReader(repo.commondir)): BacklogLog {
  async function load(oid: string, shallow: ReadonlySet<string>, files?: string[]): Promise<Walked> {
    const commit = await reader.commit(oid)
    return {
      oid,
      parents: shallow.has(oid) ? [] : commit.parent,
      authorTime: commit.authored,
      author: commit.author,
      tree: commit.tree,
      message: commit.message,
      ...(files ? { files } : {}),
    }
  }

  /**
   * The commits that touched `.backlog/`, newest first: from git (`git log -- .backlog`), or replayed from the last
   * walk from the same tip, which is kept in the reader's cache as far as it went. A kept walk is never changed: one
   * that goes further keeps a longer copy, so walks from the same tip at once (parallel calls) cannot mix theirs.
   */
  async function* touching(range: { from: string; since?: string }): AsyncGenerator<Touching> {
    const kept = (await memoOf(range)) ?? { commits: [], complete: false, bytes: 200 }
    const known = kept.commits
    for (const commit of known) yield commit
    if (kept.complete) return
    const more: Touching[] = []
    let bytes = kept.bytes
    let complete = false
    let skipped = 0
    try {
      for await (const logged of reader.log({ ...range, paths: [BACKLOG_DIR] })) {
        if (skipped < known.length) {
          skipped++
          continue
        }
        const commit: Touching = logged.files ? { oid: logged.oid, files: logged.files } : { oid: logged.oid }
        more.push(commit)
        bytes += 150 + (logged.files ?? []).reduce((sum, file) => sum + 60 + 2 * file.length, 0)
        yield commit
      }
      complete = true
    } finally {
      const key = walkKey(range)
      const current = reader.cache.get<WalkMemo>(key)
      const longer =
        !current || (!current.complete && (complete || current.commits.length < known.length + more.length))
      if (longer && (complete || more.length > 0))
        reader.cache.set(key, { commits: known.concat(more), complete, bytes }, bytes)
    }
  }

  /** The cache key of a walk; a fetch that deepens a shallow clone changes the walk from the same tip. */
  function walkKey(range: { from: string; since?: string }): string {
    return `log walk ${range.from} ${range.since ?? ''} ${[...reader.shallow()].sort().join(',')}`
  }

  /**
   * The walk kept for this tip or, after one commit on top of a tip with a walk kept (a backlog write, an undo, a
   * commit of code), that walk with the new commit in front when it changed `.backlog/`: as git would list it, so a
   * walk kept only in part goes on with git from where it ends. A merge, or a tip with nothing kept below it, is left
   * to git.
   */
  async function memoOf(range: { from: string; since?: string }): Promise<WalkMemo | undefined> {
    const kept = reader.cache.get<WalkMemo>(walkKey(range))
    if (kept) return kept
    const tip = await reader.commit(range.from)
    const [parent] = tip.parent
    if (tip.parent.length !== 1 || parent === undefined || reader.shallow().has(range.from)) return undefined
    const below: WalkMemo | undefined =
      parent === range.since
        ? { commits: [], complete: true, bytes: 200 }
        : reader.cache.get<WalkMemo>(walkKey({ ...range, from: parent }))
    if (!below) return undefined
    const changed = (await backlogTree(tip.tree)) !== (await backlogTree((await reader.commit(parent)).tree))
    const memo: WalkMemo = {
      commits: changed ? [{ oid: range.from }, ...below.commits] : [...below.commits],
      complete: below.complete,
      bytes: below.bytes + (changed ? 150 : 0),
    }
    reader.cache.set(walkKey(range), memo, memo.bytes)
    return memo
  }

  /** The `.backlog` tree of a root tree, null when there is none. */
  async function backlogTree(root: string): Promise<string | null> {
    return (await reader.treeAt(root, BACKLOG_DIR)) ?? null
  }

  /** Paths under `.backlog/` that the commit left different from every parent; undefined when there are none. */
  async function touchedPaths(commit: Walked, shallow: ReadonlySet<string>): Promise<Set<string> | undefined> {
    const mine = await backlogTree(commit.tree)
    const parents: Array<string | null> = []
    for (const parent of commit.parents) parents.push(await backlogTree((await load(parent, shallow)).tree))
    if (parents.length === 0) parents.push(null)
    if (parents.includes(mine)) return undefined
    let common: Set<string> | undefined
    for (const parent of parents) {
      const changed = new Set<string>()
      await diffTrees(
        reader.tree,
        parent,
        mine,
        BACKLOG_DIR,
        () => true,
        (path) => changed.add(path),
      )
      common = common ? new Set([...common].filter((path) => changed.has(path))) : changed
      if (common.size === 0) return undefined
    }
    return common
  }

  async function entryOf(commit: Walked, shallow: ReadonlySet<string>): Promise<BacklogCommit | null> {
    const key = `log ${commit.oid}`
    const known = reader.cache.get<{ entry: BacklogCommit | null }>(key)
    if (known) return known.entry
    const subject = commit.message.split('\n', 1)[0]?.trim() ?? ''
    const base = {
      commit: commit.oid,
      date: formatTimestamp(new Date(commit.authorTime * 1000)),
      author: commit.author,
    }
    let entry: BacklogCommit | null = null
    const trailers = parseTrailers(commit.message)
    if (trailers) {
      const changed = parseChanged(commit.message)
      entry = {
        ...base,
        ...(trailers.agent ? { agent: trailers.agent } : {}),
        ...(trailers.op ? { op: trailers.op } : {}),
        ...(trailers.reverts ? { reverts: trailers.reverts } : {}),
        ids: trailers.ids,
        subject,
        ...(changed ? { changed } : {}),
      }
    } else {
      let paths: Set<string> | undefined
      try {
        // What git listed for a commit with one parent (or none) is what it changed; a merge is worked out here.
        paths = commit.files && commit.parents.length <= 1 ? new Set(commit.files) : await touchedPaths(commit, shallow)
      } catch (error) {
        // An object a partial or cut-short clone never fetched: the commit cannot be placed, which must not break
        // the feed. Not cached, so it is placed once the objects arrive.
        if (!isNotFound(error)) throw error
        return null
      }
      if (paths) entry = { ...base, op: 'edit', ids: idsFromPaths(paths), subject }
      // At a shallow boundary the diff is against nothing; a later fetch may deepen history, so it is not kept.
      if (shallow.has(commit.oid)) return entry
    }
    reader.cache.set(key, { entry }, entryBytes(entry))
    return entry
  }

  async function* walk(
    maxCommits: number,
    since?: string,
    after?: string,
    stats: WalkStats = {},
  ): AsyncGenerator<WalkedCommit> {
    const head = resolveHead(repo, readHead(repo))
    if (!head || head === since) return
    const shallow = reader.shallow()
    // A `since` the object store lacks leaves nothing out, as a commit that cannot be read reaches nothing.
    const range = since && (await reader.has(since)) ? { from: head, since } : { from: head }
    const commits = touching(range)
    // Every commit walked, in the same order, only when the walk is counted or starts after a given commit.
    // A bound no repository this size can reach (fewer objects than it, commits included) needs no counting.
    const counted = after !== undefined || (maxCommits !== Number.POSITIVE_INFINITY && reader.holdsMoreThan(maxCommits))
    const all = counted ? reader.list(range) : undefined
    let batch: string[] = []
    let at = 0
    /** The next commit of the whole walk, undefined at its end. */
    const nextOfAll = async (): Promise<string | undefined> => {
      while (at >= batch.length) {
        const next = await all?.next()
        if (!next || next.done) return undefined
        batch = next.value
        at = 0
      }
      return batch[at++]
    }
    let passed = after === undefined
    let walked = 0
    /**
     * Through the commits of the whole walk up to `until` (the next one that touched the backlog) or to its end,
     * counting them, and noting when `after` goes by.
     */
    const passOver = async (until?: string): Promise<'reached' | 'end' | 'limited'> => {
      for (;;) {
        const next = at < batch.length ? batch[at++] : await nextOfAll()
        if (next === undefined) return 'end'
        if (passed) {
          if (walked >= maxCommits) {
            stats.limited = true
            return 'limited'
          }
          walked++
        }
        stats.last = next
        if (next === until) return 'reached'
        if (!passed && next === after) passed = stats.passedAfter = true
      }
    }
    try {
      for await (const logged of commits) {
        if (all) {
          // Through the commits git passed over on the way to this one.
          if ((await passOver(logged.oid)) !== 'reached') return
          if (!passed) {
            if (logged.oid === after) passed = stats.passedAfter = true
            continue
          }
        } else stats.last = logged.oid
        const commit = await load(logged.oid, shallow, logged.files)
        const boundary = shallow.has(logged.oid)
        if (boundary) stats.shallow ??= logged.oid
        const entry = await entryOf(commit, shallow)
        if (!entry) continue
        if (boundary) yield { entry, boundary }
        else yield commit.parents[0] === undefined ? { entry } : { entry, parent: commit.parents[0] }
      }
      // The commits after the last one that touched the backlog: walked too, and `after` may be among them.
      if (all) await passOver()
    } finally {
      await all?.return(undefined)
      await commits.return(undefined)
    }
  }

  return {
    async recent({ ids, limit = DEFAULT_LIMIT, maxCommits = DEFAULT_MAX_COMMITS } = {}) {
      assertCount('limit', limit, 0)
      assertCount('maxCommits', maxCommits, 1)
      const wanted = ids === undefined ? undefined : new Set([...ids].map(idKey))
      if (limit === 0 || wanted?.size === 0) return []
      const found: BacklogCommit[] = []
      for await (const { entry } of walk(maxCommits)) {
        if (wanted && !entry.ids.some((id) => wanted.has(idKey(id)))) continue
        found.push({ ...entry, ids: [...entry.ids], ...(entry.changed ? { changed: [...entry.changed] } : {}) })
        if (found.length >= limit) break
      }
      return found
    },

    walk({ maxCommits = Number.POSITIVE_INFINITY, since, after, stats } = {}) {
      if (maxCommits !== Number.POSITIVE_INFINITY) assertCount('maxCommits', maxCommits, 1)
      return walk(maxCommits, since, after, stats)
    },

    reader,
  }
}
