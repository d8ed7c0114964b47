/** Reads and writes .git/index so git-backlog can stage its own paths without losing anything git keeps there. */

import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import type { BigIntStats, Stats } from 'node:fs'
import { BacklogError } from '../../core/errors.js'

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

const SIGNATURE = 'DIRC'
const HEADER_SIZE = 12
const HASH_SIZE = 20
const SHA256_SIZE = 32
const ENTRY_FIXED_SIZE = 62
/** Both the padded and the prefix-compressed forms take at least this much, even with an empty path. */
const MIN_ENTRY_SIZE = 64
const FLAGS_OFFSET = 60
const FLAG_ASSUME_VALID = 0x8000
const FLAG_EXTENDED = 0x4000
const FLAG_STAGE_MASK = 0x3000
const NAME_LENGTH_MASK = 0xfff
const KNOWN_EXTENDED_FLAGS = SKIP_WORKTREE | INTENT_TO_ADD
const VALID_MODES = new Set([0o100644, 0o100755, 0o120000, 0o160000])
const OID_PATTERN = /^[0-9a-f]{40}$/
const IEOT_VERSION = 1
/**
 * A v4 path can only be decoded from the one before it, so every this-many entries the full path is kept: finding a
 * path then takes a binary search over those and a few decoding steps.
 */
const CHECKPOINT_INTERVAL = 16
const EMPTY = Buffer.alloc(0)
/** Masks of the last 0 to 4 bytes of a big-endian 32-bit word. */
const LOW_BYTES_MASK = [0, 0xff, 0xffff, 0xffffff, 0xffffffff]
const NUL = Buffer.alloc(1)
/** The ten 32-bit fields at the start of every entry, in on-disk order. */
const STAT_FIELDS = [
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
const POSITIONAL_EXTENSIONS = new Set(['EOIE', 'IEOT', 'FSMN'])
const REBUILD_HINT = 'Rebuild it with `rm .git/index && git reset` (this unstages staged changes) and try again.'

// ---------------------------------------------------------------------------------------------------------------
// Reading

interface Cursor {
  offset: number
}

export interface ParseOptions {
  /**
   * The index file's modification time in seconds, when the index will be written again: entries modified in that
   * second or later are "racily clean" (git trusts their stat only while the index keeps its old time) and are
   * smudged (size 0) as git's own writer does, so git compares their content instead of trusting the stat.
   */
  racyFrom?: number
}

export function parseIndex(buffer: Buffer, options: ParseOptions = {}): GitIndex {
  const version = readHeaderVersion(buffer)
  verifyChecksum(buffer)
  const end = buffer.length - HASH_SIZE
  const count = buffer.readUInt32BE(8)
  const scan = version === 4 ? scanCompressedEntries(buffer, end, count) : scanPaddedEntries(buffer, end, count)
  if (options.racyFrom !== undefined && scan.problem === null) smudgeRacilyClean(buffer, scan, count, options.racyFrom)
  // A split or sparse index has entries that break the usual rules (empty or directory paths), so refusing such an
  // index, which its extensions tell, must come before any complaint about its entries.
  const extensions = readExtensions(buffer, scan.entriesEnd, end, scan.problem)
  if (scan.problem !== null) throw scan.problem
  return indexOver(version, EntryList.whole(new RawEntries(buffer, version, count, scan)), extensions)
}

/**
 * Sets the size of every entry modified in second `from` or later to 0 (the fixed fields are the same in every
 * version), in the buffer the entries are copied from. Without this, an index rewritten with a newer time would make a
 * same-size edit made in the second of the last index write invisible to git (git's racy-git.txt).
 */
function smudgeRacilyClean(buffer: Buffer, scan: EntryScan, count: number, from: number): void {
  for (let i = 0; i < count; i++) {
    const start = scan.starts[i] as number
    if (buffer.readUInt32BE(start + 8) >= from) buffer.writeUInt32BE(0, start + 36)
  }
}

function readHeaderVersion(buffer: Buffer): 2 | 3 | 4 {
  if (buffer.length < HEADER_SIZE + HASH_SIZE || buffer.toString('latin1', 0, 4) !== SIGNATURE) {
    throw corrupt('it does not start with a git index header')
  }
  const version = buffer.readUInt32BE(4)
  if (version !== 2 && version !== 3 && version !== 4) {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      `The git index has format version ${version}; git-backlog understands versions 2 to 4. ` +
        'Run `git update-index --index-version 2` and try again.',
      { version },
    )
  }
  return version
}

function verifyChecksum(buffer: Buffer): void {
  const end = buffer.length - HASH_SIZE
  const trailer = buffer.subarray(end)
  // index.skipHash makes git write a null trailer instead of hashing large indexes.
  if (isAllZero(trailer) || sha1(buffer.subarray(0, end)).equals(trailer)) return
  if (hasSha256Checksum(buffer)) {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      'The repository uses SHA-256 object names; git-backlog only supports SHA-1 repositories. ' +
        'Use a SHA-1 repository for the backlog.',
    )
  }
  throw corrupt('its checksum does not match its content')
}

function hasSha256Checksum(buffer: Buffer): boolean {
  if (buffer.length < HEADER_SIZE + SHA256_SIZE) return false
  const end = buffer.length - SHA256_SIZE
  return createHash('sha256').update(buffer.subarray(0, end)).digest().equals(buffer.subarray(end))
}

/** What one pass over the entries learns, so that nothing needs to be decoded until it is asked for. */
interface EntryScan {
  /** Where each entry starts, then where the entries end. */
  starts: Uint32Array
  entriesEnd: number
  /** Entries, in order, that the writer would encode differently than the file does: they are encoded, not copied. */
  irregular: number[]
  /** Entries with extended flags set. */
  extendedCount: number
  /** v4: the full paths of entries 0, CHECKPOINT_INTERVAL, 2 * CHECKPOINT_INTERVAL..., one after another. */
  checkpoints: ByteList
  /** The first thing wrong with an entry, thrown only once the extensions are known not to be refused. */
  problem: BacklogError | null
}

function newScan(end: number, count: number): EntryScan {
  // A corrupt count must not allocate gigabytes: the entries are bound to run out of bytes before then.
  const fitting = Math.min(count, Math.floor((end - HEADER_SIZE) / MIN_ENTRY_SIZE) + 1)
  return {
    starts: new Uint32Array(fitting + 1),
    entriesEnd: HEADER_SIZE,
    irregular: [],
    extendedCount: 0,
    checkpoints: new ByteList(),
    problem: null,
  }
}

