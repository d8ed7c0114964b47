/**
 * Task files git left in conflict (a merge made before the driver was configured, or by a tool that does not run
 * it) merged again from the three versions git keeps in the index while the merge is unfinished: stage 1 the common
 * ancestor, 2 ours, 3 theirs.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseItemFile } from '../core/codec.js'
import type { BacklogConfig } from '../core/config.js'
import { formatTimestamp } from '../core/dates.js'
import { isBacklogError } from '../core/errors.js'
import { type DecodedFile, decodeItemBytes, encodeItemText } from '../core/file-bytes.js'
import { idKey } from '../core/ids.js'
import { ARCHIVE_DIR, BACKLOG_DIR, idFromPath, itemPath } from '../core/layout.js'
import { mergeItemTexts } from '../core/merge.js'
import { runGit } from '../store/git/cli.js'
import { gitReader } from '../store/git/reader.js'
import { unmergedBacklogFiles } from '../store/git/unmerged.js'
import type { Repo } from '../store/repo.js'

export interface ResolvedFile {
  path: string
  /**
   * merged: written and staged (an item one side deleted and the other changed is kept); conflict: written with
   * markers in the description, not staged; unreadable: a version does not parse.
   */
  outcome: 'merged' | 'conflict' | 'unreadable'
  /** What a person does next, when there is anything to do. */
  next?: string
  /** Fields both sides changed, settled by rule (the other value kept in a note). */
  settled?: string[]
}

const git = runGit

/** The contents of many blobs, read by the repository's git reader in one go (one `git cat-file --batch`). */
function readBlobs(repo: Repo, oids: readonly string[]): Map<string, DecodedFile & { bytes: Buffer }> {
  const blobs = new Map<string, DecodedFile & { bytes: Buffer }>()
  for (const [oid, bytes] of gitReader(repo.commondir).blobsNow(oids))
    blobs.set(oid, { ...decodeItemBytes(bytes), bytes })
  return blobs
}

/**
 * The id of the item git's common ancestor holds when it is another item than the kept one: git took that item's
 * deletion for a move to this added file, and calls the file deleted by the other side (rename/delete).
 */
function movedFrom(base: string, kept: string): string | undefined {
  try {
    const [was, is] = [parseItemFile(base).id, parseItemFile(kept).id]
    return idKey(was) === idKey(is) ? undefined : was
  } catch {
    return undefined
  }
}

/** The result for an item one side deleted and the other changed, kept as changed; `name` says which. */
function keptChanged(path: string, name: string): ResolvedFile {
  return {
    path,
    outcome: 'merged',
    settled: ['deleted on one side, changed on the other: kept'],
    next: `kept ${name}, changed on one side though the other deleted it; \`git backlog rm\` it if it should go`,
  }
}

/** Where an item git dropped belongs: the archive if a side of the operation has it there, else the tasks folder. */
function placeOf(repo: Repo, id: string): string {
  const archived = itemPath(id, ARCHIVE_DIR)
  for (const head of ['HEAD', 'MERGE_HEAD', 'REBASE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD']) {
    if (git(repo, ['cat-file', '-e', `${head}:${archived}`]).status === 0) return archived
  }
  return itemPath(id)
}

/**
 * Two different items git took for one moved file (docs/adr/0021-items-git-takes-for-a-move.md): the file gets its
 * own item back as its side wrote it, and the other item, changed on one side and deleted on the other, is kept as
 * changed at its own path, as any modify/delete here is. Both are written and left for the one `git add`.
 */
function bringBackPaired(
  repo: Repo,
  path: string,
  kept: Buffer,
  lost: { id: string; bytes: Buffer; stage: number },
): ResolvedFile[] {
  const lostPath = placeOf(repo, lost.id)
  const target = join(repo.worktree, ...lostPath.split('/'))
  if (existsSync(target) && !readFileSync(target).equals(lost.bytes)) {
    return [
      {
        path,
        outcome: 'conflict',
        next: `git took ${lost.id} for a move to this file, and ${lostPath} is there already: compare it with \`git show :${lost.stage}:${path}\` (${lost.id} as changed), keep what is right, then \`git checkout --${lost.stage === 2 ? 'theirs' : 'ours'} ${path}\` so this file holds its own item, and \`git add\` both`,
      },
    ]
  }
  writeFileSync(join(repo.worktree, ...path.split('/')), kept)
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, lost.bytes)
  return [
    {
      path,
      outcome: 'merged',
      next: `git had taken ${lost.id} for a move to this file; it keeps its own item as written`,
    },
    keptChanged(lostPath, lost.id),
  ]
}

/**
 * Merges each unmerged task file (or only `paths`) from its index stages and writes the result. A clean result is
 * staged (`git add`), so `git commit` (or `--continue`) finishes the merge; a file whose description both sides
 * rewrote keeps markers there and stays unmerged for a person.
 *
 * @example
 * resolveConflicts(repo, { config, now: new Date() })
 * // [{ path: '.backlog/tasks/2/bl-k3m9x2.md', outcome: 'merged', settled: ['priority'] }]
 */
