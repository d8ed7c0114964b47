/**
 * The backlog's history as git recorded it: which commits changed which items, newest first, for activity feeds and
 * the context bundle. Read straight from the object store, so it sees every commit, ours and those made by hand.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TreeEntry } from 'isomorphic-git'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { ARCHIVE_DIR, BACKLOG_DIR, idFromPath, TASKS_DIR } from '../core/layout.js'
import { diffTrees, readCommitSummary, readTreeEntries } from './git/read.js'
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
/** Parsed commits are kept by id (they never change); the bound only matters for a server walking a huge history. */
const MAX_CACHED_COMMITS = 100_000
const MAX_CACHED_TREES = 4_000

interface Walked {
  oid: string
  parents: string[]
  /** Committer time in seconds: the order of the walk. */
  time: number
  authorTime: number
  author: string
  tree: string
  /** Kept until the entry is worked out, then dropped. */
  message: string
  /** The `.backlog` tree of this commit: null when there is none, undefined until looked up. */
  backlog?: string | null
  /** What the commit is for the backlog: null when it is none of its business, undefined until worked out. */
  entry?: BacklogCommit | null
}

interface Trailers {
  op?: string
  agent?: string
  reverts?: string
  ids: string[]
}

/**
 * `Backlog-*` trailers of the message's last paragraph; undefined when it has none, or when the message holds the
 * messages of several operations (a squash merge pastes them one after another): such a commit is read as a hand
 * commit, by the files it changed, since no one set of trailers speaks for all of it.
 */
function parseTrailers(message: string): Trailers | undefined {
  const paragraphs = message.trimEnd().split(/\n[ \t]*\n/)
  if (paragraphs.length < 2) return undefined
  if ((message.match(/^Backlog-Op:/gim)?.length ?? 0) > 1) return undefined
  const last = paragraphs[paragraphs.length - 1] ?? ''
  let found = false
  const trailers: Trailers = { ids: [] }
  for (const line of last.split('\n')) {
    const match = /^Backlog-(Op|Id|Agent|Reverts):[ \t]*(.*?)\s*$/i.exec(line)
    if (!match) continue
    found = true
    const key = (match[1] as string).toLowerCase()
    const value = match[2] as string
    if (key === 'id') {
      if (value) trailers.ids.push(value)
    } else if (value) trailers[key as 'op' | 'agent' | 'reverts'] = value
  }
  return found ? trailers : undefined
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

/** A max-heap on committer time; ties leave in the order they came, as in git's own queue. */
function createQueue() {
  const heap: Array<{ commit: Walked; seq: number }> = []
  let seq = 0
  const before = (a: { commit: Walked; seq: number }, b: { commit: Walked; seq: number }) =>
    a.commit.time > b.commit.time || (a.commit.time === b.commit.time && a.seq < b.seq)
  return {
    get size() {
      return heap.length
    },
    push(commit: Walked) {
      heap.push({ commit, seq: seq++ })
      let index = heap.length - 1
      while (index > 0) {
        const parent = (index - 1) >> 1
        if (!before(heap[index]!, heap[parent]!)) break
        ;[heap[index], heap[parent]] = [heap[parent]!, heap[index]!]
        index = parent
      }
    },
    pop(): Walked | undefined {
      const top = heap[0]
      const last = heap.pop()
      if (heap.length && last) {
        heap[0] = last
        let index = 0
        for (;;) {
          const left = index * 2 + 1
          const right = left + 1
          let best = index
          if (left < heap.length && before(heap[left]!, heap[best]!)) best = left
          if (right < heap.length && before(heap[right]!, heap[best]!)) best = right
          if (best === index) break
          ;[heap[index], heap[best]] = [heap[best]!, heap[index]!]
          index = best
        }
      }
      return top?.commit
    },
  }
}

function assertCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new BacklogError('INVALID_INPUT', `${name} must be a whole number of at least ${min}, not ${value}`)
  }
}

/**
 * Reads backlog commits from the repository's history. Keep one per repository: parsed commits are cached by id, so
 * a second call only parses the commits made since the first.
 *
 * @example
 * const log = createBacklogLog(discoverRepo(process.cwd()))
 * await log.recent({ ids: ['bl-k3m9x2'], limit: 10 })
 * // [{ commit: '9f2c…', date: '2026-11-23T12:00:03Z', author: 'Ann', agent: 'claude', op: 'update',
 * //    ids: ['bl-k3m9x2'], subject: 'done bl-k3m9x2: Fix auth', changed: ['status', 'closed'] }, …]
 */
