/**
 * Git objects read straight from the object files, loose and packed (pack index version 2), with node's zlib: the
 * reads every call makes (HEAD's commit, the trees along a path, a blob). isomorphic-git reads them too, but loading
 * it, inflating with its JavaScript zlib and hashing each object back cost a command line write about 45 ms of CPU
 * (docs/adr/0015-fast-start.md). What this cannot read (a version 1 index, an object only in an alternate store) comes
 * back undefined and read.ts asks isomorphic-git, which cannot read those either: such repositories are not
 * supported yet (they were not before this reader). A loose object is checked against its id; damage is an error that
 * says to run git fsck.
 */

import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { BacklogError } from '../../core/errors.js'

export type RawType = 'commit' | 'tree' | 'blob' | 'tag'

export interface RawObject {
  type: RawType
  content: Buffer
}

const PACK_TYPES: Array<RawType | undefined> = [undefined, 'commit', 'tree', 'blob', 'tag']
const OFS_DELTA = 6
const REF_DELTA = 7
/** Bases of deltas, kept by pack offset: a chain of deltas shares its bases. */
const MAX_CACHED_BASES = 256
/** An inflated object this large or larger is not kept as a base (blobs of megabytes). */
const MAX_CACHED_BASE_BYTES = 1024 * 1024

interface Pack {
  name: string
  fd: number
  /** The index's fan-out: how many objects have a first byte up to each value. */
  fanout: Uint32Array
  count: number
  /** The index file's descriptor, read a fan-out bucket at a time. */
  idx: number
  /** The object ids that start with each byte, read on first use. */
  buckets: Map<number, Buffer>
  bases: Map<number, RawObject>
}

interface Store {
  gitdir: string
  objects: string
  packs: Pack[]
  /** Pack names when they were listed: a miss lists the folder again (a repack or fetch since). */
  listed: string
}

const stores = new Map<string, Store>()

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done)
    if (read === 0) break
    done += read
  }
  return done === length ? buffer : buffer.subarray(0, done)
}

function openPack(objects: string, name: string): Pack | undefined {
  let idx: number | undefined
  try {
    idx = openSync(join(objects, 'pack', `${name}.idx`), 'r')
    const header = readAt(idx, 0, 8 + 256 * 4)
    // Version 2: "\377tOc", then 2. Version 1 has no header; isomorphic-git reads those.
    if (header.readUInt32BE(0) !== 0xff744f63 || header.readUInt32BE(4) !== 2) {
      closeSync(idx)
      return undefined
    }
    const fanout = new Uint32Array(256)
    for (let i = 0; i < 256; i++) fanout[i] = header.readUInt32BE(8 + i * 4)
    const fd = openSync(join(objects, 'pack', `${name}.pack`), 'r')
    return { name, fd, idx, fanout, count: fanout[255] as number, buckets: new Map(), bases: new Map() }
  } catch {
    if (idx !== undefined) closeSync(idx)
    return undefined
  }
}

function packNames(objects: string): string[] {
  try {
    return readdirSync(join(objects, 'pack'))
      .filter((file) => file.startsWith('pack-') && file.endsWith('.idx'))
      .map((file) => file.slice(0, -'.idx'.length))
      .sort()
  } catch {
    return []
  }
}

function storeOf(gitdir: string): Store {
  let store = stores.get(gitdir)
  if (!store) {
    const objects = join(gitdir, 'objects')
    const names = packNames(objects)
    const packs = names.flatMap((name) => openPack(objects, name) ?? [])
    store = { gitdir, objects, packs, listed: names.join('\n') }
    stores.set(gitdir, store)
  }
  return store
}

/** Lists the packs again; true when they changed (those still there are kept open). */
function relist(store: Store): boolean {
  const names = packNames(store.objects)
  const listed = names.join('\n')
  if (listed === store.listed) return false
  const kept = new Map(store.packs.map((pack) => [pack.name, pack]))
  const packs: Pack[] = []
  for (const name of names) {
    const pack = kept.get(name) ?? openPack(store.objects, name)
    kept.delete(name)
    if (pack) packs.push(pack)
  }
  for (const gone of kept.values()) {
    closeSync(gone.fd)
    closeSync(gone.idx)
  }
  store.packs = packs
  store.listed = listed
  return true
}

