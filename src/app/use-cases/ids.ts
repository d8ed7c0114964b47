/** The ids use-case: the ids (and titles) that start with what a shell has typed, for completing a command line. */

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
