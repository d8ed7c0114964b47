/**
 * The git merge driver (`git backlog merge-driver %O %A %B %L %P`): git calls it when both sides of a merge, rebase,
 * cherry-pick or revert changed one task file. It merges the item field by field (docs/adr/0009-merge-driver-and-sync.md) and writes the result
 * over %A; the exit code tells git whether a person must look (1) or not (0).
 */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseItemFile } from '../core/codec.js'
import { type BacklogConfig, DEFAULT_CONFIG, parseConfig } from '../core/config.js'
import { formatTimestamp } from '../core/dates.js'
import { isBacklogError } from '../core/errors.js'
import { type DecodedFile, decodeItemBytes, encodeItemText } from '../core/file-bytes.js'
import { idKey } from '../core/ids.js'
import { ARCHIVE_DIR, CONFIG_PATH, idFromPath, TASKS_DIR } from '../core/layout.js'
import { type FieldConflict, mergeItemTexts } from '../core/merge.js'
import { runGitAt } from '../store/git/cli.js'

export interface DriverFiles {
  /** %O: the common ancestor's version (an empty file when both sides added the file). */
  base: string
  /** %A: our version; the result is written here. */
  ours: string
  /** %B: their version. */
  theirs: string
  /** %L: the conflict marker size git asks for. */
  markerSize?: number
  /** %P: the path in the repository, for messages and to tell item files from other files. */
  path?: string
}

export interface DriverOutcome {
  /** 0: merged cleanly, 1: conflicts left for a person (markers in %A). */
  exitCode: 0 | 1
  /** Lines for stderr: what was settled by rule, or what a person must do. */
  messages: string[]
}

/** The config of the repository git runs the driver in (its worktree root), for the status order. */
export function readConfigAt(worktree: string): BacklogConfig {
  try {
    return parseConfig(readFileSync(join(worktree, CONFIG_PATH), 'utf8'))
  } catch {
    return DEFAULT_CONFIG
  }
}

/** Item files are the `.md` files under tasks/ and archive/, as the read model reads them; a README is not one. */
function isItemPath(path: string): boolean {
  const inside = path.startsWith(`${TASKS_DIR}/`) || path.startsWith(`${ARCHIVE_DIR}/`)
  return inside && idFromPath(path) !== undefined && !/(^|\/)readme\.md$/i.test(path)
}

function describe(conflict: FieldConflict): string {
  const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value))
  return `${conflict.field}: ours ${show(conflict.ours)}, theirs ${show(conflict.theirs)}`
}

/**
 * git's own line merge, for files under `.backlog/` that are not items (a README, notes) or that do not parse: the
 * result git would have made without the driver, markers and all.
 */
function lineMerge(files: DriverFiles): DriverOutcome {
  const size = files.markerSize && files.markerSize > 0 ? String(files.markerSize) : '7'
  const name = files.path ?? 'file'
  const result = runGitAt(process.cwd(), [
    'merge-file',
    `--marker-size=${size}`,
    '-L',
    `${name} (ours)`,
    '-L',
    `${name} (base)`,
    '-L',
    `${name} (theirs)`,
    files.ours,
    files.base,
    files.theirs,
  ])
  if (result.status === 0) return { exitCode: 0, messages: [] }
  return {
    exitCode: 1,
    messages: [`${name}: lines changed on both sides; resolve the conflict markers, then \`git add\` the file.`],
  }
}

/**
 * Merges the three versions git gives and writes the result over `files.ours`.
 *
 * @example
 * const outcome = runMergeDriver({ base: '.merge_file_a', ours: '.merge_file_b', theirs: '.merge_file_c', path },
 *   { config: readConfigAt(process.cwd()), now: new Date() })
 * process.exitCode = outcome.exitCode
 */
