/** Writing an index file: header, entries (padded or prefix-compressed), extensions, checksum. */

import { BacklogError } from '../../../core/errors.js'
import { type EntrySource, entryListOf } from './entries.js'
import {
  EMPTY,
  ENTRY_FIXED_SIZE,
  encodeVarint,
  FLAG_ASSUME_VALID,
  FLAG_EXTENDED,
  type GitIndex,
  grow,
  HASH_SIZE,
  HEADER_SIZE,
  IEOT_VERSION,
  type IndexEntry,
  type IndexExtension,
  NAME_LENGTH_MASK,
  OID_PATTERN,
  SIGNATURE,
  STAT_FIELDS,
  sha1,
} from './format.js'

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
export class IndexWriter {
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

export interface EntryToWrite {
  entry: IndexEntry
  path: Buffer
  version: number
  previous: Buffer
  sharedPrefix: Buffer
}

/** Writes one entry at `start` and returns where the next one begins. */
export function writeEntry(
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

export function assertWritable(entry: IndexEntry, path: Buffer): void {
  const problem = findUnwritable(entry, path)
  if (problem === null) return
  throw new BacklogError('INVALID_INPUT', `Cannot write index entry \`${entry.path}\`: it has ${problem}.`, {
    path: entry.path,
  })
}

export function findUnwritable(entry: IndexEntry, path: Buffer): string | null {
  if (!OID_PATTERN.test(entry.oid)) return 'an object id that is not 40 lowercase hex characters'
  if (!Number.isInteger(entry.stage) || entry.stage < 0 || entry.stage > 3) return 'a stage outside 0..3'
  if (!Number.isInteger(entry.extendedFlags) || (entry.extendedFlags & ~0xffff) !== 0) {
    return 'extended flags that do not fit 16 bits'
  }
  if (path.length === 0 || path.includes(0)) return 'an empty path or a path with a NUL byte'
  return null
}

export function commonPrefixLength(a: Buffer, b: Buffer): number {
  const limit = Math.min(a.length, b.length)
  let i = 0
  while (i < limit && a[i] === b[i]) i++
  return i
}

export function writeExtensions(writer: IndexWriter, extensions: IndexExtension[]): void {
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

export function extensionHeader(signature: string, size: number): Buffer {
  const header = Buffer.alloc(8)
  if (signature.length !== 4 || Buffer.from(signature, 'latin1').toString('latin1') !== signature) {
    throw new BacklogError('INVALID_INPUT', `Index extension signature \`${signature}\` is not 4 bytes.`)
  }
  header.write(signature, 0, 'latin1')
  header.writeUInt32BE(size, 4)
  return header
}

/** Entry positions where the IEOT extension starts a block, in order, or null when there is no usable table. */
export function readOffsetTableBlockStarts(extensions: IndexExtension[], count: number): number[] | null {
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
