/**
 * The ids use-case: the ids (and titles) that start with what a shell has typed, for completing a command line; and
 * the other words a shell completes from the repository, the statuses of its config and the tags in use.
 */

import type { AppCore } from '../shared.js'

export interface IdsInput {
  /** What has been typed of the id so far, in any case. */
  prefix?: string
  /** Archived items instead of the ones in play (for `unarchive`). */
  archived?: boolean
}

/**
 * The ids of the items (archived ones, with `archived`) that start with `prefix`, case-insensitively, in id order,
 * with their titles. Reads the working tree's items only: no history, no filter, so it answers in the time of a list.
 *
 * @example
 * await ids(core, { prefix: 'bl-k' }) // [{ id: 'bl-k3m9x2', title: 'Store passkey credentials' }]
 */
export async function ids(core: AppCore, input: IdsInput): Promise<Array<{ id: string; title: string }>> {
  await core.store.refresh()
  const prefix = (input.prefix ?? '').toLowerCase()
  const archived = input.archived === true
  return core.store
    .all()
    .filter((record) => record.archived === archived && record.item.id.toLowerCase().startsWith(prefix))
    .map((record) => ({ id: record.item.id, title: record.item.title }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

export interface CompletionWordsInput {
  /** `statuses`: the workflow statuses of the config; `tags`: the tags items in play carry. */
  of: 'statuses' | 'tags'
  prefix?: string
}

/**
 * The statuses (in the config's order) or tags in use (sorted) that start with `prefix`, case-insensitively.
 *
 * @example
 * await completionWords(core, { of: 'statuses', prefix: 'in' }) // ['in_progress']
 */
export async function completionWords(core: AppCore, input: CompletionWordsInput): Promise<string[]> {
  const prefix = (input.prefix ?? '').toLowerCase()
  const starts = (word: string) => word.toLowerCase().startsWith(prefix)
  if (input.of === 'statuses') return core.store.config().statuses.filter(starts)
  await core.store.refresh()
  const tags = new Set<string>()
  for (const record of core.store.all()) {
    if (!record.archived) for (const tag of record.item.tags) tags.add(tag)
  }
  return [...tags].filter(starts).sort()
}
