/**
 * Choosing and ordering items for a list: the status/type/tag shortcuts, the filter language, archived items, the
 * sort orders with urgency first, and counts. Orders, scores and the work graph are kept in step with the backlog
 * write by write (derived.ts; urgency is worked out again each minute, as it moves with the clock), so a list is a
 * scan of flat arrays.
 */

import type { BacklogConfig } from '../core/config.js'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import type { SortOrder } from '../core/inputs.js'
import { ITEM_TYPES, type Item, normalizePriority } from '../core/item.js'
import type { ItemRecord } from '../store/store.js'
import { DerivedView } from './derived.js'
import { compileFilter, type FilterEnv, type FilterNode, filterFields, parseFilter } from './filter.js'
import type { WorkGraph } from './graph.js'

export type { SortOrder } from '../core/inputs.js'

export interface Selection {
  /** A filter expression, or one the caller parsed already (so a call parses its filter once). */
  filter?: FilterInput
  /** Statuses to include; "all" for every one. Absent: every status but the closed ones, and nothing waiting. */
  status?: string[]
  type?: string[]
  parent?: string
  epic?: string
  tags?: string[]
  assignee?: string
  /** Include archived items (and, unless a status is given, closed ones: everything archived is closed). */
  archived?: boolean
  sort?: SortOrder
  /**
   * When each record last changed (epoch ms), from history: needed by `sort: 'updated'` and by filters on `updated`.
   */
  updated?: (record: ItemRecord) => number | undefined
}

export interface Counts {
  by_status: Record<string, number>
  by_type: Record<string, number>
  by_priority: Record<string, number>
  by_assignee: Record<string, number>
  by_tag: Record<string, number>
  by_field?: Record<string, Record<string, number>>
}

const NO_PRIORITY = 'none'
const UNASSIGNED = 'unassigned'

export interface Selected {
  /** The matching records in the asked order: the first `limit` of them when a limit was given. */
  records: ItemRecord[]
  /** Urgency of each of `records` (same positions), when ordered by urgency. */
  urgencies?: number[]
  /** How many records matched. */
  total: number
  /** Every matching record, in no particular order (for counts). */
  all(): ItemRecord[]
}

/**
 * Full-text matching for the bare words of filters, handed down to the selector: the search index
 * (search/search-index.ts) is one. Without it, a bare word is a substring test.
 */
export interface TextIndex {
  /** Brings the index up to date with these records; cheap when they are the ones it saw last. */
  sync(records: readonly ItemRecord[]): void
  /** Ids (idKey) of the items matching all the words. */
  matching(words: string): ReadonlySet<string>
}

export interface SelectorOptions {
  now: () => Date
  text?: TextIndex
}

/** A filter as a caller gives it: its text, or the text parsed once by the caller (`parseFilter`). */
export type FilterInput = string | FilterNode | undefined

function parsed(filter: FilterInput): FilterNode | undefined {
  return typeof filter === 'string' ? (filter ? parseFilter(filter) : undefined) : filter
}

/**
 * Chooses and orders items for lists, bulk changes and search filters, over derived state (graph, flat arrays,
 * scores) kept in step with the store write by write (see derived.ts).
 *
 * @example
 * const selector = new Selector({ now: () => new Date() })
 * selector.select(store.all(), store.config(), { filter: '+READY priority.above:low' }).records
 */
export class Selector {
  #view: DerivedView | undefined

  constructor(private readonly options: SelectorOptions) {}

