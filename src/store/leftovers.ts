/**
 * What killed git-backlog processes leave behind besides a journal: temporary files and quarantine folders, found by
 * the names atomic-file.ts gives them and removed once their process is gone. Older versions named their temporary
 * files without the `git-backlog-` mark; `findOldLeftovers` looks for those for `git backlog doctor`.
 */

import { type Dirent, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { quarantineOwner, temporaryOwner } from './atomic-file.js'
import { runGit } from './git/cli.js'
import { readHead, targetOf } from './git/refs.js'
import { readJournal } from './journal.js'
import { isGoneProcess, readLockOwner } from './locks.js'
import type { Repo } from './repo.js'

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
}

/** The folders a writer makes temporary files in: the git dir (index, locks), our own folder, HEAD's ref folder. */
function writerFolders(repo: Repo): string[] {
  const folders = [repo.gitdir, join(repo.gitdir, 'backlog')]
  try {
    const ref = targetOf(repo, readHead(repo)).file
    folders.push(ref.slice(0, ref.lastIndexOf('/')))
  } catch {
    // no readable HEAD: nothing of ours beside it
  }
  return folders
}

/**
 * Removes the temporary files and quarantine folders of git-backlog processes of this host that no longer run, in the
 * folders a writer uses and in `extra` folders (where a journaled commit wrote working files). Only the exact names
 * atomic-file.ts gives are touched. Returns the paths removed.
 *
 * @example
 * removeLeftovers(repo) // ['/repo/.git/objects/tmp_objdir-git-backlog-3f2a1c-4242-0a1b2c3d']
 */
export function removeLeftovers(repo: Repo, extra: readonly string[] = []): string[] {
  const removed: string[] = []
  const objects = join(repo.commondir, 'objects')
  const kept = journaledQuarantines(repo)
  for (const entry of list(objects)) {
    if (!entry.isDirectory() || kept.has(entry.name) || !isGoneProcess(quarantineOwner(entry.name))) continue
    rmSync(join(objects, entry.name), { recursive: true, force: true })
    removed.push(join(objects, entry.name))
  }
  for (const folder of new Set([...writerFolders(repo), ...extra])) {
    for (const entry of list(folder)) {
      if (!entry.isFile() || !isGoneProcess(temporaryOwner(entry.name))) continue
      const path = join(folder, entry.name)
      try {
        unlinkSync(path)
        removed.push(path)
      } catch {
        // taken by someone else meanwhile: looked at again next time
      }
    }
  }
  return removed
}

/**
 * Quarantines that a journal still needs, in this worktree or any other of the repository (they share `objects/`):
 * the commit they hold is finished from them when that journal is settled.
 */
function journaledQuarantines(repo: Repo): Set<string> {
  const gitdirs = [
    repo.gitdir,
    repo.commondir,
    ...list(join(repo.commondir, 'worktrees')).map((entry) => join(repo.commondir, 'worktrees', entry.name)),
  ]
  const names = new Set<string>()
  for (const gitdir of new Set(gitdirs)) {
    const journal = readJournal({ ...repo, gitdir })
    if (journal && journal !== 'unreadable') names.add(journal.quarantine)
  }
  return names
}

/** Temporary files of versions before 0.2: `.<name>.<pid>-<8 hex>.tmp` (hidden, so never a ref or an item). */
const OLD_TEMPORARY = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/
/** A lock moved aside by recovery in versions before 0.2: `<lock>.dead-<pid>-<8 hex>`, holding the dead owner's line. */
const OLD_DEAD_LOCK = /^.+\.lock\.dead-(\d+)-[0-9a-f]{8}$/

/**
 * Temporary files that killed writers (of older versions too) left anywhere they wrote: loose-object folders (which
 * `git fsck` reports as "bad sha1 file"), the git dir, ref folders and `.backlog/`. Files of live processes are left
 * out, and a lock moved aside counts only when it holds a git-backlog owner line (a branch may have any name).
 */
export function findOldLeftovers(repo: Repo): string[] {
  const found: string[] = []
  const visit = (folder: string, deep: boolean) => {
    for (const entry of list(folder)) {
      const path = join(folder, entry.name)
      if (entry.isDirectory()) {
        if (deep) visit(path, true)
        continue
      }
      if (!entry.isFile()) continue
      const old = OLD_TEMPORARY.exec(entry.name)
      const aside = OLD_DEAD_LOCK.exec(entry.name)
      if (isGoneProcess(temporaryOwner(entry.name)) || (old && isGoneProcess(Number(old[1])))) found.push(path)
      else if (aside && readLockOwner(path)?.startsWith('git-backlog lock ') && isGoneProcess(Number(aside[1])))
        found.push(path)
    }
  }
  const objects = join(repo.commondir, 'objects')
  for (const entry of list(objects)) if (/^[0-9a-f]{2}$/.test(entry.name)) visit(join(objects, entry.name), false)
  visit(repo.gitdir, false)
  visit(join(repo.gitdir, 'backlog'), false)
  visit(join(repo.commondir, 'refs'), true)
  visit(join(repo.worktree, '.backlog'), true)
  return found
}

/** Removes what `findOldLeftovers` finds; returns the paths removed. */
export function removeOldLeftovers(repo: Repo): string[] {
  const found = findOldLeftovers(repo)
  for (const path of found) rmSync(path, { force: true })
  return found
}

/** A `.backlog/` path whose index or working file differs from HEAD, as `git status` sees it. */
export interface UncommittedPath {
  path: string
  /** git's two status letters: index, then working tree (`A `, ` M`, ` D`, `??`...). */
  status: string
}

/**
 * Item files under `.backlog/tasks/` and `.backlog/archive/` that differ from HEAD: what a writer of an older version,
 * killed between writing files and committing them, left behind (or a hand edit not yet committed).
 */
export function uncommittedItemFiles(repo: Repo): UncommittedPath[] {
  const result = runGit(repo, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--no-renames',
    '--',
    '.backlog/tasks',
    '.backlog/archive',
  ])
  if (result.status !== 0) return []
  return result.stdout
    .split('\0')
    .filter((record) => record.length > 3)
    .map((record) => ({ status: record.slice(0, 2), path: record.slice(3) }))
    .filter(({ path }) => path.endsWith('.md'))
}

/**
 * Brings files back as the last commit has them, in the index and the working tree (`git checkout HEAD -- paths`):
 * items a killed writer of an older version deleted without committing. Fails with the reason git gives.
 */
export function restoreFromHead(repo: Repo, paths: readonly string[]): void {
  if (paths.length === 0) return
  const result = runGit(repo, ['checkout', 'HEAD', '--', ...paths], { waitForLocksMs: 5_000 })
  if (result.status !== 0) {
    throw new BacklogError('REPO_BUSY', `Could not bring back ${paths.join(', ')}: ${result.stderr.trim()}`)
  }
}
