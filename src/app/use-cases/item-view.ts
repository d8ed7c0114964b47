/** The item-view use-case: one item as its page shows it, with its version and the items linked to it, in one read. */

import { idKey } from '../../core/ids.js'
import type { ItemRecord } from '../../store/store.js'
import type { ItemDetail, ItemRow } from '../index.js'
import { type AppCore, toRow } from '../shared.js'
import { toDetail } from './get.js'
import { versionOf } from './records.js'

/** The items around one item: its parent chain (nearest first), its children, and dependencies both ways. */
export interface ItemLinks {
  parents: ItemRow[]
  children: ItemRow[]
  depends_on: ItemRow[]
  dependents: ItemRow[]
}

export interface ItemView extends ItemLinks {
  item: ItemDetail
  /** The version of the item's file (`versionOf`), for an edit's `expect`. */
  version: string
}

/**
 * The links around `record` among `all` records; `lookup` finds a record by id. A parent chain that loops stops
 * where it would come back.
 *
 * @example
 * linksAround(store.all(), record, (id) => store.get(id)).parents.map((row) => row.id) // ['bl-epic1']
 */
export function linksAround(
  all: readonly ItemRecord[],
  record: ItemRecord,
  lookup: (id: string) => ItemRecord | undefined,
): ItemLinks {
  const key = idKey(record.item.id)
  const parents: ItemRow[] = []
  const seen = new Set([key])
  for (let up = record.item.parent ?? record.item.epic; up; ) {
    const found = lookup(up)
    if (!found || seen.has(idKey(found.item.id))) break
    seen.add(idKey(found.item.id))
    parents.push(toRow(found))
    up = found.item.parent ?? found.item.epic
  }
  const children: ItemRow[] = []
  const dependents: ItemRow[] = []
  for (const one of all) {
    if (one === record) continue
    const { parent, epic, depends_on: dependencies } = one.item
    if ((parent && idKey(parent) === key) || (epic && idKey(epic) === key)) children.push(toRow(one))
    if (dependencies?.some((id) => idKey(id) === key)) dependents.push(toRow(one))
  }
  const dependsOn = (record.item.depends_on ?? []).flatMap((id) => {
    const found = lookup(id)
    return found ? [toRow(found)] : []
  })
  return { parents, children, depends_on: dependsOn, dependents }
}

/**
 * One item in full, the version of its file and the items linked to it, all from the same read of the working tree
 * (so the version is the one of the item shown). NOT_FOUND, or MALFORMED_ITEM for a file that cannot be read.
 *
 * @example
 * const { item, version, parents, children } = await itemView(core, 'bl-x9')
 */
export async function itemView(core: AppCore, id: string): Promise<ItemView> {
  const { store, changedAt, require } = core
  await store.refresh()
  // Everything is taken before the next await: a write or a watcher's refresh in between cannot mix two versions.
  const record = require(id)
  const version = versionOf(record)
  const links = linksAround(store.all(), record, (other) => store.get(other))
  const updated = await changedAt(true)
  return { item: toDetail(record, updated?.(record)), version, ...links }
}
