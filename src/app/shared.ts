/** The state every use-case shares (the store, the search index, history) and the helpers they all lean on. */

import { randomInt } from 'node:crypto'
import { join } from 'node:path'
import type { BacklogConfig } from '../core/config.js'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError, phrase, slot } from '../core/errors.js'
import { itemRow } from '../core/fields.js'
import { commitMessage, type MessageInput } from '../core/messages.js'
import type { MutationContext } from '../core/mutations.js'
import { installDriverQuietly } from '../merge/install.js'
import { type FilterNode, filterFields } from '../query/filter.js'
import { createSelector, type Selector } from '../query/select.js'
import { createSearchIndex, type SearchIndex } from '../search/search-index.js'
import { type BacklogLog, createBacklogLog } from '../store/backlog-log.js'
import { createItemHistory, type ItemHistory } from '../store/item-history.js'
import { type CommitPlan, type FileChange, type ItemRecord, openStore, type Store } from '../store/store.js'
import { createUpdatedTimes, type UpdatedTimes, type UpdatedView } from '../store/updated-times.js'
import { createUpstreamWatch, type Upstream } from '../sync/remote.js'
import type { AppOptions, ItemRow } from './index.js'

/** A bulk change of thousands of items answers with the first rows and the count, not every row. */
export const MAX_RESULT_ROWS = 100

/** The row of a record as lists show it: its fields without the body, empty lists left out (core/fields.ts). */
export function toRow(record: ItemRecord): ItemRow {
  const row = itemRow(record.item)
  if (record.archived) row.archived = true
  return row
}

/** `1 item`, `3 items`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/** True when the filter (parsed once by the use-case) compares `updated`, which needs history read first. */
export function mentionsUpdated(filter: FilterNode | undefined): boolean {
  return filter !== undefined && filterFields(filter).has('updated')
}

function notFound(id: string): BacklogError {
  return new BacklogError('NOT_FOUND', phrase`No item ${id}. ${slot('list')}`, { id })
}

/** Each record once, in first-named order: the same item named twice (in any case) is one item. */
export function distinct(records: ItemRecord[]): ItemRecord[] {
  return [...new Map(records.map((record) => [record.path, record])).values()]
}

/** The status as the config spells it (statuses match case-insensitively), or INVALID_INPUT naming the valid ones. */
export function canonicalStatus<T extends string | undefined>(config: BacklogConfig, status: T): T {
  if (status === undefined) return status
  const found = config.statuses.find((known) => known.toLowerCase() === status.toLowerCase())
  if (found === undefined) {
    throw new BacklogError(
      'INVALID_INPUT',
      `status "${status}" is not one of ${config.statuses.join(', ')} (set in .backlog/config.yml)`,
      { status },
    )
  }
  return found as T
}

/** The commit of a mutation: its time, what it is (`op`), its message with the acting agent's trailer, its changes. */
export function planOf(
  context: MutationContext,
  message: Omit<MessageInput, 'agent'>,
  changes: FileChange[],
): CommitPlan {
  return {
    date: context.date,
    op: message.op,
    message: commitMessage({ ...message, ...(context.agent ? { agent: context.agent } : {}) }),
    changes,
  }
}

/** What every use-case works over: built once per app by `createCore`, so all of them see one store and one index. */
export interface AppCore {
  readonly options: AppOptions
  readonly now: () => Date
  /** Uniform integers in [0, 32) for ids. */
  readonly random: () => number
  readonly store: Store
  /** The search index, built on first use and brought up to date with the store on each call. */
  index(): SearchIndex<ItemRecord>
  readonly selector: Selector
  readonly log: BacklogLog
  readonly itemHistory: ItemHistory
  readonly updatedTimes: UpdatedTimes
  /** The branch against its upstream as last fetched, for telling agents when they are behind. */
  readonly upstream: { status(): Promise<Upstream | undefined> }
  /** When each record last changed, or undefined when `needed` is false (reading history is not free). */
  changedAt(needed: boolean): Promise<UpdatedView['of'] | undefined>
  /** The clock, config and acting agent (or git author) of one mutation. */
  contextFor(agent: string | undefined): Promise<MutationContext>
  /** The record of `id`, or NOT_FOUND / MALFORMED_ITEM saying what to do; `field` names the input that held the id. */
  require(id: string, field?: string): ItemRecord
  /** Rows of items just written, with `blocked` set. */
  rowsOf(ids: readonly string[]): ItemRow[]
}

/**
 * Opens the store over the repository around `options.cwd` and builds the state every use-case shares.
 *
 * @example
 * const core = createCore({ cwd: process.cwd() })
 * const rows = core.rowsOf(['bl-x9'])
 */
export function createCore(options: AppOptions): AppCore {
  const now = options.now ?? (() => new Date())
  const random = options.random ?? (() => randomInt(32))
  const store = openStore({
    cwd: options.cwd,
    watch: options.watch ?? false,
    now,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  })

  // The search index is filled on the first search (or filter with bare words) and kept up to date from then on; the
  // selector is handed it for the bare words of filters.
  const searchIndex = createSearchIndex<ItemRecord>()
  const index = () => {
    searchIndex.sync(store.all())
    return searchIndex
  }
  const selector = createSelector({ now, text: searchIndex })
  // A fresh clone of a repository with a backlog gets the merge driver in its own config on the first call.
  if (store.isInitialized() && !options.readOnly) installDriverQuietly(store.repo)
  const log = createBacklogLog(store.repo)
  const itemHistory = createItemHistory(store.repo, log)
  const updatedTimes = createUpdatedTimes(store.repo, log, join(store.repo.gitdir, 'backlog', 'updated-cache.json'))
  /** When each record last changed, read from history only for the calls that ask. */
  async function changedAt(needed: boolean): Promise<UpdatedView['of'] | undefined> {
    return needed ? (await updatedTimes.view()).of : undefined
  }

  async function contextFor(agent: string | undefined): Promise<MutationContext> {
    const actor = agent ?? options.agent?.()
    const date = now()
    const context: MutationContext = { config: store.config(), now: formatTimestamp(date), date }
    if (actor) context.agent = actor
    else context.author = (await store.author()).name
    return context
  }

  function require(id: string, field?: string): ItemRecord {
    const record = store.get(id)
    if (record) return record
    const problem = store.problemFor(id)
    if (problem) {
      throw new BacklogError(
        'MALFORMED_ITEM',
        `${field ? `${field}: ` : ''}${id} is in ${problem.path}, which cannot be read: ${problem.reason}${problem.line ? ` (line ${problem.line})` : ''}. ${problem.fix}`,
        { id, path: problem.path },
      )
    }
    if (field) throw new BacklogError('NOT_FOUND', phrase`${field}: no item ${id}. ${slot('list')}`, { id })
    throw notFound(id)
  }

  /** Rows of items just written. Their dependencies are looked up one by one: a write must not rebuild the graph. */
  function rowsOf(ids: readonly string[]): ItemRow[] {
    const closed = store.config().closed_statuses
    return ids.flatMap((id) => {
      const record = store.get(id)
      if (!record) return []
      const row = toRow(record)
      const open = record.item.depends_on.some((dependency) => {
        const target = store.get(dependency)?.item
        return !target || !closed.includes(target.status)
      })
      if (open) row.blocked = true
      return [row]
    })
  }

  return {
    options,
    now,
    random,
    store,
    index,
    selector,
    log,
    itemHistory,
    updatedTimes,
    upstream: createUpstreamWatch(store.repo),
    changedAt,
    contextFor,
    require,
    rowsOf,
  }
}
