/**
 * The one door to a repository's objects: commits, trees and blobs, the walk of history (`git log`), ancestry and the
 * shallow boundary, with one cache bounded by bytes. Every history module reads through the reader of its repository
 * (`gitReader(commondir)`), so a commit or tree read for one is there for the others, and what they all hold together
 * stays within one bound (docs/adr/0016-one-git-reader.md).
 */

import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { TreeEntry } from 'isomorphic-git'
import { type ByteCache, createByteCache } from './cache.js'
import { runGitAt, runGitBytesAt } from './cli.js'
import { type LoggedCommit, type LogOptions, listCommits, logCommits } from './log.js'
import {
  type CommitSummary,
  hasObject,
  isomorphicGit,
  readBlobBytes,
  readCommitSummary,
  readOnlyFs,
  readTreeEntries,
} from './read.js'

export type { LoggedCommit, LogOptions } from './log.js'
export type { CommitSummary } from './read.js'

/** What one reader keeps, at most: objects and what history modules derive from them (16 MiB, estimated). */
export const DEFAULT_CACHE_BYTES = 16 * 1024 * 1024
/** An ancestry question is answered in process for this many commits, then asked of git (`merge-base`). */
const ANCESTRY_WALK = 1_000

export interface GitReader {
  /** The common git directory: objects, refs, `shallow`. */
  readonly gitdir: string
  /** A commit's tree, parents (as written), author, times and message. */
  commit(oid: string): Promise<CommitSummary>
  /** A commit's parents as far as this clone has them: none at a shallow clone's boundary. */
  parents(oid: string): Promise<string[]>
  /** A tree's entries (trees never change: cached). */
  tree(oid: string): Promise<readonly TreeEntry[]>
  /** A blob's bytes. */
  blob(oid: string): Promise<Uint8Array>
  /** Many blobs at once, from one `git cat-file --batch` (a thousand files in conflict, one process); missing: absent. */
  blobsNow(oids: readonly string[]): Map<string, Buffer>
  /** The blob id at a path of a tree, if there is one. */
  blobAt(tree: string | undefined, path: string): Promise<string | undefined>
  /** The tree id at a path of a tree (`.backlog` in a commit's root tree), if there is one. */
  treeAt(tree: string | undefined, path: string): Promise<string | undefined>
  /** True when the object store holds this object (loose or packed). */
  has(oid: string): Promise<boolean>
  /** A full object id from an abbreviated one (isomorphic-git's errors: NotFoundError, AmbiguousError). */
  expand(prefix: string): Promise<string>
  /** True when `ancestor` is `commit` or one of its ancestors, as far as a shallow clone has them. */
  isAncestor(ancestor: string, commit: string): Promise<boolean>
  /** The commits whose parents a shallow clone never fetched (`.git/shallow`), read again when the file changes. */
  shallow(): ReadonlySet<string>
  /**
   * History as `git log` walks it, newest first; with `paths`, only the commits that changed something under them.
   * Each commit seen is kept in the cache, so a later `commit(oid)` need not read it again.
   */
  log(options: LogOptions): AsyncGenerator<LoggedCommit>
  /**
   * True when the object store may hold more than `bound` objects (of any type): the packs' indexes and the loose
   * files, counted without reading an object, and only until the count passes the bound. Always true when objects may
   * live elsewhere too (`objects/info/alternates`).
   */
  holdsMoreThan(bound: number): boolean
  /** The ids of the commits the same walk goes through without paths, in its order (`git rev-list`), in batches. */
  list(options: Omit<LogOptions, 'paths'>): AsyncGenerator<string[]>
  /** The cache, for what history modules derive from objects (keys by module: `log …`, `history …`). */
  readonly cache: ByteCache
}

/** Estimated bytes held by a tree's entries: strings are two bytes a character, plus the objects around them. */
function treeBytes(entries: readonly TreeEntry[]): number {
  let bytes = 64
  for (const entry of entries) bytes += 160 + 2 * entry.path.length
  return bytes
}

