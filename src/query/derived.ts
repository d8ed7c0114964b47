/**
 * What lists derive from the backlog, kept in step with it write by write: the work graph, flat arrays of what most
 * selections test first, sort keys and urgency scores, all by position in the store's records. The store keeps each
 * item at its position from one version to the next (see `ReadModel.all` in store/read-model.ts) and notes which
 * positions a version changed (`changedSince`), so only the positions holding a different record are redone; a pair
 * of versions it did not note is compared pointer by pointer.
 */

import type { BacklogConfig } from '../core/config.js'
import { storedDateRange } from '../core/date-expressions.js'
import { idKey } from '../core/ids.js'
import type { SortOrder } from '../core/inputs.js'
import { type Item, PRIORITIES } from '../core/item.js'
import { changedSince } from '../store/read-model.js'
import type { ItemRecord } from '../store/store.js'
import { LiveWorkGraph } from './graph.js'
import { URGENCY_WEIGHTS, urgency } from './urgency.js'

/** The orders whose key is a record's own: urgency and updated depend on more than the record. */
export type KeyedOrder = Exclude<SortOrder, 'urgency' | 'updated'>

/** Past this share of changed positions, a new version is derived from scratch (a checkout, a pull). */
const REBUILD_SHARE = 0.25

const PRIORITY_RANK = new Map<string, number>(PRIORITIES.map((priority, index) => [priority, index]))

/** Sort keys as strings compared in code-unit order; missing values sort last. */
const SORT_KEYS: Record<KeyedOrder, (item: Item) => string> = {
  priority: (item) =>
    `${PRIORITY_RANK.get(item.priority ?? '') ?? PRIORITIES.length}${item.created ?? '~'}\u0000${item.id}`,
  due: (item) => `${item.due ?? '~'}\u0000${item.id}`,
  created: (item) => `${item.created ?? '~'}\u0000${item.id}`,
  id: (item) => idKey(item.id),
  title: (item) => `${item.title.toLowerCase()}\u0000${item.id}`,
}

/** Lower-case forms of the few distinct statuses, types and assignees, shared instead of one string per item. */
const lowered = new Map<string, string>()
function lower(value: string): string {
  let found = lowered.get(value)
  if (found === undefined) {
    found = value.toLowerCase()
    if (lowered.size < 10_000) lowered.set(value, found)
  }
  return found
}

/**
 * The derived state of one backlog, brought up to date with `update(records, config)`.
 *
 * @example
 * const view = new DerivedView(config, now)
 * view.update(store.all(), config)
 * view.graph.hasOpenDependency(item)
 */
export class DerivedView {
  records: readonly ItemRecord[] = []
  graph: LiveWorkGraph
  /** Position of each item in `records`, by idKey (the store lists each id once). */
  readonly positionOf = new Map<string, number>()
  /** The item, lower-case status, archived flag, end of wait (ms, NaN for none), type and assignee ('' for none). */
  items: Item[] = []
  statuses: string[] = []
  archived: boolean[] = []
  waits: number[] = []
  types: string[] = []
  assignees: string[] = []
  /** Sort keys by position, per order asked for so far. */
  readonly #keys = new Map<KeyedOrder, string[]>()
  /** Urgency by position for one minute (it moves with the clock), and each item's own terms. */
  #scores: { minute: number; values: number[]; own: number[] } | undefined
  #closed: Set<string>
  #config: BacklogConfig

  constructor(
    config: BacklogConfig,
    private readonly now: () => Date,
  ) {
    this.#config = config
    this.#closed = new Set(config.closed_statuses)
    this.graph = new LiveWorkGraph((status) => this.#closed.has(status))
  }

  /** Brings everything up to date with `records`: only the positions holding a different record are redone. */
  update(records: readonly ItemRecord[], config: BacklogConfig): void {
    if (records === this.records && config === this.#config) return
    const changed = config === this.#config ? positionsToRedo(this.records, records) : undefined
    if (!changed) this.#rebuild(records, config)
    else this.#patch(records, changed)
  }

  #rebuild(records: readonly ItemRecord[], config: BacklogConfig): void {
    this.#config = config
    this.#closed = new Set(config.closed_statuses)
    this.graph = new LiveWorkGraph((status) => this.#closed.has(status))
    this.records = records
    this.positionOf.clear()
    this.#keys.clear()
    this.#scores = undefined
    const count = records.length
    this.items = new Array(count)
    this.statuses = new Array(count)
    this.archived = new Array(count)
    this.waits = new Array(count)
    this.types = new Array(count)
    this.assignees = new Array(count)
    for (let position = 0; position < count; position++) {
      const record = records[position] as ItemRecord
      this.graph.add(record.item)
      this.#place(position, record)
    }
  }

  #patch(records: readonly ItemRecord[], changed: number[]): void {
    const previous = this.records
    this.records = records
    // Every old version out of the graph before any new one goes in: an item moved to another position is both.
    for (const position of changed) {
      const old = previous[position]
      if (!old) continue
      this.graph.remove(old.item)
      const key = idKey(old.item.id)
      if (this.positionOf.get(key) === position) this.positionOf.delete(key)
    }
    for (const position of changed) {
      const record = records[position]
      if (record) {
        this.graph.add(record.item)
        this.#place(position, record)
      }
    }
    const count = records.length
    for (const column of [this.items, this.statuses, this.archived, this.waits, this.types, this.assignees]) {
      column.length = count
    }
    for (const [order, keys] of this.#keys) {
      keys.length = count
      for (const position of changed) {
        const record = records[position]
        if (record) keys[position] = SORT_KEYS[order](record.item)
      }
    }
    const scores = this.#scores
    if (!scores) return
    scores.values.length = count
    scores.own.length = count
    const now = this.now()
    for (const position of this.#touched(previous, records, changed)) {
      const item = records[position]?.item
      if (!item) continue
      scores.own[position] = this.#ownUrgency(item, now)
      scores.values[position] = this.#withGraph(item, scores.own[position] as number)
    }
  }

  /** The positions whose urgency a change can move: the changed items, what they depend on, what depends on them. */
  #touched(previous: readonly ItemRecord[], records: readonly ItemRecord[], changed: number[]): Set<number> {
    const touched = new Set<number>(changed)
    const near = (item: Item | undefined) => {
      if (!item) return
      for (const dependency of item.depends_on) {
        const position = this.positionOf.get(idKey(dependency))
        if (position !== undefined) touched.add(position)
      }
      for (const dependent of this.graph.dependentsOfKey(idKey(item.id))) {
        const position = this.positionOf.get(idKey(dependent.id))
        if (position !== undefined) touched.add(position)
      }
    }
    for (const position of changed) {
      near(previous[position]?.item)
      near(records[position]?.item)
    }
    return touched
  }

