/** New indexes from old: entries set or removed by path, and the extensions that describe them brought up to date. */

import type { BigIntStats, Stats } from 'node:fs'
import { BacklogError } from '../../../core/errors.js'
import { parseCacheTree, serializeCacheTree } from './cache-tree.js'
import { EntryList, entryListOf, indexOver, type Part } from './entries.js'
import {
  type CacheTreeNode,
  type GitIndex,
  HASH_SIZE,
  type IndexEntry,
  type IndexExtension,
  OID_PATTERN,
  POSITIONAL_EXTENSIONS,
  STAT_FIELDS,
  VALID_MODES,
} from './format.js'
import { invalidateUntrackedCacheData } from './untracked.js'

export function emptyIndex(): GitIndex {
  return { version: 2, entries: [], extensions: [] }
}

/**
 * Stat data for an entry from a node fs.Stats (use BigIntStats or Stats; nanoseconds from mtimeNs/ctimeNs when bigint,
 * else from ms). Prefer `lstat(path, { bigint: true })`: git compares nanoseconds, and ms floats lose some.
 */
export function entryFromStats(path: string, oid: string, mode: number, stats: BigIntStats | Stats): IndexEntry {
  const ctime = splitTime('ctimeNs' in stats ? stats.ctimeNs : stats.ctimeMs)
  const mtime = splitTime('mtimeNs' in stats ? stats.mtimeNs : stats.mtimeMs)
  return {
    ctimeSec: ctime.sec,
    ctimeNsec: ctime.nsec,
    mtimeSec: mtime.sec,
    mtimeNsec: mtime.nsec,
    dev: toUint32(stats.dev),
    ino: toUint32(stats.ino),
    mode,
    uid: toUint32(stats.uid),
    gid: toUint32(stats.gid),
    size: toUint32(stats.size),
    oid,
    stage: 0,
    assumeValid: false,
    extendedFlags: 0,
    path,
  }
}

/** Splits a bigint of nanoseconds or a number of milliseconds into the 32-bit seconds and nanoseconds git stores. */
export function splitTime(time: bigint | number): { sec: number; nsec: number } {
  const ns = typeof time === 'bigint' ? time : BigInt(Math.round(time * 1e6))
  let sec = ns / 1_000_000_000n
  if (ns < 0n && sec * 1_000_000_000n !== ns) sec -= 1n
  return { sec: Number(BigInt.asUintN(32, sec)), nsec: Number(ns - sec * 1_000_000_000n) }
}

export function toUint32(value: bigint | number): number {
  return typeof value === 'bigint' ? Number(BigInt.asUintN(32, value)) : value >>> 0
}

/** Returns a new index in which each given path has exactly the given stage-0 entry (or none when entry is null). */
export function updateIndexEntries(
  index: GitIndex,
  changes: Array<{ path: string; entry: IndexEntry | null }>,
): GitIndex {
  const wanted = collectChanges(changes)
  const list = entryListOf(index)
  const edits: Array<{ key: Buffer; at: number; end: number; entry: IndexEntry | null }> = []
  const changedPaths: string[] = []
  for (const [path, entry] of wanted) {
    const key = Buffer.from(path, 'utf8')
    const at = list.lowerBound(key)
    let end = at
    while (end < list.count && list.pathAt(end).equals(key)) end++
    const previous: IndexEntry[] = []
    for (let i = at; i < end; i++) previous.push(list.entryAt(i))
    if (sameEntries(previous, entry)) continue
    edits.push({ key, at, end, entry })
    changedPaths.push(path)
  }
  if (edits.length === 0) return indexOver(index.version, list, [...index.extensions])
  // Entries go in by path bytes, without reordering anything git wrote.
  edits.sort((a, b) => Buffer.compare(a.key, b.key))
  const parts: Part[] = []
  let position = 0
  for (const { at, end, entry } of edits) {
    list.appendParts(parts, position, at)
    if (entry !== null) parts.push({ kind: 'entry', entry })
    position = end
  }
  list.appendParts(parts, position, list.count)
  const updated = new EntryList(list.source, parts)
  const added = [...wanted.values()].filter((entry): entry is IndexEntry => entry !== null)
  assertNoDirectoryFileConflicts(updated, added)
  return indexOver(index.version, updated, updateExtensions(index.extensions, changedPaths))
}

export function collectChanges(
  changes: Array<{ path: string; entry: IndexEntry | null }>,
): Map<string, IndexEntry | null> {
  const wanted = new Map<string, IndexEntry | null>()
  for (const { path, entry } of changes) {
    assertValidPath(path)
    if (wanted.has(path)) throw invalidChange(path, 'it is listed twice')
    if (entry !== null) assertValidEntry(path, entry)
    wanted.set(path, entry === null ? null : { ...entry })
  }
  return wanted
}

