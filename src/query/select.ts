/**
 * Choosing and ordering items for a list: the status/type/tag shortcuts, the filter language, archived items, the
 * sort orders with urgency first, and counts. Orders and the work graph are computed once per change of the backlog
 * (and urgency once a minute, as it moves with the clock), so a list at 10,000 items is a scan of flat arrays.
 */

import type { BacklogConfig } from '../core/config.js'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { ITEM_TYPES, type Item, normalizePriority, PRIORITIES } from '../core/item.js'
import type { ItemRecord } from '../store/store.js'
import { compileFilter, type FilterEnv, type FilterNode, filterFields, parseFilter } from './filter.js'
import { buildWorkGraph, type WorkGraph } from './graph.js'
import { urgency } from './urgency.js'

export const SORT_ORDERS = ['urgency', 'priority', 'due', 'created', 'id', 'title'] as const
export type SortOrder = (typeof SORT_ORDERS)[number]

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
  orders: Map<string, Ordered>
}

/** Records in one order, with what most selections test first laid out in flat arrays beside them. */
interface Ordered {
  records: ItemRecord[]
  items: Item[]
  /** Lower-case status of each record, from a small table of shared strings. */
  statuses: string[]
  archived: boolean[]
  waits: Array<string | undefined>
  types: string[]
  /** Lower-case assignee, or '' for none. */
  assignees: string[]
  urgencies?: Float64Array
}

const PRIORITY_RANK = new Map<string, number>(PRIORITIES.map((priority, index) => [priority, index]))
const NO_PRIORITY = 'none'
const UNASSIGNED = 'unassigned'

