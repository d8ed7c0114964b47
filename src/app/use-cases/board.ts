/** The board use-case: the items in play, one column per workflow status, as `git backlog board` lays them out. */

import { idKey } from '../../core/ids.js'
import type { ItemRow } from '../index.js'
import type { AppCore } from '../shared.js'
import { get } from './get.js'
import { list } from './list.js'

export interface BoardColumn {
  status: string
  /** Items of this status that match, before `shown` cut the column. */
  total: number
  /** Of them, the ones someone is assigned to: work in progress, counted before the column is cut. */
  wip: number
  /** The status's work-in-progress limit from config.yml (`wip_limits`), when it has one: `total` over it is too much. */
  limit?: number
  /** Cards in order: most urgent first; for a closed status, most recently closed first. */
  items: ItemRow[]
}

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
  const result = await list(core, {
    status: statuses,
    ...(options.filter?.trim() ? { filter: options.filter } : {}),
    limit: EVERY,
  })
  const byStatus = new Map<string, ItemRow[]>(statuses.map((status) => [status, []]))
  for (const row of result.items) byStatus.get(row.status)?.push(row)

  const closedRows = statuses.filter((status) => closed.has(status)).flatMap((status) => byStatus.get(status) ?? [])
  const closedAt = new Map<string, string>()
  if (closedRows.length) {
    const details = await get(core, { id: closedRows.map((row) => row.id) })
    for (const item of details.items) closedAt.set(idKey(item.id), item.closed ?? item.created ?? '')
  }
  const recency = (row: ItemRow) => closedAt.get(idKey(row.id)) ?? ''

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
      return { status, total, wip, ...(limit === undefined ? {} : { limit }), items: rows }
    }),
  }
}
