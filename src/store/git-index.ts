/** Reads and writes .git/index so git-backlog can stage its own paths without losing anything git keeps there. */

import { isUtf8 } from 'node:buffer'
import { createHash } from 'node:crypto'
import type { BigIntStats, Stats } from 'node:fs'
import { BacklogError } from '../core/errors.js'

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
const FLAG_ASSUME_VALID = 0x8000
const FLAG_EXTENDED = 0x4000
const FLAG_STAGE_MASK = 0x3000
const NAME_LENGTH_MASK = 0xfff
const KNOWN_EXTENDED_FLAGS = SKIP_WORKTREE | INTENT_TO_ADD
const VALID_MODES = new Set([0o100644, 0o100755, 0o120000, 0o160000])
const OID_PATTERN = /^[0-9a-f]{40}$/
const IEOT_VERSION = 1
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

export function parseIndex(buffer: Buffer): GitIndex {
  const version = readHeaderVersion(buffer)
  verifyChecksum(buffer)
  const end = buffer.length - HASH_SIZE
  const count = buffer.readUInt32BE(8)
  const cursor: Cursor = { offset: HEADER_SIZE }
  const entries = readEntries(buffer, end, version, count, cursor)
  const extensions = readExtensions(buffer, cursor.offset, end)
  return { version, entries, extensions }
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

function readEntries(buffer: Buffer, end: number, version: number, count: number, cursor: Cursor): IndexEntry[] {
  const entries: IndexEntry[] = []
  let previous: { path: Buffer; stage: number } | null = null
  for (let i = 0; i < count; i++) {
    const { entry, pathBytes } = readEntry(buffer, end, version, previous?.path ?? Buffer.alloc(0), cursor)
    if (previous !== null) assertEntryOrder(previous, pathBytes, entry)
    previous = { path: pathBytes, stage: entry.stage }
    entries.push(entry)
  }
  return entries
}

function readEntry(
  buffer: Buffer,
  end: number,
  version: number,
  previousPath: Buffer,
  cursor: Cursor,
): { entry: IndexEntry; pathBytes: Buffer } {
  const start = cursor.offset
  requireBytes(start, ENTRY_FIXED_SIZE, end)
  const flags = buffer.readUInt16BE(start + 60)
  let nameStart = start + ENTRY_FIXED_SIZE
  let extendedFlags = 0
  if (flags & FLAG_EXTENDED) {
    requireBytes(start, ENTRY_FIXED_SIZE + 2, end)
    extendedFlags = buffer.readUInt16BE(nameStart)
    assertKnownExtendedFlags(extendedFlags)
    nameStart += 2
  }
  const nameLength = flags & NAME_LENGTH_MASK
  const pathBytes =
    version === 4
      ? readCompressedPath(buffer, end, nameStart, previousPath, cursor)
      : readPaddedPath(buffer, end, start, nameStart, nameLength, cursor)
  if (nameLength < NAME_LENGTH_MASK && nameLength !== pathBytes.length) {
    throw corrupt(`an entry's name length does not match its path near byte ${start}`)
  }
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
    extendedFlags,
    path: pathBytes.toString('utf8'),
  }
  if (!isUtf8(pathBytes)) entry.rawPath = pathBytes
  return { entry, pathBytes }
}

function assertKnownExtendedFlags(extendedFlags: number): void {
  if ((extendedFlags & ~KNOWN_EXTENDED_FLAGS) === 0) return
  throw new BacklogError(
    'REPO_UNSUPPORTED',
    `The git index has an entry with unknown extended flags 0x${extendedFlags.toString(16)}, ` +
      'written by a newer git; git-backlog cannot update it safely. Upgrade git-backlog or stage the backlog with git.',
    { extendedFlags },
  )
}

function readPaddedPath(
  buffer: Buffer,
  end: number,
  start: number,
  nameStart: number,
  nameLength: number,
  cursor: Cursor,
): Buffer {
  const nul = nameLength < NAME_LENGTH_MASK ? nameStart + nameLength : buffer.indexOf(0, nameStart + nameLength)
  if (nul < 0 || nul >= end || buffer[nul] !== 0) throw corrupt(`an entry's path is not terminated near byte ${start}`)
  const pathBytes = buffer.subarray(nameStart, nul)
  // Padding makes the entry a multiple of 8 bytes with at least one NUL after the path.
  const size = (nameStart - start + pathBytes.length + 8) & ~7
  requireBytes(start, size, end)
  cursor.offset = start + size
  return pathBytes
}

function readCompressedPath(buffer: Buffer, end: number, nameStart: number, previous: Buffer, cursor: Cursor): Buffer {
  const stripCursor: Cursor = { offset: nameStart }
  const strip = readVarint(buffer, end, stripCursor)
  const nul = buffer.indexOf(0, stripCursor.offset)
  if (strip > previous.length || nul < 0 || nul >= end) {
    throw corrupt(`a prefix-compressed path is malformed near byte ${nameStart}`)
  }
  cursor.offset = nul + 1
  return Buffer.concat([previous.subarray(0, previous.length - strip), buffer.subarray(stripCursor.offset, nul)])
}

