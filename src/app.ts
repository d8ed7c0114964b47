/** The use-cases of git-backlog, one per thing a person or agent does; every edge (MCP, CLI) calls these. */

import { randomInt } from 'node:crypto'
import { join } from 'node:path'
import { buildContext, type ContextBundle } from './context/context.js'
import { editBody } from './core/body-edit.js'
import { parseItemFile, serializeItem } from './core/codec.js'
import type { BacklogConfig } from './core/config.js'
import { formatTimestamp } from './core/dates.js'
import { BacklogError } from './core/errors.js'
import { generateId, idKey, isValidPrefix } from './core/ids.js'
import {
  type ArchiveInput,
  type BatchItemInput,
  batchPosition,
  type ContextInput,
  type CreateInput,
  type DeleteInput,
  type GetInput,
  type HistoryInput,
  type ListInput,
  type RestoreInput,
  type SearchInput,
  type UnarchiveInput,
  type UndoInput,
  type UpdateInput,
  type WriteResourceInput,
} from './core/inputs.js'
import type { Item } from './core/item.js'
import { ARCHIVE_DIR, CONFIG_PATH, idFromPath, itemPath } from './core/layout.js'
import { commitMessage, type MessageInput } from './core/messages.js'
import {
  applyUpdate,
  buildItem,
  changedFields,
  duplicateFields,
  type ItemChanges,
  type MutationContext,
  updateVerb,
} from './core/mutations.js'
import { nextOccurrence } from './core/recurrence.js'
import { planRevert, type RevertibleCommit, revertChooser } from './core/revert.js'
import { readPackageFile } from './package-files.js'
import { filterFields, parseFilter } from './query/filter.js'
import { findCycle } from './query/graph.js'
import { type Counts, countItems, createSelector } from './query/select.js'
import { createSearchIndex, type SearchHit, type SearchIndex } from './search/search-index.js'
import { createBacklogLog } from './store/backlog-log.js'
import { createItemHistory, type HistoryEntry } from './store/item-history.js'
import {
  assertInitialized,
  type CommitPlan,
  type FileChange,
  type ItemRecord,
  openStore,
  type Problem,
  type Store,
} from './store/store.js'
import { createUpdatedTimes, type UpdatedView } from './store/updated-times.js'

/** One line of a list: enough to choose an item, without its body. Lists are left out when empty. */
export type ItemRow = Pick<
  Item,
  'id' | 'title' | 'type' | 'status' | 'priority' | 'assignee' | 'parent' | 'epic' | 'due'
> & {
  tags?: string[]
  depends_on?: string[]
  /** True while a dependency is not done. */
  blocked?: boolean
  urgency?: number
  archived?: boolean
  /** When the item last changed (from git history, or the file's time for an edit not yet committed). */
  updated?: string
}

export interface ItemDetail extends Item {
  path: string
  archived: boolean
  /** When the item last changed: the newest commit that changed it, or the file's time for an uncommitted edit. */
  updated?: string
}

export interface ListResult {
  items: ItemRow[]
  /** How many items matched before `limit`. */
  total: number
  truncated: boolean
  counts?: Counts
  problems?: Problem[]
}

export interface MutationResult {
  /** The items written, at most MAX_RESULT_ROWS of them (`total` says how many there were). */
  items: ItemRow[]
  total?: number
  /** The commit that recorded the change; absent when auto-commit is off or nothing changed. */
  commit?: string
  changed: boolean
}

export interface SearchResult {
  items: Array<ItemRow & { score: number; matched_fields: string[]; snippet: string }>
  total: number
}

export interface UndoResult extends MutationResult {
  /** The commit taken back, and what it was. */
  reverted: { commit: string; subject: string; op?: string; agent?: string }
}

export interface ArchiveResult extends MutationResult {
  dry_run: boolean
  /** Closed items left in place because they closed less than `older_than_days` ago. */
  too_recent?: number
}

export interface AppOptions {
  cwd: string
  watch?: boolean
  now?: () => Date
  /** Uniform integers in [0, 32) for ids; injected by tests. */
  random?: () => number
  /** The acting agent when a call names none: the MCP client, `--agent` or `BACKLOG_AGENT`. */
  agent?: () => string | undefined
  lockTimeoutMs?: number
  identity?: { name: string; email: string }
}

