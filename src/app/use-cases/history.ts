/** The use-cases over what happened: history (who changed what, page by page) and restore (bring back a deleted item). */

import { parseItemFile } from '../../core/codec.js'
import { BacklogError, phrase, slot } from '../../core/errors.js'
import { FEED_ITEMS, type HistoryInput, type RestoreInput } from '../../core/inputs.js'
import type { Item } from '../../core/item.js'
import type { HistoryPage } from '../../store/item-history.js'
import { assertInitialized } from '../../store/store.js'
import type { MutationResult } from '../index.js'
import { type AppCore, planOf } from '../shared.js'

/**
 * A page of the branch's backlog history, newest first: of one item, of one agent, or of everything. Without an id,
 * an entry lists at most FEED_ITEMS of its commit's items and counts the rest in `more_items`: diffing a commit that
 * wrote 10,000 items took seconds, and its history per item has them all.
 *
 * @example
 * const { entries, next } = await history(core, { id: 'bl-x9', limit: 10 })
 * const feed = await history(core, {}) // a bulk commit: its first 50 items, and more_items
 */
export async function history(core: AppCore, input: HistoryInput): Promise<HistoryPage> {
  const { store, itemHistory } = core
  assertInitialized(store)
  const page = (after: string | undefined) =>
    itemHistory.history({
      ...(input.id !== undefined ? { id: input.id } : {}),
      ...(input.agent !== undefined ? { agent: input.agent } : {}),
      ...(input.limit !== undefined ? { limit: input.limit } : {}),
      ...(after !== undefined ? { after } : {}),
      ...(input.id === undefined ? { maxItems: FEED_ITEMS } : {}),
    })
  // A page walks a bounded number of commits. One item's history is never answered with an empty page while
  // there is more: its older changes may lie beyond thousands of code commits.
  let result = await page(input.after)
  while (input.id !== undefined && result.entries.length === 0 && result.next !== undefined) {
    result = await page(result.next)
  }
  return result
}

/**
 * Brings back a deleted item as it was last, from history, in one commit.
 *
 * @example
 * await restore(core, { id: 'bl-x9' })
 */
export async function restore(core: AppCore, input: RestoreInput): Promise<MutationResult> {
  const { store, itemHistory, contextFor, require, rowsOf } = core
  assertInitialized(store)
  const context = await contextFor(input.agent)
  let restored: Item | undefined
  const result = await store.mutate(async () => {
    // get() looks at the file itself; an unreadable one is MALFORMED_ITEM, so the person's text is kept.
    const existing = store.get(input.id)
    if (!existing && store.problemFor(input.id)) require(input.id)
    if (existing) {
      throw new BacklogError('CONFLICT', phrase`${input.id} exists; restore brings back deleted items. ${slot('undo')}`)
    }
    const last = await itemHistory.lastVersion(input.id)
    if (!last) throw new BacklogError('NOT_FOUND', `No item ${input.id} in this branch's history.`, { id: input.id })
    restored = parseItemFile(last.text)
    return planOf(context, { op: 'restore', verb: 'restore', items: [restored] }, [
      { path: last.path, content: last.bytes },
    ])
  })
  return {
    items: rowsOf([(restored as Item).id]),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: true,
  }
}
