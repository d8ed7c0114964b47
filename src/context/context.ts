/**
 * The context bundle (`backlog_context`): one item with everything around it an agent needs before it starts work
 * (ancestors, children, siblings, dependencies both ways, mentions, related items, recent commits), cut to a token
 * budget by dropping the least useful parts first and saying what was dropped.
 */

import { BacklogError, phrase, slot } from '../core/errors.js'
import type { ItemRow } from '../core/fields.js'
import { idKey } from '../core/ids.js'
import { DEFAULT_CLOSED_STATUSES, type Item, PRIORITIES, type Reference } from '../core/item.js'
import type { BacklogCommit } from '../store/backlog-log.js'

export interface ContextRecord {
  item: Item
  path: string
  archived: boolean
}

export interface ContextSource {
  /** The record of an id, matched case-insensitively. */
  get(id: string): ContextRecord | undefined
  all(): readonly ContextRecord[]
  /** Items related by text, best first, the focal item excluded (the app backs this with its search index). */
  related(item: Item, limit: number): ContextRecord[]
  /** Recent commits that changed any of these items, newest first. */
  activity(ids: string[], limit: number): Promise<BacklogCommit[]>
  /** Statuses that mean finished (from config); default done and cancelled. */
  closedStatuses?: readonly string[]
}

export interface ContextOptions {
  /** Size budget of the bundle in tokens (default 4000). */
  max_tokens?: number
  /** Levels of children to include, 1-3 (default 1). The parent chain always goes up to the root. */
  depth?: number
  /** Items related by text (default true). */
  include_related?: boolean
  /** Recent commits of the item and its children (default true). */
  include_activity?: boolean
}

/** One line about an item: enough to decide whether to open it (a list row's identity, priority, assignee, due). */
export type ContextRow = Pick<ItemRow, 'id' | 'title' | 'type' | 'status' | 'priority' | 'assignee' | 'due'> & {
  /** In `children` below the first level: the child (or grandchild) this one sits under. */
  under?: string
}

/** The focal item in full: every field set, its description, where its file is. */
export type ContextFocal = Item & { path: string; archived: boolean }

export interface ContextActivity {
  commit: string
  date: string
  author: string
  agent?: string
  op?: string
  subject: string
  ids: string[]
}

export interface TrimmedSection {
  section: 'related' | 'activity' | 'siblings' | 'referenced_by' | 'children' | 'description'
  /** Entries dropped from the end of the section; for `description`, characters. */
  dropped: number
}

export interface ContextBundle {
  focal: ContextFocal
  /** Nearest first, up to the root: the parent (or the epic when there is no parent), its parent, and so on. */
  parent_chain: ContextRow[]
  /** Items whose parent or epic is the focal item, then (with depth > 1) theirs, level by level. */
  children: ContextRow[]
  /** The other children of the focal item's parent (or epic). */
  siblings: ContextRow[]
  depends_on: ContextRow[]
  dependents: ContextRow[]
  references: Reference[]
  /** Items whose description, notes or references mention the focal id. */
  referenced_by: ContextRow[]
  /** Related by text, best first; items already in another section are left out. */
  related: ContextRow[]
  /** Newest first. */
  activity: ContextActivity[]
  /** Ids named by links (parent, epic, depends_on) that no item has. */
  missing?: string[]
  metadata: {
    token_estimate: number
    max_tokens: number
    truncated: boolean
    trimmed: TrimmedSection[]
    focal_resolved_from: 'id' | 'query'
  }
}

export const DEFAULT_MAX_TOKENS = 4_000
const RELATED_LIMIT = 5
const ACTIVITY_LIMIT = 10
/** Trimming keeps at least this many of the newest commits and of the first children. */
const ACTIVITY_KEPT = 5
const CHILDREN_KEPT = 10

/**
 * The token estimate used for the budget: a quarter of the JSON length, the usual rule of thumb for English and
 * code with common tokenizers (it overestimates for plain prose, which errs on the safe side).
 *
 * @example
 * estimateTokens({ id: 'bl-k3m9x2' }) // 5 (18 characters)
 */
export function estimateTokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value).length / 4)
}

const PRIORITY_RANK = new Map<string, number>(PRIORITIES.map((priority, index) => [priority, index]))

