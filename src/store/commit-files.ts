/**
 * The working files and the git index as the committer (commit.ts) reads and writes them: only inside `.backlog/`,
 * never through a symlink that leads out of it.
 */

import type { BigIntStats } from 'node:fs'
import { closeSync, fstatSync, lstatSync, openSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { BACKLOG_DIR } from '../core/layout.js'
import { removeFileSync, writeFileAtomicSync } from './atomic-file.js'
import type { FileChange } from './commit.js'
import {
  emptyIndex,
  entryFromStats,
  findEntries,
  type GitIndex,
  type IndexEntry,
  parseIndex,
  serializeIndex,
  updateIndexEntries,
} from './git/index-file.js'
import { objectId } from './git/objects.js'
import type { IndexFix } from './index-repair.js'
import type { Repo } from './repo.js'

/** The value of `read`, or undefined if it throws (a path that does not exist yet). */
export function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** An index entry git must check by content (size 0, no stat data): for a file we did not write just now. */
export function uncheckedEntry(path: string, oid: string, mode: number): IndexEntry {
  const zero = { ctimeNs: 0n, mtimeNs: 0n, dev: 0n, ino: 0n, uid: 0n, gid: 0n, size: 0n } as BigIntStats
  return entryFromStats(path, oid, mode, zero)
}

/** Resolves a repository path to a file inside `.backlog/`, refusing symlinked folders that lead elsewhere. */
export function absolutePath(repo: Repo, path: string): string {
  const backlogRoot = join(repo.worktree, BACKLOG_DIR)
  const absolute = join(repo.worktree, ...path.split('/'))
  const realRoot = attempt(() => realpathSync(backlogRoot)) ?? backlogRoot
  let parent = dirname(absolute)
  while (parent.length > backlogRoot.length) {
    const info = attempt(() => lstatSync(parent))
    if (info?.isSymbolicLink()) {
      const target = realpathSync(parent)
      if (target !== realRoot && !target.startsWith(realRoot + sep)) {
        throw new BacklogError(
          'PATH_OUTSIDE_BACKLOG',
          `${path} leads outside .backlog/ through a symlink; nothing was written`,
        )
      }
    }
    parent = dirname(parent)
  }
  const rootInfo = attempt(() => lstatSync(backlogRoot))
  if (rootInfo?.isSymbolicLink()) {
    throw new BacklogError(
      'PATH_OUTSIDE_BACKLOG',
      '.backlog is a symlink; git-backlog writes only to a real .backlog folder',
    )
  }
  return absolute
}

/** The working file's bytes and blob id, or null when there is none. */
export function workingFile(repo: Repo, path: string): { oid: string; bytes: Buffer } | null {
  const bytes = attempt(() => readFileSync(absolutePath(repo, path)))
  return bytes === undefined ? null : { oid: objectId('blob', bytes), bytes }
}

export function writeWorkingFile(repo: Repo, path: string, content: Uint8Array | null): void {
  const absolute = absolutePath(repo, path)
  if (content === null) removeFileSync(absolute)
  else writeFileAtomicSync(absolute, content)
}

export function readIndex(repo: Repo): GitIndex {
  let fd: number | undefined
  try {
    fd = openSync(join(repo.gitdir, 'index'), 'r')
    // The time of the index as read: entries changed in its second are smudged when it is written again.
    const racyFrom = Number(fstatSync(fd, { bigint: true }).mtimeNs / 1_000_000_000n)
    return parseIndex(readFileSync(fd), { racyFrom })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex()
    throw error
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export function writeIndex(repo: Repo, index: GitIndex, updates: IndexFix[]): void {
  writeFileAtomicSync(join(repo.gitdir, 'index'), serializeIndex(updateIndexEntries(index, updates)))
}

/** The entry for a file this commit just wrote: its stat data, so git does not read it again. */
export function freshEntry(repo: Repo, path: string, blob: string): IndexEntry {
  return entryFromStats(path, blob, 0o100644, lstatSync(absolutePath(repo, path), { bigint: true }))
}

/** Stage-0 entries of these paths; paths in conflict (stages 1-3) are left out, being git's business. */
export function stageZero(index: GitIndex, paths: string[]): Map<string, IndexEntry> {
  const found = new Map<string, IndexEntry>()
  const conflicted = new Set<string>()
  for (const entry of findEntries(index, paths)) {
    if (entry.stage > 0) conflicted.add(entry.path)
    else found.set(entry.path, entry)
  }
  for (const path of conflicted) found.delete(path)
  return found
}

export function assertNoConflicts(index: GitIndex, changes: FileChange[]): void {
  // Reading `index.entries` would decode the whole index; findEntries decodes only our paths' entries.
  const paths = changes.map((change) => change.path)
  const conflicted = findEntries(index, paths).find((entry) => entry.stage > 0)
  if (conflicted) {
    throw new BacklogError(
      'REPO_BUSY',
      `${conflicted.path} has an unresolved conflict in the git index; resolve it (edit, then \`git add\`) and try again. Nothing was written.`,
      { path: conflicted.path },
    )
  }
}
