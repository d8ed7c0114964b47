/**
 * History as text, the same for both edges (the MCP tool backlog_history and `git backlog log`): one block per commit,
 * who, when and what, and the cut of a page to a size an agent reads at once.
 */

import type { HistoryEntry, HistoryItem, HistoryPage } from '../store/item-history.js'

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

/** Where the text of a bulk commit sends a reader for each item's change: MCP's words unless an edge gives its own. */
const ONE_ITEM_MCP = 'backlog_history with id'

function entryLines(entry: PageEntry, oneItem: string): string[] {
  const lines = [entryHead(entry), ...entry.items.flatMap((item) => itemLines(item, entry.op))]
  if (entry.more_items) {
    lines.push(`    … and ${entry.more_items} more item${entry.more_items === 1 ? '' : 's'}; ${oneItem} shows each`)
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
    const size = byteLength(entryLines(entry, ONE_ITEM_MCP))
    if (used + size <= maxBytes) {
      entries.push(entry)
      used += size
      continue
    }
    if (entries.length === 0) entries.push(cutItems(entry, maxBytes))
    break
  }
  // Nothing cut (an entry's own more_items, from history's maxItems, is no cut of this page's).
  if (entries.length === page.entries.length && entries.every((entry, at) => entry === page.entries[at])) return page
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
export function renderHistory(result: ShownHistory, oneItem = ONE_ITEM_MCP): string {
  const edge = result.shallow
    ? `History ends at ${result.shallow.slice(0, 7)}, the edge of this shallow clone; \`git fetch --unshallow\` brings the rest.`
    : undefined
  if (result.entries.length === 0) {
    if (result.next) return `No changes in the commits looked at so far; history goes on: after ${result.next}`
    return edge ?? 'No history.'
  }
  const lines = result.entries.flatMap((entry) => entryLines(entry, oneItem))
  if (result.next) lines.push(`… more: after ${result.next}`)
  if (edge) lines.push(edge)
  return lines.join('\n')
}
