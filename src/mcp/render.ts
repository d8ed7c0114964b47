/** Compact text renderings of tool results for agents: one line per item, bodies only when asked for. */

import type { ItemDetail, ItemRow, ListResult, MutationResult, SearchResult } from '../app/index.js'
import type { ContextBundle } from '../context/context.js'
import { contextBudgetLine, contextSections } from '../context/sections.js'
import { SCALAR_FIELDS } from '../core/item.js'
import type { HistoryEntry, HistoryItem, HistoryPage } from '../store/item-history.js'

export function renderRow(row: ItemRow): string {
  const facts = [row.type === 'task' ? '' : row.type, row.priority ?? '', row.assignee ? `@${row.assignee}` : '']
  const tags = row.tags?.length ? ` ${row.tags.map((tag) => `#${tag}`).join(' ')}` : ''
  const parent = row.parent ? ` (in ${row.parent})` : ''
  const needs = row.depends_on?.length ? ` (${row.blocked ? 'blocked by' : 'after'} ${row.depends_on.join(', ')})` : ''
  const due = row.due ? ` due ${row.due}` : ''
  const updated = row.updated ? ` (updated ${row.updated})` : ''
  return `${row.id} [${row.status}${row.archived ? ', archived' : ''}] ${facts.filter(Boolean).join(' ')}${facts.some(Boolean) ? ' ' : ''}${row.title}${tags}${due}${parent}${needs}${updated}`
}

export function renderList(result: Pick<ListResult, 'items' | 'total' | 'truncated'> & Partial<ListResult>): string {
  const lines = result.items.map(renderRow)
  if (result.no_backlog) lines.push('No backlog in this repository yet: backlog_create starts it with the first item.')
  else if (result.items.length === 0) lines.push('No matching items.')
  if (result.truncated) lines.push(`… ${result.total - result.items.length} more; raise limit or narrow the filter.`)
  if (result.counts) {
    const format = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([key, count]) => `${key} ${count}`)
        .join(', ')
    const { by_field, ...tables } = result.counts
    for (const [name, counts] of [
      ...Object.entries(tables),
      ...Object.entries(by_field ?? {}).map(([field, counts]) => [`by_${field}`, counts] as const),
    ]) {
      if (Object.keys(counts).length) lines.push(`${name.replace('by_', 'By ')}: ${format(counts)}.`)
    }
  }
  if (result.upstream) {
    const { branch, upstream, behind } = result.upstream
    lines.push(
      `Note: ${branch} is ${behind} commit${behind === 1 ? '' : 's'} behind ${upstream} (as last fetched); \`git backlog sync\` brings them in.`,
    )
  }
  for (const problem of result.problems ?? []) {
    lines.push(`UNREADABLE ${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`)
  }
  return lines.join('\n')
}

export function renderDetail(item: ItemDetail): string {
  const lines = [`# ${item.id}: ${item.title}`, `type: ${item.type} · status: ${item.status}`]
  const facts = SCALAR_FIELDS.filter((key) => item[key]).map((key) => `${key}: ${item[key]}`)
  if (facts.length) lines.push(facts.join(' · '))
  if (item.updated) lines.push(`updated: ${item.updated}`)
  if (item.tags.length) lines.push(`tags: ${item.tags.join(', ')}`)
  if (item.depends_on.length) lines.push(`depends_on: ${item.depends_on.join(', ')}`)
  for (const ref of item.references) lines.push(`reference: ${ref.title ? `${ref.title} <${ref.url}>` : ref.url}`)
  for (const entry of item.evidence) lines.push(`evidence: ${entry}`)
  for (const reason of item.blocked_reason) lines.push(`blocked: ${reason}`)
  for (const [key, value] of Object.entries(item.attributes)) lines.push(`${key}: ${JSON.stringify(value)}`)
  if (item.description.trim()) lines.push('', item.description.trimEnd())
  if (item.notes.length) {
    lines.push('', 'Notes:')
    for (const note of item.notes) lines.push(`- ${note.at}${note.by ? ` ${note.by}` : ''}: ${note.text.trimEnd()}`)
  }
  return lines.join('\n')
}

