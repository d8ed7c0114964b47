/**
 * Git objects: read through isomorphic-git (loose and packed), written here as loose objects with node's own SHA-1
 * and zlib, and trees rebuilt along the changed paths only. New objects are written into a quarantine folder first
 * (as git's own receive-pack does) and moved into the object store only once the commit is decided, so a writer
 * killed or beaten to the branch leaves no stray objects (docs/adr/0011-crash-safe-commits.md).
 */

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import type { TreeEntry } from 'isomorphic-git'
import { BacklogError } from '../../core/errors.js'
import { quarantineName } from '../atomic-file.js'
import { type GitReader, gitReader } from './reader.js'

export interface Signature {
  name: string
  email: string
  timestamp: number
  timezoneOffset: number
}

export type ObjectType = 'blob' | 'tree' | 'commit'

const LOOSE_NAME = /^[0-9a-f]{38}$/
const FLAT_NAME = /^[0-9a-f]{40}$/

function loosePath(objectsDir: string, oid: string): string {
  return join(objectsDir, oid.slice(0, 2), oid.slice(2))
}

/**
 * The id git gives an object of this content, as `git hash-object` prints it.
 *
 * @example
 * objectId('blob', Buffer.from('hello\n')) // 'ce013625030ba8dba906f756967f9e9ca394464a'
 */
export function objectId(type: ObjectType, content: Uint8Array): string {
  return createHash('sha1').update(`${type} ${content.byteLength}\0`).update(content).digest('hex')
}

/** Git's tree order: byte order of names, a folder compared as if its name ended in `/`. */
function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const key = (entry: TreeEntry) => Buffer.from(entry.type === 'tree' ? `${entry.path}/` : entry.path)
  return Buffer.compare(key(a), key(b))
}

function serializeTree(entries: TreeEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of [...entries].sort(compareEntries)) {
    const mode = entry.mode === '040000' ? '40000' : entry.mode
    parts.push(Buffer.from(`${mode} ${entry.path}\0`), Buffer.from(entry.oid, 'hex'))
  }
  return Buffer.concat(parts)
}

/**
 * A time zone as git writes it: `+hhmm` east of UTC, from a Date#getTimezoneOffset (minutes, positive west).
 *
 * @example
 * formatZone(-120) // '+0200'
 */
export function formatZone(offsetMinutes: number): string {
  const east = -offsetMinutes
  const abs = Math.abs(east)
  return `${east < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`
}

function formatSignature({ name, email, timestamp, timezoneOffset }: Signature): string {
  return `${name} <${email}> ${timestamp} ${formatZone(timezoneOffset)}`
}

export interface ObjectStore {
  /** The repository's reader, whose one cache holds the trees and commits read here (see reader.ts). */
  readonly reader: GitReader
  /** The root tree of a commit. */
  commitTree(commit: string): Promise<string>
  /** A commit's parents, committer time (seconds) and message. */
  commitInfo(commit: string): Promise<{ tree: string; parents: string[]; time: number; message: string }>
  /** A tree's entries (cached: trees never change). */
  readTree(tree: string): Promise<readonly TreeEntry[]>
  /** A blob's bytes. */
  readBlob(blob: string): Promise<Uint8Array>
  /** True when the object store holds this object (loose or packed). */
  has(oid: string): Promise<boolean>
  /** True when `ancestor` is `commit` or one of its ancestors (as far as a shallow clone has them). */
  isAncestor(ancestor: string, commit: string): Promise<boolean>
  /** The blob id at a path of a tree, if there is one. */
  blobAt(tree: string | undefined, path: string): Promise<string | undefined>
  /** Loads what the first commit on top of `commit` will need, so the first write is as fast as the rest. */
  warm(commit: string): Promise<void>
  /** A new quarantine for the objects of one commit attempt. */
  quarantine(options?: { gitLayout?: boolean }): Quarantine
}

/**
 * The new objects of one commit attempt, held aside in `objects/tmp_objdir-git-backlog-<host>-<pid>-<hex>/` until the
 * commit is decided. With `gitLayout` the folder is a valid object directory (`xx/<38 hex>`), so git itself can write
 * into it (a signed commit made by `git commit-tree`); otherwise objects are named by their full id, one file each.
 */