  /** The derived state of these records, brought up to date with them first. */
  #derive(records: readonly ItemRecord[], config: BacklogConfig): DerivedView {
    this.#view ??= new DerivedView(config, this.options.now)
    this.#view.update(records, config)
    return this.#view
  }

  /** The work graph of these records. */
  graph(records: readonly ItemRecord[], config: BacklogConfig): WorkGraph {
    return this.#derive(records, config).graph
  }

  /** A predicate for a filter expression (used by bulk updates and search). */
  predicate(
    records: readonly ItemRecord[],
    config: BacklogConfig,
    filter: FilterInput,
    updated?: Selection['updated'],
  ): (item: Item) => boolean {
    const node = parsed(filter)
    if (!node) return () => true
    return compileFilter(node, this.#env(this.#derive(records, config), config, updated))
  }

  /** The matching records in the asked order, with their urgencies (same positions) when the order is by urgency. */
  select(records: readonly ItemRecord[], config: BacklogConfig, selection: Selection & { limit?: number }): Selected {
    const view = this.#derive(records, config)
    const node = parsed(selection.filter)
    const test = node ? compileFilter(node, this.#env(view, config, selection.updated)) : undefined
    const scan = scanOf(selection, node, config, view, this.options.now())
    const positions = test || scan.needsItem ? scanWithItems(view, scan, test) : scanFlat(view, scan)
    const sort = selection.sort ?? 'urgency'
    const scores = sort === 'urgency' ? view.scores() : undefined
    const ties = view.keys(sort === 'urgency' ? 'priority' : sort === 'updated' ? 'id' : sort)
    let newest: Float64Array | undefined
    if (sort === 'updated') {
      const updated = selection.updated
      if (!updated) throw new Error('sort "updated" needs the updated times')
      newest = new Float64Array(records.length)
      for (const index of positions) newest[index] = updated(records[index] as ItemRecord) ?? -Infinity
    }
    // Last changed first; items history does not date go last.
    const byTime = (a: number, b: number) => {
      const [x, y] = [newest?.[a] as number, newest?.[b] as number]
      return x === y ? 0 : y > x ? 1 : -1
    }
    const compare = (a: number, b: number) =>
      (scores ? (scores[b] as number) - (scores[a] as number) : newest ? byTime(a, b) : 0) ||
      compareText(ties[a] as string, ties[b] as string)
    const first = firstInOrder(positions, compare, selection.limit)
    return {
      records: first.map((index) => records[index] as ItemRecord),
      ...(scores ? { urgencies: first.map((index) => scores[index] as number) } : {}),
      total: positions.length,
      all: () => positions.map((index) => records[index] as ItemRecord),
    }
  }

  /** What a compiled filter asks of the backlog: the graph, urgency, full text, and updated times when given. */
  #env(view: DerivedView, config: BacklogConfig, updated?: Selection['updated']): FilterEnv {
    const { text } = this.options
    const records = view.records
    let updatedOf: FilterEnv['updated']
    if (updated) {
      updatedOf = (item) => {
        const position = view.positionOf.get(idKey(item.id))
        const time = position === undefined ? undefined : updated(records[position] as ItemRecord)
        return time === undefined ? undefined : formatTimestamp(new Date(time))
      }
    }
    return {
      now: this.options.now(),
      config,
      hasOpenDependency: view.graph.hasOpenDependency,
      isBlocking: view.graph.isBlocking,
      hasOpenChildren: view.graph.hasOpenChildren,
      urgency: (item) => view.urgencyOf(item),
      ...(text
        ? {
            text: (words: string) => {
              text.sync(records)
              const ids = text.matching(words)
              return (item: Item) => ids.has(idKey(item.id))
            },
          }
        : {}),
      ...(updatedOf ? { updated: updatedOf } : {}),
    }
  }
}

/**
 * @example
 * const selector = createSelector({ now: () => new Date() })
 * selector.select(store.all(), store.config(), { filter: '+READY priority.above:low' }).records
 */
export function createSelector(options: SelectorOptions): Selector {
  return new Selector(options)
}

/** What one list tests on each item, worked out once from the selection before the scan. */
interface Scan {
  archived: boolean
  /** Statuses to keep (lower-case); when absent, closed ones are hidden if `hideClosed`. */
  wanted: Set<string> | undefined
  hideClosed: boolean
  closed: Set<string>
  /** Items still waiting after this moment (ms) are hidden; undefined: none are. */
  hideWaitingAfter: number | undefined
  types: string[] | undefined
  assignee: string | undefined
  parent: string | undefined
  epic: string | undefined
  tags: string[] | undefined
  /** True when a test needs the item itself, beyond the flat arrays. */
  needsItem: boolean
}

