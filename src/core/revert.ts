/**
 * Undo and redo as pure plans: which commit to take back, and what each of its files becomes when later changes to
 * the same items are kept (a field-by-field merge of the inverse change onto the present).
 */

import { parseItemFile, serializeItem } from './codec.js'
import type { BacklogConfig } from './config.js'
import { BacklogError } from './errors.js'
import { idKey } from './ids.js'
import type { Item } from './item.js'
import { idFromPath } from './layout.js'
import { mergeItems } from './merge.js'
import type { Trailers } from './trailers.js'

/**
 * What undo needs to know of a backlog commit: its trailers (see trailers.ts; `reverts` is set on undo and redo
 * commits), its id, author and subject.
 */
export interface RevertibleCommit extends Trailers {
  commit: string
  author: string
  subject: string
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
const NOT_UNDONE = new Set(['undo', 'init', 'doctor'])

/**
 * The commit an undo (or redo) takes back, chosen one commit at a time from backlog commits newest first, for a caller
 * that reads history lazily: each commit gets the target (this one), `next` (look further back) or `none` (there is
 * nothing to take back). A commit that a later, still-standing undo or redo reverted counts as taken back already, so
 * repeated undo walks further back, and redo brings back the most recent undo as long as the same actor made no new
 * change since. Passing over a target that turned out to have nothing left to revert is calling on with the next
 * commit.
 *
 * @example
 * const consider = revertChooser({ agent: 'claude' })
 * for await (const { entry } of log.walk()) { const verdict = consider(entry); if (verdict !== 'next') break }
 */
export function revertChooser(choice: UndoChoice): (commit: RevertibleCommit) => RevertibleCommit | 'next' | 'none' {
  const reverted = new Set<string>()
  const idKey = choice.id?.toLowerCase()
  const agent = choice.agent?.toLowerCase()
  return (commit) => {
    const standing = !reverted.has(commit.commit)
    if (standing && commit.reverts) reverted.add(commit.reverts)
    if (!standing || commit.op === undefined || choice.skip?.has(commit.commit)) return 'next'
    const mine = idKey
      ? commit.ids.some((id) => id.toLowerCase() === idKey)
      : agent !== undefined
        ? commit.agent?.toLowerCase() === agent
        : commit.agent === undefined && commit.author === choice.author
    if (!mine) return 'next'
    if (choice.redo) {
      // A standing redo already brought its undo's change back: the undo before it is next.
      if (commit.op === 'redo') return 'next'
      return commit.op === 'undo' ? commit : 'none'
    }
    return NOT_UNDONE.has(commit.op) ? 'next' : commit
  }
}

/** One file a reverted commit changed: as it was before the commit, after it, and now. */
export interface RevertFile {
  path: string
  before?: string
  after?: string
  current?: string
  /** Where `current` was found when the item lives elsewhere now (archived or brought back since the commit). */
  currentPath?: string
  /** The newest commit after the reverted one that changed this file, for the conflict message. */
  laterCommit?: string
}

/** A file to take back, with where its result goes and which file (a move's new place) goes away. */
interface Target extends RevertFile {
  write: string
  remove?: string
}

/**
 * The commit's files as reverts: a file removed and one added for the same item (an archive, or bringing an item
 * back) are one move, taken back as a move; a file whose item lives elsewhere now is taken back where it lives.
 */
function targetsOf(files: readonly RevertFile[]): Target[] {
  const targets: Target[] = []
  const added = new Map<string, RevertFile>()
  for (const file of files) {
    const id = idFromPath(file.path)
    if (id !== undefined && file.before === undefined && file.after !== undefined) added.set(idKey(id), file)
  }
  const paired = new Set<RevertFile>()
  for (const file of files) {
    const id = idFromPath(file.path)
    const to = id === undefined ? undefined : added.get(idKey(id))
    // Nothing at the old place itself: `current` may name the item where it lives now, which is the move's target.
    const vacated = file.current === undefined || file.currentPath !== undefined
    if (to && file.before !== undefined && file.after === undefined && vacated) {
      paired.add(to)
      const now = to.currentPath ?? to.path
      targets.push({
        path: file.path,
        before: file.before,
        after: to.after,
        ...(to.current === undefined ? {} : { current: to.current }),
        ...(to.laterCommit ? { laterCommit: to.laterCommit } : {}),
        write: file.path,
        ...(to.current === undefined ? {} : { remove: now }),
      })
    }
  }
  for (const file of files) {
    if (paired.has(file) || targets.some((target) => target.path === file.path)) continue
    targets.push({ ...file, write: file.currentPath ?? file.path })
  }
  return targets
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
  for (const file of targetsOf(files)) {
    const later = file.laterCommit ? ` (changed since by ${file.laterCommit.slice(0, 7)})` : ''
    const refuse = (why: string) =>
      new BacklogError(
        'CONFLICT',
        `Cannot ${options.what}: ${file.path} ${why}${later}. Nothing was written; edit the item directly instead.`,
        { path: file.path, ...(file.laterCommit ? { commit: file.laterCommit } : {}) },
      )
    if (file.current === file.after) {
      if (file.before === file.current && !file.remove) continue
      changes.push({ path: file.write, content: file.before ?? null })
      if (file.remove && file.remove !== file.write) changes.push({ path: file.remove, content: null })
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
    if (text !== file.current || file.remove) changes.push({ path: file.write, content: text })
    if (file.remove && file.remove !== file.write) changes.push({ path: file.remove, content: null })
    items.push(merged.item)
  }
  return { changes, items }
}