/** Where an object is in a pack, by a binary search of the ids that share its first byte. */
function findOffset(pack: Pack, id: Buffer): number | undefined {
  const first = id[0] as number
  const start = first === 0 ? 0 : (pack.fanout[first - 1] as number)
  const end = pack.fanout[first] as number
  if (end <= start) return undefined
  let ids = pack.buckets.get(first)
  if (!ids) {
    ids = readAt(pack.idx, 8 + 1024 + start * 20, (end - start) * 20)
    pack.buckets.set(first, ids)
  }
  let low = 0
  let high = end - start - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const order = id.compare(ids, middle * 20, middle * 20 + 20)
    if (order === 0) {
      const position = start + middle
      const offsets = 8 + 1024 + pack.count * 24
      const offset = readAt(pack.idx, offsets + position * 4, 4).readUInt32BE(0)
      if (!(offset & 0x80000000)) return offset
      // Packs over 2 GB: the offset is an index into the table of 8-byte offsets.
      const large = readAt(pack.idx, offsets + pack.count * 4 + (offset & 0x7fffffff) * 8, 8)
      return Number(large.readBigUInt64BE(0))
    }
    if (order < 0) high = middle - 1
    else low = middle + 1
  }
  return undefined
}

/** Inflates the zlib stream at `position` of a pack, whose inflated size is known; reads more if the guess was short. */
function inflateAt(fd: number, position: number, size: number): Buffer {
  for (let length = size + 64 + (size >> 3); ; length *= 2) {
    const compressed = readAt(fd, position, length)
    try {
      const content = inflateSync(compressed)
      if (content.length === size) return content
    } catch (error) {
      // A stream cut short by the guess: read more, unless the file had no more to give. Any other zlib error is
      // damage, which reading on would not mend (and on a large pack would read it all first).
      const short = (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test(String(error))
      if (!short || compressed.length < length) throw damaged(`the packed object at offset ${position}`, error)
      continue
    }
    throw damaged(`the packed object at offset ${position}`, new Error(`it inflated to other than its ${size} bytes`))
  }
}

function readVarint(buffer: Buffer, at: { position: number }): number {
  let value = 0
  let shift = 0
  let byte: number
  do {
    byte = buffer[at.position++] as number
    value += (byte & 0x7f) * 2 ** shift
    shift += 7
  } while (byte & 0x80)
  return value
}

/** Git's delta format: the result's size, then copies from the base and inserted bytes. */
function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const at = { position: 0 }
  if (readVarint(delta, at) !== base.length) throw new Error('a delta does not fit its base')
  const result = Buffer.allocUnsafe(readVarint(delta, at))
  let written = 0
  while (at.position < delta.length) {
    const op = delta[at.position++] as number
    if (op & 0x80) {
      let offset = 0
      let size = 0
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) offset += (delta[at.position++] as number) * 2 ** (8 * bit)
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) size |= (delta[at.position++] as number) << (8 * bit)
      if (size === 0) size = 0x10000
      written += base.copy(result, written, offset, offset + size)
    } else if (op > 0) {
      written += delta.copy(result, written, at.position, at.position + op)
      at.position += op
    } else throw new Error('a delta holds the reserved instruction 0')
  }
  if (written !== result.length) throw new Error('a delta did not make an object of its stated size')
  return result
}