export interface App {
  readonly store: Store
  init(input: { prefix?: string; agent?: string }): Promise<{ created: boolean; path: string; commit?: string }>
  create(input: CreateInput): Promise<MutationResult>
  get(input: GetInput): Promise<{ items: ItemDetail[] }>
  list(input: ListInput): Promise<ListResult>
  update(input: UpdateInput): Promise<MutationResult>
  remove(input: DeleteInput): Promise<MutationResult>
  search(input: SearchInput): Promise<SearchResult>
  context(input: ContextInput): Promise<ContextBundle>
  writeBody(input: WriteResourceInput): Promise<MutationResult>
  archive(input: ArchiveInput): Promise<ArchiveResult>
  unarchive(input: UnarchiveInput): Promise<MutationResult>
  undo(input: UndoInput): Promise<UndoResult>
  history(input: HistoryInput): Promise<{ entries: HistoryEntry[]; next?: string }>
  restore(input: RestoreInput): Promise<MutationResult>
  problems(): Promise<Problem[]>
  close(): void
}

const DEFAULT_ARCHIVE_DAYS = 30
/** How many commits (backlog or not) undo looks through for the one to take back. */
const UNDO_WALK = 20_000
/** How many commits with nothing left to take back undo passes over before it says so. */
const UNDO_SKIPS = 20
/** A bulk change of thousands of items answers with the first rows and the count, not every row. */
const MAX_RESULT_ROWS = 100
const DAY_MS = 86_400_000

export function toRow(record: ItemRecord): ItemRow {
  const { item } = record
  const row: ItemRow = { id: item.id, title: item.title, type: item.type, status: item.status }
  if (item.priority) row.priority = item.priority
  if (item.assignee) row.assignee = item.assignee
  if (item.parent) row.parent = item.parent
  if (item.epic) row.epic = item.epic
  if (item.tags.length) row.tags = item.tags
  if (item.depends_on.length) row.depends_on = item.depends_on
  if (item.due) row.due = item.due
  if (record.archived) row.archived = true
  return row
}

function toDetail(record: ItemRecord, updated?: number): ItemDetail {
  const detail: ItemDetail = { ...structuredClone(record.item), path: record.path, archived: record.archived }
  if (updated !== undefined) detail.updated = formatTimestamp(new Date(updated))
  return detail
}

/** True when the filter compares `updated`, which needs history read first. */
function mentionsUpdated(filter: string | undefined): boolean {
  const node = filter ? parseFilter(filter) : undefined
  return node !== undefined && filterFields(node).has('updated')
}