function toRow({ item }: ContextRecord): ContextRow {
  const row: ContextRow = { id: item.id, title: item.title, type: item.type, status: item.status }
  if (item.priority) row.priority = item.priority
  if (item.assignee) row.assignee = item.assignee
  if (item.due) row.due = item.due
  return row
}

/** The full item without its unset fields: a copy, so trimming its description never touches the source. */
function toFocal(record: ContextRecord): ContextFocal {
  const focal: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(structuredClone(record.item))) if (value !== undefined) focal[key] = value
  return { ...(focal as unknown as Item), path: record.path, archived: record.archived }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Who names whom: the items under each parent or epic, and the items waiting on each dependency, by lower-case id. */
function indexLinks(records: readonly ContextRecord[]) {
  const childrenOf = new Map<string, ContextRecord[]>()
  const dependentsOf = new Map<string, ContextRecord[]>()
  const add = (index: Map<string, ContextRecord[]>, key: string, entry: ContextRecord) => {
    const list = index.get(key)
    if (list) list.push(entry)
    else index.set(key, [entry])
  }
  for (const entry of records) {
    const { parent, epic, depends_on } = entry.item
    if (parent) add(childrenOf, idKey(parent), entry)
    if (epic && (!parent || idKey(epic) !== idKey(parent))) add(childrenOf, idKey(epic), entry)
    for (const dependency of new Set(depends_on.map(idKey))) add(dependentsOf, dependency, entry)
  }
  return { childrenOf, dependentsOf }
}

/**
 * Up the parent links, nearest first; an item with no parent continues through its epic. An epic passed on the way
 * (an item with both a parent and an epic) is visited when the parents run out, so it is not lost. A link to nothing
 * ends that line and is noted; a loop ends at the first item seen twice.
 */
function parentChainOf(item: Item, source: ContextSource, noteMissing: (id: string) => void): ContextRecord[] {
  const chain: ContextRecord[] = []
  const inChain = new Set([idKey(item.id)])
  const pendingEpics: string[] = []
  const upFrom = (from: Item) => {
    if (from.parent && from.epic) pendingEpics.push(from.epic)
    return from.parent ?? from.epic
  }
  let next = upFrom(item)
  for (;;) {
    while (next === undefined && pendingEpics.length) next = pendingEpics.shift()
    if (next === undefined) return chain
    if (inChain.has(idKey(next))) {
      next = undefined
      continue
    }
    const found = source.get(next)
    if (!found) {
      noteMissing(next)
      next = undefined
      continue
    }
    chain.push(found)
    inChain.add(idKey(found.item.id))
    next = upFrom(found.item)
  }
}

/**
 * The bundle around `focalId`: the item in full, the items linked to it as compact rows, recent commits, all within
 * `max_tokens`. Over budget, whole entries are dropped from the end of the least important sections first, in a
 * fixed order (related, activity beyond the newest 5, siblings, referenced_by, children beyond the first 10), then
 * the focal description is cut with a marker; `metadata.trimmed` lists what went. The focal id and title, the parent
 * chain and the dependencies are never dropped. Same input, same output: sections sort open before closed, then by
 * priority, then by id.
 *
 * @example
 * const bundle = await buildContext('bl-k3m9x2', source, { max_tokens: 2000, depth: 2 })
 * bundle.parent_chain // [{ id: 'bl-f01der', title: 'Auth', type: 'folder', status: 'open' }]
 * bundle.metadata     // { token_estimate: 1874, max_tokens: 2000, truncated: true,
 *                     //   trimmed: [{ section: 'related', dropped: 5 }], focal_resolved_from: 'id' }
 */
