/** The board use-case: the items in play, one column per workflow status, as `git backlog board` lays them out. */

import type { ItemRecord } from '../../store/store.js'
import type { ItemRow } from '../index.js'
import type { AppCore } from '../shared.js'
import { listRecords } from './list.js'
import { versionOf } from './records.js'

export interface BoardColumn {
  status: string
  /** Items of this status that match, before `shown` cut the column. */
  total: number
  /** Of them, the ones someone is assigned to: work in progress, counted before the column is cut. */
  wip: number
  /** The status's work-in-progress limit from config.yml (`wip_limits`), when it has one: `total` over it is too much. */
  limit?: number
  /** Cards in order: most urgent first; for a closed status, most recently closed first. */
  items: BoardCard[]
}

/** A card: the item's row and the version of its file, which a move sends as `expect` (so it needs no read first). */
export type BoardCard = ItemRow & { version: string }

export interface Board {
  columns: BoardColumn[]
}

export interface BoardInput {
  filter?: string
  /** Every status, closed ones included, and every card of them. */
  all?: boolean
  /** At most this many cards in a column (default: all of them). */
  limit?: number
}

/** Cards a closed column shows without --all: the most recently closed. */
export const RECENT_CLOSED = 10
const EVERY = 100_000

/**
 * The columns of the board. Without `all`, the open statuses of the config plus its first closed status (done),
 * holding its 10 most recently closed items; with `all`, every status and every card.
 *
 * @example
 * const { columns } = await board(core, { filter: '+auth' })
 * columns.map((column) => column.status) // ['open', 'in_progress', 'blocked', 'done']
 */
export async function board(core: AppCore, options: BoardInput): Promise<Board> {
  const config = core.store.config()
  const closed = new Set(config.closed_statuses)
  const firstClosed = config.statuses.find((status) => closed.has(status))
  const statuses = config.statuses.filter((status) => options.all || !closed.has(status) || status === firstClosed)
  // Statuses named explicitly also bring waiting items: the board shows every card in play.
  const { result, records } = await listRecords(core, {
    status: statuses,
    ...(options.filter?.trim() ? { filter: options.filter } : {}),
    limit: EVERY,
  })
  const byStatus = new Map<string, ItemRow[]>(statuses.map((status) => [status, []]))
  // The version of the very record each row was made from, so a card never pairs one file's fields with another's.
  const recordOf = new Map<ItemRow, ItemRecord>()
  result.items.forEach((row, position) => {
    byStatus.get(row.status)?.push(row)
    recordOf.set(row, records[position] as ItemRecord)
  })

  // When each closed card closed, from its record: get() would read history for the `updated` of every one of them
  // (2,500 done items at 10,000 made the board take 200 ms).
  const recency = (row: ItemRow) => {
    const { item } = recordOf.get(row) as ItemRecord
    return item.closed ?? item.created ?? ''
  }

  return {
    columns: statuses.map((status) => {
      let rows = byStatus.get(status) ?? []
      const total = rows.length
      const wip = rows.filter((row) => row.assignee).length
      if (closed.has(status)) {
        rows = [...rows].sort((a, b) => (recency(a) < recency(b) ? 1 : recency(a) > recency(b) ? -1 : 0))
        if (!options.all) rows = rows.slice(0, RECENT_CLOSED)
      }
      if (options.limit !== undefined) rows = rows.slice(0, options.limit)
      const limit = config.wip_limits[status]
      // Only the cards sent get a version.
      return {
        status,
        total,
        wip,
        ...(limit === undefined ? {} : { limit }),
        items: rows.map((row) => ({ ...row, version: versionOf(recordOf.get(row) as ItemRecord) })),
      }
    }),
  }
}
