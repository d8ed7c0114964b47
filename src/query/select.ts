/**
 * Choosing and ordering items for a list: the status/type/tag shortcuts, the filter language, archived items, the
 * sort orders with urgency first, and counts. Orders and the work graph are computed once per change of the backlog
 * (and urgency once a minute, as it moves with the clock), so a list at 10,000 items is a scan of flat arrays.
 */

import type { BacklogConfig } from '../core/config.js'
import { storedDateRange } from '../core/date-expressions.js'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import type { SortOrder } from '../core/inputs.js'
import { ITEM_TYPES, type Item, normalizePriority, PRIORITIES } from '../core/item.js'
import type { ItemRecord } from '../store/store.js'
import { compileFilter, type FilterEnv, type FilterNode, filterFields, parseFilter } from './filter.js'
import { buildWorkGraph, type WorkGraph } from './graph.js'
import { URGENCY_WEIGHTS, urgency } from './urgency.js'

export type { SortOrder } from '../core/inputs.js'

export interface Selection {
  filter?: string
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

/** Everything derived from one version of the backlog. */
interface Derived {
  records: readonly ItemRecord[]
  graph: WorkGraph
  /** What most selections test first, in flat arrays beside the records (same positions). */
  flat?: Flat
  /** Sort keys by position, per order. */
  keys: Map<string, string[]>
  /** Urgency by position, for one minute. */
  scores?: { minute: number; values: Float64Array }
}

interface Flat {
  items: Item[]
  /** Lower-case status of each record, from a small table of shared strings. */
  statuses: string[]
  archived: boolean[]
  /** When the wait of each item ends (ms), NaN for none. */
  waits: Float64Array
  types: string[]
  /** Lower-case assignee, or '' for none. */
  assignees: string[]
}

const PRIORITY_RANK = new Map<string, number>(PRIORITIES.map((priority, index) => [priority, index]))
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

export interface Selector {
  /** The matching records in the asked order, with their urgencies (same positions) when the order is by urgency. */
  select(records: readonly ItemRecord[], config: BacklogConfig, selection: Selection & { limit?: number }): Selected
  graph(records: readonly ItemRecord[], config: BacklogConfig): WorkGraph
  /** A predicate for a filter expression (used by bulk updates and search). */
  predicate(
    records: readonly ItemRecord[],
    config: BacklogConfig,
    filter: string,
    updated?: Selection['updated'],
  ): (item: Item) => boolean
}

export interface SelectorOptions {
  now: () => Date
  /** Full-text matching for bare words of filters (the search index); a substring test when absent. */
  text?: (words: string) => (item: Item) => boolean
}

/**
 * @example
 * const selector = createSelector({ now: () => new Date() })
 * selector.select(store.all(), store.config(), { filter: '+READY priority.above:low' }).records
 */
export function createSelector(options: SelectorOptions): Selector {
  let derived: Derived | undefined
  /** The item's own urgency terms, per record (a changed item is a new record) and minute. */
  const ownUrgency = new WeakMap<ItemRecord, { minute: number; value: number }>()
  let derivedConfig: BacklogConfig | undefined
  const shared = new Map<string, string>()
  const lower = (value: string) => {
    let found = shared.get(value)
    if (found === undefined) {
      found = value.toLowerCase()
      shared.set(value, found)
    }
    return found
  }

  function derive(records: readonly ItemRecord[], config: BacklogConfig): Derived {
    if (derived?.records === records && derivedConfig === config) return derived
    const closed = new Set(config.closed_statuses)
    derived = {
      records,
      graph: buildWorkGraph(
        records.map((record) => record.item),
        (status) => closed.has(status),
      ),
      keys: new Map(),
    }
    derivedConfig = config
    return derived
  }

  /**
   * Urgency is a sum: the terms of the item itself (cached per record for the minute) plus the terms the graph adds
   * (blocking, blocked), which change when other items do.
   */
  function urgencyFor(
    state: Derived,
    config: BacklogConfig,
    now: Date,
    item: Item,
    minute?: number,
    record?: ItemRecord,
  ): number {
    if (config.closed_statuses.includes(item.status)) return 0
    let base: number | undefined
    const cached = record && ownUrgency.get(record)
    if (cached && cached.minute === minute) base = cached.value
    else {
      base = urgency({
        item,
        now,
        closed: false,
        active: config.started_statuses.includes(item.status),
        blocked: false,
        blocking: false,
      })
      if (record && minute !== undefined) ownUrgency.set(record, { minute, value: base })
    }
    const blocked = item.status === 'blocked' || state.graph.hasOpenDependency(item)
    const blocking = state.graph.isBlocking(item)
    if (!blocked && !blocking) return base
    return (
      Math.round((base + (blocking ? URGENCY_WEIGHTS.blocking : 0) + (blocked ? URGENCY_WEIGHTS.blocked : 0)) * 100) /
      100
    )
  }

  /** The flat arrays of this version, made once: a list after a write pays one pass, not a sort. */
  function flatOf(state: Derived): Flat {
    if (state.flat) return state.flat
    const source = state.records
    const count = source.length
    const flat: Flat = {
      items: new Array(count),
      statuses: new Array(count),
      archived: new Array(count),
      waits: new Float64Array(count),
      types: new Array(count),
      assignees: new Array(count),
    }
    for (let index = 0; index < count; index++) {
      const record = source[index] as ItemRecord
      const { item } = record
      flat.items[index] = item
      flat.statuses[index] = lower(item.status)
      flat.archived[index] = record.archived
      flat.waits[index] = item.wait ? (storedDateRange(item.wait)?.start ?? Number.NaN) : Number.NaN
      flat.types[index] = lower(item.type)
      flat.assignees[index] = lower(item.assignee ?? '')
    }
    state.flat = flat
    return flat
  }

  function keysOf(state: Derived, sort: KeyedOrder): string[] {
    let keys = state.keys.get(sort)
    if (!keys) {
      keys = state.records.map((record) => cachedKey(record, sort))
      state.keys.set(sort, keys)
    }
    return keys
  }

  /** Urgency by position; it moves with the clock, so it is kept for a minute at most. */
  function scoresOf(state: Derived, config: BacklogConfig): Float64Array {
    const now = options.now()
    const minute = Math.floor(now.getTime() / 60_000)
    if (state.scores?.minute === minute) return state.scores.values
    const values = new Float64Array(state.records.length)
    state.records.forEach((record, index) => {
      values[index] = urgencyFor(state, config, now, record.item, minute, record)
    })
    state.scores = { minute, values }
    return values
  }

  function env(state: Derived, config: BacklogConfig, updated?: Selection['updated']): FilterEnv {
    const now = options.now()
    let updatedOf: FilterEnv['updated']
    if (updated) {
      const positions = new Map<Item, number>(flatOf(state).items.map((item, index) => [item, index]))
      updatedOf = (item) => {
        const index = positions.get(item)
        const time = index === undefined ? undefined : updated(state.records[index] as ItemRecord)
        return time === undefined ? undefined : formatTimestamp(new Date(time))
      }
    }
    return {
      now,
      config,
      hasOpenDependency: (item) => state.graph.hasOpenDependency(item),
      isBlocking: (item) => state.graph.isBlocking(item),
      hasOpenChildren: (item) => state.graph.hasOpenChildren(item),
      urgency: (item) => urgencyFor(state, config, now, item),
      ...(options.text ? { text: options.text } : {}),
      ...(updatedOf ? { updated: updatedOf } : {}),
    }
  }

  return {
    graph: (records, config) => derive(records, config).graph,
    predicate(records, config, filter, updated) {
      const node = parseFilter(filter)
      if (!node) return () => true
      return compileFilter(node, env(derive(records, config), config, updated))
    },
    select(records, config, selection) {
      const state = derive(records, config)
      const node = selection.filter ? parseFilter(selection.filter) : undefined
      const fields = node ? filterFields(node) : new Set<string>()
      const test = node ? compileFilter(node, env(state, config, selection.updated)) : undefined
      const statuses = selection.status?.map((status) => status.toLowerCase())
      const everyStatus = statuses?.includes('all') ?? false
      for (const status of everyStatus ? [] : (statuses ?? [])) {
        if (!config.statuses.includes(status)) {
          throw new BacklogError(
            'INVALID_INPUT',
            `status "${status}" is not one of ${config.statuses.join(', ')} or "all"`,
          )
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
      const assignee = selection.assignee?.toLowerCase()
      // Without a word about status, a list shows the work at hand: nothing closed, nothing still waiting.
      // A filter on status, on when items closed, or on ids speaks for itself.
      const statusGiven =
        statuses !== undefined ||
        fields.has('status') ||
        fields.has('closed') ||
        fields.has('id') ||
        namesAnItem(node, state.graph)
      const hideWaitingAfter = statusGiven || fields.has('wait') ? undefined : options.now().getTime()
      const wanted = statuses && !everyStatus ? new Set(statuses) : node ? impliedStatuses(node, config) : undefined
      const closed = new Set(config.closed_statuses.map((status) => status.toLowerCase()))
      // Everything archived is closed: asking for the archive lifts the default of hiding closed items.
      const hideClosed = !statusGiven && !selection.archived
      const sameText = (value: string | undefined, lowerValue: string) =>
        value !== undefined && (value === lowerValue || value.toLowerCase() === lowerValue)
      const needsItem = Boolean(parent !== undefined || epic !== undefined || tags || test)
      const flat = flatOf(state)
      const positions: number[] = []
      // Plain loops over flat arrays first: this runs over every item on every list.
      for (let index = 0; index < flat.items.length; index++) {
        if (flat.archived[index] && !selection.archived) continue
        const status = flat.statuses[index] as string
        if (wanted ? !wanted.has(status) : hideClosed && closed.has(status)) continue
        // A wait is over once its day (or moment) has begun, in local time.
        if (hideWaitingAfter !== undefined && (flat.waits[index] as number) > hideWaitingAfter) continue
        if (types && !types.includes(flat.types[index] as string)) continue
        if (assignee !== undefined && flat.assignees[index] !== assignee) continue
        if (needsItem) {
          const item = flat.items[index] as Item
          if (parent !== undefined && !sameText(item.parent, parent)) continue
          // Items join an epic by `epic` or, as a batch plan makes them, by `parent`.
          if (epic !== undefined && !sameText(item.epic, epic) && !sameText(item.parent, epic)) continue
          if (tags && !tags.every((tag) => item.tags.some((own) => sameText(own, tag)))) continue
          if (test && !test(item)) continue
        }
        positions.push(index)
      }
      const sort = selection.sort ?? 'urgency'
      const scores = sort === 'urgency' ? scoresOf(state, config) : undefined
      const ties = keysOf(state, sort === 'urgency' ? 'priority' : sort === 'updated' ? 'id' : sort)
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
    },
  }
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

/** The orders whose key is a record's own: urgency and updated depend on more than the record. */
type KeyedOrder = Exclude<SortOrder, 'urgency' | 'updated'>

const sortKeys = new WeakMap<ItemRecord, Partial<Record<KeyedOrder, string>>>()

/** A record's sort key, computed once: records are replaced, never changed, when their item changes. */
function cachedKey(record: ItemRecord, sort: KeyedOrder): string {
  let keys = sortKeys.get(record)
  if (!keys) {
    keys = {}
    sortKeys.set(record, keys)
  }
  let key = keys[sort]
  if (key === undefined) {
    key = SORT_KEYS[sort](record.item)
    keys[sort] = key
  }
  return key
}

/** Sort keys as strings compared in code-unit order; missing values sort last. */
const SORT_KEYS: Record<KeyedOrder, (item: Item) => string> = {
  priority: (item) =>
    `${PRIORITY_RANK.get(item.priority ?? '') ?? PRIORITIES.length}${item.created ?? '~'}\u0000${item.id}`,
  due: (item) => `${item.due ?? '~'}\u0000${item.id}`,
  created: (item) => `${item.created ?? '~'}\u0000${item.id}`,
  id: (item) => idKey(item.id),
  title: (item) => `${item.title.toLowerCase()}\u0000${item.id}`,
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
