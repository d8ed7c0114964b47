/** The use-cases of git-backlog, one per thing a person or agent does; every edge (MCP, CLI) calls these. */

import { randomInt } from 'node:crypto'
import { serializeItem } from './core/codec.js'
import type { BacklogConfig } from './core/config.js'
import { formatTimestamp } from './core/dates.js'
import { BacklogError } from './core/errors.js'
import { generateId, idKey, isValidPrefix } from './core/ids.js'
import type { CreateInput, DeleteInput, GetInput, ListInput, UpdateInput } from './core/inputs.js'
import { ITEM_TYPES, type Item, PRIORITIES } from './core/item.js'
import { CONFIG_PATH, itemPath } from './core/layout.js'
import { commitMessage } from './core/messages.js'
import { applyUpdate, buildItem, changedFields, type MutationContext, updateVerb } from './core/mutations.js'
import { readPackageFile } from './package-files.js'
import { assertInitialized, type ItemRecord, openStore, type Problem, type Store } from './store/store.js'

/** One line of a list: enough to choose an item, without its body. Lists are left out when empty. */
export type ItemRow = Pick<
  Item,
  'id' | 'title' | 'type' | 'status' | 'priority' | 'assignee' | 'parent' | 'epic' | 'due'
> & {
  tags?: string[]
  depends_on?: string[]
  archived?: boolean
}

export interface ItemDetail extends Item {
  path: string
  archived: boolean
}

export interface ListResult {
  items: ItemRow[]
  /** How many items matched before `limit`. */
  total: number
  truncated: boolean
  counts?: { by_status: Record<string, number>; by_type: Record<string, number> }
  problems?: Problem[]
}

export interface MutationResult {
  items: ItemRow[]
  /** The commit that recorded the change; absent when auto-commit is off or nothing changed. */
  commit?: string
  changed: boolean
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
  problems(): Promise<Problem[]>
  close(): void
}

const PRIORITY_RANK = new Map<string, number>(PRIORITIES.map((priority, index) => [priority, index]))

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

function toDetail(record: ItemRecord): ItemDetail {
  return { ...structuredClone(record.item), path: record.path, archived: record.archived }
}

/** The default order, as one string per item: priority rank, then oldest first, then id. */
const sortKeys = new WeakMap<ItemRecord, string>()
function sortKey(record: ItemRecord): string {
  let key = sortKeys.get(record)
  if (key === undefined) {
    const rank = PRIORITY_RANK.get(record.item.priority ?? '') ?? PRIORITIES.length
    key = `${rank}${record.item.created ?? '~'}\u0000${record.item.id}`
    sortKeys.set(record, key)
  }
  return key
}

/** Records in the default order, with what most filters test first laid out in flat arrays beside them. */
interface Ordered {
  records: ItemRecord[]
  /** Lower-case status of each record, from a small table of shared strings. */
  statuses: string[]
  archived: boolean[]
  waits: Array<string | undefined>
  types: string[]
  /** Lower-case assignee, or '' for none. */
  assignees: string[]
}

/**
 * Every record in the default order: active work by priority, then oldest first, so what to pick up next is at the
 * top. The sort runs only when the store's list of records changed since the last call. Filters test the flat arrays
 * before touching a record: at 10,000 items, reaching into each record costs more than the test itself.
 */
function createSorter(): (records: ItemRecord[]) => Ordered {
  let source: ItemRecord[] | undefined
  let ordered: Ordered = { records: [], statuses: [], archived: [], waits: [], types: [], assignees: [] }
  const shared = new Map<string, string>()
  const lower = (value: string) => {
    let found = shared.get(value)
    if (found === undefined) {
      found = value.toLowerCase()
      shared.set(value, found)
    }
    return found
  }
  return (records) => {
    if (records !== source) {
      source = records
      const sorted = [...records].sort((a, b) => {
        const left = sortKey(a)
        const right = sortKey(b)
        return left < right ? -1 : left > right ? 1 : 0
      })
      ordered = {
        records: sorted,
        statuses: sorted.map((record) => lower(record.item.status)),
        archived: sorted.map((record) => record.archived),
        waits: sorted.map((record) => record.item.wait),
        types: sorted.map((record) => lower(record.item.type)),
        assignees: sorted.map((record) => lower(record.item.assignee ?? '')),
      }
    }
    return ordered
  }
}

