/** The list use-case: rows of the items a filter selects, sorted and counted, with what a reader must know besides. */

import { formatTimestamp } from '../../core/dates.js'
import type { ListInput } from '../../core/inputs.js'
import { parseFilter } from '../../query/filter.js'
import { countItems } from '../../query/select.js'
import type { ItemRecord } from '../../store/store.js'
import type { ListResult } from '../index.js'
import { type AppCore, mentionsUpdated, toRow } from '../shared.js'

/**
 * The items that match, as rows; `total` counts them before `limit`.
 *
 * @example
 * const { items } = await list(core, { filter: 'status:todo' })
 */
export async function list(core: AppCore, input: ListInput): Promise<ListResult> {
  return (await listRecords(core, input)).result
}

/**
 * The list, with the record each row was made from (`records[i]` is the record of `result.items[i]`), for a use-case
 * that adds to the rows what the records alone know, such as their version.
 *
 * @example
 * const { result, records } = await listRecords(core, { filter: '+web' })
 */
export async function listRecords(
  core: AppCore,
  input: ListInput,
): Promise<{ result: ListResult; records: readonly ItemRecord[] }> {
  const { store, selector, changedAt } = core
  // A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…).
  await store.refresh()
  const config = store.config()
  const records = store.all()
  const limit = input.limit ?? 50
  // Parsed once, for both questions: does it need history, and what does it match.
  const filter = input.filter ? parseFilter(input.filter) : undefined
  const updated = await changedAt(input.sort === 'updated' || mentionsUpdated(filter))
  const selected = selector.select(records, config, { ...input, filter, limit, ...(updated ? { updated } : {}) })
  const graph = selector.graph(records, config)
  const problems = store.problems()
  // Work may be waiting upstream: say so, so an agent syncs before it picks what is already taken there.
  const behind = await core.upstream
    .status()
    .then((status) => (status && status.behind > 0 ? status : undefined))
    .catch(() => undefined)
  const items = selected.records.map((record, position) => {
    const row = toRow(record)
    if (graph.hasOpenDependency(record.item)) row.blocked = true
    if (selected.urgencies) row.urgency = selected.urgencies[position] as number
    const time = input.sort === 'updated' ? updated?.(record) : undefined
    if (time !== undefined) row.updated = formatTimestamp(new Date(time))
    return row
  })
  const result: ListResult = {
    items,
    total: selected.total,
    truncated: selected.total > limit,
    ...(input.counts || input.count_by
      ? {
          counts: countItems(
            selected.all().map((record) => record.item),
            input.count_by ?? [],
          ),
        }
      : {}),
    ...(problems.length ? { problems } : {}),
    ...(behind ? { upstream: behind } : {}),
    ...(store.isInitialized() ? {} : { no_backlog: true }),
  }
  return { result, records: selected.records }
}
