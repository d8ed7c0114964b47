/** The untracked cache (UNTR extension) and the EWAH bitmaps it stores its flags in. */

import { encodeVarint, HASH_SIZE, NUL, readVarint } from './format.js'
import type { Cursor } from './read.js'
import { type DirectoryTrie, directoryTrie, latin1Key } from './update.js'

//
// The cache lists, per directory, the untracked names git found there, and git trusts a directory's list while the
// directory's stat data is unchanged. Staging a file that is already on disk or unstaging one that stays there does
// not touch any directory, so git would keep reporting stale `??` lines: the directories on a changed path have to
// be invalidated, as git's own untracked_cache_invalidate_path() does.

export interface UntrackedDirectory {
  name: Buffer
  untracked: Buffer[]
  children: UntrackedDirectory[]
  position: number
}

export interface UntrackedCache {
  header: Buffer
  directories: UntrackedDirectory[]
  valid: Set<number>
  checkOnly: Set<number>
  hashValidBitmap: Buffer
  stats: Map<number, Buffer>
  rest: Buffer
}

/** Bytes of stat data git keeps per valid directory: ctime, mtime (sec + nsec each), dev, ino, uid, gid, size. */
export const UNTRACKED_STAT_SIZE = 36
/** The fixed part after the ident: stat data of info/exclude and core.excludesFile, dir_flags, then two hashes. */
export const UNTRACKED_FIXED_SIZE = 2 * UNTRACKED_STAT_SIZE + 4 + 2 * HASH_SIZE

/**
 * Null when the cache cannot be read: git then ignores it, and dropping it only costs one full scan (git adds it
 * back itself when core.untrackedCache is true).
 */
export function invalidateUntrackedCacheData(data: Buffer, paths: string[]): Buffer | null {
  const rewritten = rewriteUntrackedCache(data, paths)
  if (rewritten !== undefined) return rewritten
  let cache: UntrackedCache | null
  try {
    cache = parseUntrackedCache(data)
  } catch {
    return null
  }
  if (cache === null) return data
  const root = cache.directories[0]
  if (root === undefined) return data
  for (const path of paths) invalidateUntrackedPath(cache, root, path)
  return serializeUntrackedCache(cache)
}

export interface UntrackedWalk {
  data: Buffer
  end: number
  cursor: Cursor
  /** The directories seen so far, which is also the position of the next one. */
  count: number
  /** 1 at the position of each directory to invalidate. */
  invalid: Uint8Array
  chunks: Buffer[]
  copied: number
}

/**
 * What parsing, invalidating and serializing the untracked cache gives, found without making objects of its
 * thousands of directories: their blocks are copied, the few invalidated ones rewritten, and the bitmaps re-encoded.
 * Undefined when the cache is empty or not exactly as git writes it, for the slower path to decide.
 */
export function rewriteUntrackedCache(data: Buffer, paths: string[]): Buffer | undefined {
  try {
    return rewriteUntrackedCacheOrThrow(data, directoryTrie(paths))
  } catch {
    return undefined
  }
}

export function rewriteUntrackedCacheOrThrow(data: Buffer, trie: DirectoryTrie | null): Buffer | undefined {
  if (data.length < 2 || data[data.length - 1] !== 0) return undefined
  const end = data.length - 1
  const cursor: Cursor = { offset: 0 }
  const identLength = readVarint(data, end, cursor)
  cursor.offset += identLength
  const excludeEnd = data.indexOf(0, cursor.offset + UNTRACKED_FIXED_SIZE)
  if (excludeEnd < 0 || excludeEnd >= end) return undefined
  cursor.offset = excludeEnd + 1
  const count = readVarint(data, end, cursor)
  if (count === 0) return undefined
  const walk: UntrackedWalk = { data, end, cursor, count: 0, invalid: new Uint8Array(count), chunks: [], copied: 0 }
  walkUntrackedDirectory(walk, () => trie)
  if (walk.count !== count) return undefined
  walk.chunks.push(data.subarray(walk.copied, cursor.offset))
  const valid = readBitmap(data, cursor, count)
  const checkOnly = readBitmap(data, cursor, count)
  const hashStart = cursor.offset
  if (valid === null || checkOnly === null || readBitmap(data, cursor, count) === null) return undefined
  const hashValidBitmap = data.subarray(hashStart, cursor.offset)
  const stats: Buffer[] = []
  for (let position = 0; position < count; position++) {
    if (valid[position] === 0) continue
    if (cursor.offset + UNTRACKED_STAT_SIZE > end) return undefined
    if (walk.invalid[position] === 0) stats.push(data.subarray(cursor.offset, cursor.offset + UNTRACKED_STAT_SIZE))
    cursor.offset += UNTRACKED_STAT_SIZE
  }
  return Buffer.concat([
    ...walk.chunks,
    encodeBitmap(valid, walk.invalid),
    encodeBitmap(checkOnly, walk.invalid),
    hashValidBitmap,
    ...stats,
    data.subarray(cursor.offset),
  ])
}