  #place(position: number, record: ItemRecord): void {
    const { item } = record
    this.positionOf.set(idKey(item.id), position)
    this.items[position] = item
    this.statuses[position] = lower(item.status)
    this.archived[position] = record.archived
    this.waits[position] = item.wait ? (storedDateRange(item.wait)?.start ?? Number.NaN) : Number.NaN
    this.types[position] = lower(item.type)
    this.assignees[position] = lower(item.assignee ?? '')
  }

  /** Sort keys by position for an order, made on first use and patched with each write. */
  keys(order: KeyedOrder): string[] {
    let keys = this.#keys.get(order)
    if (!keys) {
      const key = SORT_KEYS[order]
      keys = this.items.map((item) => key(item))
      this.#keys.set(order, keys)
    }
    return keys
  }

  /** Urgency by position; it moves with the clock, so it is worked out again when the minute changes. */
  scores(): readonly number[] {
    const now = this.now()
    const minute = Math.floor(now.getTime() / 60_000)
    if (this.#scores?.minute === minute) return this.#scores.values
    const count = this.items.length
    const own = new Array<number>(count)
    const values = new Array<number>(count)
    for (let position = 0; position < count; position++) {
      const item = this.items[position] as Item
      own[position] = this.#ownUrgency(item, now)
      values[position] = this.#withGraph(item, own[position] as number)
    }
    this.#scores = { minute, values, own }
    return values
  }

  /** The urgency of any item now, as a filter's `urgency` field compares it. */
  urgencyOf(item: Item): number {
    return this.#withGraph(item, this.#ownUrgency(item, this.now()))
  }

  /** The terms of the item itself; 0 for a closed item. */
  #ownUrgency(item: Item, now: Date): number {
    if (this.#config.closed_statuses.includes(item.status)) return 0
    return urgency({
      item,
      now,
      closed: false,
      active: this.#config.started_statuses.includes(item.status),
      blocked: false,
      blocking: false,
    })
  }

  /** The own terms plus what the graph adds (blocking, blocked), which changes when other items do. */
  #withGraph(item: Item, own: number): number {
    if (this.#config.closed_statuses.includes(item.status)) return 0
    const blocked = item.status === 'blocked' || this.graph.hasOpenDependency(item)
    const blocking = this.graph.isBlocking(item)
    if (!blocked && !blocking) return own
    return (
      Math.round((own + (blocking ? URGENCY_WEIGHTS.blocking : 0) + (blocked ? URGENCY_WEIGHTS.blocked : 0)) * 100) /
      100
    )
  }
}

/**
 * The positions to redo from `previous` to `next`: as the read model noted them when `next` came right after
 * `previous` (no pass over the items), else by comparing them; undefined when so many differ that deriving from
 * scratch is cheaper.
 */
function positionsToRedo(previous: readonly ItemRecord[], next: readonly ItemRecord[]): number[] | undefined {
  const noted = previous.length > 0 ? changedSince(previous, next) : undefined
  if (!noted) return changedPositions(previous, next)
  return noted.length > Math.max(64, Math.max(previous.length, next.length) * REBUILD_SHARE) ? undefined : noted
}

/**
 * The positions where `next` holds another record than `previous` (appended and removed ones included), or
 * undefined when so many differ that deriving from scratch is cheaper. A pointer comparison per item: 50,000 items
 * take well under a millisecond.
 */
export function changedPositions(previous: readonly ItemRecord[], next: readonly ItemRecord[]): number[] | undefined {
  const longest = Math.max(previous.length, next.length)
  const limit = Math.max(64, longest * REBUILD_SHARE)
  if (previous.length === 0 || Math.abs(previous.length - next.length) > limit) return undefined
  const changed: number[] = []
  for (let position = 0; position < longest; position++) {
    if (previous[position] === next[position]) continue
    changed.push(position)
    if (changed.length > limit) return undefined
  }
  return changed
}
