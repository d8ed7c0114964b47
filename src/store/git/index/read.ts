/** Reading an index file: header, checksum, one pass over the entries (v2/v3 padded, v4 prefix-compressed), extensions. */

import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import { BacklogError } from '../../../core/errors.js'
import { EntryList, indexOver, RawEntries } from './entries.js'
import {
  ByteList,
  CHECKPOINT_INTERVAL,
  corrupt,
  ENTRY_FIXED_SIZE,
  FLAG_ASSUME_VALID,
  FLAG_EXTENDED,
  FLAG_STAGE_MASK,
  FLAGS_OFFSET,
  type GitIndex,
  grow,
  HASH_SIZE,
  HEADER_SIZE,
  type IndexEntry,
  type IndexExtension,
  isAllZero,
  KNOWN_EXTENDED_FLAGS,
  LOW_BYTES_MASK,
  MIN_ENTRY_SIZE,
  NAME_LENGTH_MASK,
  SHA256_SIZE,
  SIGNATURE,
  sha1,
} from './format.js'

export interface Cursor {
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
export function smudgeRacilyClean(buffer: Buffer, scan: EntryScan, count: number, from: number): void {
  for (let i = 0; i < count; i++) {
    const start = scan.starts[i] as number
    if (buffer.readUInt32BE(start + 8) >= from) buffer.writeUInt32BE(0, start + 36)
  }
}

export function readHeaderVersion(buffer: Buffer): 2 | 3 | 4 {
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

export function verifyChecksum(buffer: Buffer): void {
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

export function hasSha256Checksum(buffer: Buffer): boolean {
  if (buffer.length < HEADER_SIZE + SHA256_SIZE) return false
  const end = buffer.length - SHA256_SIZE
  return createHash('sha256').update(buffer.subarray(0, end)).digest().equals(buffer.subarray(end))
}

/** What one pass over the entries learns, so that nothing needs to be decoded until it is asked for. */
export interface EntryScan {
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

export function newScan(end: number, count: number): EntryScan {
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
export function scanPaddedEntries(buffer: Buffer, end: number, count: number): EntryScan {
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
export function scanCompressedEntries(buffer: Buffer, end: number, count: number): EntryScan {
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

export function unknownExtendedFlags(extendedFlags: number): BacklogError | null {
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
export function sharedLengthIn(view: DataView, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const shorter = Math.min(aEnd - aStart, bEnd - bStart)
  let i = 0
  while (i + 4 <= shorter && view.getUint32(aStart + i) === view.getUint32(bStart + i)) i += 4
  while (i < shorter && view.getUint8(aStart + i) === view.getUint8(bStart + i)) i++
  return i
}

/** Whether an entry may follow one whose path compared as `order` to its own: by path, then by conflict stage. */
export function inOrder(order: number, previousStage: number, stage: number): boolean {
  return order < 0 || (order === 0 && previousStage < stage && previousStage !== 0)
}

export function unsorted(path: Buffer): BacklogError {
  return corrupt(`its entries are not sorted (at \`${path.toString('utf8')}\`)`)
}

export function endsInEntry(offset: number): BacklogError {
  return corrupt(`it ends in the middle of an entry at byte ${offset}`)
}

export function readExtensions(
  buffer: Buffer,
  offset: number,
  end: number,
  problem: BacklogError | null,
): IndexExtension[] {
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

export function assertExtensionSupported(signature: string): void {
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
export function decodeEntry(buffer: Buffer, start: number, pathBytes: Buffer): IndexEntry {
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