export function renderMutation(verb: string, result: MutationResult): string {
  if (!result.changed && result.items.length === 0) return 'No item matched; nothing changed.'
  if (!result.changed) return `No change: ${result.items.map((row) => row.id).join(', ')} already as asked.`
  const commit = result.commit ? ` (commit ${result.commit.slice(0, 7)})` : ' (not committed: auto_commit is off)'
  const more =
    result.total && result.total > result.items.length ? `\n… and ${result.total - result.items.length} more` : ''
  const started = result.started_backlog
    ? '\nStarted the backlog in .backlog/ (config and merge attributes) with it.'
    : ''
  return `${verb} ${result.items.map(renderRow).join('\n')}${more}${commit}${started}`
}

export function renderSearch(result: SearchResult): string {
  if (result.items.length === 0) return 'No matching items.'
  const lines = result.items.map((hit) => `${renderRow(hit)}\n    ${hit.matched_fields.join(', ')}: ${hit.snippet}`)
  if (result.total > result.items.length) lines.push(`… ${result.total - result.items.length} more; raise limit.`)
  return lines.join('\n')
}

/**
 * The context bundle as text: the item in full as backlog_get shows it, then a line per neighbour, section by
 * section. The bundle itself goes once, as structuredContent; its JSON size is what max_tokens counts.
 */
export function renderContext(bundle: ContextBundle): string {
  const lines = [renderDetail(bundle.focal)]
  for (const section of contextSections(bundle)) {
    lines.push('', `${section.title}:`)
    if ('lines' in section) lines.push(...section.lines.map((line) => `  ${line}`))
    else for (const row of section.rows) lines.push(`  ${renderRow(row)}${row.under ? ` (under ${row.under})` : ''}`)
  }
  if (bundle.activity.length) {
    lines.push('', 'Recent commits:')
    for (const entry of bundle.activity) {
      lines.push(
        `  ${entry.commit.slice(0, 7)} ${entry.date.slice(0, 10)} ${entry.agent ?? entry.author}: ${entry.subject}`,
      )
    }
  }
  if (bundle.missing?.length) lines.push('', `Linked but missing: ${bundle.missing.join(', ')}`)
  lines.push('', contextBudgetLine(bundle.metadata))
  return lines.join('\n')
}

function shown(value: unknown, max = 80): string {
  if (value === undefined) return '(none)'
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return clip(text, max)
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** A commit of a page of history, with how many of its items were left out to keep the page small. */
export type PageEntry = HistoryEntry & { more_items?: number }

/** A page of history as backlog_history answers it: maybe cut to a size by fitHistory. */
export type ShownHistory = Omit<HistoryPage, 'entries'> & { entries: PageEntry[] }

/** How much rendered history one page of backlog_history holds by default: about a thousand tokens. */
export const HISTORY_PAGE_BYTES = 4096

/** Fields a creation line leaves out: said by its head (title, type, status) or a stamp of the commit's own date. */
const SAID_BY_CREATION = new Set(['title', 'type', 'status', 'created'])

/** A change that wrote the item's file for the first time (or again, after a delete): every field is new. */
function isCreation(item: HistoryItem): boolean {
  return (
    item.from === undefined &&
    item.changes.some((change) => change.field === 'title' && !('old' in change) && 'new' in change) &&
    item.changes.every((change) => !('old' in change) && change.field !== 'unreadable' && change.field !== 'deleted')
  )
}

/** `created task "Fix login" (open, priority high, parent bl-x, tags auth, web; description)`: one line per new item. */
function creationLine(item: HistoryItem, op: string | undefined): string {
  const value = (field: string) => item.changes.find((change) => change.field === field)?.new
  const facts = [String(value('status') ?? '')]
  let body = false
  let notes = 0
  for (const change of item.changes) {
    if (SAID_BY_CREATION.has(change.field)) continue
    if (change.field === 'description') body = true
    else if (change.field === 'notes') notes = Array.isArray(change.new) ? change.new.length : 1
    else if (Array.isArray(change.new) && change.new.every((entry) => typeof entry === 'string')) {
      facts.push(`${change.field} ${clip(change.new.join(', '), 60)}`)
    } else facts.push(`${change.field} ${shown(change.new, 40)}`)
  }
  const extras = [body ? 'description' : '', notes ? `${notes} note${notes === 1 ? '' : 's'}` : '']
  const verb = op === 'create' || op === 'edit' || op === undefined ? 'created' : 'restored'
  const tail = extras.filter(Boolean).join(', ')
  return `${item.id} ${verb} ${String(value('type') ?? 'item')} ${JSON.stringify(clip(String(value('title') ?? ''), 80))} (${facts.filter(Boolean).join(', ')}${tail ? `; ${tail}` : ''})`
}

/** The lines of one item of a commit: a creation in one line, a deletion in one, else a line per field changed. */
function itemLines(item: HistoryItem, op: string | undefined): string[] {
  if (isCreation(item)) return [`    ${creationLine(item, op)}`]
  const lines: string[] = []
  for (const change of item.changes) {
    if (change.field === 'deleted') {
      lines.push(`    ${item.id} deleted${change.old === undefined ? '' : ` ${JSON.stringify(shown(change.old))}`}`)
    } else if (change.field === 'notes') {
      // Notes are appended far more often than edited: say which were added or removed, never the whole list.
      const texts = (value: unknown) => (Array.isArray(value) ? value : value === undefined ? [] : [value])
      for (const text of texts(change.new)) lines.push(`    ${item.id} note added: ${JSON.stringify(shown(text))}`)
      for (const text of texts(change.old)) lines.push(`    ${item.id} note removed: ${JSON.stringify(shown(text))}`)
    } else if (change.field === 'description' && typeof change.new === 'string') {
      lines.push(`    ${item.id} description:`, ...change.new.split('\n').map((line) => `      ${clip(line, 160)}`))
    } else lines.push(`    ${item.id} ${change.field}: ${shown(change.old)} → ${shown(change.new)}`)
  }
  if (item.from) lines.push(`    ${item.id} moved from ${item.from}`)
  return lines
}

function entryHead(entry: HistoryEntry): string {
  return `${entry.commit.slice(0, 7)} ${entry.date} ${entry.agent ?? entry.author} ${entry.op ?? ''}: ${entry.subject}`
}

function entryLines(entry: PageEntry): string[] {
  const lines = [entryHead(entry), ...entry.items.flatMap((item) => itemLines(item, entry.op))]
  if (entry.more_items) {
    lines.push(
      `    … and ${entry.more_items} more item${entry.more_items === 1 ? '' : 's'}; backlog_history with id shows each`,
    )
  }
  return lines
}

function byteLength(lines: string[]): number {
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0)
}

