/** The get use-case: items in full, with when each last changed. */

import { formatTimestamp } from '../../core/dates.js'
import { BacklogError, phrase, slot } from '../../core/errors.js'
import type { GetInput } from '../../core/inputs.js'
import type { ItemRecord } from '../../store/store.js'
import type { ItemDetail } from '../index.js'
import type { AppCore } from '../shared.js'

/** An item in full as `get` answers it: its fields, path and archived flag, and when it last changed when known. */
export function toDetail(record: ItemRecord, updated?: number): ItemDetail {
  const detail: ItemDetail = { ...structuredClone(record.item), path: record.path, archived: record.archived }
  if (updated !== undefined) detail.updated = formatTimestamp(new Date(updated))
  return detail
}

/**
 * The items found; `missing` lists ids that name no item, when some others were found (else NOT_FOUND).
 *
 * @example
 * const { items } = await get(core, { id: ['bl-x9'] })
 */
export async function get(core: AppCore, { id }: GetInput): Promise<{ items: ItemDetail[]; missing?: string[] }> {
  const { store, changedAt, require } = core
  // A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…).
  await store.refresh()
  const updated = await changedAt(true)
  const items: ItemDetail[] = []
  const missing: string[] = []
  for (const one of id) {
    const record = store.get(one)
    if (record) items.push(toDetail(record, updated?.(record)))
    // A file that cannot be read is no missing item: MALFORMED_ITEM says how to fix it.
    else if (store.problemFor(one)) require(one)
    else missing.push(one)
  }
  // Asked for several, an agent gets what exists and the ids that do not; asked for nothing that exists, it is
  // told so as plainly as for one id.
  if (items.length === 0) {
    if (missing.length === 1) require(missing[0] as string)
    throw new BacklogError('NOT_FOUND', phrase`No items ${missing.join(', ')}. ${slot('list')}`, { ids: missing })
  }
  return { items, ...(missing.length ? { missing } : {}) }
}