/** Checks the selection's statuses and types and works out what the scan tests; INVALID_INPUT for unknown ones. */
function scanOf(
  selection: Selection,
  node: FilterNode | undefined,
  config: BacklogConfig,
  view: DerivedView,
  now: Date,
): Scan {
  const fields = node ? filterFields(node) : new Set<string>()
  const statuses = selection.status?.map((status) => status.toLowerCase())
  const everyStatus = statuses?.includes('all') ?? false
  for (const status of everyStatus ? [] : (statuses ?? [])) {
    if (!config.statuses.includes(status)) {
      throw new BacklogError('INVALID_INPUT', `status "${status}" is not one of ${config.statuses.join(', ')} or "all"`)
    }
  }
  const types = selection.type?.map((type) => type.toLowerCase())
  for (const type of types ?? []) {
    if (!(ITEM_TYPES as readonly string[]).includes(type)) {
      throw new BacklogError('INVALID_INPUT', `type "${type}" is not one of ${ITEM_TYPES.join(', ')}`)
    }
  }
  const tags = selection.tags?.map((tag) => tag.toLowerCase())
  const parent = selection.parent ? idKey(selection.parent) : undefined
  const epic = selection.epic ? idKey(selection.epic) : undefined
  // Without a word about status, a list shows the work at hand: nothing closed, nothing still waiting.
  // A filter on status, on when items closed, or on ids speaks for itself.
  const statusGiven =
    statuses !== undefined ||
    fields.has('status') ||
    fields.has('closed') ||
    fields.has('id') ||
    namesAnItem(node, view.graph)
  return {
    archived: Boolean(selection.archived),
    wanted: statuses && !everyStatus ? new Set(statuses) : node ? impliedStatuses(node, config) : undefined,
    // Everything archived is closed: asking for the archive lifts the default of hiding closed items.
    hideClosed: !statusGiven && !selection.archived,
    closed: new Set(config.closed_statuses.map((status) => status.toLowerCase())),
    hideWaitingAfter: statusGiven || fields.has('wait') ? undefined : now.getTime(),
    types,
    assignee: selection.assignee?.toLowerCase(),
    parent,
    epic,
    tags,
    needsItem: Boolean(parent !== undefined || epic !== undefined || tags),
  }
}

/** True when the flat arrays at `index` pass the scan's tests (everything but the item's own fields). */
function passesFlat(view: DerivedView, scan: Scan, index: number): boolean {
  if (view.archived[index] && !scan.archived) return false
  const status = view.statuses[index] as string
  if (scan.wanted ? !scan.wanted.has(status) : scan.hideClosed && scan.closed.has(status)) return false
  // A wait is over once its day (or moment) has begun, in local time.
  if (scan.hideWaitingAfter !== undefined && (view.waits[index] as number) > scan.hideWaitingAfter) return false
  if (scan.types && !scan.types.includes(view.types[index] as string)) return false
  if (scan.assignee !== undefined && view.assignees[index] !== scan.assignee) return false
  return true
}

/** Positions passing the flat tests alone: a plain loop, as it runs over every item on every list. */
function scanFlat(view: DerivedView, scan: Scan): number[] {
  const positions: number[] = []
  const count = view.items.length
  for (let index = 0; index < count; index++) if (passesFlat(view, scan, index)) positions.push(index)
  return positions
}

/** Positions passing the flat tests, then the parent, epic and tags asked for and the filter. */
function scanWithItems(view: DerivedView, scan: Scan, test: ((item: Item) => boolean) | undefined): number[] {
  const positions: number[] = []
  const sameText = (value: string | undefined, lowerValue: string) =>
    value !== undefined && (value === lowerValue || value.toLowerCase() === lowerValue)
  const count = view.items.length
  for (let index = 0; index < count; index++) {
    if (!passesFlat(view, scan, index)) continue
    const item = view.items[index] as Item
    if (scan.parent !== undefined && !sameText(item.parent, scan.parent)) continue
    // Items join an epic by `epic` or, as a batch plan makes them, by `parent`.
    if (scan.epic !== undefined && !sameText(item.epic, scan.epic) && !sameText(item.parent, scan.epic)) continue
    const tags = scan.tags
    if (tags && !tags.every((tag) => item.tags.some((own) => sameText(own, tag)))) continue
    if (test && !test(item)) continue
    positions.push(index)
  }
  return positions
}

/**
 * The first `limit` positions in order (all of them without a limit). A list of 50 out of 5,000 matches keeps the 50
 * best in a sorted buffer instead of sorting the 5,000.
 */
