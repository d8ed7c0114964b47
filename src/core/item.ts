/**
 * The item: the one record of the backlog, its vocabularies, and its blank shape. Its fields and their order are
 * listed once, in core/fields.ts; the names are re-exported here for the code that reads items.
 */

import { FIELD_ORDER, type FieldName, type Item } from './fields.js'

export const ITEM_TYPES = ['task', 'epic', 'folder', 'artifact', 'milestone'] as const
export type ItemType = (typeof ITEM_TYPES)[number]

export const DEFAULT_STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const
export const DEFAULT_CLOSED_STATUSES = ['done', 'cancelled'] as const

export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const
export type Priority = (typeof PRIORITIES)[number]

export type { FieldName, Item, Note, Reference } from './fields.js'
export { FIELD_ORDER, SCALAR_FIELDS, STRING_LIST_FIELDS } from './fields.js'

const KNOWN_KEYS: ReadonlySet<string> = new Set<string>(FIELD_ORDER)

export function isKnownField(key: string): key is FieldName {
  return KNOWN_KEYS.has(key)
}

const PRIORITY_ALIASES: Record<string, Priority> = { h: 'high', m: 'medium', l: 'low', u: 'urgent' }

/** `H`/`M`/`L` and any case of the full names; undefined when the word is not a priority. */
export function normalizePriority(value: string): Priority | undefined {
  const lower = value.trim().toLowerCase()
  if ((PRIORITIES as readonly string[]).includes(lower)) return lower as Priority
  return PRIORITY_ALIASES[lower]
}

/**
 * A blank item of the given identity, every list empty. Every field is present (optional ones as undefined) and in
 * one order, so all items share one object shape: filtering 10,000 of them stays fast. Written out rather than built
 * from core/fields.ts for that speed; src/core/fields.test.ts checks it has every field, in order.
 */
export function blankItem(id: string, title: string): Item {
  return {
    id,
    title,
    type: 'task',
    status: 'open',
    priority: undefined,
    assignee: undefined,
    parent: undefined,
    epic: undefined,
    tags: [],
    depends_on: [],
    due: undefined,
    scheduled: undefined,
    wait: undefined,
    recur: undefined,
    until: undefined,
    references: [],
    evidence: [],
    blocked_reason: [],
    created: undefined,
    started: undefined,
    closed: undefined,
    notes: [],
    attributes: {},
    description: '',
  }
}

/** An item in the one shape `blankItem` makes, e.g. after a JSON round trip dropped its undefined fields. */
export function withItemShape(item: Item): Item {
  return Object.assign(blankItem(item.id, item.title), item)
}

/**
 * Epoch milliseconds of the latest date the item carries itself (created, started, closed, its notes), or undefined
 * when it has no valid one: what "recent" falls back to where history does not date the item.
 *
 * @example
 * latestActivity({ ...blankItem('bl-x', 'T'), created: '2026-11-01T10:00:00Z' }) // 1793527200000
 */
export function latestActivity(item: Item): number | undefined {
  let latest: number | undefined
  for (const value of [item.created, item.started, item.closed, ...item.notes.map((note) => note.at)]) {
    const time = value === undefined ? Number.NaN : Date.parse(value)
    if (!Number.isNaN(time) && (latest === undefined || time > latest)) latest = time
  }
  return latest
}