/** Walks one directory block and its subdirectories, rewriting the block if `trieOf` says to invalidate it. */
export function walkUntrackedDirectory(walk: UntrackedWalk, trieOf: (name: Buffer) => DirectoryTrie | null): void {
  const { data, end, cursor } = walk
  const blockStart = cursor.offset
  const untrackedCount = readVarint(data, end, cursor)
  const childCount = readVarint(data, end, cursor)
  const name = readNulTerminated(data, end, cursor)
  for (let i = 0; i < untrackedCount; i++) readNulTerminated(data, end, cursor)
  const position = walk.count++
  const trie = trieOf(name)
  if (trie !== null) {
    walk.invalid[position] = 1
    // Like invalidateUntrackedDirectory: the directory keeps no untracked names.
    walk.chunks.push(data.subarray(walk.copied, blockStart), encodeVarint(0), encodeVarint(childCount), name, NUL)
    walk.copied = cursor.offset
  }
  let childTrieOf: (name: Buffer) => DirectoryTrie | null = noTrie
  if (trie !== null && trie.children.size > 0) {
    // Like invalidateUntrackedPath, only the first child of a name is followed.
    const seen = new Set<string>()
    childTrieOf = (childName) => {
      const key = latin1Key(childName)
      const child = seen.has(key) ? null : (trie.children.get(key) ?? null)
      seen.add(key)
      return child
    }
  }
  for (let i = 0; i < childCount; i++) walkUntrackedDirectory(walk, childTrieOf)
}

export function noTrie(): null {
  return null
}

/** An EWAH bitmap (see readEwah) as one byte per directory, or null when it sets a bit past the last directory. */
export function readBitmap(data: Buffer, cursor: Cursor, size: number): Uint8Array | null {
  if (cursor.offset + 8 > data.length) return null
  const wordCount = data.readUInt32BE(cursor.offset + 4)
  const wordsStart = cursor.offset + 8
  if (wordsStart + wordCount * 8 + 4 > data.length) return null
  const bits = new Uint8Array(size)
  let position = 0
  let word = 0
  while (word < wordCount) {
    const high = data.readUInt32BE(wordsStart + word * 8)
    const low = data.readUInt32BE(wordsStart + word * 8 + 4)
    const runWords = (low >>> 1) + (high & 1) * 0x80000000
    if (low & 1) {
      if (position + runWords * 64 > size) return null
      bits.fill(1, position, position + runWords * 64)
    }
    position += runWords * 64
    word += 1
    for (let i = 0; i < high >>> 1 && word < wordCount; i++, word++) {
      for (let half = 0; half < 2; half++) {
        // Big-endian: the high half of the word holds bits 32..63.
        const value = data.readUInt32BE(wordsStart + word * 8 + 4 - half * 4)
        for (let bit = 0; bit < 32; bit++) {
          if (((value >>> bit) & 1) === 0) continue
          if (position + half * 32 + bit >= size) return null
          bits[position + half * 32 + bit] = 1
        }
      }
      position += 64
    }
  }
  cursor.offset = wordsStart + wordCount * 8 + 4
  return bits
}