/** Walks v2/v3 entries, checking what parseIndex has always checked, with no allocation per entry. */
function scanPaddedEntries(buffer: Buffer, end: number, count: number): EntryScan {
  const scan = newScan(end, count)
  const { starts, irregular } = scan
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.length)
  let problem: BacklogError | null = null
  let extendedCount = 0
  let position = HEADER_SIZE
  let previousStart = 0
  let previousEnd = 0
  let previousStage = 0
  for (let i = 0; i < count; i++) {
    const start = position
    starts[i] = start
    if (start + ENTRY_FIXED_SIZE > end) throw problem ?? endsInEntry(start)
    const flags = (buffer[start + FLAGS_OFFSET]! << 8) | buffer[start + FLAGS_OFFSET + 1]!
    let nameStart = start + ENTRY_FIXED_SIZE
    let regular = true
    if (flags & FLAG_EXTENDED) {
      if (nameStart + 2 > end) throw problem ?? endsInEntry(start)
      const extendedFlags = (buffer[nameStart]! << 8) | buffer[nameStart + 1]!
      problem ??= unknownExtendedFlags(extendedFlags)
      // The writer leaves out a flag word of zero.
      if (extendedFlags === 0) regular = false
      else extendedCount++
      nameStart += 2
    }
    const nameLength = flags & NAME_LENGTH_MASK
    const nul = nameLength < NAME_LENGTH_MASK ? nameStart + nameLength : buffer.indexOf(0, nameStart + nameLength)
    if (nul < 0 || nul >= end || buffer[nul] !== 0) {
      throw problem ?? corrupt(`an entry's path is not terminated near byte ${start}`)
    }
    // Padding makes the entry a multiple of 8 bytes with at least one NUL after the path.
    position = start + ((nul - start + 8) & ~7)
    if (position > end) throw problem ?? endsInEntry(start)
    // The NUL and padding are the last 1 to 8 bytes of an entry of at least 64: two reads check them all.
    const zeros = position - nul
    const low = view.getUint32(position - 4)
    if (
      zeros <= 4
        ? (low & LOW_BYTES_MASK[zeros]!) !== 0
        : low !== 0 || (view.getUint32(position - 8) & LOW_BYTES_MASK[zeros - 4]!) !== 0
    ) {
      regular = false
    }
    const stage = (flags & FLAG_STAGE_MASK) >> 12
    // Once there is a problem parseIndex throws, so the checks below are of no more use.
    if (problem === null) {
      const shared = i === 0 ? 0 : sharedLengthIn(view, previousStart, previousEnd, nameStart, nul)
      if (i > 0) {
        const order =
          nameStart + shared < nul && previousStart + shared < previousEnd
            ? buffer[previousStart + shared]! - buffer[nameStart + shared]!
            : previousEnd - previousStart - (nul - nameStart)
        if (!inOrder(order, previousStage, stage)) problem = unsorted(buffer.subarray(nameStart, nul))
      }
      // The writer refuses an empty path or one with a NUL, which a wrong name length can bring in, so such an entry
      // must go through it. The shared part was checked with the previous path.
      if (nul === nameStart) regular = false
      for (let p = nameStart + shared; p < nul; p++) if (buffer[p] === 0) regular = false
    }
    if (!regular) irregular.push(i)
    previousStart = nameStart
    previousEnd = nul
    previousStage = stage
  }
  starts[count] = position
  return { ...scan, entriesEnd: position, extendedCount, problem }
}

/** Walks v4 entries, rebuilding each path over the previous one in a single buffer. */
function scanCompressedEntries(buffer: Buffer, end: number, count: number): EntryScan {
  const scan = newScan(end, count)
  const { starts, irregular, checkpoints } = scan
  let problem: BacklogError | null = null
  let extendedCount = 0
  let position = HEADER_SIZE
  let path: Buffer = Buffer.allocUnsafe(4096)
  let length = 0
  let previousStage = 0
  for (let i = 0; i < count; i++) {
    const start = position
    starts[i] = start
    if (start + ENTRY_FIXED_SIZE > end) throw problem ?? endsInEntry(start)
    const flags = (buffer[start + FLAGS_OFFSET]! << 8) | buffer[start + FLAGS_OFFSET + 1]!
    let nameStart = start + ENTRY_FIXED_SIZE
    let regular = true
    if (flags & FLAG_EXTENDED) {
      if (nameStart + 2 > end) throw problem ?? endsInEntry(start)
      const extendedFlags = (buffer[nameStart]! << 8) | buffer[nameStart + 1]!
      problem ??= unknownExtendedFlags(extendedFlags)
      if (extendedFlags === 0) regular = false
      else extendedCount++
      nameStart += 2
    }
    let p = nameStart
    if (p >= end) throw problem ?? endsInEntry(p)
    let byte = buffer[p++]!
    let strip = byte & 0x7f
    while (byte & 0x80) {
      if (p >= end) throw problem ?? endsInEntry(p)
      byte = buffer[p++]!
      strip = (strip + 1) * 128 + (byte & 0x7f)
    }
    const keep = length - strip
    if (keep < 0) throw problem ?? corrupt(`a prefix-compressed path is malformed near byte ${nameStart}`)
    // The writer shares the longest prefix it can, so an entry that shares less (an IEOT block start) is irregular.
    if (keep < length && p < end && buffer[p] !== 0 && buffer[p] === path[keep]) regular = false
    // Overwrites the previous path's tail with the new suffix, comparing the two on the way for the order check.
    let order = 0
    let q = keep
    for (;;) {
      if (p >= end) throw problem ?? corrupt(`a prefix-compressed path is malformed near byte ${nameStart}`)
      const next = buffer[p++]!
      if (next === 0) break
      if (order === 0) order = q < length ? path[q]! - next : -1
      if (q === path.length) path = grow(path, q, q + 1)
      path[q++] = next
    }
    if (order === 0) order = length - q
    length = q
    position = p
    const nameLength = flags & NAME_LENGTH_MASK
    if (nameLength < NAME_LENGTH_MASK && nameLength !== length) {
      problem ??= corrupt(`an entry's name length does not match its path near byte ${start}`)
    }
    // The writer puts the real length there whenever it fits.
    if (nameLength === NAME_LENGTH_MASK && length < NAME_LENGTH_MASK) regular = false
    if (!regular || length === 0) irregular.push(i)
    const stage = (flags & FLAG_STAGE_MASK) >> 12
    if (i > 0 && problem === null && !inOrder(order, previousStage, stage)) problem = unsorted(path.subarray(0, length))
    previousStage = stage
    if (i % CHECKPOINT_INTERVAL === 0) checkpoints.push(path, length)
  }
  starts[count] = position
  return { ...scan, entriesEnd: position, extendedCount, problem }
}

function unknownExtendedFlags(extendedFlags: number): BacklogError | null {
  if ((extendedFlags & ~KNOWN_EXTENDED_FLAGS) === 0) return null
  return new BacklogError(
    'REPO_UNSUPPORTED',
    `The git index has an entry with unknown extended flags 0x${extendedFlags.toString(16)}, ` +
      'written by a newer git; git-backlog cannot update it safely. Upgrade git-backlog or stage the backlog with git.',
    { extendedFlags },
  )
}