export function assertValidPath(path: string): void {
  const components = path.split('/')
  const bad = components.find((part) => part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git')
  if (bad !== undefined) throw invalidChange(path, 'it has an empty, `.`, `..` or `.git` component')
  if (path.includes('\0') || Buffer.from(path, 'utf8').toString('utf8') !== path) {
    throw invalidChange(path, 'it has a NUL character or is not well-formed Unicode')
  }
}

export function assertValidEntry(path: string, entry: IndexEntry): void {
  if (entry.path !== path) throw invalidChange(path, `its entry is for \`${entry.path}\``)
  if (entry.stage !== 0) throw invalidChange(path, 'its entry is not stage 0')
  if (!OID_PATTERN.test(entry.oid)) throw invalidChange(path, 'its object id is not 40 lowercase hex characters')
  if (!VALID_MODES.has(entry.mode)) throw invalidChange(path, `its mode ${entry.mode.toString(8)} is not a git mode`)
}

export function invalidChange(path: string, reason: string): BacklogError {
  return new BacklogError('INVALID_INPUT', `Cannot stage \`${path}\` in the git index: ${reason}.`, { path })
}

export function sameEntries(before: IndexEntry[], after: IndexEntry | null): boolean {
  if (after === null || before.length !== 1) return after === null && before.length === 0
  const [only] = before
  return only !== undefined && sameEntry(only, after)
}

export function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  const keys = [...STAT_FIELDS, 'oid', 'stage', 'assumeValid', 'extendedFlags'] as const
  return keys.every((key) => a[key] === b[key])
}

/** A file cannot sit where the index has a directory, nor under a path the index has as a file. */
export function assertNoDirectoryFileConflicts(entries: EntryList, added: IndexEntry[]): void {
  for (const { path } of added) {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const directory = parts.slice(0, i).join('/')
      const key = Buffer.from(directory, 'utf8')
      const at = entries.lowerBound(key)
      if (at < entries.count && entries.pathAt(at).equals(key)) throw directoryFileConflict(path, directory)
    }
    const prefix = Buffer.from(`${path}/`, 'utf8')
    const at = entries.lowerBound(prefix)
    if (at < entries.count && entries.pathAt(at).subarray(0, prefix.length).equals(prefix)) {
      throw directoryFileConflict(path, entries.entryAt(at).path)
    }
  }
}

export function directoryFileConflict(path: string, other: string): BacklogError {
  return new BacklogError(
    'CONFLICT',
    `Cannot stage \`${path}\`: the git index already has \`${other}\`, and a path cannot be both a file and a ` +
      'directory. Remove one of them with `git rm --cached` and try again.',
    { path, other },
  )
}

export function updateExtensions(extensions: IndexExtension[], changedPaths: string[]): IndexExtension[] {
  const updated: IndexExtension[] = []
  for (const extension of extensions) {
    const data = updateExtensionData(extension, changedPaths)
    if (data !== null) updated.push({ signature: extension.signature, data })
  }
  return updated
}

/** The extension's data after the change, or null to leave it out. REUC and unknown optional ones stay as they are. */
export function updateExtensionData(extension: IndexExtension, changedPaths: string[]): Buffer | null {
  if (POSITIONAL_EXTENSIONS.has(extension.signature)) return null
  if (extension.signature === 'TREE') return invalidateCacheTreeData(extension.data, changedPaths)
  if (extension.signature === 'UNTR') return invalidateUntrackedCacheData(extension.data, changedPaths)
  return extension.data
}

/** Null when the cache tree cannot be read: git treats such a TREE as absent, so dropping it is safe. */
export function invalidateCacheTreeData(data: Buffer, paths: string[]): Buffer | null {
  const rewritten = rewriteCacheTree(data, paths)
  if (rewritten !== undefined) return rewritten
  let root: CacheTreeNode
  try {
    root = parseCacheTree(data)
  } catch {
    return null
  }
  for (const path of paths) invalidateCacheTreePath(root, path)
  return serializeCacheTree(root)
}

/** Marks the root and every directory above `path` as needing a new tree, keeping all other subtrees. */
export function invalidateCacheTreePath(root: CacheTreeNode, path: string): void {
  const directories = path.split('/').slice(0, -1)
  let node: CacheTreeNode | undefined = root
  invalidateNode(root)
  for (const directory of directories) {
    const name = Buffer.from(directory, 'utf8')
    node = node.children.find((child) => child.name.equals(name))
    if (node === undefined) return
    invalidateNode(node)
  }
}