/** encodeEwah of the bits set in `bits` and not in `cleared`. */
export function encodeBitmap(bits: Uint8Array, cleared: Uint8Array): Buffer {
  let bitCount = 0
  for (let position = bits.length - 1; position >= 0; position--) {
    if (bits[position] === 1 && cleared[position] === 0) {
      bitCount = position + 1
      break
    }
  }
  const literalCount = Math.ceil(bitCount / 64)
  const buffer = Buffer.alloc(8 + (literalCount + 1) * 8 + 4)
  buffer.writeUInt32BE(bitCount, 0)
  buffer.writeUInt32BE(literalCount + 1, 4)
  // The run-length word: no run, then literalCount literal words (bits 33..63).
  buffer.writeUInt32BE(literalCount * 2, 8)
  for (let position = 0; position < bitCount; position++) {
    if (bits[position] !== 1 || cleared[position] !== 0) continue
    const offset = 16 + Math.floor(position / 64) * 8 + (position % 64 < 32 ? 4 : 0)
    buffer.writeUInt32BE((buffer.readUInt32BE(offset) | (1 << (position % 32))) >>> 0, offset)
  }
  return buffer
}

/** Null when the cache has no directories yet, so there is nothing to invalidate. */
export function parseUntrackedCache(data: Buffer): UntrackedCache | null {
  if (data.length < 2 || data[data.length - 1] !== 0) throw new Error('untracked cache does not end with NUL')
  const end = data.length - 1
  const cursor: Cursor = { offset: 0 }
  const identLength = readVarint(data, end, cursor)
  cursor.offset += identLength
  const excludeEnd = data.indexOf(0, cursor.offset + UNTRACKED_FIXED_SIZE)
  if (excludeEnd < 0 || excludeEnd > end) throw new Error('untracked cache header is truncated')
  const header = data.subarray(0, excludeEnd + 1)
  cursor.offset = excludeEnd + 1
  if (cursor.offset >= end) return null
  const count = readVarint(data, end, cursor)
  if (count === 0) return null
  const directories: UntrackedDirectory[] = []
  readUntrackedDirectory(data, end, cursor, directories)
  if (directories.length !== count) throw new Error('untracked cache directory count mismatch')
  const valid = readEwah(data, cursor, directories.length)
  const checkOnly = readEwah(data, cursor, directories.length)
  const hashStart = cursor.offset
  readEwah(data, cursor, directories.length)
  const hashValidBitmap = data.subarray(hashStart, cursor.offset)
  const stats = new Map<number, Buffer>()
  for (const position of [...valid].sort((a, b) => a - b)) {
    if (cursor.offset + UNTRACKED_STAT_SIZE > end) throw new Error('untracked cache stat data is truncated')
    stats.set(position, data.subarray(cursor.offset, cursor.offset + UNTRACKED_STAT_SIZE))
    cursor.offset += UNTRACKED_STAT_SIZE
  }
  return { header, directories, valid, checkOnly, hashValidBitmap, stats, rest: data.subarray(cursor.offset) }
}

export function readUntrackedDirectory(
  data: Buffer,
  end: number,
  cursor: Cursor,
  directories: UntrackedDirectory[],
): UntrackedDirectory {
  const untrackedCount = readVarint(data, end, cursor)
  const childCount = readVarint(data, end, cursor)
  const name = readNulTerminated(data, end, cursor)
  const untracked: Buffer[] = []
  for (let i = 0; i < untrackedCount; i++) untracked.push(readNulTerminated(data, end, cursor))
  const directory: UntrackedDirectory = { name, untracked, children: [], position: directories.length }
  directories.push(directory)
  for (let i = 0; i < childCount; i++) directory.children.push(readUntrackedDirectory(data, end, cursor, directories))
  return directory
}

export function readNulTerminated(data: Buffer, end: number, cursor: Cursor): Buffer {
  const nul = data.indexOf(0, cursor.offset)
  if (nul < 0 || nul >= end) throw new Error('untracked cache string is not terminated')
  const value = data.subarray(cursor.offset, nul)
  cursor.offset = nul + 1
  return value
}

/** Invalidates every directory from the root down to the one holding `path`, a superset of what git invalidates. */
export function invalidateUntrackedPath(cache: UntrackedCache, root: UntrackedDirectory, path: string): void {
  let directory: UntrackedDirectory | undefined = root
  invalidateUntrackedDirectory(cache, root)
  for (const part of path.split('/').slice(0, -1)) {
    const name = Buffer.from(part, 'utf8')
    directory = directory.children.find((child) => child.name.equals(name))
    if (directory === undefined) return
    invalidateUntrackedDirectory(cache, directory)
  }
}