export function createBacklogLog(repo: Repo): BacklogLog {
  const gitdir = repo.commondir
  const cache = {}
  const commits = new Map<string, Walked>()
  const trees = new Map<string, TreeEntry[]>()

  async function load(oid: string): Promise<Walked> {
    const known = commits.get(oid)
    if (known) return known
    const commit = await readCommitSummary(gitdir, oid, cache)
    const walked: Walked = {
      oid,
      parents: commit.parent,
      time: commit.committed,
      authorTime: commit.authored,
      author: commit.author,
      tree: commit.tree,
      message: commit.message,
    }
    if (commits.size >= MAX_CACHED_COMMITS) commits.clear()
    commits.set(oid, walked)
    return walked
  }

  async function readTree(oid: string): Promise<TreeEntry[]> {
    const known = trees.get(oid)
    if (known) return known
    const tree = await readTreeEntries(gitdir, oid, cache)
    if (trees.size >= MAX_CACHED_TREES) trees.clear()
    trees.set(oid, tree)
    return tree
  }

  /** A shallow clone's boundary commits have parents git never fetched: they end history there, as in git. */
  function parentsOf(commit: Walked, shallow: ReadonlySet<string>): string[] {
    return shallow.has(commit.oid) ? [] : commit.parents
  }

  async function backlogTree(commit: Walked): Promise<string | null> {
    if (commit.backlog === undefined) {
      // The root tree is read once per commit and not kept: only its `.backlog` entry matters here.
      const tree = await readTreeEntries(gitdir, commit.tree, cache)
      const entry = tree.find((candidate) => candidate.path === BACKLOG_DIR)
      commit.backlog = entry?.type === 'tree' ? entry.oid : null
    }
    return commit.backlog
  }

  /** Paths under `.backlog/` that the commit left different from every parent; undefined when there are none. */
  async function touchedPaths(commit: Walked, shallow: ReadonlySet<string>): Promise<Set<string> | undefined> {
    const mine = await backlogTree(commit)
    const parents: Array<string | null> = []
    for (const parent of parentsOf(commit, shallow)) parents.push(await backlogTree(await load(parent)))
    if (parents.length === 0) parents.push(null)
    if (parents.includes(mine)) return undefined
    let common: Set<string> | undefined
    for (const parent of parents) {
      const changed = new Set<string>()
      await diffTrees(
        readTree,
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
    if (commit.entry !== undefined) return commit.entry
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
        paths = await touchedPaths(commit, shallow)
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
    commit.entry = entry
    commit.message = ''
    return entry
  }

  function readShallow(): Set<string> {
    try {
      return new Set(readFileSync(join(repo.commondir, 'shallow'), 'utf8').split('\n').filter(Boolean))
    } catch {
      return new Set()
    }
  }

  async function* walk(
    maxCommits: number,
    since?: string,
    after?: string,
    stats: WalkStats = {},
  ): AsyncGenerator<WalkedCommit> {
    const head = resolveHead(repo, readHead(repo))
    if (!head || head === since) return
    const shallow = readShallow()
    const queue = createQueue()
    const seen = new Set([head])
    // Commits reached from `since` are left out; the walk ends once nothing else is queued, as git's own does.
    const excluded = new Set<string>()
    /** Queued commits that are not left out: the walk goes on while there are any. */
    const wanted = new Set([head])
    const enqueue = async (oid: string, exclude: boolean) => {
      try {
        queue.push(await load(oid))
      } catch (error) {
        // A commit missing from the object store (a clone cut short without a shallow file) ends that line.
        if (!isNotFound(error)) throw error
        return
      }
      if (exclude) excluded.add(oid)
      else wanted.add(oid)
    }
    queue.push(await load(head))
    if (since) {
      seen.add(since)
      await enqueue(since, true)
    }
    let passed = after === undefined
    let walked = 0
    while (wanted.size > 0) {
      if (walked >= maxCommits) {
        stats.limited = true
        break
      }
      const commit = queue.pop()
      if (!commit) break
      if (passed) walked++
      stats.last = commit.oid
      const exclude = excluded.has(commit.oid)
      wanted.delete(commit.oid)
      const parents = parentsOf(commit, shallow)
      for (const parent of parents) {
        if (seen.has(parent)) {
          // Reached from `since` after all: it is left out when its turn comes.
          if (exclude && !excluded.has(parent)) {
            excluded.add(parent)
            wanted.delete(parent)
          }
          continue
        }
        seen.add(parent)
        await enqueue(parent, exclude)
      }
      if (exclude) continue
      if (!passed) {
        if (commit.oid === after) passed = stats.passedAfter = true
        continue
      }
      const boundary = shallow.has(commit.oid) && commit.parents.length > 0
      if (boundary) stats.shallow ??= commit.oid
      const entry = await entryOf(commit, shallow)
      if (!entry) continue
      if (boundary) yield { entry, boundary }
      else yield parents[0] === undefined ? { entry } : { entry, parent: parents[0] }
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
  }
}