export function runMergeDriver(files: DriverFiles, options: { config: BacklogConfig; now: Date }): DriverOutcome {
  const name = files.path ?? 'item file'
  if (files.path !== undefined && !isItemPath(files.path)) return lineMerge(files)
  const [baseFile, oursFile, theirsFile] = [files.base, files.ours, files.theirs].map((file) =>
    decodeItemBytes(readFileSync(file)),
  ) as [DecodedFile, DecodedFile, DecodedFile]
  const [baseText, oursText, theirsText] = [baseFile.text, oursFile.text, theirsFile.text]
  const base = baseText === '' ? undefined : baseText
  let merged: ReturnType<typeof mergeItemTexts>
  try {
    if (base === undefined) {
      const different = differentItems(oursText as string, theirsText as string)
      if (different) {
        const outcome = lineMerge(files)
        return { exitCode: 1, messages: [`${name}: ${different}`, ...outcome.messages] }
      }
    }
    merged = mergeItemTexts(base, oursText as string, theirsText as string, {
      mode: 'resolve',
      config: options.config,
      now: formatTimestamp(options.now),
      ...(files.path ? { path: files.path } : {}),
    })
  } catch (error) {
    // A side that does not parse (a hand edit gone wrong): the plain line merge, and a person looks.
    if (!isBacklogError(error)) throw error
    const outcome = lineMerge(files)
    return { exitCode: 1, messages: [error.message, ...outcome.messages] }
  }
  if (merged.leftOut) return keepNamedItem(files, merged.leftOut, name)
  // Lines of ours that the merge kept keep their bytes (line endings, bytes that are not UTF-8).
  writeFileSync(files.ours, encodeItemText(merged.text, oursFile.raw))
  const body = merged.conflicts.some((conflict) => conflict.field === 'description')
  const settled = merged.conflicts.filter((conflict) => conflict.field !== 'description')
  const messages = settled.map(
    (conflict) => `${name}: both sides changed ${describe(conflict)}; settled by rule, the other value kept in a note`,
  )
  if (body) {
    messages.push(
      `${name}: both sides changed the same lines of the description; resolve the markers, then \`git add\` it.`,
    )
  }
  return { exitCode: body ? 1 : 0, messages }
}

/**
 * Two different items git took for one moved file (see `mergeItemTexts`): the file keeps the item it is named for,
 * byte for byte, and the merge stops. The left-out item cannot be written from here: git drops its path after the
 * driver returns, so `resolve`, which runs once git is done, brings it back as changed.
 */
function keepNamedItem(
  files: DriverFiles,
  leftOut: { id: string; side: 'ours' | 'theirs' },
  name: string,
): DriverOutcome {
  if (leftOut.side === 'ours') writeFileSync(files.ours, readFileSync(files.theirs))
  const side = leftOut.side === 'ours' ? 'our' : 'their'
  return {
    exitCode: 1,
    messages: [
      `${name}: git took ${leftOut.id}, changed on ${side} side and deleted on the other, for a move to this file ` +
        `(small items look alike to git), so this merge left ${leftOut.id}'s change out. This file keeps its own item as ` +
        `written. Run \`git backlog resolve\` to bring ${leftOut.id} back as changed, or \`git add\` this file to let ` +
        'the deletion stand.',
    ],
  }
}

/**
 * When both sides added a file at one path, whether they are two different items that happen to share an id (two
 * people each made `TASK-0001` by hand): those must not be merged into one. Undefined when they are one item.
 */
function differentItems(ours: string, theirs: string): string | undefined {
  try {
    const [a, b] = [parseItemFile(ours), parseItemFile(theirs)]
    if (idKey(a.id) !== idKey(b.id)) return undefined
    const sameTitle = a.title.trim().toLowerCase() === b.title.trim().toLowerCase()
    const sameCreation = a.created !== undefined && a.created === b.created
    if (sameTitle || sameCreation) return undefined
    return (
      `both sides added an item ${a.id}, and they are different items ("${a.title}" and "${b.title}"). ` +
      'Keep one file as it is and give the other item a new id (a new file name and id:), then `git add` both.'
    )
  } catch {
    return undefined
  }
}