export interface Quarantine {
  /** The folder's name under `objects/`, recorded in the commit journal. */
  readonly name: string
  /** The folder's absolute path. */
  readonly dir: string
  writeBlob(content: Uint8Array): string
  /** A new root tree: `base` with the given paths set to blobs (mode kept when it was executable) or removed. */
  rewriteTree(base: string | undefined, changes: Map<string, string | null>): Promise<string>
  writeCommit(commit: {
    tree: string
    parents: string[]
    message: string
    author: Signature
    committer: Signature
  }): string
  /** Records an object that git wrote into the folder itself (gitLayout only), so `promote` moves it too. */
  adopt(oid: string, tree?: string): void
  /** Moves every object into the object store. */
  promote(): void
  /** Removes the folder and whatever is left in it. */
  discard(): void
}

/**
 * Moves every object a quarantine folder holds into the object store (both layouts); objects already there are
 * replaced by the same bytes. Used by `Quarantine.promote` and by recovery after a crash.
 */
export function promoteQuarantine(objectsDir: string, name: string): void {
  const dir = join(objectsDir, name)
  let entries: string[]
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const entry of entries) {
    if (FLAT_NAME.test(entry)) moveObject(join(dir, entry), objectsDir, entry)
    else if (/^[0-9a-f]{2}$/.test(entry)) {
      for (const rest of readdirSync(join(dir, entry))) {
        if (LOOSE_NAME.test(rest)) moveObject(join(dir, entry, rest), objectsDir, entry + rest)
      }
    }
  }
}

