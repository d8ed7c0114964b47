/**
 * Decoding git objects: trees, commits and blobs from the object files (object-files.ts), else with isomorphic-git,
 * which this is the one place to load, with the read-only file system it reads through. Callers read through the
 * repository's reader (reader.ts), which caches what this decodes. Writes never go through here (see objects.ts).
 */

import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import type { TreeEntry } from 'isomorphic-git'
import { hasRawObject, readRawObject } from './object-files.js'

let loaded: Promise<typeof import('isomorphic-git')['default']> | undefined

/**
 * isomorphic-git, loaded on first use: most calls never read an object this process did not write, and loading it
 * costs a fifth of the server's start-up.
 */
export function isomorphicGit(): Promise<typeof import('isomorphic-git')['default']> {
  loaded ??= import('isomorphic-git').then((module) => module.default)
  return loaded
}

/** isomorphic-git's object cache, shared by the reads that fall back to it. */
type Cache = object

/** A tree's entries as isomorphic-git gives them: modes as written (`40000` as `040000`), in the tree's order. */
function parseTree(content: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = []
  let cursor = 0
  while (cursor < content.length) {
    const space = content.indexOf(32, cursor)
    const nul = content.indexOf(0, space)
    if (space < 0 || nul < 0) throw new Error('a git tree object is cut short')
    let mode = content.toString('latin1', cursor, space)
    if (mode === '40000') mode = '040000'
    const type = mode === '040000' ? 'tree' : mode === '160000' ? 'commit' : 'blob'
    entries.push({
      mode,
      path: content.toString('utf8', space + 1, nul),
      oid: content.toString('hex', nul + 1, nul + 21),
      type,
    })
    cursor = nul + 21
  }
  return entries
}

/**
 * A tree's entries.
 *
 * @example
 * (await readTreeEntries(repo.commondir, tree, {})).find((entry) => entry.path === '.backlog')
 */
export async function readTreeEntries(gitdir: string, oid: string, cache: Cache): Promise<TreeEntry[]> {
  const raw = readRawObject(gitdir, oid)
  if (raw?.type === 'tree') return parseTree(raw.content)
  return (await (await isomorphicGit()).readTree({ fs: readOnlyFs, gitdir, oid, cache })).tree
}

export interface CommitSummary {
  tree: string
  parent: string[]
  /** The committer's time, in seconds. */
  committed: number
  /** The author's name and time, in seconds. */
  author: string
  authored: number
  message: string
}

/** isomorphic-git's reading of a commit message: no carriage returns, no leading blank lines, one newline at the end. */
function normalizeMessage(text: string): string {
  return `${text.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`
}

/** A signature line's name and time, as isomorphic-git reads them (`name <email> time zone`). */
function signature(header: string | undefined): { name: string; time: number } {
  const match = /^\S+ (.*) <(?:.*)> (.*) (?:.*)$/.exec(header ?? '')
  return { name: match?.[1] ?? '', time: Number(match?.[2]) }
}

/** Git reads a commit's start by position: one `tree`, then the `parent` lines right after it. */
function parseCommit(text: string): CommitSummary {
  const end = text.indexOf('\n\n')
  const headers = text.slice(0, end).split('\n')
  const tree = /^tree (.*)$/.exec(headers[0] ?? '')?.[1]
  if (tree === undefined) throw new Error('a git commit object does not start with its tree')
  const parent: string[] = []
  let index = 1
  for (; index < headers.length && headers[index]?.startsWith('parent '); index++) {
    parent.push((headers[index] as string).slice('parent '.length))
  }
  // The first of each header counts, as in git; continuation lines (a signature's) start with a space.
  const rest = headers.slice(index)
  const author = signature(rest.find((header) => header.startsWith('author ')))
  const committer = signature(rest.find((header) => header.startsWith('committer ')))
  return {
    tree,
    parent,
    committed: committer.time,
    author: author.name,
    authored: author.time,
    message: normalizeMessage(text.slice(end + 2)),
  }
}

/**
 * A commit's tree, parents, author, times and message.
 *
 * @example
 * (await readCommitSummary(repo.commondir, head, {})).tree
 */
export async function readCommitSummary(gitdir: string, oid: string, cache: Cache): Promise<CommitSummary> {
  const raw = readRawObject(gitdir, oid)
  if (raw?.type === 'commit') return parseCommit(raw.content.toString('utf8'))
  const { commit } = await (await isomorphicGit()).readCommit({ fs: readOnlyFs, gitdir, oid, cache })
  return {
    tree: commit.tree,
    parent: commit.parent,
    committed: commit.committer.timestamp,
    author: commit.author.name,
    authored: commit.author.timestamp,
    message: commit.message,
  }
}

/** A blob's bytes. */
export async function readBlobBytes(gitdir: string, oid: string, cache: Cache): Promise<Uint8Array> {
  const raw = readRawObject(gitdir, oid)
  // A plain Uint8Array, as isomorphic-git gives (a Buffer prints and compares differently).
  if (raw?.type === 'blob') return new Uint8Array(raw.content.buffer, raw.content.byteOffset, raw.content.length)
  return (await (await isomorphicGit()).readBlob({ fs: readOnlyFs, gitdir, oid, cache })).blob
}

/** True when the object store holds this object, loose or packed. */
export async function hasObject(gitdir: string, oid: string, cache: Cache): Promise<boolean> {
  if (hasRawObject(gitdir, oid)) return true
  try {
    await (await isomorphicGit()).readObject({ fs: readOnlyFs, gitdir, oid, format: 'content', cache })
    return true
  } catch {
    return false
  }
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