function tally(records: ItemRecord[], key: (record: ItemRecord) => string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const record of records) counts[key(record)] = (counts[key(record)] ?? 0) + 1
  return counts
}

function notFound(id: string): BacklogError {
  return new BacklogError('NOT_FOUND', `No item ${id}. Call backlog_list (or \`git backlog list\`) to see ids.`, { id })
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

  const inOrder = createSorter()

  async function contextFor(agent: string | undefined): Promise<MutationContext & { date: Date }> {
    const actor = agent ?? options.agent?.()
    const date = now()
    const context: MutationContext & { date: Date } = { config: store.config(), now: formatTimestamp(date), date }
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
    if (field) throw new BacklogError('NOT_FOUND', `${field}: no item ${id}. Call backlog_list to see ids.`, { id })
    throw notFound(id)
  }

  function assertStatus(config: BacklogConfig, status: string | undefined): void {
    if (status !== undefined && !config.statuses.includes(status)) {
      throw new BacklogError(
        'INVALID_INPUT',
        `status "${status}" is not one of ${config.statuses.join(', ')} (set in .backlog/config.yml)`,
        { status },
      )
    }
  }

  /** Links must point at items that exist, and an item may not be its own ancestor or dependency. */
  /**
   * Links must point at items that exist, and an item may not be its own ancestor or dependency. Only links the call
   * adds are checked: a parent deleted long ago must not block an unrelated edit of its child.
   */
  function assertLinks(item: Item, previous?: Item): void {
    for (const field of ['parent', 'epic'] as const) {
      const target = item[field]
      if (target === undefined || target === previous?.[field]) continue
      if (idKey(target) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', `${field}: an item cannot be its own ${field}`)
      }
      item[field] = require(target, field).item.id
    }
    if (item.parent !== previous?.parent) {
      const seen = new Set([idKey(item.id)])
      for (let parent = item.parent; parent !== undefined; parent = store.get(parent)?.item.parent) {
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
    item.depends_on = item.depends_on.map((dependency) => {
      if (before.has(idKey(dependency))) return dependency
      if (idKey(dependency) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', 'depends_on: an item cannot depend on itself')
      }
      return require(dependency, 'depends_on').item.id
    })
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
          : {
              date: context.date,
              message: commitMessage({
                op: 'init',
                verb: 'init backlog',
                items: [],
                ...(context.agent ? { agent: context.agent } : {}),
              }),
              changes: [{ path: CONFIG_PATH, content: text }],
            },
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
      assertStatus(context.config, input.status)
      let created: Item | undefined
      const result = await store.mutate(() => {
        const item = buildItem(input, generateId(context.config.prefix, store.takenIds(), random), context)
        assertLinks(item)
        created = item
        return {
          date: context.date,
          message: commitMessage({
            op: 'create',
            verb: 'add',
            items: [item],
            ...(context.agent ? { agent: context.agent } : {}),
          }),
          changes: [{ path: itemPath(item.id), content: serializeItem(item) }],
        }
      })
      const record = store.get((created as Item).id)
      return {
        items: record ? [toRow(record)] : [],
        ...(result.commit ? { commit: result.commit } : {}),
        changed: true,
      }
    },

    async get({ id }) {
      await ready()
      return { items: id.map((one) => toDetail(require(one))) }
    },

    async list(input) {
      await ready()
      const config = store.config()
      const statuses = input.status?.map((status) => status.toLowerCase())
      const everyStatus = statuses?.includes('all') ?? false
      const types = input.type?.map((type) => type.toLowerCase())
      const tags = input.tags?.map((tag) => tag.toLowerCase())
      const parent = input.parent ? idKey(input.parent) : undefined
      const epic = input.epic ? idKey(input.epic) : undefined
      const assignee = input.assignee?.toLowerCase()
      for (const status of everyStatus ? [] : (statuses ?? [])) {
        if (!config.statuses.includes(status)) {
          throw new BacklogError(
            'INVALID_INPUT',
            `status "${status}" is not one of ${config.statuses.join(', ')} or "all"`,
          )
        }
      }
      for (const type of types ?? []) {
        if (!(ITEM_TYPES as readonly string[]).includes(type)) {
          throw new BacklogError('INVALID_INPUT', `type "${type}" is not one of ${ITEM_TYPES.join(', ')}`)
        }
      }
      // The default view hides what is waiting: items whose wait date has not come yet.
      const hideWaitingBefore = statuses ? undefined : formatTimestamp(now())
      // Plain loops and exact comparisons first: this runs over every item on every list.
      const wanted = statuses && !everyStatus ? new Set(statuses) : undefined
      const closed = new Set(config.closed_statuses.map((status) => status.toLowerCase()))
      const sameText = (value: string | undefined, lower: string) =>
        value !== undefined && (value === lower || value.toLowerCase() === lower)
      const matches: ItemRecord[] = []
      const needsItem = Boolean(parent !== undefined || epic !== undefined || tags)
      const ordered = inOrder(store.all())
      for (let index = 0; index < ordered.records.length; index++) {
        if (ordered.archived[index]) continue
        const status = ordered.statuses[index] as string
        if (wanted ? !wanted.has(status) : !everyStatus && closed.has(status)) continue
        const wait = ordered.waits[index]
        if (hideWaitingBefore && wait !== undefined && wait > hideWaitingBefore) continue
        if (types && !types.includes(ordered.types[index] as string)) continue
        if (assignee !== undefined && ordered.assignees[index] !== assignee) continue
        const record = ordered.records[index] as ItemRecord
        if (!needsItem) {
          matches.push(record)
          continue
        }
        const { item } = record
        if (parent !== undefined && !sameText(item.parent, parent)) continue
        if (epic !== undefined && !sameText(item.epic, epic)) continue
        if (tags && !tags.every((tag) => item.tags.some((own) => sameText(own, tag)))) continue
        matches.push(record)
      }
      const limit = input.limit ?? 50
      const problems = store.problems()
      return {
        items: matches.slice(0, limit).map(toRow),
        total: matches.length,
        truncated: matches.length > limit,
        ...(input.counts
          ? {
              counts: {
                by_status: tally(matches, (record) => record.item.status),
                by_type: tally(matches, (record) => record.item.type),
              },
            }
          : {}),
        ...(problems.length ? { problems } : {}),
      }
    },

    async update(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      assertStatus(context.config, input.status)
      let id = input.id
      const result = await store.mutate(() => {
        const record = require(input.id)
        id = record.item.id
        const next = applyUpdate(record.item, input, context)
        assertLinks(next, record.item)
        const text = serializeItem(next, record.text)
        if (text === record.text) return null
        return {
          date: context.date,
          message: commitMessage({
            op: 'update',
            verb: updateVerb(record.item, next, context.config),
            changed: changedFields(record.item, next),
            items: [next],
            ...(context.agent ? { agent: context.agent } : {}),
          }),
          changes: [{ path: record.path, content: text }],
        }
      })
      const record = store.get(id)
      return {
        items: record ? [toRow(record)] : [],
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
      }
    },

    async remove(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let removed: ItemRow[] = []
      const result = await store.mutate(() => {
        const records = [...new Map(input.id.map((id) => require(id)).map((record) => [record.path, record])).values()]
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
        return {
          date: context.date,
          message: commitMessage({
            op: 'delete',
            verb: 'rm',
            items: records.map((record) => record.item),
            ...(context.agent ? { agent: context.agent } : {}),
          }),
          changes: records.map((record) => ({ path: record.path, content: null })),
        }
      })
      return { items: removed, ...(result.commit ? { commit: result.commit } : {}), changed: true }
    },

    async problems() {
      await ready()
      return store.problems()
    },

    close: () => store.close(),
  }
}