/**
 * How many leading bytes two paths of the same index file share. Four bytes at a time, as consecutive paths share
 * long prefixes and this runs once per entry.
 */
function sharedLengthIn(view: DataView, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart)
  let i = 0
  while (i + 4 <= shorter && view.getUint32(aStart + i) === view.getUint32(bStart + i)) i += 4
  while (i < shorter && view.getUint8(aStart + i) === view.getUint8(bStart + i)) i++
  return i
}

/** Whether an entry may follow one whose path compared as `order` to its own: by path, then by conflict stage. */
function inOrder(order: number, previousStage: number, stage: number): boolean {
  return order < 0 || (order === 0 && previousStage < stage && previousStage !== 0)
}

function unsorted(path: Buffer): BacklogError {
  return corrupt(`its entries are not sorted (at \`${path.toString('utf8')}\`)`)
}

function endsInEntry(offset: number): BacklogError {
  return corrupt(`it ends in the middle of an entry at byte ${offset}`)
}

function readExtensions(buffer: Buffer, offset: number, end: number, problem: BacklogError | null): IndexExtension[] {
  const extensions: IndexExtension[] = []
  let position = offset
  while (position + 8 <= end) {
    const signature = buffer.toString('latin1', position, position + 4)
    const size = buffer.readUInt32BE(position + 4)
    const dataStart = position + 8
    if (dataStart + size > end) throw problem ?? corrupt(`its \`${signature}\` extension runs past the end of the file`)
    assertExtensionSupported(signature)
    extensions.push({ signature, data: Buffer.from(buffer.subarray(dataStart, dataStart + size)) })
    position = dataStart + size
  }
  if (position !== end) throw problem ?? corrupt('it has trailing bytes after its extensions')
  return extensions
}

function assertExtensionSupported(signature: string): void {
  if (signature === 'link') {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      'The git index is split (core.splitIndex); git-backlog cannot update it safely. ' +
        'Run `git update-index --no-split-index` and try again.',
      { extension: signature },
    )
  }
  if (signature === 'sdir') {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      'The git index is a sparse index; git-backlog cannot update it safely. ' +
        'Run `git sparse-checkout disable` or `git config index.sparse false && git sparse-checkout reapply`, ' +
        'then try again.',
      { extension: signature },
    )
  }
  // Git's own rule: only extensions starting with 'A'..'Z' may be ignored by a reader that does not know them.
  const first = signature.charCodeAt(0)
  if (first >= 0x41 && first <= 0x5a) return
  throw new BacklogError(
    'REPO_UNSUPPORTED',
    `The git index uses the extension \`${signature}\`, which git-backlog does not understand, so it cannot ` +
      'update the index safely. Turn off the git feature that writes it, or stage the backlog with git itself.',
    { extension: signature },
  )
}

/** Decodes the entry at `start` of an index file whose path is `pathBytes`. */
function decodeEntry(buffer: Buffer, start: number, pathBytes: Buffer): IndexEntry {
  const flags = buffer.readUInt16BE(start + FLAGS_OFFSET)
  const entry: IndexEntry = {
    ctimeSec: buffer.readUInt32BE(start),
    ctimeNsec: buffer.readUInt32BE(start + 4),
    mtimeSec: buffer.readUInt32BE(start + 8),
    mtimeNsec: buffer.readUInt32BE(start + 12),
    dev: buffer.readUInt32BE(start + 16),
    ino: buffer.readUInt32BE(start + 20),
    mode: buffer.readUInt32BE(start + 24),
    uid: buffer.readUInt32BE(start + 28),
    gid: buffer.readUInt32BE(start + 32),
    size: buffer.readUInt32BE(start + 36),
    oid: buffer.toString('hex', start + 40, start + 60),
    stage: (flags & FLAG_STAGE_MASK) >> 12,
    assumeValid: (flags & FLAG_ASSUME_VALID) !== 0,
    extendedFlags: flags & FLAG_EXTENDED ? buffer.readUInt16BE(start + ENTRY_FIXED_SIZE) : 0,
    path: pathBytes.toString('utf8'),
  }
  if (!isUtf8(pathBytes)) entry.rawPath = pathBytes
  return entry
}

// ---------------------------------------------------------------------------------------------------------------
// Entry sources and lists
//
// An index's entries are a list of parts: runs of a source's entries, in order, and single entries an update added.
// The source is the index file itself (RawEntries) or, for an index built or read as objects, an array of entries.

interface EntrySource {
  readonly count: number
  /** Entry i's path bytes; they stay valid after further calls. */
  pathAt(i: number): Buffer
  entryAt(i: number): IndexEntry
  /** The first position in [from, to) whose path sorts at or after `key`, or `to`. */
  lowerBound(key: Buffer, from: number, to: number): number
  decodeRange(from: number, to: number, into: IndexEntry[]): void
  hasExtendedFlags(from: number, to: number): boolean
  writeRange(writer: IndexWriter, from: number, to: number): void
  /** About how many bytes entries [from, to) take when written. */
  sizeOf(from: number, to: number): number
}

/** Entries as git wrote them in an index file, read only where asked. */
class RawEntries implements EntrySource {
  private readonly starts: Uint32Array
  private readonly irregular: number[]
  private readonly extendedCount: number
  private readonly checkpoints: ByteList
  /** v4: the full path of entry `pathIndex`, the place from which the next ones are decoded. */
  private path: Buffer = Buffer.allocUnsafe(1024)
  private pathLength = 0
  private pathIndex = -1

  constructor(
    private readonly buffer: Buffer,
    readonly version: 2 | 3 | 4,
    readonly count: number,
    scan: EntryScan,
  ) {
    this.starts = scan.starts
    this.irregular = scan.irregular
    this.extendedCount = scan.extendedCount
    this.checkpoints = scan.checkpoints
  }

  pathAt(i: number): Buffer {
    if (this.version !== 4) {
      const nameStart = this.nameStart(i)
      return this.buffer.subarray(nameStart, this.paddedNameEnd(i, nameStart))
    }
    this.decodePath(i)
    return Buffer.from(this.path.subarray(0, this.pathLength))
  }

  entryAt(i: number): IndexEntry {
    return decodeEntry(this.buffer, this.starts[i]!, this.pathAt(i))
  }

  lowerBound(key: Buffer, from: number, to: number): number {
    if (this.version !== 4) {
      let low = from
      let high = to
      while (low < high) {
        const middle = (low + high) >>> 1
        if (this.compareAt(middle, key) < 0) low = middle + 1
        else high = middle
      }
      return low
    }
    // Binary search over the checkpoints in [from, to), then a walk through the entries after the last one below.
    const firstCheckpoint = Math.ceil(from / CHECKPOINT_INTERVAL)
    let low = firstCheckpoint
    let high = Math.ceil(to / CHECKPOINT_INTERVAL)
    while (low < high) {
      const middle = (low + high) >>> 1
      const [start, end] = this.checkpoints.range(middle)
      if (compareBytes(this.checkpoints.data, start, end, key, 0, key.length) < 0) low = middle + 1
      else high = middle
    }
    const walkTo = Math.min(to, low * CHECKPOINT_INTERVAL)
    for (let i = low > firstCheckpoint ? (low - 1) * CHECKPOINT_INTERVAL : from; i < walkTo; i++) {
      if (this.compareAt(i, key) >= 0) return i
    }
    return walkTo
  }

