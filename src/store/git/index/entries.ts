/** An index's entries as a list of parts over the file they came from, decoded only where asked. */

import {
  type ByteList,
  CHECKPOINT_INTERVAL,
  compareBytes,
  ENTRY_FIXED_SIZE,
  FLAG_EXTENDED,
  FLAGS_OFFSET,
  type GitIndex,
  grow,
  type IndexEntry,
  type IndexExtension,
  NAME_LENGTH_MASK,
  pathBytesOf,
} from './format.js'
import { decodeEntry, type EntryScan } from './read.js'
import type { IndexWriter } from './write.js'

//
// An index's entries are a list of parts: runs of a source's entries, in order, and single entries an update added.
// The source is the index file itself (RawEntries) or, for an index built or read as objects, an array of entries.

export interface EntrySource {
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
export class RawEntries implements EntrySource {
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
export class DecodedEntries implements EntrySource {
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

export type Part = { kind: 'run'; from: number; to: number } | { kind: 'entry'; entry: IndexEntry }

/** An index's entries in order. It is never changed: an update makes a new list over the same source. */
export class EntryList {
  readonly count: number
  private index: { starts: number[]; firsts: Buffer[] } | undefined

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

  /**
   * The first position whose path sorts at or after `key`: a binary search over the parts' first paths, then within
   * the one part that can hold it. An update that adds thousands of entries (an import) makes thousands of parts, and
   * checks each added path against the list: a walk over the parts made that quadratic (10,000 items: 10 s).
   */
  lowerBound(key: Buffer): number {
    const { starts, firsts } = this.partIndex()
    let low = 0
    let high = this.parts.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (Buffer.compare(firsts[middle] as Buffer, key) < 0) low = middle + 1
      else high = middle
    }
    const before = this.parts[low - 1]
    if (before?.kind === 'run') {
      const at = this.source.lowerBound(key, before.from, before.to)
      if (at < before.to) return (starts[low - 1] as number) + at - before.from
    }
    return low < this.parts.length ? (starts[low] as number) : this.count
  }

  /** Where each part starts in the list and its first path, computed once: the list never changes. */
  private partIndex(): { starts: number[]; firsts: Buffer[] } {
    if (!this.index) {
      const starts: number[] = []
      const firsts: Buffer[] = []
      let position = 0
      for (const part of this.parts) {
        starts.push(position)
        firsts.push(part.kind === 'run' ? this.source.pathAt(part.from) : pathBytesOf(part.entry))
        position += part.kind === 'run' ? part.to - part.from : 1
      }
      this.index = { starts, firsts }
    }
    return this.index
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
    if (i < 0 || i >= this.count) throw new RangeError(`index entry ${i} is out of range`)
    const { starts } = this.partIndex()
    let low = 0
    let high = this.parts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if ((starts[middle] as number) <= i) low = middle
      else high = middle - 1
    }
    return { part: this.parts[low] as Part, offset: i - (starts[low] as number) }
  }
}

export function appendRun(into: Part[], from: number, to: number): void {
  // An empty run holds nothing, and the part index of EntryList reads each part's first path.
  if (from >= to) return
  const last = into[into.length - 1]
  if (last?.kind === 'run' && last.to === from) into[into.length - 1] = { kind: 'run', from: last.from, to }
  else into.push({ kind: 'run', from, to })
}

export const entryLists = new WeakMap<GitIndex, EntryList>()

export function indexOver(version: 2 | 3 | 4, list: EntryList, extensions: IndexExtension[]): GitIndex {
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
export function settleEntries(index: GitIndex, entries: IndexEntry[]): IndexEntry[] {
  entryLists.delete(index)
  Object.defineProperty(index, 'entries', { configurable: true, enumerable: true, writable: true, value: entries })
  return entries
}

export function entryListOf(index: GitIndex): EntryList {
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
