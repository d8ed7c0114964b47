/**
 * Index entries that a person's concurrent `git commit` put back to an older state (docs/adr/0010). git reads the
 * index before it takes `index.lock`; when a backlog commit lands in between, git writes back the index it read: the
 * backlog commit's files are there as they were before it (or missing, for a new item; or still there, for a deleted
 * or moved one), and the person's next commit would undo the backlog change.
 *
 * Only the files that recent backlog commits changed are looked at, and an entry is corrected only when it holds
 * exactly a version one of those commits replaced while the working file holds the tip's: anything else in the index
 * is the person's own doing and stays.
 */

import { lstatSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BACKLOG_DIR } from '../core/layout.js'
import { namesOperation } from '../core/trailers.js'
import { writeFileAtomicSync } from './atomic-file.js'
import { entryFromStats, findEntries, type GitIndex, type IndexEntry } from './git/index-file.js'
import { type ObjectStore, objectId } from './git/objects.js'
import { diffTrees } from './git/read.js'
import type { GitReader } from './git/reader.js'

/** Backlog commits newer than this (and at most RECENT_COMMITS of them) are the ones whose files are checked. */
const RECENT_SECONDS = 300
const RECENT_COMMITS = 50

export interface IndexFix {
  path: string
  /** The entry to write, or null to drop the path from the index. */
  entry: IndexEntry | null
}

async function backlogTree(objects: ObjectStore, tree: string): Promise<string | null> {
  return (await objects.reader.treeAt(tree, BACKLOG_DIR)) ?? null
}

/**
 * For each file the recent backlog commits on `tip` changed: the blob ids it had before any of them (the versions a
 * stale index may hold).
 */
/** What one commit did to `.backlog/`, kept by commit id (commits never change): each commit is diffed once. */
export interface CommitChanges {
  time: number
  parent?: string
  /** [path, blob id before the commit ('' for none)] of a backlog commit's files; empty for other commits. */
  replaced: Array<[string, string]>
}
/** At most this many commits' changes are listed for the file; only the recent ones are ever looked at again. */
const MAX_LISTED = 4 * RECENT_COMMITS
/** Bump when CommitChanges changes shape, so files written by older code are ignored. */
const CHANGES_FORMAT = 1

/**
 * What this process knows of a repository's recent commits: the commits worked out or written here, newest last (their
 * changes are in the reader's cache, `repair <commit>`, and are worked out again once dropped from it), which files
 * were read, and whether the file lags behind. Kept beside the reader, not in its cache, so that reading much history
 * never drops what this process still has to save.
 */
interface Ledger {
  listed: string[]
  unsaved: boolean
  loaded: Set<string>
}

const ledgers = new WeakMap<GitReader, Ledger>()

function ledgerOf(objects: ObjectStore): Ledger {
  let ledger = ledgers.get(objects.reader)
  if (!ledger) {
    ledger = { listed: [], unsaved: false, loaded: new Set() }
    ledgers.set(objects.reader, ledger)
  }
  return ledger
}

function keep(objects: ObjectStore, commit: string, changes: CommitChanges): void {
  objects.reader.cache.set(`repair ${commit}`, changes, 200 + 120 * changes.replaced.length)
  const ledger = ledgerOf(objects)
  ledger.listed.push(commit)
  if (ledger.listed.length > MAX_LISTED) ledger.listed.splice(0, ledger.listed.length - MAX_LISTED)
}

/**
 * Records what a commit this process just wrote changed, so the next look at recent commits need not read it back.
 * `replaced` is [path, blob id before ('' for none)] of each file it changed.
 */
export function rememberCommit(objects: ObjectStore, commit: string, changes: CommitChanges): void {
  keep(objects, commit, changes)
  ledgerOf(objects).unsaved = true
}

/**
 * Reads what earlier processes worked out about recent commits (commits never change, so it stays true): a command
 * line write would otherwise read and diff the trees of up to RECENT_COMMITS commits again, each time.
 */
export function loadCommitChanges(objects: ObjectStore, file: string): void {
  const ledger = ledgerOf(objects)
  if (ledger.loaded.has(file)) return
  ledger.loaded.add(file)
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; commits?: unknown }
    if (data.format !== CHANGES_FORMAT || !Array.isArray(data.commits)) return
    for (const item of data.commits as Array<[string, CommitChanges]>) {
      const [commit, changes] = item
      if (typeof commit !== 'string' || typeof changes?.time !== 'number' || !Array.isArray(changes.replaced)) continue
      if (!objects.reader.cache.get(`repair ${commit}`)) keep(objects, commit, changes)
    }
  } catch {
    // none yet, or unreadable: worked out again
  }
}