export interface Selector {
  /** The matching records in the asked order, with their urgencies (same positions) when the order is by urgency. */
  select(
    records: readonly ItemRecord[],
    config: BacklogConfig,
    selection: Selection,
  ): { records: ItemRecord[]; urgencies?: number[] }
  graph(records: readonly ItemRecord[], config: BacklogConfig): WorkGraph
  /** A predicate for a filter expression (used by bulk updates and search). */
  predicate(records: readonly ItemRecord[], config: BacklogConfig, filter: string): (item: Item) => boolean
  urgencyOf(records: readonly ItemRecord[], config: BacklogConfig, item: Item): number
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
      orders: new Map(),
    }
    derivedConfig = config
    return derived
  }

  function urgencyFor(state: Derived, config: BacklogConfig, now: Date, item: Item): number {
    const isClosed = config.closed_statuses.includes(item.status)
    return urgency({
      item,
      now,
      closed: isClosed,
      active: config.started_statuses.includes(item.status),
      blocked: item.status === 'blocked' || state.graph.hasOpenDependency(item),
      blocking: state.graph.isBlocking(item),
    })
  }

  function ordered(state: Derived, config: BacklogConfig, sort: SortOrder): Ordered {
    const now = options.now()
    // Urgency moves with the clock: its order is kept for a minute at most.
    const key = sort === 'urgency' ? `urgency:${Math.floor(now.getTime() / 60_000)}` : sort
    const known = state.orders.get(key)
    if (known) return known
    if (sort === 'urgency')
      for (const old of state.orders.keys()) if (old.startsWith('urgency:')) state.orders.delete(old)
    const records = [...state.records]
    let urgencies: Float64Array | undefined
    if (sort === 'urgency') {
      const scores = new Map<ItemRecord, number>()
      for (const record of records) scores.set(record, urgencyFor(state, config, now, record.item))
      records.sort(
        (a, b) => (scores.get(b) as number) - (scores.get(a) as number) || compareText(priorityKey(a), priorityKey(b)),
      )
      urgencies = Float64Array.from(records, (record) => scores.get(record) as number)
    } else {
      const keyOf = SORT_KEYS[sort]
      const keys = new Map(records.map((record) => [record, keyOf(record.item)]))
      records.sort((a, b) => compareText(keys.get(a) as string, keys.get(b) as string))
    }
    const result: Ordered = {
      records,
      items: records.map((record) => record.item),
      statuses: records.map((record) => lower(record.item.status)),
      archived: records.map((record) => record.archived),
      waits: records.map((record) => record.item.wait),
      types: records.map((record) => lower(record.item.type)),
      assignees: records.map((record) => lower(record.item.assignee ?? '')),
      ...(urgencies ? { urgencies } : {}),
    }
    state.orders.set(key, result)
    return result
  }

  function env(state: Derived, config: BacklogConfig): FilterEnv {
    const now = options.now()
    return {
      now,
      config,
      hasOpenDependency: (item) => state.graph.hasOpenDependency(item),
      isBlocking: (item) => state.graph.isBlocking(item),
      hasOpenChildren: (item) => state.graph.hasOpenChildren(item),
      urgency: (item) => urgencyFor(state, config, now, item),
      ...(options.text ? { text: options.text } : {}),
    }
  }

  return {
    graph: (records, config) => derive(records, config).graph,
    urgencyOf: (records, config, item) => urgencyFor(derive(records, config), config, options.now(), item),
    predicate(records, config, filter) {
      const node = parseFilter(filter)
      if (!node) return () => true
      return compileFilter(node, env(derive(records, config), config))
    },
    select(records, config, selection) {
      const state = derive(records, config)
      const node = selection.filter ? parseFilter(selection.filter) : undefined
      const fields = node ? filterFields(node) : new Set<string>()
      const test = node ? compileFilter(node, env(state, config)) : undefined
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
      const statusGiven = statuses !== undefined || fields.has('status') || fields.has('closed') || fields.has('id')
      const hideWaitingBefore = statusGiven || fields.has('wait') ? undefined : formatTimestamp(options.now())
      const wanted = statuses && !everyStatus ? new Set(statuses) : node ? impliedStatuses(node, config) : undefined
      const closed = new Set(config.closed_statuses.map((status) => status.toLowerCase()))
      // Everything archived is closed: asking for the archive lifts the default of hiding closed items.
      const hideClosed = !statusGiven && !selection.archived
      const sameText = (value: string | undefined, lowerValue: string) =>
        value !== undefined && (value === lowerValue || value.toLowerCase() === lowerValue)
      const needsItem = Boolean(parent !== undefined || epic !== undefined || tags || test)
      const order = ordered(state, config, selection.sort ?? 'urgency')
      const matches: ItemRecord[] = []
      const positions: number[] = []
      // Plain loops over flat arrays first: this runs over every item on every list.
      for (let index = 0; index < order.records.length; index++) {
        if (order.archived[index] && !selection.archived) continue
        const status = order.statuses[index] as string
        if (wanted ? !wanted.has(status) : hideClosed && closed.has(status)) continue
        const wait = order.waits[index]
        if (hideWaitingBefore && wait !== undefined && wait > hideWaitingBefore) continue
        if (types && !types.includes(order.types[index] as string)) continue
        if (assignee !== undefined && order.assignees[index] !== assignee) continue
        if (!needsItem) {
          matches.push(order.records[index] as ItemRecord)
          positions.push(index)
          continue
        }
        const item = order.items[index] as Item
        if (parent !== undefined && !sameText(item.parent, parent)) continue
        // Items join an epic by `epic` or, as a batch plan makes them, by `parent`.
        if (epic !== undefined && !sameText(item.epic, epic) && !sameText(item.parent, epic)) continue
        if (tags && !tags.every((tag) => item.tags.some((own) => sameText(own, tag)))) continue
        if (test && !test(item)) continue
        matches.push(order.records[index] as ItemRecord)
        positions.push(index)
      }
      const { urgencies } = order
      if (!urgencies) return { records: matches }
      return { records: matches, urgencies: positions.map((index) => urgencies[index] as number) }
    },
  }
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

function priorityKey(record: ItemRecord): string {
  const rank = PRIORITY_RANK.get(record.item.priority ?? '') ?? PRIORITIES.length
  return `${rank}${record.item.created ?? '~'}\u0000${record.item.id}`
}

/** Sort keys as strings compared in code-unit order; missing values sort last. */
const SORT_KEYS: Record<Exclude<SortOrder, 'urgency'>, (item: Item) => string> = {
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