export function invalidateNode(node: CacheTreeNode): void {
  node.entryCount = -1
  node.oid = null
}

export interface DirectoryTrie {
  children: Map<string, DirectoryTrie>
}

/** The directories above `paths`, the root included, as the tree of their names; null for no paths. */
export function directoryTrie(paths: string[]): DirectoryTrie | null {
  if (paths.length === 0) return null
  const root: DirectoryTrie = { children: new Map() }
  for (const path of paths) {
    let node = root
    for (const part of path.split('/').slice(0, -1)) {
      const key = latin1Key(Buffer.from(part, 'utf8'))
      const child = node.children.get(key) ?? { children: new Map() }
      node.children.set(key, child)
      node = child
    }
  }
  return root
}

/** Names are compared as bytes: latin1 maps each byte to one character. */
export function latin1Key(name: Buffer): string {
  return name.toString('latin1')
}

export interface TreeRewrite {
  data: Buffer
  chunks: Buffer[]
  /** Where the bytes not yet in `chunks` start. */
  copied: number
}

/**
 * What parsing, invalidating and serializing the cache tree gives, found by copying its bytes and rewriting only the
 * headers of the nodes above `paths`: a large repository has thousands of nodes, too many to make objects of on
 * every commit. Undefined when the data is not exactly as serializeCacheTree writes it, for the slower path to decide.
 */
export function rewriteCacheTree(data: Buffer, paths: string[]): Buffer | undefined {
  const rewrite: TreeRewrite = { data, chunks: [], copied: 0 }
  try {
    if (rewriteCacheTreeNode(rewrite, 0, directoryTrie(paths)) !== data.length) return undefined
  } catch {
    // A tree nested deeper than the stack allows: the slower path has the same limit and drops the tree.
    return undefined
  }
  rewrite.chunks.push(data.subarray(rewrite.copied))
  return Buffer.concat(rewrite.chunks)
}

/** Rewrites the node at `start` and its subtrees, invalidating it when `trie` is set; returns its end, or -1. */
export function rewriteCacheTreeNode(rewrite: TreeRewrite, start: number, trie: DirectoryTrie | null): number {
  const { data } = rewrite
  let position = start
  while (position < data.length && data[position] !== 0) position++
  const nameEnd = position++
  // Either "-1" (to be hashed again) or an entry count followed by the tree's object id.
  const invalid = data[position] === 0x2d
  const count = readCanonicalDecimal(data, invalid ? position + 1 : position, 0x20, invalid)
  if (count === null || (invalid && count.value !== 1)) return -1
  const subtrees = readCanonicalDecimal(data, count.end + 1, 0x0a, false)
  if (subtrees === null) return -1
  position = subtrees.end + 1
  if (!invalid) {
    if (position + HASH_SIZE > data.length) return -1
    position += HASH_SIZE
    if (trie !== null) {
      rewrite.chunks.push(data.subarray(rewrite.copied, nameEnd), Buffer.from(`\0-1 ${subtrees.value}\n`, 'latin1'))
      rewrite.copied = position
    }
  }
  const seen = new Set<string>()
  for (let i = 0; i < subtrees.value; i++) {
    let childTrie: DirectoryTrie | null = null
    if (trie !== null && trie.children.size > 0) {
      let nameEnd = position
      while (nameEnd < data.length && data[nameEnd] !== 0) nameEnd++
      const name = latin1Key(data.subarray(position, nameEnd))
      // Like invalidateCacheTreePath, only the first child of a name is followed.
      if (!seen.has(name)) childTrie = trie.children.get(name) ?? null
      seen.add(name)
    }
    position = rewriteCacheTreeNode(rewrite, position, childTrie)
    if (position < 0) return -1
  }
  return position
}

/**
 * Reads the decimal number at `start` ending with the byte `terminator`, as long as String(Number(text)) gives the
 * same text back (no leading zeros, not too long); null otherwise. `single` allows only one digit (for "-1").
 */
export function readCanonicalDecimal(
  data: Buffer,
  start: number,
  terminator: number,
  single: boolean,
): { value: number; end: number } | null {
  let value = 0
  let position = start
  while (position < data.length && data[position]! >= 0x30 && data[position]! <= 0x39) {
    value = value * 10 + data[position]! - 0x30
    position++
  }
  const digits = position - start
  if (digits === 0 || digits > (single ? 1 : 9) || (digits > 1 && data[start] === 0x30)) return null
  return data[position] === terminator ? { value, end: position } : null
}
