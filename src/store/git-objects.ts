/** Git objects through isomorphic-git: blobs, trees rebuilt along changed paths only, commits. */

import * as nodeFs from 'node:fs'
import git, { type TreeEntry } from 'isomorphic-git'
import { BacklogError } from '../core/errors.js'
import { temporaryPathFor } from './atomic-file.js'

/**
 * node:fs for isomorphic-git, except that files are written to a temporary name and renamed: isomorphic-git writes
 * loose objects in place and never overwrites an existing one, so a process killed mid-write would leave a corrupt
 * object behind for good.
 */
const atomicFs = {
  promises: {
    ...nodeFs.promises,
    async writeFile(path: string, data: string | Uint8Array, options?: nodeFs.WriteFileOptions) {
      const temporary = temporaryPathFor(path)
      try {
        await nodeFs.promises.writeFile(temporary, data, options)
        await nodeFs.promises.rename(temporary, path)
      } catch (error) {
        await nodeFs.promises.unlink(temporary).catch(() => {})
        throw error
      }
    },
  },
}

export interface Signature {
  name: string
  email: string
  timestamp: number
  timezoneOffset: number
}

/** Trees are immutable, so they are cached by id; the cache is bounded because every commit makes a few new ones. */
const MAX_CACHED_TREES = 4_000

export interface ObjectStore {
  writeBlob(content: Uint8Array): Promise<string>
  readBlob(oid: string): Promise<Uint8Array>
  /** The root tree of a commit. */
  commitTree(commit: string): Promise<string>
  /** A new root tree: `base` with the given paths set to blobs (mode kept when it was executable) or removed. */
  rewriteTree(base: string | undefined, changes: Map<string, string | null>): Promise<string>
  /** The blob id at a path of a tree, if there is one. */
  blobAt(tree: string | undefined, path: string): Promise<string | undefined>
  writeCommit(commit: {
    tree: string
    parents: string[]
    message: string
    author: Signature
    committer: Signature
  }): Promise<string>
}

/** Object access for the repository whose objects live in `commondir`. */
export function createObjectStore(commondir: string): ObjectStore {
  const gitdir = commondir
  const cache = {}
  const trees = new Map<string, TreeEntry[]>()

  async function readTree(oid: string): Promise<TreeEntry[]> {
    const cached = trees.get(oid)
    if (cached) return cached
    const { tree } = await git.readTree({ fs: atomicFs, gitdir, oid, cache })
    if (trees.size >= MAX_CACHED_TREES) trees.clear()
    trees.set(oid, tree)
    return tree
  }

  async function writeTree(entries: TreeEntry[]): Promise<string> {
    const oid = await git.writeTree({ fs: atomicFs, gitdir, tree: entries })
    trees.set(oid, entries)
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
    return writeTree(entries)
  }

  return {
    writeBlob: (content) => git.writeBlob({ fs: atomicFs, gitdir, blob: content }),
    async readBlob(oid) {
      const { blob } = await git.readBlob({ fs: atomicFs, gitdir, oid, cache })
      return blob
    },
    async commitTree(commit) {
      const { commit: parsed } = await git.readCommit({ fs: atomicFs, gitdir, oid: commit, cache })
      return parsed.tree
    },
    async rewriteTree(base, changes) {
      return (await rewrite(base, changes, '')) as string
    },
    async blobAt(tree, path) {
      let current = tree
      const parts = path.split('/')
      for (const [index, part] of parts.entries()) {
        if (!current) return undefined
        const entry = (await readTree(current)).find((candidate) => candidate.path === part)
        if (!entry) return undefined
        if (index === parts.length - 1) return entry.type === 'blob' ? entry.oid : undefined
        current = entry.type === 'tree' ? entry.oid : undefined
      }
      return undefined
    },
    writeCommit: ({ tree, parents, message, author, committer }) =>
      git.writeCommit({ fs: atomicFs, gitdir, commit: { tree, parent: parents, message, author, committer } }),
  }
}