  decodeRange(from: number, to: number, into: IndexEntry[]): void {
    for (let i = from; i < to; i++) into.push(this.entryAt(i))
  }

  hasExtendedFlags(from: number, to: number): boolean {
    if (this.extendedCount === 0) return false
    for (let i = from; i < to; i++) {
      const start = this.starts[i]!
      if (this.buffer.readUInt16BE(start + FLAGS_OFFSET) & FLAG_EXTENDED) {
        if (this.buffer.readUInt16BE(start + ENTRY_FIXED_SIZE) !== 0) return true
      }
    }
    return false
  }

  /** Copies the bytes of runs of entries the writer would encode the same way, and encodes the others. */
  writeRange(writer: IndexWriter, from: number, to: number): void {
    const sameEncoding = (this.version === 4) === (writer.version === 4)
    for (let i = from; i < to; ) {
      // A v4 entry is encoded against the one before it, which changes at the start of a run and of an IEOT block.
      const newContext = writer.version === 4 && (i === from || writer.atBlockStart())
      if (!sameEncoding || newContext || this.nextIrregular(i) === i) {
        const path = this.pathAt(i)
        writer.writeEntry(decodeEntry(this.buffer, this.starts[i]!, path), path)
        i++
        continue
      }
      const next = Math.min(to, this.nextIrregular(i + 1), i + writer.entriesBeforeNextBlock())
      writer.copyEntries(this.buffer, this.starts[i]!, this.starts[next]!, next - i, { source: this, index: next - 1 })
      i = next
    }
  }

  sizeOf(from: number, to: number): number {
    return this.starts[to]! - this.starts[from]!
  }

  /** The first irregular entry at or after i, or Infinity. */
  private nextIrregular(i: number): number {
    let low = 0
    let high = this.irregular.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (this.irregular[middle]! < i) low = middle + 1
      else high = middle
    }
    return this.irregular[low] ?? Number.POSITIVE_INFINITY
  }

  private compareAt(i: number, key: Buffer): number {
    if (this.version !== 4) {
      const nameStart = this.nameStart(i)
      return compareBytes(this.buffer, nameStart, this.paddedNameEnd(i, nameStart), key, 0, key.length)
    }
    this.decodePath(i)
    return compareBytes(this.path, 0, this.pathLength, key, 0, key.length)
  }

  private nameStart(i: number): number {
    const start = this.starts[i]!
    return start + ENTRY_FIXED_SIZE + (this.buffer[start + FLAGS_OFFSET]! & (FLAG_EXTENDED >> 8) ? 2 : 0)
  }

  private paddedNameEnd(i: number, nameStart: number): number {
    const nameLength = this.buffer.readUInt16BE(this.starts[i]! + FLAGS_OFFSET) & NAME_LENGTH_MASK
    return nameLength < NAME_LENGTH_MASK ? nameStart + nameLength : this.buffer.indexOf(0, nameStart + nameLength)
  }

  /** Leaves entry i's full path in `this.path`, decoding forward from where it is or from the nearest checkpoint. */
  private decodePath(i: number): void {
    const checkpoint = Math.floor(i / CHECKPOINT_INTERVAL)
    if (this.pathIndex > i || this.pathIndex < checkpoint * CHECKPOINT_INTERVAL) {
      const [start, end] = this.checkpoints.range(checkpoint)
      if (end - start > this.path.length) this.path = Buffer.allocUnsafe(2 * (end - start))
      this.checkpoints.data.copy(this.path, 0, start, end)
      this.pathLength = end - start
      this.pathIndex = checkpoint * CHECKPOINT_INTERVAL
    }
    while (this.pathIndex < i) this.decodeNextPath()
  }

  private decodeNextPath(): void {
    const buffer = this.buffer
    this.pathIndex++
    let p = this.nameStart(this.pathIndex)
    let byte = buffer[p++]!
    let strip = byte & 0x7f
    while (byte & 0x80) {
      byte = buffer[p++]!
      strip = (strip + 1) * 128 + (byte & 0x7f)
    }
    let q = this.pathLength - strip
    for (let next = buffer[p++]; next !== 0 && next !== undefined; next = buffer[p++]) {
      if (q === this.path.length) this.path = grow(this.path, q, q + 1)
      this.path[q++] = next
    }
    this.pathLength = q
  }
}

/** Entries given as objects: an index built by hand, or one whose `entries` were read. */
class DecodedEntries implements EntrySource {
  private readonly entries: IndexEntry[]
  readonly count: number

  constructor(entries: IndexEntry[]) {
    // A copy, as the caller keeps the array and may change it.
    this.entries = [...entries]
    this.count = this.entries.length
  }

  pathAt(i: number): Buffer {
    return pathBytesOf(this.entries[i]!)
  }

  entryAt(i: number): IndexEntry {
    return this.entries[i]!
  }