function assertEntryOrder(previous: { path: Buffer; stage: number }, path: Buffer, entry: IndexEntry): void {
  const order = Buffer.compare(previous.path, path)
  if (order < 0 || (order === 0 && previous.stage < entry.stage && previous.stage !== 0)) return
  throw corrupt(`its entries are not sorted (at \`${entry.path}\`)`)
}

function readExtensions(buffer: Buffer, offset: number, end: number): IndexExtension[] {
  const extensions: IndexExtension[] = []
  let position = offset
  while (position + 8 <= end) {
    const signature = buffer.toString('latin1', position, position + 4)
    const size = buffer.readUInt32BE(position + 4)
    const dataStart = position + 8
    if (dataStart + size > end) throw corrupt(`its \`${signature}\` extension runs past the end of the file`)
    assertExtensionSupported(signature)
    extensions.push({ signature, data: Buffer.from(buffer.subarray(dataStart, dataStart + size)) })
    position = dataStart + size
  }
  if (position !== end) throw corrupt('it has trailing bytes after its extensions')
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

// ---------------------------------------------------------------------------------------------------------------
// Writing

export function serializeIndex(index: GitIndex): Buffer {
  const version = versionToWrite(index)
  const header = Buffer.alloc(HEADER_SIZE)
  header.write(SIGNATURE, 0, 'latin1')
  header.writeUInt32BE(version, 4)
  header.writeUInt32BE(index.entries.length, 8)
  const blockStarts = readOffsetTableBlockStarts(index)
  const { data, offsets } = writeEntries(index.entries, version, blockStarts)
  const extensions = writeExtensions(index.extensions, HEADER_SIZE + data.length, offsets, blockStarts)
  const content = Buffer.concat([header, data, ...extensions])
  return Buffer.concat([content, sha1(content)])
}

function versionToWrite(index: GitIndex): 2 | 3 | 4 {
  // Extended flags do not exist in v2, and git itself bumps such an index to v3.
  if (index.version === 2 && index.entries.some((entry) => entry.extendedFlags !== 0)) return 3
  return index.version
}

/** Writes all entries into one zero-filled buffer (the zeros are the padding and NUL terminators). */
function writeEntries(
  entries: IndexEntry[],
  version: number,
  blockStarts: Set<number> | null,
): { data: Buffer; offsets: number[] } {
  const paths = entries.map(pathBytesOf)
  // Upper bound per entry: fixed part, extended flags, path, up to 8 bytes of padding or varint and NUL.
  const data = Buffer.alloc(paths.reduce((total, path) => total + ENTRY_FIXED_SIZE + 2 + path.length + 8, 0))
  const offsets: number[] = []
  let position = 0
  let previous: Buffer = Buffer.alloc(0)
  entries.forEach((entry, i) => {
    const path = paths[i] ?? Buffer.alloc(0)
    offsets.push(HEADER_SIZE + position)
    // Git's threaded reader decodes each offset-table block on its own, so a block never shares a prefix.
    const sharedPrefix = blockStarts?.has(i) ? Buffer.alloc(0) : previous
    position = writeEntry(data, position, { entry, path, version, previous, sharedPrefix })
    previous = path
  })
  return { data: data.subarray(0, position), offsets }
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
    return position + 1
  }
  path.copy(target, position)
  return start + ((position - start + path.length + 8) & ~7)
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

function writeExtensions(
  extensions: IndexExtension[],
  entriesEnd: number,
  offsets: number[],
  blockStarts: Set<number> | null,
): Buffer[] {
  const chunks: Buffer[] = []
  const headers: Buffer[] = []
  let hasEndOfEntries = false
  for (const extension of extensions) {
    if (extension.signature === 'EOIE') {
      hasEndOfEntries = true
      continue
    }
    const data = extension.signature === 'IEOT' ? encodeOffsetTable(blockStarts, offsets) : extension.data
    if (data === null) continue
    const header = extensionHeader(extension.signature, data.length)
    headers.push(header)
    chunks.push(header, data)
  }
  // EOIE must come last and describes the others, so it is recomputed rather than copied.
  if (hasEndOfEntries) {
    const data = Buffer.alloc(4)
    data.writeUInt32BE(entriesEnd)
    const eoie = Buffer.concat([data, sha1(Buffer.concat(headers))])
    chunks.push(extensionHeader('EOIE', eoie.length), eoie)
  }
  return chunks
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

/** Entry positions where the IEOT extension starts a block, or null when there is no usable table. */
function readOffsetTableBlockStarts(index: GitIndex): Set<number> | null {
  const table = index.extensions.find((extension) => extension.signature === 'IEOT')
  if (table === undefined || table.data.length < 12 || (table.data.length - 4) % 8 !== 0) return null
  if (table.data.readUInt32BE(0) !== IEOT_VERSION) return null
  const starts = new Set<number>()
  let position = 0
  for (let offset = 4; offset < table.data.length; offset += 8) {
    starts.add(position)
    position += table.data.readUInt32BE(offset + 4)
  }
  return position === index.entries.length ? starts : null
}

function encodeOffsetTable(blockStarts: Set<number> | null, offsets: number[]): Buffer | null {
  if (blockStarts === null) return null
  const starts = [...blockStarts].sort((a, b) => a - b)
  const data = Buffer.alloc(4 + starts.length * 8)
  data.writeUInt32BE(IEOT_VERSION)
  starts.forEach((start, i) => {
    const next = starts[i + 1] ?? offsets.length
    data.writeUInt32BE(offsets[start] ?? 0, 4 + i * 8)
    data.writeUInt32BE(next - start, 8 + i * 8)
  })
  return data
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
  const kept: IndexEntry[] = []
  const previous = new Map<string, IndexEntry[]>()
  for (const entry of index.entries) {
    if (entry.rawPath === undefined && wanted.has(entry.path)) {
      previous.set(entry.path, [...(previous.get(entry.path) ?? []), entry])
    } else {
      kept.push(entry)
    }
  }
  const changedPaths = [...wanted].filter(([path, entry]) => !sameEntries(previous.get(path) ?? [], entry))
  if (changedPaths.length === 0) return { ...index, entries: [...index.entries], extensions: [...index.extensions] }
  const added = [...wanted.values()].filter((entry): entry is IndexEntry => entry !== null)
  const entries = insertSorted(kept, added)
  assertNoDirectoryFileConflicts(entries, added)
  const paths = changedPaths.map(([path]) => path)
  return { version: index.version, entries, extensions: updateExtensions(index.extensions, paths) }
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

/** Inserts the new entries where they sort, without reordering anything git wrote. */
function insertSorted(kept: IndexEntry[], added: IndexEntry[]): IndexEntry[] {
  const sorted = added.map((entry) => ({ entry, key: pathBytesOf(entry) })).sort((a, b) => Buffer.compare(a.key, b.key))
  const merged: IndexEntry[] = []
  let from = 0
  for (const { entry, key } of sorted) {
    // Every entry of an added path was removed from `kept`, so no kept entry compares equal.
    const at = lowerBound(kept, key, from)
    for (let i = from; i < at; i++) merged.push(kept[i]!)
    merged.push(entry)
    from = at
  }
  for (let i = from; i < kept.length; i++) merged.push(kept[i]!)
  return merged
}

/** A file cannot sit where the index has a directory, nor under a path the index has as a file. */
function assertNoDirectoryFileConflicts(entries: IndexEntry[], added: IndexEntry[]): void {
  for (const { path } of added) {
    const parts = path.split('/')
    for (let i = 1; i < parts.length; i++) {
      const directory = parts.slice(0, i).join('/')
      const key = Buffer.from(directory, 'utf8')
      const found = entries[lowerBound(entries, key)]
      if (found !== undefined && pathBytesOf(found).equals(key)) throw directoryFileConflict(path, directory)
    }
    const prefix = Buffer.from(`${path}/`, 'utf8')
    const child = entries[lowerBound(entries, prefix)]
    if (child !== undefined && pathBytesOf(child).subarray(0, prefix.length).equals(prefix)) {
      throw directoryFileConflict(path, child.path)
    }
  }
}

/** The first position at or after `low` whose path sorts at or after `key`, for entries sorted by path bytes. */
function lowerBound(entries: IndexEntry[], key: Buffer, low = 0): number {
  let high = entries.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (Buffer.compare(pathBytesOf(entries[middle]!), key) < 0) low = middle + 1
    else high = middle
  }
  return low
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
  const valid = readEwah(data, cursor)
  const checkOnly = readEwah(data, cursor)
  const hashStart = cursor.offset
  readEwah(data, cursor)
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

function readEwah(data: Buffer, cursor: Cursor): Set<number> {
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
    if (marker & 1n) for (let i = 0; i < runWords * 64; i++) bits.add(position + i)
    position += runWords * 64
    word += 1
    for (let i = 0; i < literalWords && word < wordCount; i++, word++) {
      const literal = data.readBigUInt64BE(wordsStart + word * 8)
      for (let bit = 0; bit < 64; bit++) if ((literal >> BigInt(bit)) & 1n) bits.add(position + bit)
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

function requireBytes(start: number, size: number, end: number): void {
  if (start + size > end) throw corrupt(`it ends in the middle of an entry at byte ${start}`)
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
