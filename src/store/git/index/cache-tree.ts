/** The cache tree (TREE extension): which directories git may reuse a tree id for. */

import { type CacheTreeNode, corrupt, HASH_SIZE } from './format.js'
import type { Cursor } from './read.js'

export function parseCacheTree(data: Buffer): CacheTreeNode {
  const cursor: Cursor = { offset: 0 }
  const root = readCacheTreeNode(data, cursor)
  if (cursor.offset !== data.length) throw corrupt('its cache tree has trailing bytes')
  return root
}

export function readCacheTreeNode(data: Buffer, cursor: Cursor): CacheTreeNode {
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

export function writeCacheTreeNode(node: CacheTreeNode, chunks: Buffer[]): void {
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