  lowerBound(key: Buffer, from: number, to: number): number {
    let low = from
    let high = to
    while (low < high) {
      const middle = (low + high) >>> 1
      if (Buffer.compare(this.pathAt(middle), key) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  decodeRange(from: number, to: number, into: IndexEntry[]): void {
    for (let i = from; i < to; i++) into.push(this.entries[i]!)
  }

  hasExtendedFlags(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (this.entries[i]!.extendedFlags !== 0) return true
    return false
  }

  writeRange(writer: IndexWriter, from: number, to: number): void {
    for (let i = from; i < to; i++) writer.writeEntry(this.entries[i]!, this.pathAt(i))
  }

  sizeOf(from: number, to: number): number {
    return (to - from) * 128
  }
}

type Part = { kind: 'run'; from: number; to: number } | { kind: 'entry'; entry: IndexEntry }

/** An index's entries in order. It is never changed: an update makes a new list over the same source. */
class EntryList {
  readonly count: number

  constructor(
    readonly source: EntrySource,
    private readonly parts: Part[],
  ) {
    this.count = parts.reduce((total, part) => total + (part.kind === 'run' ? part.to - part.from : 1), 0)
  }

  static whole(source: EntrySource): EntryList {
    return new EntryList(source, source.count === 0 ? [] : [{ kind: 'run', from: 0, to: source.count }])
  }

  pathAt(i: number): Buffer {
    const { part, offset } = this.locate(i)
    return part.kind === 'run' ? this.source.pathAt(part.from + offset) : pathBytesOf(part.entry)
  }

  entryAt(i: number): IndexEntry {
    const { part, offset } = this.locate(i)
    return part.kind === 'run' ? this.source.entryAt(part.from + offset) : part.entry
  }

  /** The first position whose path sorts at or after `key`. */
  lowerBound(key: Buffer): number {
    let position = 0
    for (const part of this.parts) {
      if (part.kind === 'run') {
        const at = this.source.lowerBound(key, part.from, part.to)
        if (at < part.to) return position + at - part.from
        position += part.to - part.from
      } else {
        if (Buffer.compare(pathBytesOf(part.entry), key) >= 0) return position
        position++
      }
    }
    return position
  }

  /** Appends the parts holding entries [from, to) of this list to `into`. */
  appendParts(into: Part[], from: number, to: number): void {
    let position = 0
    for (const part of this.parts) {
      const size = part.kind === 'run' ? part.to - part.from : 1
      const start = Math.max(from, position)
      const end = Math.min(to, position + size)
      if (start < end) {
        if (part.kind === 'entry') into.push(part)
        else appendRun(into, part.from + start - position, part.from + end - position)
      }
      position += size
    }
  }

  decodeAll(): IndexEntry[] {
    const entries: IndexEntry[] = []
    for (const part of this.parts) {
      if (part.kind === 'run') this.source.decodeRange(part.from, part.to, entries)
      else entries.push(part.entry)
    }
    return entries
  }

  hasExtendedFlags(): boolean {
    return this.parts.some((part) =>
      part.kind === 'run' ? this.source.hasExtendedFlags(part.from, part.to) : part.entry.extendedFlags !== 0,
    )
  }

  write(writer: IndexWriter): void {
    for (const part of this.parts) {
      if (part.kind === 'run') this.source.writeRange(writer, part.from, part.to)
      else writer.writeEntry(part.entry, pathBytesOf(part.entry))
    }
  }

  sizeEstimate(): number {
    return this.parts.reduce(
      (total, part) =>
        total +
        (part.kind === 'run' ? this.source.sizeOf(part.from, part.to) : ENTRY_FIXED_SIZE + part.entry.path.length * 3) +
        256,
      0,
    )
  }

  private locate(i: number): { part: Part; offset: number } {
    let position = 0
    for (const part of this.parts) {
      const size = part.kind === 'run' ? part.to - part.from : 1
      if (i < position + size) return { part, offset: i - position }
      position += size
    }
    throw new RangeError(`index entry ${i} is out of range`)
  }
}

function appendRun(into: Part[], from: number, to: number): void {
  const last = into[into.length - 1]
  if (last?.kind === 'run' && last.to === from) into[into.length - 1] = { kind: 'run', from: last.from, to }
  else into.push({ kind: 'run', from, to })
}

const entryLists = new WeakMap<GitIndex, EntryList>()

function indexOver(version: 2 | 3 | 4, list: EntryList, extensions: IndexExtension[]): GitIndex {
  const index: GitIndex = { version, entries: [], extensions }
  Object.defineProperty(index, 'entries', {
    configurable: true,
    enumerable: true,
    get: () => settleEntries(index, list.decodeAll()),
    set: (entries: IndexEntry[]) => {
      settleEntries(index, entries)
    },
  })
  entryLists.set(index, list)
  return index
}

/** Makes `entries` a plain property: the array, which its reader may change, is now what the index holds. */
function settleEntries(index: GitIndex, entries: IndexEntry[]): IndexEntry[] {
  entryLists.delete(index)
  Object.defineProperty(index, 'entries', { configurable: true, enumerable: true, writable: true, value: entries })
  return entries
}

function entryListOf(index: GitIndex): EntryList {
  return entryLists.get(index) ?? EntryList.whole(new DecodedEntries(index.entries))
}

/** The entries (every stage) of the given paths, in index order, decoding no others. */
export function findEntries(index: GitIndex, paths: Iterable<string>): IndexEntry[] {
  const list = entryListOf(index)
  const found: Array<{ at: number; entry: IndexEntry }> = []
  for (const path of new Set(paths)) {
    const key = Buffer.from(path, 'utf8')
    for (let at = list.lowerBound(key); at < list.count && list.pathAt(at).equals(key); at++) {
      found.push({ at, entry: list.entryAt(at) })
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ entry }) => entry)
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

export function serializeIndex(index: GitIndex): Buffer {
  const list = entryListOf(index)
  // Extended flags do not exist in v2, and git itself bumps such an index to v3.
  const version = index.version === 2 && list.hasExtendedFlags() ? 3 : index.version
  const blockStarts = readOffsetTableBlockStarts(index.extensions, list.count)
  const extensionsSize = index.extensions.reduce((total, extension) => total + 8 + extension.data.length, 0)
  // Room for a recomputed EOIE besides what the entries and other extensions take.
  const capacity = HEADER_SIZE + list.sizeEstimate() + extensionsSize + 64 + HASH_SIZE
  const writer = new IndexWriter(version, blockStarts, capacity)
  list.write(writer)
  writeExtensions(writer, index.extensions)
  return writer.finish()
}

/** Builds the index file in one buffer: header, entries, extensions, checksum. */
class IndexWriter {
  private buffer: Buffer
  length = HEADER_SIZE
  count = 0
  private readonly blockOffsets = new Map<number, number>()
  private nextBlock = 0
  private previous: Buffer = EMPTY
  /** Where to find the previous path when it was copied rather than encoded: only v4 needs it, and rarely. */
  private previousAt: { source: EntrySource; index: number } | null = null

  constructor(
    readonly version: 2 | 3 | 4,
    private readonly blockStarts: number[] | null,
    capacity: number,
  ) {
    this.buffer = Buffer.allocUnsafe(capacity)
  }

  /** Whether the next entry starts an IEOT block. */
  atBlockStart(): boolean {
    return this.blockStarts?.[this.nextBlock] === this.count
  }

  /** How many entries, starting with the next one, can be written before another IEOT block starts. */
  entriesBeforeNextBlock(): number {
    const next = this.blockStarts?.[this.atBlockStart() ? this.nextBlock + 1 : this.nextBlock]
    return next === undefined ? Number.POSITIVE_INFINITY : next - this.count
  }

  writeEntry(entry: IndexEntry, path: Buffer): void {
    this.reserve(ENTRY_FIXED_SIZE + 2 + path.length + 16)
    const blockStart = this.startEntries()
    const previous = this.version === 4 ? this.previousPath() : EMPTY
    // Git's threaded reader decodes each offset-table block on its own, so a block never shares a prefix.
    const sharedPrefix = blockStart ? EMPTY : previous
    this.length = writeEntry(this.buffer, this.length, { entry, path, version: this.version, previous, sharedPrefix })
    this.previous = path
    this.previousAt = null
    this.advance(1)
  }

  /** Copies `count` entries already encoded as this writer would encode them. */
  copyEntries(
    bytes: Buffer,
    start: number,
    end: number,
    count: number,
    last: { source: EntrySource; index: number },
  ): void {
    this.reserve(end - start)
    this.startEntries()
    bytes.copy(this.buffer, this.length, start, end)
    this.length += end - start
    this.previousAt = last
    this.advance(count)
  }

  append(bytes: Buffer): void {
    this.reserve(bytes.length)
    bytes.copy(this.buffer, this.length)
    this.length += bytes.length
  }

  offsetTable(): Buffer | null {
    const starts = this.blockStarts
    if (starts === null) return null
    const data = Buffer.alloc(4 + starts.length * 8)
    data.writeUInt32BE(IEOT_VERSION)
    starts.forEach((start, i) => {
      const next = starts[i + 1] ?? this.count
      data.writeUInt32BE(this.blockOffsets.get(start) ?? 0, 4 + i * 8)
      data.writeUInt32BE(next - start, 8 + i * 8)
    })
    return data
  }

  finish(): Buffer {
    this.buffer.write(SIGNATURE, 0, 'latin1')
    this.buffer.writeUInt32BE(this.version, 4)
    this.buffer.writeUInt32BE(this.count, 8)
    this.append(sha1(this.buffer.subarray(0, this.length)))
    const result = this.buffer.subarray(0, this.length)
    // An estimate far off (entries given as objects) should not keep the unused memory alive with the result.
    return this.buffer.length - this.length > 65536 + this.length / 8 ? Buffer.from(result) : result
  }

  /** Records where an IEOT block starts, if one starts at the next entry, and says whether it does. */
  private startEntries(): boolean {
    if (!this.atBlockStart()) return false
    this.blockOffsets.set(this.count, this.length)
    return true
  }

  private advance(count: number): void {
    this.count += count
    const starts = this.blockStarts
    if (starts === null) return
    while (this.nextBlock < starts.length && starts[this.nextBlock]! < this.count) this.nextBlock++
  }

  private previousPath(): Buffer {
    if (this.previousAt !== null) {
      this.previous = this.previousAt.source.pathAt(this.previousAt.index)
      this.previousAt = null
    }
    return this.previous
  }

  private reserve(size: number): void {
    if (this.length + size <= this.buffer.length) return
    this.buffer = grow(this.buffer, this.length, this.length + size)
  }
}

interface EntryToWrite {
  entry: IndexEntry
  path: Buffer
  version: number
  previous: Buffer
  sharedPrefix: Buffer
}

/** Writes one entry at `start` and returns where the next one begins. */
function writeEntry(
  target: Buffer,
  start: number,
  { entry, path, version, previous, sharedPrefix }: EntryToWrite,
): number {
  assertWritable(entry, path)
  STAT_FIELDS.forEach((field, i) => {
    // Git stores stat data truncated to 32 bits (sizes over 4 GiB, 64-bit inodes).
    target.writeUInt32BE(entry[field] >>> 0, start + i * 4)
  })
  target.write(entry.oid, start + 40, 'hex')
  const extended = entry.extendedFlags !== 0
  const flags =
    (entry.assumeValid ? FLAG_ASSUME_VALID : 0) |
    (extended ? FLAG_EXTENDED : 0) |
    (entry.stage << 12) |
    Math.min(path.length, NAME_LENGTH_MASK)
  target.writeUInt16BE(flags, start + 60)
  let position = start + ENTRY_FIXED_SIZE
  if (extended) position = target.writeUInt16BE(entry.extendedFlags, position)
  if (version === 4) {
    const common = commonPrefixLength(sharedPrefix, path)
    position += encodeVarint(previous.length - common).copy(target, position)
    position += path.copy(target, position, common)
    target[position] = 0
    return position + 1
  }
  position += path.copy(target, position)
  // Padding makes the entry a multiple of 8 bytes with at least one NUL after the path.
  const end = start + ((position - start + 8) & ~7)
  target.fill(0, position, end)
  return end
}

function assertWritable(entry: IndexEntry, path: Buffer): void {
  const problem = findUnwritable(entry, path)
  if (problem === null) return
  throw new BacklogError('INVALID_INPUT', `Cannot write index entry \`${entry.path}\`: it has ${problem}.`, {
    path: entry.path,
  })
}

function findUnwritable(entry: IndexEntry, path: Buffer): string | null {
  if (!OID_PATTERN.test(entry.oid)) return 'an object id that is not 40 lowercase hex characters'
  if (!Number.isInteger(entry.stage) || entry.stage < 0 || entry.stage > 3) return 'a stage outside 0..3'
  if (!Number.isInteger(entry.extendedFlags) || (entry.extendedFlags & ~0xffff) !== 0) {
    return 'extended flags that do not fit 16 bits'
  }
  if (path.length === 0 || path.includes(0)) return 'an empty path or a path with a NUL byte'
  return null
}

function commonPrefixLength(a: Buffer, b: Buffer): number {
  const limit = Math.min(a.length, b.length)
  let i = 0
  while (i < limit && a[i] === b[i]) i++
  return i
}

function writeExtensions(writer: IndexWriter, extensions: IndexExtension[]): void {
  const entriesEnd = writer.length
  const headers: Buffer[] = []
  let hasEndOfEntries = false
  for (const extension of extensions) {
    if (extension.signature === 'EOIE') {
      hasEndOfEntries = true
      continue
    }
    const data = extension.signature === 'IEOT' ? writer.offsetTable() : extension.data
    if (data === null) continue
    const header = extensionHeader(extension.signature, data.length)
    headers.push(header)
    writer.append(header)
    writer.append(data)
  }
  // EOIE must come last and describes the others, so it is recomputed rather than copied.
  if (hasEndOfEntries) {
    const data = Buffer.alloc(4)
    data.writeUInt32BE(entriesEnd)
    const eoie = Buffer.concat([data, sha1(Buffer.concat(headers))])
    writer.append(extensionHeader('EOIE', eoie.length))
    writer.append(eoie)
  }
}

function extensionHeader(signature: string, size: number): Buffer {
  const header = Buffer.alloc(8)
  if (signature.length !== 4 || Buffer.from(signature, 'latin1').toString('latin1') !== signature) {
    throw new BacklogError('INVALID_INPUT', `Index extension signature \`${signature}\` is not 4 bytes.`)
  }
  header.write(signature, 0, 'latin1')
  header.writeUInt32BE(size, 4)
  return header
}

/** Entry positions where the IEOT extension starts a block, in order, or null when there is no usable table. */
function readOffsetTableBlockStarts(extensions: IndexExtension[], count: number): number[] | null {
  const table = extensions.find((extension) => extension.signature === 'IEOT')
  if (table === undefined || table.data.length < 12 || (table.data.length - 4) % 8 !== 0) return null
  if (table.data.readUInt32BE(0) !== IEOT_VERSION) return null
  const starts: number[] = []
  let position = 0
  for (let offset = 4; offset < table.data.length; offset += 8) {
    if (starts[starts.length - 1] !== position) starts.push(position)
    position += table.data.readUInt32BE(offset + 4)
  }
  return position === count ? starts : null
}

// ---------------------------------------------------------------------------------------------------------------
// Building and updating

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
function splitTime(time: bigint | number): { sec: number; nsec: number } {
  const ns = typeof time === 'bigint' ? time : BigInt(Math.round(time * 1e6))
  let sec = ns / 1_000_000_000n
  if (ns < 0n && sec * 1_000_000_000n !== ns) sec -= 1n
  return { sec: Number(BigInt.asUintN(32, sec)), nsec: Number(ns - sec * 1_000_000_000n) }
}

function toUint32(value: bigint | number): number {
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

function collectChanges(changes: Array<{ path: string; entry: IndexEntry | null }>): Map<string, IndexEntry | null> {
  const wanted = new Map<string, IndexEntry | null>()
  for (const { path, entry } of changes) {
    assertValidPath(path)
    if (wanted.has(path)) throw invalidChange(path, 'it is listed twice')
    if (entry !== null) assertValidEntry(path, entry)
    wanted.set(path, entry === null ? null : { ...entry })
  }
  return wanted
}

function assertValidPath(path: string): void {
  const components = path.split('/')
  const bad = components.find((part) => part === '' || part === '.' || part === '..' || part.toLowerCase() === '.git')
  if (bad !== undefined) throw invalidChange(path, 'it has an empty, `.`, `..` or `.git` component')
  if (path.includes('\0') || Buffer.from(path, 'utf8').toString('utf8') !== path) {
    throw invalidChange(path, 'it has a NUL character or is not well-formed Unicode')
  }
}

function assertValidEntry(path: string, entry: IndexEntry): void {
  if (entry.path !== path) throw invalidChange(path, `its entry is for \`${entry.path}\``)
  if (entry.stage !== 0) throw invalidChange(path, 'its entry is not stage 0')
  if (!OID_PATTERN.test(entry.oid)) throw invalidChange(path, 'its object id is not 40 lowercase hex characters')
  if (!VALID_MODES.has(entry.mode)) throw invalidChange(path, `its mode ${entry.mode.toString(8)} is not a git mode`)
}

function invalidChange(path: string, reason: string): BacklogError {
  return new BacklogError('INVALID_INPUT', `Cannot stage \`${path}\` in the git index: ${reason}.`, { path })
}

function sameEntries(before: IndexEntry[], after: IndexEntry | null): boolean {
  if (after === null || before.length !== 1) return after === null && before.length === 0
  const [only] = before
  return only !== undefined && sameEntry(only, after)
}

function sameEntry(a: IndexEntry, b: IndexEntry): boolean {
  const keys = [...STAT_FIELDS, 'oid', 'stage', 'assumeValid', 'extendedFlags'] as const
  return keys.every((key) => a[key] === b[key])
}

/** A file cannot sit where the index has a directory, nor under a path the index has as a file. */
function assertNoDirectoryFileConflicts(entries: EntryList, added: IndexEntry[]): void {
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

function directoryFileConflict(path: string, other: string): BacklogError {
  return new BacklogError(
    'CONFLICT',
    `Cannot stage \`${path}\`: the git index already has \`${other}\`, and a path cannot be both a file and a ` +
      'directory. Remove one of them with `git rm --cached` and try again.',
    { path, other },
  )
}

function updateExtensions(extensions: IndexExtension[], changedPaths: string[]): IndexExtension[] {
  const updated: IndexExtension[] = []
  for (const extension of extensions) {
    const data = updateExtensionData(extension, changedPaths)
    if (data !== null) updated.push({ signature: extension.signature, data })
  }
  return updated
}

/** The extension's data after the change, or null to leave it out. REUC and unknown optional ones stay as they are. */
function updateExtensionData(extension: IndexExtension, changedPaths: string[]): Buffer | null {
  if (POSITIONAL_EXTENSIONS.has(extension.signature)) return null
  if (extension.signature === 'TREE') return invalidateCacheTreeData(extension.data, changedPaths)
  if (extension.signature === 'UNTR') return invalidateUntrackedCacheData(extension.data, changedPaths)
  return extension.data
}

/** Null when the cache tree cannot be read: git treats such a TREE as absent, so dropping it is safe. */
function invalidateCacheTreeData(data: Buffer, paths: string[]): Buffer | null {
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

function invalidateNode(node: CacheTreeNode): void {
  node.entryCount = -1
  node.oid = null
}

interface DirectoryTrie {
  children: Map<string, DirectoryTrie>
}

/** The directories above `paths`, the root included, as the tree of their names; null for no paths. */
function directoryTrie(paths: string[]): DirectoryTrie | null {
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
function latin1Key(name: Buffer): string {
  return name.toString('latin1')
}

interface TreeRewrite {
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
function rewriteCacheTree(data: Buffer, paths: string[]): Buffer | undefined {
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
function rewriteCacheTreeNode(rewrite: TreeRewrite, start: number, trie: DirectoryTrie | null): number {
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
function readCanonicalDecimal(
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

// ---------------------------------------------------------------------------------------------------------------
// Cache tree (TREE extension)

export function parseCacheTree(data: Buffer): CacheTreeNode {
  const cursor: Cursor = { offset: 0 }
  const root = readCacheTreeNode(data, cursor)
  if (cursor.offset !== data.length) throw corrupt('its cache tree has trailing bytes')
  return root
}

function readCacheTreeNode(data: Buffer, cursor: Cursor): CacheTreeNode {
  const nameEnd = data.indexOf(0, cursor.offset)
  const lineEnd = data.indexOf(0x0a, nameEnd + 1)
  if (nameEnd < 0 || lineEnd < 0) throw corrupt('its cache tree is truncated')
  const name = Buffer.from(data.subarray(cursor.offset, nameEnd))
  const match = /^(-?\d+) (\d+)$/.exec(data.toString('latin1', nameEnd + 1, lineEnd))
  if (match === null) throw corrupt('its cache tree has a malformed node')
  const entryCount = Number(match[1])
  const subtreeCount = Number(match[2])
  cursor.offset = lineEnd + 1
  let oid: string | null = null
  if (entryCount >= 0) {
    if (cursor.offset + HASH_SIZE > data.length) throw corrupt('its cache tree is truncated')
    oid = data.toString('hex', cursor.offset, cursor.offset + HASH_SIZE)
    cursor.offset += HASH_SIZE
  }
  const children: CacheTreeNode[] = []
  for (let i = 0; i < subtreeCount; i++) children.push(readCacheTreeNode(data, cursor))
  return { name, entryCount, oid, children }
}

export function serializeCacheTree(root: CacheTreeNode): Buffer {
  const chunks: Buffer[] = []
  writeCacheTreeNode(root, chunks)
  return Buffer.concat(chunks)
}

function writeCacheTreeNode(node: CacheTreeNode, chunks: Buffer[]): void {
  const valid = node.entryCount >= 0 && node.oid !== null
  chunks.push(node.name, Buffer.from(`\0${valid ? node.entryCount : -1} ${node.children.length}\n`, 'latin1'))
  if (valid && node.oid !== null) chunks.push(Buffer.from(node.oid, 'hex'))
  for (const child of node.children) writeCacheTreeNode(child, chunks)
}

/** Finds the cache tree node of a directory ('' for the root). */
export function findCacheTreeNode(root: CacheTreeNode, directory: string): CacheTreeNode | undefined {
  if (directory === '') return root
  let node: CacheTreeNode | undefined = root
  for (const part of directory.split('/')) {
    const name = Buffer.from(part, 'utf8')
    node = node?.children.find((child) => child.name.equals(name))
  }
  return node
}

// ---------------------------------------------------------------------------------------------------------------
// Untracked cache (UNTR extension)
//
// The cache lists, per directory, the untracked names git found there, and git trusts a directory's list while the
// directory's stat data is unchanged. Staging a file that is already on disk or unstaging one that stays there does
// not touch any directory, so git would keep reporting stale `??` lines: the directories on a changed path have to
// be invalidated, as git's own untracked_cache_invalidate_path() does.

interface UntrackedDirectory {
  name: Buffer
  untracked: Buffer[]
  children: UntrackedDirectory[]
  position: number
}

interface UntrackedCache {
  header: Buffer
  directories: UntrackedDirectory[]
  valid: Set<number>
  checkOnly: Set<number>
  hashValidBitmap: Buffer
  stats: Map<number, Buffer>
  rest: Buffer
}

/** Bytes of stat data git keeps per valid directory: ctime, mtime (sec + nsec each), dev, ino, uid, gid, size. */
const UNTRACKED_STAT_SIZE = 36
/** The fixed part after the ident: stat data of info/exclude and core.excludesFile, dir_flags, then two hashes. */
const UNTRACKED_FIXED_SIZE = 2 * UNTRACKED_STAT_SIZE + 4 + 2 * HASH_SIZE

/**
 * Null when the cache cannot be read: git then ignores it, and dropping it only costs one full scan (git adds it
 * back itself when core.untrackedCache is true).
 */
function invalidateUntrackedCacheData(data: Buffer, paths: string[]): Buffer | null {
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

interface UntrackedWalk {
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
function rewriteUntrackedCache(data: Buffer, paths: string[]): Buffer | undefined {
  try {
    return rewriteUntrackedCacheOrThrow(data, directoryTrie(paths))
  } catch {
    return undefined
  }
}

function rewriteUntrackedCacheOrThrow(data: Buffer, trie: DirectoryTrie | null): Buffer | undefined {
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
function walkUntrackedDirectory(walk: UntrackedWalk, trieOf: (name: Buffer) => DirectoryTrie | null): void {
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

function noTrie(): null {
  return null
}

/** An EWAH bitmap (see readEwah) as one byte per directory, or null when it sets a bit past the last directory. */
function readBitmap(data: Buffer, cursor: Cursor, size: number): Uint8Array | null {
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
function encodeBitmap(bits: Uint8Array, cleared: Uint8Array): Buffer {
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
function parseUntrackedCache(data: Buffer): UntrackedCache | null {
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

function readUntrackedDirectory(
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

function readNulTerminated(data: Buffer, end: number, cursor: Cursor): Buffer {
  const nul = data.indexOf(0, cursor.offset)
  if (nul < 0 || nul >= end) throw new Error('untracked cache string is not terminated')
  const value = data.subarray(cursor.offset, nul)
  cursor.offset = nul + 1
  return value
}

/** Invalidates every directory from the root down to the one holding `path`, a superset of what git invalidates. */
function invalidateUntrackedPath(cache: UntrackedCache, root: UntrackedDirectory, path: string): void {
  let directory: UntrackedDirectory | undefined = root
  invalidateUntrackedDirectory(cache, root)
  for (const part of path.split('/').slice(0, -1)) {
    const name = Buffer.from(part, 'utf8')
    directory = directory.children.find((child) => child.name.equals(name))
    if (directory === undefined) return
    invalidateUntrackedDirectory(cache, directory)
  }
}

function invalidateUntrackedDirectory(cache: UntrackedCache, directory: UntrackedDirectory): void {
  // Mirrors git's write_one_dir(): an invalid directory keeps no untracked names and no check-only bit.
  cache.valid.delete(directory.position)
  cache.checkOnly.delete(directory.position)
  cache.stats.delete(directory.position)
  directory.untracked = []
}

function serializeUntrackedCache(cache: UntrackedCache): Buffer {
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
function readEwah(data: Buffer, cursor: Cursor, size: number): Set<number> {
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
function encodeEwah(bits: Set<number>): Buffer {
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
// Shared helpers

function pathBytesOf(entry: IndexEntry): Buffer {
  // rawPath only stands for the path while the lossy UTF-8 decoding of it is still what `path` says.
  if (entry.rawPath !== undefined && entry.rawPath.toString('utf8') === entry.path) return entry.rawPath
  return Buffer.from(entry.path, 'utf8')
}

/** Offset-encoded varint, as in OFS_DELTA pack entries: each continuation adds one so encodings are unique. */
function readVarint(buffer: Buffer, end: number, cursor: Cursor): number {
  let byte = byteAt(buffer, end, cursor.offset++)
  let value = byte & 0x7f
  while (byte & 0x80) {
    byte = byteAt(buffer, end, cursor.offset++)
    value = (value + 1) * 128 + (byte & 0x7f)
  }
  return value
}

function encodeVarint(value: number): Buffer {
  const bytes = [value % 128]
  let rest = Math.floor(value / 128)
  while (rest > 0) {
    rest -= 1
    bytes.unshift(0x80 | (rest % 128))
    rest = Math.floor(rest / 128)
  }
  return Buffer.from(bytes)
}

function byteAt(buffer: Buffer, end: number, offset: number): number {
  const byte = buffer[offset]
  if (byte === undefined || offset >= end) throw corrupt(`it ends in the middle of an entry at byte ${offset}`)
  return byte
}

/** Compares a[aStart, aEnd) with b[bStart, bEnd) as git does, byte by byte; a JavaScript loop beats a native call
 * for the short stretches paths differ in. */
function compareBytes(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): number {
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
function grow(buffer: Buffer, used: number, needed: number): Buffer {
  const bigger = Buffer.allocUnsafe(Math.max(needed, 2 * buffer.length))
  buffer.copy(bigger, 0, 0, used)
  return bigger
}

/** Byte strings stored one after another in a single buffer. */
class ByteList {
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

function isAllZero(buffer: Buffer): boolean {
  return buffer.every((byte) => byte === 0)
}

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest()
}

function corrupt(reason: string): BacklogError {
  return new BacklogError('INDEX_CORRUPT', `The git index (.git/index) is corrupt: ${reason}. ${REBUILD_HINT}`)
}
