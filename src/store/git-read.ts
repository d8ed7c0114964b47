/**
 * Reading git objects with isomorphic-git: the one place that loads it, and the read-only file system it reads
 * through. Writes never go through here (see git-objects.ts).
 */

import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import type { TreeEntry } from 'isomorphic-git'

let loaded: Promise<typeof import('isomorphic-git')['default']> | undefined

/**
 * isomorphic-git, loaded on first use: most calls never read an object this process did not write, and loading it
 * costs a fifth of the server's start-up.
 */
export function isomorphicGit(): Promise<typeof import('isomorphic-git')['default']> {
  loaded ??= import('isomorphic-git').then((module) => module.default)
  return loaded
}

const MISSING = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' })
const refuseWrite = async () => {
  throw new Error('git objects are only read through this file system')
}

/**
 * A read-only file system for isomorphic-git over node's synchronous calls. A walk reads thousands of small objects
 * one after another: through fs.promises each read waits on the thread pool, and each loose-object miss (every object
 * of a pack is looked for as a loose file first) builds an error with a stack. A shared miss and synchronous reads
 * cut a cold walk of 500 packed commits with their trees from about 1.2 s to 0.8 s (two busy cores).
 */
export const readOnlyFs = {
  promises: {
    async readFile(path: string, options?: BufferEncoding | { encoding?: BufferEncoding | null }) {
      // isomorphic-git also asks for files with no path; existsSync would build an error for each such call.
      if (typeof path !== 'string' || !existsSync(path)) throw MISSING
      return readFileSync(path, options)
    },
    async readdir(path: string) {
      return readdirSync(path)
    },
    async stat(path: string) {
      const info = statSync(path, { throwIfNoEntry: false })
      if (!info) throw MISSING
      return info
    },
    async lstat(path: string) {
      const info = lstatSync(path, { throwIfNoEntry: false })
      if (!info) throw MISSING
      return info
    },
    async readlink(path: string) {
      return readlinkSync(path)
    },
    writeFile: refuseWrite,
    unlink: refuseWrite,
    mkdir: refuseWrite,
    rmdir: refuseWrite,
    symlink: refuseWrite,
    chmod: refuseWrite,
  },
}

/**
 * Calls `visit` for each non-tree path that differs between two trees (either may be null: no tree), descending
 * only into sub-trees whose ids differ and that `descend` allows. `old`/`now` are the entries on each side.
 *
 * @example
 * await diffTrees(readTree, parentTree, commitTree, '.backlog', () => true, (path) => paths.add(path))
 */
export async function diffTrees(
  readTree: (oid: string) => Promise<readonly TreeEntry[]>,
  before: string | null,
  after: string | null,
  prefix: string,
  descend: (path: string) => boolean,
  visit: (path: string, old: TreeEntry | undefined, now: TreeEntry | undefined) => void,
): Promise<void> {
  if (before === after) return
  const left = before ? await readTree(before) : []
  const right = after ? await readTree(after) : []
  const byName = new Map<string, [TreeEntry | undefined, TreeEntry | undefined]>()
  for (const entry of left) byName.set(entry.path, [entry, undefined])
  for (const entry of right) byName.set(entry.path, [byName.get(entry.path)?.[0], entry])
  for (const [name, [old, now]] of byName) {
    if (old && now && old.oid === now.oid && old.mode === now.mode) continue
    const path = `${prefix}/${name}`
    const oldTree = old?.type === 'tree' ? old.oid : null
    const newTree = now?.type === 'tree' ? now.oid : null
    if ((oldTree || newTree) && descend(path)) await diffTrees(readTree, oldTree, newTree, path, descend, visit)
    const oldFile = old && old.type !== 'tree' ? old : undefined
    const newFile = now && now.type !== 'tree' ? now : undefined
    if (oldFile || newFile) visit(path, oldFile, newFile)
  }
}
