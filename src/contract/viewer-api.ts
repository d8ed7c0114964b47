/**
 * What the viewer's JSON API (`git backlog serve`, src/http/api.ts) answers, as types only: the server checks each
 * answer against them with `satisfies`, so a change of shape fails tsc there, and the browser app (src/web) reads the
 * same types. Imports only types of `core/` (pure, no node), so the browser's tsconfig, which has no node types, can
 * read this module too.
 */

import type { ItemDetail, ItemRow } from '../core/fields.js'
import type { FieldChange } from '../core/item-diff.js'
import type { Review } from '../core/review.js'

export type { ReviewChange, ReviewItem, ReviewRevision } from '../core/review.js'
export type { FieldChange, ItemDetail, ItemRow, Review }

/** Every answer other than 2xx: `{ error: { code, message } }`. */
export interface ErrorBody {
  error: { code: string; message: string }
}
/** A write refused as CONFLICT: the error, and the item's page as it is now. */
export interface ConflictBody extends ErrorBody, ItemPageBody {}

/** An item and the version to name as `expect` in a write. */
export interface ItemVersion {
  item: ItemDetail
  version: string
}

/** GET /api/items/:id: the item, its version, and the items around it (parents nearest first). */
export interface ItemPageBody extends ItemVersion {
  parents: ItemRow[]
  children: ItemRow[]
  depends_on: ItemRow[]
  dependents: ItemRow[]
}

/**
 * PATCH /api/items/:id, POST …/notes, PUT …/description: the item's page as written (its links may have changed), and
 * the commit when one was made.
 */
export interface WrittenBody extends ItemPageBody {
  commit?: string
}

/** GET /api/summary. */
export interface SummaryBody {
  repository: string
  branch: string
  initialized: boolean
  items: number
  problems: number
  /** The package's version. */
  version: string
  /** Who the server's commits are by. */
  identity: { name: string; email: string }
}

/** How many matching items have each value of a field (`none`, `unassigned` for none). */
export interface CountsBody {
  by_status: Record<string, number>
  by_type: Record<string, number>
  by_priority: Record<string, number>
  by_assignee: Record<string, number>
  by_tag: Record<string, number>
  by_field?: Record<string, Record<string, number>>
}

/** A file under .backlog/ that cannot be read as an item: where, why, and what to do. */
export interface ProblemBody {
  path: string
  line?: number
  reason: string
  fix: string
}

/** GET /api/items: a page of rows, how many matched, and counts when asked. */
export interface ListBody {
  items: ItemRow[]
  total: number
  truncated: boolean
  counts?: CountsBody
  /** Files under .backlog/ that are not readable items (bad YAML, conflict markers): never left out in silence. */
  problems?: ProblemBody[]
}

/** A board card: the item's row and the version to name as `expect` when it is moved. */
export type BoardCardBody = ItemRow & { version: string }

export interface BoardColumnBody {
  status: string
  /** Items of this status that match, before the column was cut to the cards asked for. */
  total: number
  /** Of them, those someone is assigned to. */
  wip: number
  /** The status's work-in-progress limit from config.yml (`wip_limits`), when it has one. */
  limit?: number
  items: BoardCardBody[]
}

/** GET /api/board. */
export interface BoardBody {
  columns: BoardColumnBody[]
}

/** One commit of a history, with the items it changed and how. */
export interface HistoryEntryBody {
  commit: string
  date: string
  author: string
  agent?: string
  op?: string
  subject: string
  items: Array<{ id: string; path: string; from?: string; changes: FieldChange[] }>
  /** In the activity feed, a commit that changed many items lists the first 50 and counts the rest here. */
  more_items?: number
}

/** GET /api/activity and GET /api/items/:id/history: newest first; `next` is the `after` of the next page. */
export interface HistoryBody {
  entries: HistoryEntryBody[]
  next?: string
  shallow?: string
}

/** GET /api/search. */
export interface SearchBody {
  items: Array<ItemRow & { score: number; matched_fields: string[]; snippet: string }>
  total: number
}

/** GET /api/review. */
export type ReviewBody = Review
