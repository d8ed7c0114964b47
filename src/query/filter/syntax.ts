/**
 * The filter language's vocabulary (docs/filters.md): operators and their modifier words, virtual tags, the parsed
 * node, and the fields it knows, from the item's field registry (core/fields.ts).
 */

import { BacklogError } from '../../core/errors.js'
import { FILTER_ALIASES, FILTER_FIELDS } from '../../core/fields.js'

/** Comparison of a field term, after aliases: `due.before:` is `lt`, `due.by:` is `lte`, `assignee.has:` is `contains`. */
export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'lte'
  | 'gte'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'in'
  | 'exists'
  | 'regex'

/** Tags computed from an item rather than stored in it: `+READY`, `-BLOCKED`. */
export const VIRTUAL_TAGS = [
  'READY',
  'BLOCKED',
  'UNBLOCKED',
  'BLOCKING',
  'ACTIVE',
  'OVERDUE',
  'WAITING',
  'TAGGED',
  'ANNOTATED',
  'TODAY',
  'TOMORROW',
  'WEEK',
  'DUE',
  'SCHEDULED',
  'OPEN',
  'CLOSED',
  'PENDING',
  'COMPLETED',
] as const
/** A virtual tag name in upper case; `+ready` and `+READY` both parse to 'READY'. */
export type VirtualTag = (typeof VIRTUAL_TAGS)[number]

/** A parsed filter. `source` and `column` (1-based) point back into the filter text for error messages. */
export type FilterNode =
  | { kind: 'and'; nodes: FilterNode[] }
  | { kind: 'or'; nodes: FilterNode[] }
  | { kind: 'not'; node: FilterNode }
  | {
      kind: 'field'
      /** A known field in lower case (`status`, `depends_on`), or a user attribute's path as written (`meta.owner`). */
      field: string
      /** True for a user attribute: a key of `item.attributes`, dots descending into nested mappings. */
      attribute: boolean
      operator: FilterOperator
      /** The value as written, unquoted; `exists` takes `true` or `false`, `in` a comma list. */
      value: string
      source: string
      column: number
      /** Set on the `id` test read from a whole filter that looks like an id (`follow-up` may just be a word). */
      implicit?: boolean
    }
  | { kind: 'tag'; tag: string }
  | { kind: 'virtual'; tag: VirtualTag }
  /** Bare words; `phrase` when they were quoted as one. */
  | { kind: 'text'; words: string; phrase: boolean }

export type FieldNode = Extract<FilterNode, { kind: 'field' }>

export const MODIFIERS: Record<string, FilterOperator> = {
  is: 'eq',
  eq: 'eq',
  equals: 'eq',
  not: 'ne',
  ne: 'ne',
  isnt: 'ne',
  before: 'lt',
  below: 'lt',
  under: 'lt',
  lt: 'lt',
  after: 'gt',
  above: 'gt',
  over: 'gt',
  gt: 'gt',
  by: 'lte',
  lte: 'lte',
  gte: 'gte',
  contains: 'contains',
  has: 'contains',
  startswith: 'startswith',
  starts: 'startswith',
  left: 'startswith',
  endswith: 'endswith',
  ends: 'endswith',
  right: 'endswith',
  in: 'in',
  exists: 'exists',
  regex: 'regex',
  match: 'regex',
}

export const FIELD_ALIASES: Readonly<Record<string, string>> = FILTER_ALIASES

/** What `field:value` knows: the item's filterable fields (core/fields.ts), urgency and updated among them. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set<string>([
  ...FILTER_FIELDS.text,
  ...FILTER_FIELDS.date,
  ...FILTER_FIELDS.list,
  ...FILTER_FIELDS.number,
])
/** Stored dates, compared as spans of days; `updated` (from history) is compiled on its own. */
export const DATE_FIELD_SET: ReadonlySet<string> = new Set<string>(FILTER_FIELDS.storedDates)
export const LIST_FIELD_SET: ReadonlySet<string> = new Set<string>(FILTER_FIELDS.list)

/** Operators that compare dates when the field holds dates. */
export const DATE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['eq', 'ne', 'lt', 'gt', 'lte', 'gte', 'in'])
export const ORDER_OPERATORS: ReadonlySet<FilterOperator> = new Set(['lt', 'gt', 'lte', 'gte'])

export const NUMBER = /^\s*-?(?:\d+\.?\d*|\.\d+)\s*$/

export function invalid(message: string, column?: number): BacklogError {
  return new BacklogError('INVALID_INPUT', `filter: ${message}`, column === undefined ? undefined : { column })
}

/** At most 30 characters of source text, for error messages. */
export function excerpt(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text
}
