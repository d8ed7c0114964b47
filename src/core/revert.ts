/**
 * Undo and redo as pure plans: which commit to take back, and what each of its files becomes when later changes to
 * the same items are kept (a field-by-field merge of the inverse change onto the present).
 */

import { parseItemFile, serializeItem } from './codec.js'
import type { BacklogConfig } from './config.js'
import { BacklogError } from './errors.js'
import type { Item } from './item.js'
import { mergeItems } from './merge.js'

/** What undo needs to know of a backlog commit (from its trailers). */
export interface RevertibleCommit {
  commit: string
  op?: string
  agent?: string
  author: string
  subject: string
  ids: string[]
  /** The commit this one reverts (undo and redo commits). */
  reverts?: string
}

export interface UndoChoice {
  /** Commits already found to have nothing left to take back: passed over. */
  skip?: ReadonlySet<string>
  /** Whose commits: an agent's, or (no agent) a person's, by git author name. */
  agent?: string
  author?: string
  /** Only commits that touched this item, whoever made them. */
  id?: string
  redo?: boolean
}

/** Operations that undo never picks by itself: taking back an undo is redo's job, and init has nothing to revert. */
const NOT_UNDONE = new Set(['undo', 'init'])

/**
 * The commit an undo (or redo) takes back, from backlog commits newest first; undefined when there is none. A commit
 * that a later, still-standing undo or redo reverted counts as taken back already, so repeated undo walks further
 * back, and redo brings back the most recent undo as long as the same actor made no new change since.
 *
 * @example
 * chooseRevertTarget(commits, { agent: 'claude' })?.commit
 */
export function chooseRevertTarget(
  commits: readonly RevertibleCommit[],
  choice: UndoChoice,
): RevertibleCommit | undefined {
  const reverted = new Set<string>()
  const idKey = choice.id?.toLowerCase()
  for (const commit of commits) {
    const standing = !reverted.has(commit.commit)
    if (standing && commit.reverts) reverted.add(commit.reverts)
    if (!standing || commit.op === undefined || choice.skip?.has(commit.commit)) continue
    const mine = idKey
      ? commit.ids.some((id) => id.toLowerCase() === idKey)
      : choice.agent !== undefined
        ? commit.agent === choice.agent
        : commit.agent === undefined && commit.author === choice.author
    if (!mine) continue
    if (choice.redo) {
      // A standing redo already brought its undo's change back: the undo before it is next.
      if (commit.op === 'redo') continue
      return commit.op === 'undo' ? commit : undefined
    }
    if (!NOT_UNDONE.has(commit.op)) return commit
  }
  return undefined
}

/** One file a reverted commit changed: as it was before the commit, after it, and now. */
export interface RevertFile {
  path: string
  before?: string
  after?: string
  current?: string
  /** The newest commit after the reverted one that changed this file, for the conflict message. */
  laterCommit?: string
}

export interface RevertPlan {
  changes: Array<{ path: string; content: string | null }>
  /** The items as they will be (or were, for removed files), for the commit message. */
  items: Item[]
}

/**
 * The files after taking back one commit, keeping what later commits did to the same items: for each file the
 * inverse change (after → before) is merged onto the current version field by field. A field the later commits
 * changed too is a CONFLICT naming the later commit; nothing is planned then.
 *
 * @example
 * planRevert([{ path, before, after, current }], { config, now }).changes
 */
export function planRevert(
  files: readonly RevertFile[],
  options: { config: BacklogConfig; now: string; what: string },
): RevertPlan {
  const changes: RevertPlan['changes'] = []
  const items: Item[] = []
  for (const file of files) {
    const later = file.laterCommit ? ` (changed since by ${file.laterCommit.slice(0, 7)})` : ''
    const refuse = (why: string) =>
      new BacklogError(
        'CONFLICT',
        `Cannot ${options.what}: ${file.path} ${why}${later}. Nothing was written; edit the item directly instead.`,
        { path: file.path, ...(file.laterCommit ? { commit: file.laterCommit } : {}) },
      )
    if (file.current === file.after) {
      if (file.before === file.current) continue
      changes.push({ path: file.path, content: file.before ?? null })
      const shown = file.before ?? file.after
      if (shown !== undefined) items.push(parseItemFile(shown))
      continue
    }
    if (file.current === undefined) throw refuse(file.after === undefined ? 'was removed' : 'was deleted later')
    if (file.after === undefined) throw refuse('was created again later')
    if (file.before === undefined) throw refuse('was created by that change and edited later')
    const base = parseItemFile(file.after)
    const current = parseItemFile(file.current)
    const wanted = parseItemFile(file.before)
    const merged = mergeItems(base, current, wanted, { mode: 'report', config: options.config, now: options.now })
    if (merged.conflicts.length) {
      throw refuse(`has ${merged.conflicts.map((conflict) => conflict.field).join(', ')} changed again later`)
    }
    const text = serializeItem(merged.item, file.current)
    if (text !== file.current) changes.push({ path: file.path, content: text })
    items.push(merged.item)
  }
  return { changes, items }
}