function readPacked(store: Store, pack: Pack, offset: number): RawObject {
  const cached = pack.bases.get(offset)
  if (cached) return cached
  const header = readAt(pack.fd, offset, 32)
  let position = 0
  let byte = header[position++] as number
  const type = (byte >> 4) & 7
  let size = byte & 15
  for (let shift = 4; byte & 0x80; shift += 7) {
    byte = header[position++] as number
    size += (byte & 0x7f) * 2 ** shift
  }
  let object: RawObject
  if (type === OFS_DELTA) {
    byte = header[position++] as number
    let distance = byte & 0x7f
    while (byte & 0x80) {
      byte = header[position++] as number
      distance = (distance + 1) * 128 + (byte & 0x7f)
    }
    const base = readPacked(store, pack, offset - distance)
    object = { type: base.type, content: applyDelta(base.content, inflateAt(pack.fd, offset + position, size)) }
  } else if (type === REF_DELTA) {
    const baseId = header.subarray(position, position + 20).toString('hex')
    const base = readRawObject(store.gitdir, baseId)
    if (!base) throw new Error(`the base ${baseId} of a delta is missing`)
    object = {
      type: base.type,
      content: applyDelta(base.content, inflateAt(pack.fd, offset + position + 20, size)),
    }
  } else {
    const name = PACK_TYPES[type]
    if (!name) throw new Error(`a pack entry of unknown type ${type}`)
    object = { type: name, content: inflateAt(pack.fd, offset + position, size) }
  }
  if (object.content.length < MAX_CACHED_BASE_BYTES) {
    if (pack.bases.size >= MAX_CACHED_BASES) pack.bases.clear()
    pack.bases.set(offset, object)
  }
  return object
}

/** What a damaged repository throws: which object, and what to run. */
function damaged(what: string, cause: unknown): BacklogError {
  return new BacklogError(
    'REPO_UNSUPPORTED',
    `${what} in this repository's git objects is damaged (${(cause as Error).message ?? cause}); run \`git fsck\` to see what is wrong`,
    {},
    { cause },
  )
}

/**
 * A loose object, checked against its id as git checks it (a file swapped for another's must not be read as it); a
 * damaged one is undefined, so a good copy in a pack is used if there is one.
 */
function readLoose(objects: string, oid: string): RawObject | 'damaged' | undefined {
  let bytes: Buffer
  try {
    bytes = readFileSync(join(objects, oid.slice(0, 2), oid.slice(2)))
  } catch {
    return undefined
  }
  let inflated: Buffer
  try {
    inflated = inflateSync(bytes)
  } catch {
    return 'damaged'
  }
  const space = inflated.indexOf(32)
  const nul = inflated.indexOf(0, space)
  const type = inflated.toString('latin1', 0, space) as RawType
  if (space < 0 || nul < 0 || !PACK_TYPES.includes(type)) return 'damaged'
  if (createHash('sha1').update(inflated).digest('hex') !== oid) return 'damaged'
  return { type, content: inflated.subarray(nul + 1) }
}

/**
 * The object's type and content, or undefined when it is not in this repository's own loose objects or version 2
 * packs. Throws when the object is there but damaged.
 *
 * @example
 * readRawObject('/repo/.git', 'ce013625030ba8dba906f756967f9e9ca394464a') // { type: 'blob', content: <hello\n> }
 */
export function readRawObject(gitdir: string, oid: string): RawObject | undefined {
  const objects = join(gitdir, 'objects')
  const loose = readLoose(objects, oid)
  if (loose && loose !== 'damaged') return loose
  const store = storeOf(gitdir)
  const id = Buffer.from(oid, 'hex')
  if (id.length !== 20) return undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const pack of store.packs) {
      const offset = findOffset(pack, id)
      if (offset !== undefined) return readPacked(store, pack, offset)
    }
    // Written since the packs were listed: a repack or fetch made a new pack (or it became loose meanwhile).
    if (!relist(store)) break
  }
  const again = readLoose(objects, oid)
  if (again === 'damaged') throw damaged(`object ${oid}`, new Error('its file does not hold it'))
  return again
}

/** True when the repository's own loose objects or version 2 packs hold the object (nothing is inflated). */
export function hasRawObject(gitdir: string, oid: string): boolean {
  if (existsSync(join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2)))) return true
  const store = storeOf(gitdir)
  const id = Buffer.from(oid, 'hex')
  if (id.length !== 20) return false
  for (let attempt = 0; attempt < 2; attempt++) {
    if (store.packs.some((pack) => findOffset(pack, id) !== undefined)) return true
    if (!relist(store)) break
  }
  return false
}