export function resolveConflicts(
  repo: Repo,
  options: {
    config: BacklogConfig
    now: Date
    paths?: readonly string[]
    /**
     * Merge every file from its stages even when its working copy was already edited by hand (sync, whose own merge
     * just left the files). Otherwise a file whose markers a person already took out is left as they made it.
     */
    overwrite?: boolean
  },
): ResolvedFile[] {
  const wanted = options.paths ? new Set(options.paths) : undefined
  const unmerged = [...unmergedBacklogFiles(repo)].filter(([path]) => !wanted || wanted.has(path))
  let indexed: string[] | undefined
  /** Where else the index holds this item: a move the other side made (an archive git did not see as a rename). */
  const elsewhere = (path: string): string | undefined => {
    indexed ??= git(repo, ['ls-files', '-z', '--', BACKLOG_DIR]).stdout.split('\0')
    const id = idFromPath(path)?.toLowerCase()
    return indexed.find((other) => other !== path && idFromPath(other)?.toLowerCase() === id)
  }
  const blobs = readBlobs(repo, [...new Set(unmerged.flatMap(([, stages]) => [...stages.values()]))])
  const blobOf = (stages: Map<number, string>, number: number) => {
    const blob = blobs.get(stages.get(number) as string)
    if (blob === undefined) throw new Error(`git has no blob for stage ${number}`)
    return blob
  }
  const stage = (stages: Map<number, string>, number: number) => blobOf(stages, number).text
  const results: ResolvedFile[] = []
  for (const [path, stages] of unmerged) {
    if (!stages.has(2) || !stages.has(3)) {
      // One side deleted the item and the other changed it: the change is kept (a task is never lost to a merge),
      // and the person can still delete it again.
      const kept = stages.has(2) ? 2 : 3
      if (!stages.has(kept)) continue
      const other = elsewhere(path)
      if (other) {
        results.push({
          path,
          outcome: 'conflict',
          next: `one side moved the item to ${other} and the other changed ${path}: carry the change over to ${other} by hand, then \`git rm ${path}\``,
        })
        continue
      }
      writeFileSync(join(repo.worktree, ...path.split('/')), blobOf(stages, kept).bytes)
      const moved = stages.has(1) ? movedFrom(stage(stages, 1), stage(stages, kept)) : undefined
      results.push(
        moved
          ? {
              path,
              outcome: 'merged',
              settled: ['added on one side: kept'],
              next: `kept ${path}, an item one side added: git took ${moved}, which the other side deleted, for a move to it, and so called this one deleted`,
            }
          : keptChanged(path, path),
      )
      continue
    }
    const base = stages.has(1) ? stage(stages, 1) : undefined
    let merged: ReturnType<typeof mergeItemTexts> | undefined
    let unreadable: string | undefined
    try {
      merged = mergeItemTexts(base, stage(stages, 2), stage(stages, 3), {
        mode: 'resolve',
        config: options.config,
        now: formatTimestamp(options.now),
        path,
      })
    } catch (error) {
      if (!isBacklogError(error)) throw error
      unreadable = error.message
    }
    if (!options.overwrite) {
      let current: string | undefined
      try {
        current = decodeItemBytes(readFileSync(join(repo.worktree, ...path.split('/')))).text
      } catch {
        current = undefined
      }
      // the driver leaves the file's own item there when git paired two items (`merged.text`, byte for byte)
      const untouched = current === stage(stages, 2) || (merged?.leftOut !== undefined && current === merged.text)
      if (current !== undefined && !/^<{7}( |$)/m.test(current) && !untouched) {
        results.push({ path, outcome: 'conflict', next: `already edited by hand: check it, then \`git add ${path}\`` })
        continue
      }
    }
    if (merged === undefined) {
      results.push({ path, outcome: 'unreadable', next: `${unreadable}; fix it by hand, then \`git add ${path}\`` })
      continue
    }
    if (merged.leftOut) {
      const { id, side } = merged.leftOut
      const [lost, kept] =
        side === 'ours' ? [blobOf(stages, 2), blobOf(stages, 3)] : [blobOf(stages, 3), blobOf(stages, 2)]
      results.push(
        ...bringBackPaired(repo, path, kept.bytes, { id, bytes: lost.bytes, stage: side === 'ours' ? 2 : 3 }),
      )
      continue
    }
    writeFileSync(join(repo.worktree, ...path.split('/')), encodeItemText(merged.text, blobOf(stages, 2).raw))
    const settled = merged.conflicts.filter((conflict) => conflict.field !== 'description').map((c) => c.field)
    const extra = settled.length ? { settled } : {}
    if (merged.conflicts.some((conflict) => conflict.field === 'description')) {
      results.push({
        path,
        outcome: 'conflict',
        next: `both sides rewrote the same lines of the description: edit the markers in ${path}, then \`git add ${path}\``,
        ...extra,
      })
      continue
    }
    results.push({ path, outcome: 'merged', ...extra })
  }
  // One `git add` for many files: a thousand merged items must not mean a thousand processes.
  const merged = results.filter((result) => result.outcome === 'merged')
  for (let start = 0; start < merged.length; start += 500) {
    const batch = merged.slice(start, start + 500)
    const added = git(repo, ['add', '--', ...batch.map((result) => result.path)], { waitForLocksMs: 5_000 })
    if (added.status === 0) continue
    for (const result of batch) {
      Object.assign(result, { outcome: 'conflict', next: `merged, but \`git add\` failed: ${added.stderr.trim()}` })
    }
  }
  return results
}