function notFound(id: string): BacklogError {
  return new BacklogError('NOT_FOUND', `No item ${id}. Call backlog_list (or \`git backlog list\`) to see ids.`, { id })
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

/**
 * Creates the app over the repository around `cwd`.
 *
 * @example
 * const app = createApp({ cwd: process.cwd() })
 * await app.create({ title: 'Fix the login flow', priority: 'high' })
 */
export function createApp(options: AppOptions): App {
  const now = options.now ?? (() => new Date())
  const random = options.random ?? (() => randomInt(32))
  const store = openStore({
    cwd: options.cwd,
    watch: options.watch ?? false,
    now,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
  })

  // The search index is built on the first search (or filter with bare words) and kept up to date from then on.
  let searchIndex: SearchIndex<ItemRecord> | undefined
  const index = () => {
    searchIndex ??= createSearchIndex<ItemRecord>()
    searchIndex.sync(store.all())
    return searchIndex
  }
  const selector = createSelector({
    now,
    text: (words) => {
      const ids = index().matching(words)
      return (item) => ids.has(idKey(item.id))
    },
  })
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
    if (field)
      throw new BacklogError(
        'NOT_FOUND',
        `${field}: no item ${id}. Call backlog_list (or \`git backlog list\`) to see ids.`,
        { id },
      )
    throw notFound(id)
  }

  /** The status as the config spells it (statuses match case-insensitively), or INVALID_INPUT naming the valid ones. */
  function canonicalStatus<T extends string | undefined>(config: BacklogConfig, status: T): T {
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

  /**
   * Items this call writes, over the store: links are checked against both, so items of one call may point at each
   * other and a change is checked with every other change of the same call applied.
   */
  function overlay(pending: Map<string, Item>) {
    return (id: string): Item | undefined => pending.get(idKey(id)) ?? store.get(id)?.item
  }

  /**
   * Links must point at items that exist, and an item may not be its own ancestor or depend on itself, directly or
   * through others. Only links the call adds are checked: a parent deleted long ago must not block an unrelated edit.
   */
  function assertLinks(item: Item, previous: Item | undefined, lookup: (id: string) => Item | undefined): void {
    const named = (target: string, field: string) => {
      const found = lookup(target)
      if (found) return found.id
      return require(target, field).item.id
    }
    for (const field of ['parent', 'epic'] as const) {
      const target = item[field]
      if (target === undefined || target === previous?.[field]) continue
      if (idKey(target) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', `${field}: an item cannot be its own ${field}`)
      }
      item[field] = named(target, field)
    }
    if (item.parent !== previous?.parent) {
      const seen = new Set([idKey(item.id)])
      for (let parent = item.parent; parent !== undefined; parent = lookup(parent)?.parent) {
        if (seen.has(idKey(parent))) {
          throw new BacklogError(
            'INVALID_INPUT',
            `parent: ${item.parent} is inside ${item.id}, so this would make a loop`,
          )
        }
        seen.add(idKey(parent))
      }
    }
    const before = new Set(previous?.depends_on.map(idKey))
    let added = false
    item.depends_on = item.depends_on.map((dependency) => {
      if (before.has(idKey(dependency))) return dependency
      if (idKey(dependency) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', 'depends_on: an item cannot depend on itself')
      }
      added = true
      return named(dependency, 'depends_on')
    })
    if (added) {
      const cycle = findCycle(item.id, (id) =>
        idKey(id) === idKey(item.id) ? item.depends_on : (lookup(id)?.depends_on ?? []),
      )
      if (cycle) {
        throw new BacklogError(
          'INVALID_INPUT',
          `depends_on: this would make a dependency cycle (${cycle.join(' → ')}); remove one of these dependencies`,
        )
      }
    }
  }

  /** Items outside `removed` whose parent, epic or dependencies name one of the removed ids. */
  function referencesTo(removed: Set<string>): string[] {
    const found: string[] = []
    for (const { item } of store.all()) {
      if (removed.has(idKey(item.id))) continue
      const links = [item.parent, item.epic, ...item.depends_on].filter((link): link is string => link !== undefined)
      const hit = links.find((link) => removed.has(idKey(link)))
      if (hit)
        found.push(`${item.id} (${hit === item.parent ? 'parent' : hit === item.epic ? 'epic' : 'depends_on'} ${hit})`)
    }
    return found
  }

  async function ready(): Promise<void> {
    assertInitialized(store)
    await store.refresh()
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

  /** The commit of a mutation: its time, its message with the acting agent's trailer, its file changes. */
  function planOf(context: MutationContext, message: Omit<MessageInput, 'agent'>, changes: FileChange[]): CommitPlan {
    return {
      date: context.date,
      message: commitMessage({ ...message, ...(context.agent ? { agent: context.agent } : {}) }),
      changes,
    }
  }

  /** The next item of a recurring series, when `next` completes `previous`; undefined when there is none. */
  function recurrenceOf(previous: Item, next: Item, context: MutationContext, taken: Set<string>): Item | undefined {
    if (!next.recur || previous.status === next.status) return undefined
    if (!context.config.closed_statuses.includes(next.status) || next.status === 'cancelled') return undefined
    const dates = nextOccurrence(next, context.date)
    if (!dates) return undefined
    // Done, reopened and done again: the next occurrence is already there.
    const title = next.title.toLowerCase()
    const exists = store
      .all()
      .some(
        ({ item }) => item.recur && item.due === dates.due && item.title.toLowerCase() === title && item.id !== next.id,
      )
    if (exists) return undefined
    const id = generateId(context.config.prefix, takenWith(taken), random)
    taken.add(idKey(id))
    const follower = buildItem({ ...duplicateFields(next), ...dates }, id, context)
    return follower
  }

  function takenWith(extra: Set<string>) {
    const taken = store.takenIds()
    return { size: taken.size + extra.size, has: (id: string) => extra.has(idKey(id)) || taken.has(id) }
  }

  /** Builds the items of a create call: one, a duplicate, or a batch whose items may name each other as `#N`. */
  function plannedItems(input: CreateInput, context: MutationContext): Item[] {
    const { items: batch, duplicate_of, agent: _agent, ...fields } = input
    let inputs: BatchItemInput[]
    if (batch) {
      const { title: _title, ...defaults } = fields
      inputs = batch.map((entry) => ({ ...defaults, ...entry }))
    } else if (duplicate_of !== undefined) {
      const source = require(duplicate_of).item
      inputs = [{ ...duplicateFields(source), ...fields, title: fields.title ?? source.title }]
    } else {
      inputs = [fields as BatchItemInput]
    }
    const taken = new Set<string>()
    const ids = inputs.map(() => {
      const id = generateId(context.config.prefix, takenWith(taken), random)
      taken.add(idKey(id))
      return id
    })
    const resolve = (value: string, where: string) => {
      const position = batchPosition(value)
      if (position === undefined) return value
      if (!batch) throw new BacklogError('INVALID_INPUT', `${where}: "${value}" names an item of a batch; use an id`)
      const id = ids[position - 1]
      if (id === undefined) {
        throw new BacklogError(
          'INVALID_INPUT',
          `${where}: "${value}" names item ${position}, but this call has ${plural(ids.length, 'item')} (#1 to #${ids.length})`,
        )
      }
      return id
    }
    // The ids drawn for this call mean nothing to the caller if it fails: errors name the items as it did, by #N.
    const asWritten = (error: unknown, position: number, title: string) => {
      if (!batch) return error
      const named = prefixed(error, `items[${position}]`, title)
      if (!(named instanceof BacklogError)) return named
      const message = ids.reduce((text, id, index) => text.replaceAll(id, `#${index + 1}`), named.message)
      return new BacklogError(named.code, message, named.details, { cause: error })
    }
    const built = inputs.map((entry, position) => {
      try {
        const resolved: BatchItemInput = {
          ...entry,
          ...(entry.status !== undefined ? { status: canonicalStatus(context.config, entry.status) } : {}),
          ...(entry.parent !== undefined ? { parent: resolve(entry.parent, 'parent') } : {}),
          ...(entry.epic !== undefined ? { epic: resolve(entry.epic, 'epic') } : {}),
          ...(entry.depends_on ? { depends_on: entry.depends_on.map((dep) => resolve(dep, 'depends_on')) } : {}),
        }
        return buildItem(resolved, ids[position] as string, context)
      } catch (error) {
        throw asWritten(error, position, entry.title)
      }
    })
    const pending = new Map(built.map((item) => [idKey(item.id), item]))
    const lookup = overlay(pending)
    built.forEach((item, position) => {
      try {
        assertLinks(item, undefined, lookup)
      } catch (error) {
        throw asWritten(error, position, item.title)
      }
    })
    return built
  }

  /** The records an update reaches: by id (one or many) or by filter, as a list with that filter would show them. */
  function targetsOf(input: UpdateInput, updated: UpdatedView['of'] | undefined): ItemRecord[] {
    if (input.id !== undefined) {
      return distinct(input.id.map((id) => require(id)))
    }
    const filter = input.filter?.trim() ?? ''
    if (filter === '' && !input.all) {
      throw new BacklogError(
        'INVALID_INPUT',
        'filter is empty, which would change every active item; say all: true if that is what you want',
      )
    }
    return selector.select(store.all(), store.config(), { filter, sort: 'id', ...(updated ? { updated } : {}) }).records
  }

  return {
    store,

    async init({ prefix, agent }) {
      if (prefix !== undefined && !isValidPrefix(prefix)) {
        throw new BacklogError(
          'INVALID_INPUT',
          `prefix "${prefix}" must be 1-16 letters and digits, starting with a letter`,
        )
      }
      if (store.isInitialized()) return { created: false, path: CONFIG_PATH }
      const template = readPackageFile('templates/config.yml')
      const text = prefix ? template.replace(/^prefix: .*$/m, `prefix: ${prefix}`) : template
      const context = await contextFor(agent)
      const result = await store.mutate(() =>
        store.isInitialized()
          ? null
          : planOf(context, { op: 'init', verb: 'init backlog', items: [] }, [{ path: CONFIG_PATH, content: text }]),
      )
      return {
        created: result.changes.length > 0,
        path: CONFIG_PATH,
        ...(result.commit ? { commit: result.commit } : {}),
      }
    },

    async create(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let created: Item[] = []
      const result = await store.mutate(() => {
        created = plannedItems(input, context)
        return planOf(
          context,
          {
            op: 'create',
            verb: input.duplicate_of ? 'duplicate' : 'add',
            items: created,
          },
          created.map((item) => ({ path: itemPath(item.id), content: serializeItem(item) })),
        )
      })
      return {
        items: rowsOf(created.map((item) => item.id)),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: true,
      }
    },

    async get({ id }) {
      await ready()
      const updated = await changedAt(true)
      return {
        items: id.map((one) => {
          const record = require(one)
          return toDetail(record, updated?.(record))
        }),
      }
    },

    async list(input) {
      await ready()
      const config = store.config()
      const records = store.all()
      const limit = input.limit ?? 50
      const updated = await changedAt(input.sort === 'updated' || mentionsUpdated(input.filter))
      const selected = selector.select(records, config, { ...input, limit, ...(updated ? { updated } : {}) })
      const graph = selector.graph(records, config)
      const problems = store.problems()
      const items = selected.records.map((record, position) => {
        const row = toRow(record)
        if (graph.hasOpenDependency(record.item)) row.blocked = true
        if (selected.urgencies) row.urgency = selected.urgencies[position] as number
        const time = input.sort === 'updated' ? updated?.(record) : undefined
        if (time !== undefined) row.updated = formatTimestamp(new Date(time))
        return row
      })
      return {
        items,
        total: selected.total,
        truncated: selected.total > limit,
        ...(input.counts || input.count_by
          ? {
              counts: countItems(
                selected.all().map((record) => record.item),
                input.count_by ?? [],
              ),
            }
          : {}),
        ...(problems.length ? { problems } : {}),
      }
    },

    async update(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      const { id: _id, filter: _filter, all: _all, agent: _agent, ...changes } = input
      changes.status = canonicalStatus(context.config, input.status)
      if (changes.status === undefined) delete changes.status
      let ids: string[] = []
      let changedAny = false
      const updated = await changedAt(input.id === undefined && mentionsUpdated(input.filter))
      const result = await store.mutate(() => {
        const records = targetsOf(input, updated)
        ids = records.map((record) => record.item.id)
        const pending = new Map<string, Item>()
        const lookup = overlay(pending)
        const taken = new Set<string>()
        const updates: Array<{ record: ItemRecord; next: Item }> = []
        const followers: Item[] = []
        for (const record of records) {
          const next = applyUpdate(record.item, changes as ItemChanges, context)
          pending.set(idKey(next.id), next)
          updates.push({ record, next })
        }
        for (const { record, next } of updates) {
          try {
            assertLinks(next, record.item, lookup)
          } catch (error) {
            throw records.length > 1 ? prefixed(error, next.id, next.title) : error
          }
          const follower = recurrenceOf(record.item, next, context, taken)
          if (follower) followers.push(follower)
        }
        const writes = updates
          .map(({ record, next }) => ({ record, next, text: serializeItem(next, record.text) }))
          .filter(({ record, text }) => text !== record.text)
        changedAny = writes.length > 0
        if (!changedAny) return null
        ids = [...writes.map(({ next }) => next.id), ...followers.map((item) => item.id)]
        const first = writes[0] as (typeof writes)[number]
        const changed = [...new Set(writes.flatMap(({ record, next }) => changedFields(record.item, next)))]
        return planOf(
          context,
          {
            op: 'update',
            verb:
              (writes.length === 1 ? updateVerb(first.record.item, first.next, context.config) : 'update') +
              (followers.length ? ' (next occurrence added)' : ''),
            changed,
            items: [...writes.map(({ next }) => next), ...followers],
          },
          [
            ...writes.map(({ record, text }) => ({ path: record.path, content: text })),
            ...followers.map((item) => ({ path: itemPath(item.id), content: serializeItem(item) })),
          ],
        )
      })
      return {
        items: rowsOf(ids.slice(0, MAX_RESULT_ROWS)),
        ...(ids.length > MAX_RESULT_ROWS ? { total: ids.length } : {}),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: changedAny,
      }
    },

    async remove(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let removed: ItemRow[] = []
      const result = await store.mutate(() => {
        const records = distinct(input.id.map((id) => require(id)))
        const dangling = referencesTo(new Set(records.map((record) => idKey(record.item.id))))
        if (dangling.length) {
          throw new BacklogError(
            'CONFLICT',
            `Other items point at what you are deleting: ${dangling.slice(0, 10).join(', ')}${dangling.length > 10 ? ` and ${dangling.length - 10} more` : ''}. ` +
              'Delete them in the same call, or update them first (parent or epic set to another id or to "", depends_on without it). Nothing was deleted.',
            { items: dangling },
          )
        }
        removed = records.map(toRow)
        return planOf(
          context,
          {
            op: 'delete',
            verb: 'rm',
            items: records.map((record) => record.item),
          },
          records.map((record) => ({ path: record.path, content: null })),
        )
      })
      return { items: removed, ...(result.commit ? { commit: result.commit } : {}), changed: true }
    },

    async search(input) {
      await ready()
      const config = store.config()
      const records = store.all()
      const statuses = input.status?.map((status) => status.toLowerCase()).filter((status) => status !== 'all')
      for (const status of statuses ?? []) canonicalStatus(config, status)
      const types = input.type?.map((type) => type.toLowerCase())
      const tags = input.tags?.map((tag) => tag.toLowerCase())
      const parent = input.parent ? idKey(input.parent) : undefined
      const updated = await changedAt(input.sort === 'recent' || mentionsUpdated(input.filter))
      const test = input.filter ? selector.predicate(records, config, input.filter, updated) : undefined
      const { hits, total } = index().search(input.query, {
        limit: input.limit ?? 20,
        sort: input.sort ?? 'relevant',
        ...(updated ? { changedAt: updated } : {}),
        accept: ({ item, archived }) =>
          (!archived || Boolean(input.archived)) &&
          (!statuses?.length || statuses.includes(item.status.toLowerCase())) &&
          (!types || types.includes(item.type.toLowerCase())) &&
          (!tags || tags.every((tag) => item.tags.some((own) => own.toLowerCase() === tag))) &&
          (parent === undefined || idKey(item.parent ?? '') === parent || idKey(item.epic ?? '') === parent) &&
          (!test || test(item)),
      })
      return {
        items: hits.map((hit: SearchHit<ItemRecord>) => ({
          ...toRow(hit.record),
          score: hit.score,
          matched_fields: hit.matched_fields,
          snippet: hit.snippet,
        })),
        total,
      }
    },

    async context(input) {
      await ready()
      let focal: string
      let from: 'id' | 'query' = 'id'
      if (input.id !== undefined) focal = require(input.id).item.id
      else {
        const best = index().search(input.query as string, { limit: 1 }).hits[0]
        if (!best) {
          throw new BacklogError(
            'NOT_FOUND',
            `No item matches "${input.query}". Try other words, or backlog_list to browse.`,
          )
        }
        focal = best.record.item.id
        from = 'query'
      }
      return buildContext(
        focal,
        {
          get: (id) => store.get(id),
          all: () => store.all(),
          related: (item, limit) => index().similar(item, { limit, accept: ({ archived }) => !archived }),
          activity: (ids, limit) => log.recent({ ids, limit }),
          closedStatuses: store.config().closed_statuses,
        },
        {
          ...(input.max_tokens === undefined ? {} : { max_tokens: input.max_tokens }),
          ...(input.depth === undefined ? {} : { depth: input.depth }),
          ...(input.include_related === undefined ? {} : { include_related: input.include_related }),
          ...(input.include_activity === undefined ? {} : { include_activity: input.include_activity }),
        },
        from,
      )
    },

    async writeBody(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let id = input.id
      const result = await store.mutate(() => {
        const record = require(input.id)
        id = record.item.id
        const next = {
          ...structuredClone(record.item),
          description: editBody(record.item.description, input.operation),
        }
        const text = serializeItem(next, record.text)
        if (text === record.text) return null
        return planOf(
          context,
          {
            op: 'update',
            verb: 'edit',
            changed: ['description'],
            items: [next],
          },
          [{ path: record.path, content: text }],
        )
      })
      return {
        items: rowsOf([id]),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
      }
    },

    async archive(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let chosen: ItemRecord[] = []
      let tooRecent = 0
      const move = (records: ItemRecord[]) =>
        records.map((record) => ({ record, to: itemPath(record.item.id, ARCHIVE_DIR) }))
      const result = await store.mutate(() => {
        const config = store.config()
        if (input.id !== undefined) {
          chosen = distinct(input.id.map((id) => require(id))).filter((record) => !record.archived)
          const open = chosen.filter((record) => !config.closed_statuses.includes(record.item.status))
          if (open.length) {
            throw new BacklogError(
              'INVALID_INPUT',
              `only closed items are archived; ${open.map((record) => `${record.item.id} is ${record.item.status}`).join(', ')}. Close them first (status done or cancelled).`,
            )
          }
        } else {
          const days = input.older_than_days ?? DEFAULT_ARCHIVE_DAYS
          const cutoff = formatTimestamp(new Date(context.date.getTime() - days * DAY_MS))
          const closed = store
            .all()
            .filter(({ item, archived }) => !archived && config.closed_statuses.includes(item.status))
          chosen = closed
            .filter(({ item }) => (item.closed ?? item.created ?? '') <= cutoff)
            .sort((a, b) => (idKey(a.item.id) < idKey(b.item.id) ? -1 : 1))
          tooRecent = closed.length - chosen.length
        }
        if (input.dry_run || chosen.length === 0) return null
        return planOf(
          context,
          {
            op: 'archive',
            verb: 'archive',
            items: chosen.map((record) => record.item),
          },
          move(chosen).flatMap(({ record, to }) => [
            { path: record.path, content: null },
            { path: to, content: record.text },
          ]),
        )
      })
      return {
        items: chosen.slice(0, MAX_RESULT_ROWS).map((record) => ({ ...toRow(record), archived: !input.dry_run })),
        ...(chosen.length > MAX_RESULT_ROWS ? { total: chosen.length } : {}),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
        dry_run: Boolean(input.dry_run),
        ...(tooRecent ? { too_recent: tooRecent } : {}),
      }
    },

    async unarchive(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let chosen: ItemRecord[] = []
      const result = await store.mutate(() => {
        chosen = distinct(input.id.map((id) => require(id))).filter((record) => record.archived)
        if (chosen.length === 0) return null
        return planOf(
          context,
          {
            op: 'unarchive',
            verb: 'unarchive',
            items: chosen.map((record) => record.item),
          },
          chosen.flatMap((record) => [
            { path: record.path, content: null },
            { path: itemPath(record.item.id), content: record.text },
          ]),
        )
      })
      return {
        items: chosen.map((record) => {
          const { archived: _archived, ...row } = toRow(record)
          return row
        }),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
      }
    },

    async undo(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      const redo = Boolean(input.redo)
      const what = redo ? 'redo' : 'undo'
      let target: RevertibleCommit | undefined
      let items: Item[] = []
      const wanted = input.commit?.toLowerCase()
      const notFound = () => {
        if (wanted !== undefined) {
          return new BacklogError(
            'NOT_FOUND',
            `No backlog commit ${input.commit} among the last ${UNDO_WALK} commits of this branch. backlog_history lists them.`,
          )
        }
        const whose = input.id ? `to ${input.id}` : context.agent ? `by ${context.agent}` : `by ${context.author}`
        return new BacklogError(
          'NOT_FOUND',
          `${redo ? `Nothing to redo: no undo ${whose} stands as the latest change` : `Nothing to undo: no change ${whose} that is not undone yet`} among the last ${UNDO_WALK} commits. backlog_history shows what happened.`,
        )
      }
      const result = await store.mutate(async () => {
        const consider = revertChooser({
          ...(context.agent ? { agent: context.agent } : { author: context.author ?? '' }),
          ...(input.id !== undefined ? { id: input.id } : {}),
          redo,
        })
        // History is read newest first only as far as the choice needs: an agent's last change is usually near.
        const newer: RevertibleCommit[] = []
        let skipped = 0
        for await (const { entry } of log.walk({ maxCommits: UNDO_WALK })) {
          const verdict = wanted === undefined ? consider(entry) : entry.commit.startsWith(wanted) ? entry : 'next'
          if (verdict === 'none') break
          if (verdict === 'next') {
            newer.push(entry)
            continue
          }
          const chosen = verdict
          if (wanted !== undefined && redo && chosen.op !== 'undo') {
            throw new BacklogError(
              'INVALID_INPUT',
              `redo takes back an undo, and ${chosen.commit.slice(0, 7)} (${chosen.subject}) is ${chosen.op === 'edit' ? 'a hand edit' : `a ${chosen.op}`}: undo it with commit and without redo`,
            )
          }
          target = chosen
          const changed = await itemHistory.filesChanged(chosen.commit)
          if (changed.parents > 1) {
            throw new BacklogError(
              'CONFLICT',
              `Cannot ${what} ${chosen.commit.slice(0, 7)} (${chosen.subject}): it is a merge, which brought a whole branch. ` +
                'Undo the changes of that branch one by one (backlog_history lists them), or revert the merge with git.',
            )
          }
          const files = changed.files.map((file) => {
            const id = idFromPath(file.path)
            const later = newer.find((commit) => id !== undefined && commit.ids.some((one) => idKey(one) === idKey(id)))
            let current = store.textAt(file.path)
            // Archived or brought back since: the item is taken back where it lives now.
            const moved = current === undefined && id !== undefined ? store.get(id) : undefined
            if (moved) current = moved.text
            return {
              ...file,
              ...(current === undefined ? {} : { current }),
              ...(moved ? { currentPath: moved.path } : {}),
              ...(later ? { laterCommit: later.commit } : {}),
            }
          })
          const plan = planRevert(files, {
            config: context.config,
            now: context.now,
            what: `${what} ${chosen.commit.slice(0, 7)} (${chosen.subject})`,
          })
          items = plan.items
          // A commit whose changes are all taken back already (by hand, say) is passed over, so undo walks on.
          if (plan.changes.length === 0 && wanted === undefined && skipped < UNDO_SKIPS) {
            skipped++
            newer.push(entry)
            continue
          }
          if (plan.changes.length === 0) return null
          return planOf(
            context,
            { op: redo ? 'redo' : 'undo', verb: what, items: plan.items, reverts: chosen.commit },
            plan.changes,
          )
        }
        throw notFound()
      })
      const reverted = target as RevertibleCommit
      return {
        items: items.map((item) => {
          const record = store.get(item.id)
          return record ? toRow(record) : { id: item.id, title: item.title, type: item.type, status: item.status }
        }),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
        reverted: {
          commit: reverted.commit,
          subject: reverted.subject,
          ...(reverted.op ? { op: reverted.op } : {}),
          ...(reverted.agent ? { agent: reverted.agent } : {}),
        },
      }
    },

    async history(input) {
      assertInitialized(store)
      return itemHistory.history({
        ...(input.id !== undefined ? { id: input.id } : {}),
        ...(input.agent !== undefined ? { agent: input.agent } : {}),
        ...(input.limit !== undefined ? { limit: input.limit } : {}),
        ...(input.after !== undefined ? { after: input.after } : {}),
      })
    },

    async restore(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let restored: Item | undefined
      const result = await store.mutate(async () => {
        // get() looks at the file itself; an unreadable one is MALFORMED_ITEM, so the person's text is kept.
        const existing = store.get(input.id)
        if (!existing && store.problemFor(input.id)) require(input.id)
        if (existing) {
          throw new BacklogError(
            'CONFLICT',
            `${input.id} exists; restore brings back deleted items. Use backlog_undo to take back a change.`,
          )
        }
        const last = await itemHistory.lastVersion(input.id)
        if (!last)
          throw new BacklogError('NOT_FOUND', `No item ${input.id} in this branch's history.`, { id: input.id })
        restored = parseItemFile(last.text)
        return planOf(context, { op: 'restore', verb: 'restore', items: [restored] }, [
          { path: last.path, content: last.text },
        ])
      })
      return {
        items: rowsOf([(restored as Item).id]),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: true,
      }
    },

    async problems() {
      await ready()
      return store.problems()
    },

    close() {
      updatedTimes.save()
      store.close()
    },
  }
}

/** Each record once, in first-named order: the same item named twice (in any case) is one item. */
function distinct(records: ItemRecord[]): ItemRecord[] {
  return [...new Map(records.map((record) => [record.path, record])).values()]
}

/** An error of one item of a batch, with the item named so the caller knows which to fix. Nothing was written. */
function prefixed(error: unknown, where: string, title: string): unknown {
  if (!where || !(error instanceof BacklogError)) return error
  const message = error.message.replace(/\.$/, '')
  return new BacklogError(error.code, `${where} ("${title}"): ${message}. Nothing was written.`, error.details, {
    cause: error,
  })
}