export function invalidateUntrackedDirectory(cache: UntrackedCache, directory: UntrackedDirectory): void {
  // Mirrors git's write_one_dir(): an invalid directory keeps no untracked names and no check-only bit.
  cache.valid.delete(directory.position)
  cache.checkOnly.delete(directory.position)
  cache.stats.delete(directory.position)
  directory.untracked = []
}

export function serializeUntrackedCache(cache: UntrackedCache): Buffer {
  const blocks = cache.directories.flatMap((directory) => [
    encodeVarint(directory.untracked.length),
    encodeVarint(directory.children.length),
    ...[directory.name, ...directory.untracked].flatMap((name) => [name, Buffer.alloc(1)]),
  ])
  const stats = [...cache.stats].sort(([a], [b]) => a - b).map(([, stat]) => stat)
  return Buffer.concat([
    cache.header,
    encodeVarint(cache.directories.length),
    ...blocks,
    encodeEwah(cache.valid),
    encodeEwah(cache.checkOnly),
    cache.hashValidBitmap,
    ...stats,
    cache.rest,
  ])
}

// EWAH bitmaps as git stores them: bit count, word count, 64-bit words, position of the last run-length word.
// A run-length word holds the run bit (bit 0), the run length in words (bits 1..32) and a literal count (33..63).

/**
 * `size` is the number of directories. Git sets no bit past it, and a corrupt length must not make this add bits, or
 * encodeEwah allocate words, for ages: such a bitmap makes the cache unreadable.
 */
export function readEwah(data: Buffer, cursor: Cursor, size: number): Set<number> {
  if (cursor.offset + 8 > data.length) throw new Error('EWAH bitmap is truncated')
  const wordCount = data.readUInt32BE(cursor.offset + 4)
  const wordsStart = cursor.offset + 8
  if (wordsStart + wordCount * 8 + 4 > data.length) throw new Error('EWAH bitmap is truncated')
  const bits = new Set<number>()
  let position = 0
  let word = 0
  while (word < wordCount) {
    const marker = data.readBigUInt64BE(wordsStart + word * 8)
    const runWords = Number((marker >> 1n) & 0xffffffffn)
    const literalWords = Number(marker >> 33n)
    if (marker & 1n) {
      if (runWords > 0 && position + runWords * 64 > size + 64) throw new Error('EWAH bitmap sets bits past the cache')
      for (let i = 0; i < runWords * 64; i++) bits.add(position + i)
    }
    position += runWords * 64
    word += 1
    for (let i = 0; i < literalWords && word < wordCount; i++, word++) {
      const literal = data.readBigUInt64BE(wordsStart + word * 8)
      for (let bit = 0; bit < 64; bit++) {
        if (((literal >> BigInt(bit)) & 1n) === 0n) continue
        if (position + bit >= size + 64) throw new Error('EWAH bitmap sets bits past the cache')
        bits.add(position + bit)
      }
      position += 64
    }
  }
  cursor.offset = wordsStart + wordCount * 8 + 4
  return bits
}

/** Encodes with one run-length word followed by literal words: not git's most compact form, but one it reads. */
export function encodeEwah(bits: Set<number>): Buffer {
  const bitCount = [...bits].reduce((highest, bit) => Math.max(highest, bit + 1), 0)
  const literals = Array.from({ length: Math.ceil(bitCount / 64) }, () => 0n)
  for (const bit of bits) literals[Math.floor(bit / 64)]! |= 1n << BigInt(bit % 64)
  const buffer = Buffer.alloc(8 + (literals.length + 1) * 8 + 4)
  buffer.writeUInt32BE(bitCount, 0)
  buffer.writeUInt32BE(literals.length + 1, 4)
  buffer.writeBigUInt64BE(BigInt(literals.length) << 33n, 8)
  literals.forEach((literal, i) => {
    buffer.writeBigUInt64BE(literal, 16 + i * 8)
  })
  buffer.writeUInt32BE(0, buffer.length - 4)
  return buffer
}

// ---------------------------------------------------------------------------------------------------------------