/** Writes the changes of the commits recent enough to be looked at again, when there is anything new. */
export function saveCommitChanges(objects: ObjectStore, file: string, now: number): void {
  const ledger = ledgerOf(objects)
  if (!ledger.unsaved) return
  const commits: Array<[string, CommitChanges]> = []
  for (const commit of new Set(ledger.listed)) {
    const changes = objects.reader.cache.get<CommitChanges>(`repair ${commit}`)
    if (changes && changes.time >= now - 2 * RECENT_SECONDS) commits.push([commit, changes])
  }
  try {
    writeFileAtomicSync(file, JSON.stringify({ format: CHANGES_FORMAT, commits: commits.slice(-MAX_LISTED) }))
    ledger.unsaved = false
  } catch {
    // a cache that cannot be written only costs speed
  }
}

async function changesOf(objects: ObjectStore, commit: string): Promise<CommitChanges> {
  const known = objects.reader.cache.get<CommitChanges>(`repair ${commit}`)
  if (known) return known
  const info = await objects.commitInfo(commit)
  const parent = info.parents[0]
  const replaced: Array<[string, string]> = []
  if (namesOperation(info.message) && parent) {
    const before = await backlogTree(objects, (await objects.commitInfo(parent)).tree)
    const after = await backlogTree(objects, info.tree)
    // '' stands for "no file": the version before a create.
    await diffTrees(
      objects.readTree,
      before,
      after,
      BACKLOG_DIR,
      () => true,
      (path, old) => {
        replaced.push([path, old?.oid ?? ''])
      },
    )
  }
  const changes: CommitChanges = { time: info.time, ...(parent ? { parent } : {}), replaced }
  rememberCommit(objects, commit, changes)
  return changes
}

/**
 * Reads what the recent backlog commits on `tip` changed ahead of time, so that `staleEntries` under `index.lock`
 * finds it all cached: a commit's first look at history must not keep the person's git waiting.
 */
export async function readRecentChanges(objects: ObjectStore, tip: string | undefined, now: number): Promise<void> {
  if (tip) await recentlyChanged(objects, tip, now)
}

async function recentlyChanged(objects: ObjectStore, tip: string, now: number): Promise<Map<string, Set<string>>> {
  const replaced = new Map<string, Set<string>>()
  let commit: string | undefined = tip
  for (let walked = 0; commit && walked < RECENT_COMMITS; walked++) {
    const changes = await changesOf(objects, commit)
    if (changes.time < now - RECENT_SECONDS) break
    for (const [path, oid] of changes.replaced) {
      const versions = replaced.get(path) ?? new Set<string>()
      versions.add(oid)
      replaced.set(path, versions)
    }
    commit = changes.parent
  }
  return replaced
}

/**
 * The corrections the index needs, none in the usual case. `skip` names paths the caller writes itself.
 *
 * @example
 * const fixes = await staleEntries(worktree, objects, index, tip, Date.now() / 1000, new Set())
 * // [{ path: '.backlog/tasks/2/bl-k3m9x2.md', entry: { ...the tip's version } }]
 */
export async function staleEntries(
  worktree: string,
  objects: ObjectStore,
  index: GitIndex,
  tip: string | undefined,
  now: number,
  skip: ReadonlySet<string>,
): Promise<IndexFix[]> {
  if (!tip) return []
  const replaced = await recentlyChanged(objects, tip, now)
  if (replaced.size === 0) return []
  const tree = await objects.commitTree(tip)
  const fixes: IndexFix[] = []
  const entries = new Map<string, IndexEntry[]>()
  for (const entry of findEntries(
    index,
    [...replaced.keys()].filter((path) => !skip.has(path)),
  )) {
    entries.set(entry.path, [...(entries.get(entry.path) ?? []), entry])
  }
  for (const [path, versions] of replaced) {
    if (skip.has(path)) continue
    const found = entries.get(path) ?? []
    // A conflict in progress, or more than one stage: git's business.
    if (found.length > 1 || found.some((entry) => entry.stage > 0)) continue
    const indexed = found[0]?.oid ?? ''
    if (!versions.has(indexed)) continue
    const wanted = await objects.blobAt(tree, path)
    if ((wanted ?? '') === indexed) continue
    const file = join(worktree, ...path.split('/'))
    let stats: ReturnType<typeof lstatSync> | undefined
    try {
      stats = lstatSync(file, { bigint: true })
    } catch {
      stats = undefined
    }
    if (wanted === undefined) {
      // Deleted or moved by the commit: the index still has it, the working tree does not.
      if (!stats) fixes.push({ path, entry: null })
      continue
    }
    if (!stats?.isFile() || objectId('blob', readFileSync(file)) !== wanted) continue
    fixes.push({ path, entry: entryFromStats(path, wanted, 0o100644, stats) })
  }
  return fixes
}