/**
 * The page cut to what renders in about `maxBytes`: whole commits while they fit (at least one), and of a first
 * commit too big alone (a bulk change) its first items, with `more_items` saying how many were left out. When it cuts,
 * `next` points past the last commit kept, so the next page goes on from there: the same cursor as `limit`'s.
 *
 * @example
 * fitHistory(await app.history({}), 4096).next // set when more than about 4 KB of history was found
 */
export function fitHistory(page: ShownHistory, maxBytes: number = HISTORY_PAGE_BYTES): ShownHistory {
  const entries: PageEntry[] = []
  let used = 0
  for (const entry of page.entries) {
    const size = byteLength(entryLines(entry))
    if (used + size <= maxBytes) {
      entries.push(entry)
      used += size
      continue
    }
    if (entries.length === 0) entries.push(cutItems(entry, maxBytes))
    break
  }
  if (entries.length === page.entries.length && !entries.some((entry) => entry.more_items)) return page
  const last = entries[entries.length - 1] as PageEntry
  return { entries, next: last.commit }
}

/** A commit's entry with only as many of its items as render in `maxBytes` (at least one). */
function cutItems(entry: PageEntry, maxBytes: number): PageEntry {
  let used = byteLength([entryHead(entry)]) + 80
  const items: HistoryItem[] = []
  for (const item of entry.items) {
    used += byteLength(itemLines(item, entry.op))
    if (items.length > 0 && used > maxBytes) break
    items.push(item)
  }
  const more = entry.items.length - items.length + (entry.more_items ?? 0)
  return { ...entry, items, ...(more ? { more_items: more } : {}) }
}

/**
 * One block per commit: who, when, what. A created item is one line, a note added is the note, and every other field
 * changed is old → new (the description as a short diff).
 */
export function renderHistory(result: ShownHistory): string {
  const edge = result.shallow
    ? `History ends at ${result.shallow.slice(0, 7)}, the edge of this shallow clone; \`git fetch --unshallow\` brings the rest.`
    : undefined
  if (result.entries.length === 0) {
    if (result.next) return `No changes in the commits looked at so far; history goes on: after ${result.next}`
    return edge ?? 'No history.'
  }
  const lines = result.entries.flatMap(entryLines)
  if (result.next) lines.push(`… more: after ${result.next}`)
  if (edge) lines.push(edge)
  return lines.join('\n')
}