function moveObject(from: string, objectsDir: string, oid: string): void {
  const to = loosePath(objectsDir, oid)
  try {
    renameSync(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    mkdirSync(join(objectsDir, oid.slice(0, 2)), { recursive: true })
    renameSync(from, to)
  }
}

/** Removes a quarantine folder and anything in it. */
export function removeQuarantine(objectsDir: string, name: string): void {
  rmSync(join(objectsDir, name), { recursive: true, force: true })
}

/** Object access for the repository whose objects live in `commondir`. */
export function createObjectStore(commondir: string): ObjectStore {
  const objectsDir = join(commondir, 'objects')
  const reader = gitReader(commondir)
  const readTree = reader.tree

  /** A tree this process just wrote, kept in the reader's cache as if it had been read. */
  function rememberTree(oid: string, entries: TreeEntry[]): void {
    let bytes = 64
    for (const entry of entries) bytes += 160 + 2 * entry.path.length
    reader.cache.set(`tree ${oid}`, entries, bytes)
  }

  function rememberCommitTree(commit: string, tree: string): void {
    reader.cache.set(`commit-tree ${commit}`, tree, 150)
  }

  function quarantine({ gitLayout = false } = {}): Quarantine {
    // In `objects/`, named `tmp_objdir-…` as git's own quarantines are, so git's `gc` also clears a stale one.
    const name = quarantineName()
    const dir = join(objectsDir, name)
    const written: string[] = []
    let created = false

    function write(type: ObjectType, content: Uint8Array): string {
      const wrapped = Buffer.concat([Buffer.from(`${type} ${content.byteLength}\0`), content])
      const oid = createHash('sha1').update(wrapped).digest('hex')
      const stored = loosePath(objectsDir, oid)
      if (existsSync(stored)) {
        // As git does when it finds an object it was about to write: fresh again, so a concurrent `git gc --prune`
        // does not take it while this commit comes to refer to it.
        try {
          utimesSync(stored, new Date(), new Date())
        } catch {
          // a read-only object store: nothing to freshen, and nothing prunes it either
        }
        return oid
      }
      if (!created) {
        mkdirSync(dir, { recursive: true })
        created = true
      }
      let path = join(dir, oid)
      if (gitLayout) {
        mkdirSync(join(dir, oid.slice(0, 2)), { recursive: true })
        path = loosePath(dir, oid)
      }
      // Only a decided commit's quarantine is ever moved into the store, and it is decided after every object in it
      // was written whole: no temporary file is needed in here.
      writeFileSync(path, deflateSync(wrapped))
      written.push(oid)
      return oid
    }

    async function rewrite(
      base: string | undefined,
      changes: Map<string, string | null>,
      prefix: string,
    ): Promise<string | undefined> {
      const entries = base ? [...(await readTree(base))] : []
      const nested = new Map<string, Map<string, string | null>>()
      for (const [path, blob] of changes) {
        const slash = path.indexOf('/')
        if (slash < 0) {
          const index = entries.findIndex((entry) => entry.path === path)
          const existing = index >= 0 ? entries[index] : undefined
          if (existing && existing.type !== 'blob') {
            throw new BacklogError('CONFLICT', `${prefix}${path} is a folder in the last commit, not a file`)
          }
          if (blob === null) {
            if (index >= 0) entries.splice(index, 1)
          } else {
            const mode = existing?.mode === '100755' ? '100755' : '100644'
            const entry: TreeEntry = { mode, path, oid: blob, type: 'blob' }
            if (index >= 0) entries[index] = entry
            else entries.push(entry)
          }
          continue
        }
        const head = path.slice(0, slash)
        const group = nested.get(head) ?? new Map<string, string | null>()
        group.set(path.slice(slash + 1), blob)
        nested.set(head, group)
      }
      for (const [name, group] of nested) {
        const index = entries.findIndex((entry) => entry.path === name)
        const existing = index >= 0 ? entries[index] : undefined
        if (existing && existing.type !== 'tree') {
          throw new BacklogError('CONFLICT', `${prefix}${name} is a file in the last commit, not a folder`)
        }
        const child = await rewrite(existing?.oid, group, `${prefix}${name}/`)
        if (child === undefined) {
          if (index >= 0) entries.splice(index, 1)
        } else {
          const entry: TreeEntry = { mode: '040000', path: name, oid: child, type: 'tree' }
          if (index >= 0) entries[index] = entry
          else entries.push(entry)
        }
      }
      // Git has no empty folders: a tree that lost its last entry disappears (the root stays, possibly empty).
      if (entries.length === 0 && prefix !== '') return undefined
      const oid = write('tree', serializeTree(entries))
      rememberTree(oid, entries)
      return oid
    }

    return {
      name,
      dir,
      writeBlob: (content) => write('blob', content),
      async rewriteTree(base, changes) {
        return (await rewrite(base, changes, '')) as string
      },
      writeCommit({ tree, parents, message, author, committer }) {
        const text = [
          `tree ${tree}`,
          ...parents.map((parent) => `parent ${parent}`),
          `author ${formatSignature(author)}`,
          `committer ${formatSignature(committer)}`,
          '',
          message,
        ].join('\n')
        const oid = write('commit', Buffer.from(text))
        rememberCommitTree(oid, tree)
        return oid
      },
      adopt(oid, tree) {
        written.push(oid)
        created = true
        if (tree) rememberCommitTree(oid, tree)
      },
      promote() {
        for (const oid of written) moveObject(gitLayout ? loosePath(dir, oid) : join(dir, oid), objectsDir, oid)
        written.length = 0
        if (created) removeQuarantine(objectsDir, name)
        created = false
      },
      discard() {
        written.length = 0
        if (created) removeQuarantine(objectsDir, name)
        created = false
      },
    }
  }

  async function commitInfo(commit: string) {
    const parsed = await reader.commit(commit)
    // A shallow clone's boundary commits name parents it never fetched: history ends there, as in git.
    return { tree: parsed.tree, parents: await reader.parents(commit), time: parsed.committed, message: parsed.message }
  }

  return {
    reader,
    readTree,
    commitInfo,
    async commitTree(commit) {
      const known = reader.cache.get<string>(`commit-tree ${commit}`)
      if (known) return known
      const { tree } = await reader.commit(commit)
      rememberCommitTree(commit, tree)
      return tree
    },
    readBlob: (blob) => reader.blob(blob),
    has: (oid) => reader.has(oid),
    isAncestor: (ancestor, commit) => reader.isAncestor(ancestor, commit),
    blobAt: (tree, path) => reader.blobAt(tree, path),
    async warm(commit) {
      const tree = await this.commitTree(commit)
      await this.blobAt(tree, '.backlog/tasks/-')
    },
    quarantine,
  }
}