export async function buildContext(
  focalId: string,
  source: ContextSource,
  options: ContextOptions = {},
  resolvedFrom: 'id' | 'query' = 'id',
): Promise<ContextBundle> {
  const maxTokens = options.max_tokens ?? DEFAULT_MAX_TOKENS
  const depth = options.depth ?? 1
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new BacklogError('INVALID_INPUT', `max_tokens must be a whole number of at least 1, not ${maxTokens}`)
  }
  if (!Number.isInteger(depth) || depth < 1 || depth > 3) {
    throw new BacklogError('INVALID_INPUT', `depth must be 1, 2 or 3, not ${depth}`)
  }
  const record = source.get(focalId)
  if (!record) {
    throw new BacklogError('NOT_FOUND', phrase`No item ${focalId}. ${slot('list')}`, { id: focalId })
  }
  const focalItem = record.item
  const focalKey = idKey(focalItem.id)
  const closed = new Set((source.closedStatuses ?? DEFAULT_CLOSED_STATUSES).map((status) => status.toLowerCase()))

  const sortKey = (entry: ContextRecord): [number, number, string] => [
    entry.archived || closed.has(entry.item.status.toLowerCase()) ? 1 : 0,
    PRIORITY_RANK.get(entry.item.priority?.toLowerCase() ?? '') ?? PRIORITIES.length,
    idKey(entry.item.id),
  ]
  const inOrder = (records: Iterable<ContextRecord>): ContextRecord[] =>
    [...records]
      .map((entry) => ({ entry, key: sortKey(entry) }))
      .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1] || (a.key[2] < b.key[2] ? -1 : 1))
      .map(({ entry }) => entry)

  const everything = source.all()
  const { childrenOf, dependentsOf } = indexLinks(everything)

  const missing = new Map<string, string>()
  const noteMissing = (id: string) => {
    if (!missing.has(idKey(id))) missing.set(idKey(id), id)
  }

  const parentChain = parentChainOf(focalItem, source, noteMissing)

  // Children level by level; an item reached twice is shown once, at its first level.
  const children: ContextRow[] = []
  const firstLevel: ContextRecord[] = []
  const seen = new Set([focalKey])
  let level: ContextRecord[] = [record]
  for (let depthReached = 1; depthReached <= depth && level.length; depthReached++) {
    const previous = new Set(level.map((entry) => idKey(entry.item.id)))
    const found = new Map<string, ContextRecord>()
    for (const entry of level) {
      for (const child of childrenOf.get(idKey(entry.item.id)) ?? []) {
        const key = idKey(child.item.id)
        if (!seen.has(key) && !found.has(key)) found.set(key, child)
      }
    }
    level = inOrder(found.values())
    for (const child of level) {
      seen.add(idKey(child.item.id))
      const row = toRow(child)
      if (depthReached > 1) {
        const { parent, epic } = child.item
        row.under = (parent && previous.has(idKey(parent)) ? parent : epic) as string
      } else firstLevel.push(child)
      children.push(row)
    }
  }

  const anchor = focalItem.parent ?? focalItem.epic
  const siblings = anchor
    ? inOrder((childrenOf.get(idKey(anchor)) ?? []).filter((entry) => idKey(entry.item.id) !== focalKey))
    : []

  const dependsOn = new Set<ContextRecord>()
  for (const dependency of focalItem.depends_on) {
    const found = source.get(dependency)
    if (found) dependsOn.add(found)
    else noteMissing(dependency)
  }
  const dependents = inOrder((dependentsOf.get(focalKey) ?? []).filter((entry) => idKey(entry.item.id) !== focalKey))

  // A mention is the id as a whole word: `bl-k3m9x2` in "see bl-k3m9x2." but not in "bl-k3m9x2a".
  const mention = new RegExp(`(?<![A-Za-z0-9_.-])${escapeRegExp(focalItem.id)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_])`, 'i')
  const referencedBy = inOrder(
    everything.filter(({ item }) => {
      if (idKey(item.id) === focalKey) return false
      if (mention.test(item.description)) return true
      if (item.notes.some((note) => mention.test(note.text))) return true
      return item.references.some((reference) => mention.test(reference.url) || mention.test(reference.title ?? ''))
    }),
  )

  const shown = new Set([
    focalKey,
    ...[...parentChain, ...siblings, ...dependsOn, ...dependents, ...referencedBy].map((entry) => idKey(entry.item.id)),
    ...children.map((row) => idKey(row.id)),
  ])
  const related =
    options.include_related === false
      ? []
      : source
          .related(focalItem, RELATED_LIMIT * 2)
          .filter((entry) => !shown.has(idKey(entry.item.id)))
          .slice(0, RELATED_LIMIT)
          .map(toRow)

  const activity: ContextActivity[] =
    options.include_activity === false
      ? []
      : (await source.activity([focalItem.id, ...firstLevel.map((entry) => entry.item.id)], ACTIVITY_LIMIT)).map(
          ({ commit, date, author, agent, op, subject, ids }) => ({
            commit,
            date,
            author,
            ...(agent ? { agent } : {}),
            ...(op ? { op } : {}),
            subject,
            ids: [...ids],
          }),
        )

  const focal = toFocal(record)
  const full: ContextBundle = {
    focal,
    parent_chain: parentChain.map(toRow),
    children,
    siblings: siblings.map(toRow),
    depends_on: inOrder(dependsOn).map(toRow),
    dependents: dependents.map(toRow),
    references: structuredClone(focalItem.references),
    referenced_by: referencedBy.map(toRow),
    related,
    activity,
    ...(missing.size ? { missing: [...missing.values()].sort((a, b) => (idKey(a) < idKey(b) ? -1 : 1)) } : {}),
    metadata: {
      token_estimate: 0,
      max_tokens: maxTokens,
      truncated: false,
      trimmed: [],
      focal_resolved_from: resolvedFrom,
    },
  }
  return fitToBudget(full, maxTokens)
}