function commitBytes(commit: CommitSummary): number {
  return 400 + 2 * (commit.message.length + commit.author.length) + 90 * commit.parent.length
}

/**
 * The reader of the repository whose objects live in `gitdir` (its common dir). Make one per repository, or take the
 * shared one from `gitReader`.
 *
 * @example
 * const reader = createGitReader(repo.commondir)
 * const { tree } = await reader.commit(head)
 * await reader.blobAt(tree, '.backlog/config.yml') // '3b18e512…'
 */
export function createGitReader(gitdir: string, { maxBytes = DEFAULT_CACHE_BYTES } = {}): GitReader {
  const cache = createByteCache(maxBytes)
  /** isomorphic-git's own cache (pack indexes), for the objects the object files cannot give (delta chains). */
  const packs = {}
  let shallow: { stamp: string; commits: Set<string> } | undefined

  function shallowCommits(): Set<string> {
    const file = join(gitdir, 'shallow')
    const info = statSync(file, { throwIfNoEntry: false })
    const stamp = info ? `${info.mtimeMs}:${info.size}:${info.ino}` : ''
    if (shallow?.stamp !== stamp) {
      const commits = info ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
      shallow = { stamp, commits: new Set(commits) }
    }
    return shallow.commits
  }

  async function commit(oid: string): Promise<CommitSummary> {
    const key = `commit ${oid}`
    const known = cache.get<CommitSummary>(key)
    if (known) return known
    const read = await readCommitSummary(gitdir, oid, packs)
    return cache.set(key, read, commitBytes(read))
  }

  async function tree(oid: string): Promise<readonly TreeEntry[]> {
    const key = `tree ${oid}`
    const known = cache.get<TreeEntry[]>(key)
    if (known) return known
    const entries = await readTreeEntries(gitdir, oid, packs)
    return cache.set(key, entries, treeBytes(entries))
  }

  /** The id of the entry of that type at a path of a tree, walking down its folders. */
  async function entryAt(root: string | undefined, path: string, type: 'blob' | 'tree'): Promise<string | undefined> {
    let current = root
    const parts = path.split('/')
    for (const [index, part] of parts.entries()) {
      if (!current) return undefined
      const entry = (await tree(current)).find((candidate) => candidate.path === part)
      if (!entry) return undefined
      if (index === parts.length - 1) return entry.type === type ? entry.oid : undefined
      current = entry.type === 'tree' ? entry.oid : undefined
    }
    return undefined
  }

  async function parents(oid: string): Promise<string[]> {
    return shallowCommits().has(oid) ? [] : (await commit(oid)).parent
  }

  /** Git's answer, for a question the walk in process did not settle within its allowance. */
  function askGit(ancestor: string, of: string): boolean {
    const run = runGitAt(gitdir, [`--git-dir=${gitdir}`, 'merge-base', '--is-ancestor', ancestor, of])
    return run.status === 0
  }

  return {
    gitdir,
    commit,
    parents,
    tree,
    cache,
    shallow: shallowCommits,
    blob: (oid) => readBlobBytes(gitdir, oid, packs),
    has: (oid) => hasObject(gitdir, oid, packs),
    async expand(prefix) {
      if (/^[0-9a-f]{40}$/.test(prefix)) return prefix
      return (await isomorphicGit()).expandOid({ fs: readOnlyFs, gitdir, oid: prefix, cache: packs })
    },
    blobAt: (root, path) => entryAt(root, path, 'blob'),
    treeAt: (root, path) => entryAt(root, path, 'tree'),
    async isAncestor(ancestor, of) {
      if (ancestor === of) return true
      try {
        const queue = [of]
        const seen = new Set(queue)
        for (let next = 0; next < queue.length; next++) {
          if (next >= ANCESTRY_WALK) return askGit(ancestor, of)
          const found = await parents(queue[next] as string)
          if (found.includes(ancestor)) return true
          for (const parent of found) {
            if (seen.has(parent)) continue
            seen.add(parent)
            queue.push(parent)
          }
        }
        return false
      } catch {
        return false
      }
    },
    blobsNow(oids) {
      const blobs = new Map<string, Buffer>()
      if (oids.length === 0) return blobs
      const read = runGitBytesAt(gitdir, [`--git-dir=${gitdir}`, 'cat-file', '--batch'], {
        input: `${oids.join('\n')}\n`,
      })
      if (read.status !== 0) throw new Error(`git cat-file --batch failed: ${read.stderr.toString().trim()}`)
      const out = read.stdout
      let position = 0
      while (position < out.length) {
        const lineEnd = out.indexOf(10, position)
        if (lineEnd === -1) break
        // <oid> <type> <size>, then the content and a newline; or <oid> missing
        const [oid, type, size] = out.toString('utf8', position, lineEnd).split(' ')
        position = lineEnd + 1
        if (type === 'missing' || size === undefined) continue
        const end = position + Number(size)
        blobs.set(oid as string, out.subarray(position, end))
        position = end + 1
      }
      return blobs
    },
    list: (options) => listCommits(gitdir, options),
    holdsMoreThan: (bound) => countObjects(join(gitdir, 'objects'), bound) > bound,
    async *log(options) {
      for await (const logged of logCommits(gitdir, options)) {
        const key = `commit ${logged.oid}`
        if (!cache.get(key)) {
          // Parents as written, as `commit()` gives them: at a shallow boundary git's log shows none.
          const parent = shallowCommits().has(logged.oid) ? undefined : logged.parents
          if (parent) {
            const summary: CommitSummary = {
              tree: logged.tree,
              parent,
              committed: logged.committed,
              author: logged.author,
              authored: logged.authored,
              message: logged.message,
            }
            cache.set(key, summary, commitBytes(summary))
          }
        }
        yield logged
      }
    },
  }
}