function firstInOrder(positions: number[], compare: (a: number, b: number) => number, limit?: number): number[] {
  if (limit === undefined || positions.length <= limit * 4) return positions.sort(compare).slice(0, limit)
  const best: number[] = []
  for (const position of positions) {
    if (best.length === limit && compare(position, best[limit - 1] as number) >= 0) continue
    let low = 0
    let high = best.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (compare(best[middle] as number, position) <= 0) low = middle + 1
      else high = middle
    }
    best.splice(low, 0, position)
    if (best.length > limit) best.pop()
  }
  return best
}

/** True for a whole filter that is the id of an item (not a word shaped like one): that item is shown, closed or not. */
function namesAnItem(node: FilterNode | undefined, graph: WorkGraph): boolean {
  const id = node?.kind === 'or' ? node.nodes[0] : node
  return id?.kind === 'field' && id.implicit === true && graph.get(id.value) !== undefined
}

/**
 * The statuses a filter can match at all, when its top level says so (`status:open ...`, `+READY ...`,
 * `+ACTIVE ...`): the scan then skips every other item by a flat-array test before the filter runs. The filter still
 * runs on what is left, so this only ever narrows what the filter would reject anyway.
 */
function impliedStatuses(node: FilterNode, config: BacklogConfig): Set<string> | undefined {
  const terms = node.kind === 'and' ? node.nodes : [node]
  let allowed: Set<string> | undefined
  const narrow = (statuses: readonly string[]) => {
    const next = new Set(statuses.map((status) => status.toLowerCase()))
    allowed = allowed ? new Set([...allowed].filter((status) => next.has(status))) : next
  }
  const open = config.statuses.filter((status) => !config.closed_statuses.includes(status))
  for (const term of terms) {
    if (term.kind === 'field' && term.field === 'status' && !term.attribute) {
      if (term.operator === 'eq') narrow([term.value])
      else if (term.operator === 'in') narrow(term.value.split(',').map((value) => value.trim()))
    } else if (term.kind === 'virtual') {
      if (term.tag === 'READY') {
        narrow(open.filter((status) => status !== 'blocked' && !config.started_statuses.includes(status)))
      } else if (term.tag === 'ACTIVE') narrow(config.started_statuses)
      else if (term.tag === 'OPEN' || term.tag === 'PENDING' || term.tag === 'OVERDUE' || term.tag === 'DUE') {
        narrow(open)
      } else if (term.tag === 'CLOSED' || term.tag === 'COMPLETED') narrow(config.closed_statuses)
    }
  }
  return allowed
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Counts of the matching items by status, type, priority, assignee and tag, and by any other fields named.
 *
 * @example
 * countItems(items, ['estimate']).by_field?.estimate // { '3': 4, '5': 1, none: 2 }
 */
export function countItems(items: readonly Item[], fields: readonly string[] = []): Counts {
  const counts: Counts = { by_status: {}, by_type: {}, by_priority: {}, by_assignee: {}, by_tag: {} }
  const add = (table: Record<string, number>, key: string) => {
    table[key] = (table[key] ?? 0) + 1
  }
  const byField: Record<string, Record<string, number>> = {}
  for (const field of fields) byField[field] = {}
  for (const item of items) {
    add(counts.by_status, item.status)
    add(counts.by_type, item.type)
    add(counts.by_priority, item.priority ?? NO_PRIORITY)
    add(counts.by_assignee, item.assignee ?? UNASSIGNED)
    for (const tag of item.tags) add(counts.by_tag, tag)
    for (const field of fields) {
      for (const value of fieldValues(item, field)) add(byField[field] as Record<string, number>, value)
    }
  }
  if (fields.length) counts.by_field = byField
  return counts
}

/** The values of a field or user attribute as count keys: lists count each element, a missing value is "none". */
function fieldValues(item: Item, field: string): string[] {
  const own = (item as unknown as Record<string, unknown>)[field]
  const value = field !== 'attributes' && field !== 'description' && own !== undefined ? own : item.attributes[field]
  if (value === undefined || value === null || value === '') return [NO_PRIORITY]
  if (Array.isArray(value)) {
    return value.length
      ? value.map((entry) => (typeof entry === 'object' ? JSON.stringify(entry) : String(entry)))
      : [NO_PRIORITY]
  }
  if (typeof value === 'object') return [JSON.stringify(value)]
  return [field === 'priority' ? (normalizePriority(String(value)) ?? String(value)) : String(value)]
}
