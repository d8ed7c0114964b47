/** The item: the one record of the backlog, its fields, vocabularies and the canonical order of its keys. */

export const ITEM_TYPES = ['task', 'epic', 'folder', 'artifact', 'milestone'] as const
export type ItemType = (typeof ITEM_TYPES)[number]

export const DEFAULT_STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled'] as const
export const DEFAULT_CLOSED_STATUSES = ['done', 'cancelled'] as const

export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const
export type Priority = (typeof PRIORITIES)[number]

export interface Reference {
  url: string
  title?: string
}

export interface Note {
  at: string
  by?: string
  text: string
}

/** An item as the app sees it. Optional scalars are absent rather than empty; lists are always present. */
export interface Item {
  id: string
  title: string
  type: string
  status: string
  priority?: string
  assignee?: string
  parent?: string
  epic?: string
  tags: string[]
  depends_on: string[]
  due?: string
  scheduled?: string
  wait?: string
  recur?: string
  until?: string
  references: Reference[]
  evidence: string[]
  blocked_reason: string[]
  created?: string
  started?: string
  closed?: string
  notes: Note[]
  /** User-defined frontmatter keys, in file order: kept, filterable, never dropped. */
  attributes: Record<string, unknown>
  /** The markdown body with the blank line after the frontmatter removed. */
  description: string
}

/** Canonical frontmatter order. Keys often changed together sit apart so plain line merges of different fields stay clean. */
export const FIELD_ORDER = [
  'id',
  'title',
  'type',
  'status',
  'priority',
  'assignee',
  'parent',
  'epic',
  'tags',
  'depends_on',
  'due',
  'scheduled',
  'wait',
  'recur',
  'until',
  'references',
  'evidence',
  'blocked_reason',
  'created',
  'started',
  'closed',
  'notes',
] as const satisfies ReadonlyArray<keyof Item>

export type FieldName = (typeof FIELD_ORDER)[number]

export const SCALAR_FIELDS = [
  'priority',
  'assignee',
  'parent',
  'epic',
  'due',
  'scheduled',
  'wait',
  'recur',
  'until',
  'created',
  'started',
  'closed',
] as const satisfies ReadonlyArray<FieldName>

export const STRING_LIST_FIELDS = [
  'tags',
  'depends_on',
  'evidence',
  'blocked_reason',
] as const satisfies ReadonlyArray<FieldName>

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
 * one order, so all items share one object shape: filtering 10,000 of them stays fast.
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