/**
 * The objects the pack indexes (last fan-out entry) and loose files hold, counted until the count passes `bound` (the
 * 256 folders of loose objects are listed only as far as needed); Infinity with alternates.
 */
function countObjects(objects: string, bound: number): number {
  if (existsSync(join(objects, 'info', 'alternates'))) return Number.POSITIVE_INFINITY
  let count = 0
  const pack = join(objects, 'pack')
  const packs = existsSync(pack) ? readdirSync(pack) : []
  for (const name of packs) {
    if (!name.endsWith('.idx')) continue
    const head = Buffer.alloc(8 + 256 * 4)
    const fd = openSync(join(pack, name), 'r')
    try {
      readSync(fd, head, 0, head.length, 0)
    } finally {
      closeSync(fd)
    }
    // Version 2 starts with a magic and a version; version 1 starts with the fan-out table itself.
    const v2 = head.readUInt32BE(0) === 0xff744f63
    count += head.readUInt32BE(v2 ? 8 + 255 * 4 : 255 * 4)
    if (count > bound) return count
  }
  for (const dir of readdirSync(objects)) {
    if (/^[0-9a-f]{2}$/.test(dir)) count += readdirSync(join(objects, dir)).length
    if (count > bound) return count
  }
  return count
}

/** Readers by repository: a process serving a handful of repositories keeps this many, the oldest dropped first. */
const MAX_READERS = 8
const readers = new Map<string, GitReader>()

/**
 * The shared reader of the repository whose common dir is `commondir`: the object store, the backlog log, item
 * history, updated times and the conflict resolver all read through it.
 *
 * @example
 * const reader = gitReader(repo.commondir)
 */
export function gitReader(commondir: string): GitReader {
  let reader = readers.get(commondir)
  if (reader) {
    readers.delete(commondir)
  } else {
    reader = createGitReader(commondir)
    if (readers.size >= MAX_READERS) readers.delete(readers.keys().next().value as string)
  }
  readers.set(commondir, reader)
  return reader
}