/** Sets `token_estimate` to the estimate of the bundle that contains it (its own digits count too). */
function withEstimate(bundle: ContextBundle): ContextBundle {
  let estimate = 0
  // The estimate only grows as its own digits are added, so this settles within a few rounds.
  for (let round = 0; round < 10; round++) {
    bundle.metadata.token_estimate = estimate
    const next = estimateTokens(bundle)
    if (next === estimate) break
    estimate = next
  }
  bundle.metadata.token_estimate = estimate
  return bundle
}

type ListSection = 'related' | 'activity' | 'siblings' | 'referenced_by' | 'children'

/** The order in which sections give way, and how many entries of each are kept whatever the budget. */
const TRIM_ORDER: Array<[ListSection, number]> = [
  ['related', 0],
  ['activity', ACTIVITY_KEPT],
  ['siblings', 0],
  ['referenced_by', 0],
  ['children', CHILDREN_KEPT],
]

/** The smallest n in [low, high] for which `fits(n)` holds, or undefined; `fits` must not turn false as n grows. */
function smallest(low: number, high: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(high)) return undefined
  while (low < high) {
    const middle = (low + high) >> 1
    if (fits(middle)) high = middle
    else low = middle + 1
  }
  return low
}

function fitToBudget(full: ContextBundle, maxTokens: number): ContextBundle {
  const trimmed: TrimmedSection[] = []
  let current = full
  const build = (changes: Partial<ContextBundle>, ledger: TrimmedSection[]): ContextBundle =>
    withEstimate({
      ...current,
      ...changes,
      metadata: { ...current.metadata, truncated: ledger.length > 0, trimmed: ledger },
    })
  const fits = (bundle: ContextBundle) => bundle.metadata.token_estimate <= maxTokens

  current = build({}, trimmed)
  if (fits(current)) return current

  for (const [section, kept] of TRIM_ORDER) {
    const entries = current[section] as unknown[]
    const droppable = entries.length - kept
    if (droppable <= 0) continue
    const attempt = (dropped: number) =>
      build({ [section]: entries.slice(0, entries.length - dropped) }, [...trimmed, { section, dropped }])
    const dropped = smallest(1, droppable, (n) => fits(attempt(n))) ?? droppable
    current = attempt(dropped)
    trimmed.push({ section, dropped })
    if (fits(current)) return current
  }

  const description = current.focal.description
  if (description.length > 0) {
    const cut = (keep: number) => {
      // Never split a surrogate pair: the cut text must stay valid UTF-16.
      const code = description.charCodeAt(keep - 1)
      const end = keep > 0 && code >= 0xd800 && code <= 0xdbff ? keep - 1 : keep
      const kept = description.slice(0, end)
      const dropped = description.length - end
      const marker = `[description truncated: ${dropped} of ${description.length} characters dropped to fit max_tokens]`
      return { dropped, text: kept ? `${kept}\n\n${marker}` : marker }
    }
    const attempt = (keep: number) => {
      const { dropped, text } = cut(keep)
      return build({ focal: { ...current.focal, description: text } }, [
        ...trimmed,
        { section: 'description', dropped },
      ])
    }
    // The most text that fits: search on the number of characters dropped, which only helps as it grows.
    const droppedCount = smallest(1, description.length, (n) => fits(attempt(description.length - n)))
    current = attempt(description.length - (droppedCount ?? description.length))
  }
  return current
}
