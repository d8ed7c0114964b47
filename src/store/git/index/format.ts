/** The index file format: its types, the constants of its layout, and the byte helpers every part shares. */

import { createHash } from 'node:crypto'
import { BacklogError } from '../../../core/errors.js'
import type { Cursor } from './read.js'

export interface IndexEntry {
  ctimeSec: number
  ctimeNsec: number
  mtimeSec: number
  mtimeNsec: number
  dev: number
  ino: number
  mode: number
  uid: number
  gid: number
  size: number
  /** 40 hex chars. */
  oid: string
  /** 0 for a merged path, 1..3 for the sides of a conflict. */
  stage: number
  assumeValid: boolean
  /** v3+ 16-bit extended flags (SKIP_WORKTREE, INTENT_TO_ADD), 0 when absent. */
  extendedFlags: number
  /** utf8, '/' separated. */
  path: string
  /** The path's bytes when they are not valid UTF-8, so such an entry is written back exactly as git wrote it. */
  rawPath?: Buffer
}

export interface IndexExtension {
  signature: string
  data: Buffer
}

/**
 * An index from parseIndex or updateIndexEntries keeps its entries as git wrote them, so that a commit decodes and
 * encodes only the few entries it changes: on every commit the whole index is read and written, and it can hold
 * hundreds of thousands of entries. `entries` is decoded on first read; from then on that array is the index's
 * content (changes made to it are written) and serializing encodes every entry again. parseIndex keeps the buffer it
 * is given, which must not change afterwards.
 */
export interface GitIndex {
  version: 2 | 3 | 4
  entries: IndexEntry[]
  extensions: IndexExtension[]
}

/** A node of the cache tree (TREE extension); entryCount -1 marks a directory git must hash again. */
export interface CacheTreeNode {
  name: Buffer
  entryCount: number
  oid: string | null
  children: CacheTreeNode[]
}

export const SKIP_WORKTREE = 0x4000
export const INTENT_TO_ADD = 0x2000

export const SIGNATURE = 'DIRC'
export const HEADER_SIZE = 12
export const HASH_SIZE = 20
export const SHA256_SIZE = 32
export const ENTRY_FIXED_SIZE = 62
/** Both the padded and the prefix-compressed forms take at least this much, even with an empty path. */
export const MIN_ENTRY_SIZE = 64
export const FLAGS_OFFSET = 60
export const FLAG_ASSUME_VALID = 0x8000
export const FLAG_EXTENDED = 0x4000
export const FLAG_STAGE_MASK = 0x3000
export const NAME_LENGTH_MASK = 0xfff
export const KNOWN_EXTENDED_FLAGS = SKIP_WORKTREE | INTENT_TO_ADD
export const VALID_MODES = new Set([0o100644, 0o100755, 0o120000, 0o160000])
export const OID_PATTERN = /^[0-9a-f]{40}$/
export const IEOT_VERSION = 1
/**
 * A v4 path can only be decoded from the one before it, so every this-many entries the full path is kept: finding a
 * path then takes a binary search over those and a few decoding steps.
 */
export const CHECKPOINT_INTERVAL = 16
export const EMPTY = Buffer.alloc(0)
/** Masks of the last 0 to 4 bytes of a big-endian 32-bit word. */
export const LOW_BYTES_MASK = [0, 0xff, 0xffff, 0xffffff, 0xffffffff]
export const NUL = Buffer.alloc(1)
/** The ten 32-bit fields at the start of every entry, in on-disk order. */
export const STAT_FIELDS = [
  'ctimeSec',
  'ctimeNsec',
  'mtimeSec',
  'mtimeNsec',
  'dev',
  'ino',
  'mode',
  'uid',
  'gid',
  'size',
] as const
/** Extensions that describe entry positions or offsets: stale once entries change, and git rebuilds them. */
export const POSITIONAL_EXTENSIONS = new Set(['EOIE', 'IEOT', 'FSMN'])
export const REBUILD_HINT = 'Rebuild it with `rm .git/index && git reset` (this unstages staged changes) and try again.'
// Shared helpers

export function pathBytesOf(entry: IndexEntry): Buffer {
  // rawPath only stands for the path while the lossy UTF-8 decoding of it is still what `path` says.
  if (entry.rawPath !== undefined && entry.rawPath.toString('utf8') === entry.path) return entry.rawPath
  return Buffer.from(entry.path, 'utf8')
}

/** Offset-encoded varint, as in OFS_DELTA pack entries: each continuation adds one so encodings are unique. */
export function readVarint(buffer: Buffer, end: number, cursor: Cursor): number {
  let byte = byteAt(buffer, end, cursor.offset++)
  let value = byte & 0x7f
  while (byte & 0x80) {
    byte = byteAt(buffer, end, cursor.offset++)
    value = (value + 1) * 128 + (byte & 0x7f)
  }
  return value
}

export function encodeVarint(value: number): Buffer {
  const bytes = [value % 128]
  let rest = Math.floor(value / 128)
  while (rest > 0) {
    rest -= 1
    bytes.unshift(0x80 | (rest % 128))
    rest = Math.floor(rest / 128)
  }
  return Buffer.from(bytes)
}

export function byteAt(buffer: Buffer, end: number, offset: number): number {
  const byte = buffer[offset]
  if (byte === undefined || offset >= end) throw corrupt(`it ends in the middle of an entry at byte ${offset}`)
  return byte
}

/** Compares a[aStart, aEnd) with b[bStart, bEnd) as git does, byte by byte; a JavaScript loop beats a native call
 * for the short stretches paths differ in. */
export function compareBytes(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart
  const bLength = bEnd - bStart
  const shorter = Math.min(aLength, bLength)
  for (let i = 0; i < shorter; i++) {
    const difference = a[aStart + i]! - b[bStart + i]!
    if (difference !== 0) return difference
  }
  return aLength - bLength
}

/** A bigger copy of buffer[0, used) with room for at least `needed` bytes. */
export function grow(buffer: Buffer, used: number, needed: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * buffer.length))
  buffer.copy(bigger, 0, 0, used)
  return bigger
}

/** Byte strings stored one after another in a single buffer. */
export class ByteList {
  data: Buffer = Buffer.allocUnsafe(4096)
  private length = 0
  private readonly ends: number[] = []

  push(bytes: Buffer, length: number): void {
    if (this.length + length > this.data.length) this.data = grow(this.data, this.length, this.length + length)
    // Paths are short: a loop costs less than setting up a native copy.
    for (let i = 0; i < length; i++) this.data[this.length + i] = bytes[i]!
    this.length += length
    this.ends.push(this.length)
  }

  /** Where the i-th string lies in `data`. */
  range(i: number): [number, number] {
    return [i === 0 ? 0 : this.ends[i - 1]!, this.ends[i]!]
  }
}

export function isAllZero(buffer: Buffer): boolean {
  return buffer.every((byte) => byte === 0)
}

export function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest()
}

export function corrupt(reason: string): BacklogError {
  return new BacklogError('INDEX_CORRUPT', `The git index (.git/index) is corrupt: ${reason}. ${REBUILD_HINT}`)
}
