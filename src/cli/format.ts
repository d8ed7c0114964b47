/** Text for people at a terminal: aligned tables that fit the window, items shown like `git show`. */

import type { ItemDetail, ItemRow, ListResult, Problem, SearchResult } from '../app/index.js'
import type { ContextBundle, ContextRow } from '../context/context.js'
import { contextBudgetLine, contextSections } from '../render/context.js'
import { PLAIN, padVisible, type Style } from './color.js'

/** Marks an item whose dependency is not done yet, in tables and on the board. */
export const BLOCKED_MARK = '⊘'

/** Cuts text to `width` characters, ending in `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 1) return ''
  return text.length > width ? `${text.slice(0, width - 1)}…` : text
}

function formatUrgency(value: number): string {
  return value.toFixed(1)
}

/**
 * A table of rows, the title column taking whatever width the terminal has left. Columns with nothing to show are
 * left out; URG appears when the rows carry an urgency (lists sorted by it), and a blocked row's status carries ⊘.
 * With colour, the status and the priority of each row are painted.
 *
 * @example
 * formatTable([{ id: 'bl-k3m9x2', title: 'Fix login', type: 'task', status: 'open' }], 80)
 * // 'ID         STATUS  TYPE  TITLE\nbl-k3m9x2  open    task  Fix login'
 */
export function formatTable(rows: ItemRow[], width = process.stdout.columns || 120, style: Style = PLAIN): string {
  const painters: Record<string, (row: ItemRow, text: string) => string> = {
    STATUS: (row, text) => style.status(row.status, text),
    PRI: (row, text) => style.priority(row.priority, text),
  }
  const columns: Array<[string, (row: ItemRow) => string]> = [
    ['ID', (row) => row.id],
    ['STATUS', (row) => `${row.status}${row.archived ? ' (archived)' : ''}${row.blocked ? ` ${BLOCKED_MARK}` : ''}`],
    ['PRI', (row) => row.priority ?? ''],
    ['TYPE', (row) => row.type],
    ['ASSIGNEE', (row) => row.assignee ?? ''],
    ['DUE', (row) => row.due?.slice(0, 10) ?? ''],
    ['URG', (row) => (row.urgency === undefined ? '' : formatUrgency(row.urgency))],
    ['UPDATED', (row) => row.updated?.replace('T', ' ').slice(0, 16) ?? ''],
  ]
  const used = columns.filter(
    ([header, cell]) => header === 'ID' || header === 'STATUS' || rows.some((row) => cell(row)),
  )
  const widths = used.map(([header, cell]) => Math.max(header.length, ...rows.map((row) => cell(row).length)))
  const titleWidth = Math.max(20, width - widths.reduce((sum, w) => sum + w + 2, 0))
  const line = (cells: string[], title: string) =>
    `${cells.map((cell, index) => padVisible(cell, widths[index] ?? 0)).join('  ')}  ${truncate(title, titleWidth)}`.trimEnd()
  const title = (row: ItemRow) =>
    `${row.title}${row.tags?.length ? `  ${row.tags.map((tag) => `#${tag}`).join(' ')}` : ''}`
  const lines = [
    line(
      used.map(([header]) => header),
      'TITLE',
    ),
    ...rows.map((row) =>
      line(
        used.map(([header, cell]) => painters[header]?.(row, cell(row)) ?? cell(row)),
        title(row),
      ),
    ),
  ]
  if (rows.some((row) => row.blocked)) lines.push(`(${BLOCKED_MARK} waits on a dependency that is not done)`)
  return lines.join('\n')
}

export function formatProblems(problems: Problem[]): string {
  return problems
    .map(
      (problem) => `warning: cannot read ${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`,
    )
    .join('\n')
}

/** Counts as `key n` pairs, largest first, e.g. `open 4, done 2`. */
function formatTally(counts: Record<string, number>): string {
  return sortedTally(counts)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ')
}

/** Count entries, largest first, then by key. */
export function sortedTally(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0))
}

export function formatList(result: ListResult, width?: number, style: Style = PLAIN): string {
  const parts = [
    result.items.length
      ? formatTable(result.items, width, style)
      : result.no_backlog
        ? 'No backlog in this repository yet: `git backlog add <title>` starts it with the first item (or `git backlog init`).'
        : 'No matching items.',
  ]
  if (result.truncated) parts.push(`(${result.total - result.items.length} more: use --limit or a narrower filter)`)
  if (result.counts) {
    const { by_field, ...tables } = result.counts
    const named: Array<[string, Record<string, number>]> = [
      ...Object.entries(tables).map(
        ([label, counts]) => [label.replace('by_', 'by '), counts] as [string, typeof counts],
      ),
      ...Object.entries(by_field ?? {}).map(([field, counts]) => [`by ${field}`, counts] as [string, typeof counts]),
    ]
    for (const [label, counts] of named) {
      if (Object.keys(counts).length) parts.push(`${label}: ${formatTally(counts)}`)
    }
  }
  if (result.upstream) {
    const { branch, upstream, behind } = result.upstream
    parts.push(`(${branch} is ${behind} commit${behind === 1 ? '' : 's'} behind ${upstream}: git backlog sync)`)
  }
  return parts.join('\n')
}

/**
 * Two aligned columns, largest count first: the answer of `git backlog tags` and `git backlog values`.
 *
 * @example
 * formatCounts({ auth: 3, ui: 1 }, 'TAG') // 'TAG   COUNT\nauth      3\nui        1'
 */
export function formatCounts(counts: Record<string, number>, header: string): string {
  const rows = sortedTally(counts)
  const keyWidth = Math.max(header.length, ...rows.map(([key]) => key.length))
  const countWidth = Math.max(5, ...rows.map(([, n]) => String(n).length))
  return [
    `${header.padEnd(keyWidth)}  ${'COUNT'.padStart(countWidth)}`,
    ...rows.map(([key, n]) => `${key.padEnd(keyWidth)}  ${String(n).padStart(countWidth)}`),
  ].join('\n')
}

/** Search hits: the row, then where the words matched and the snippet around them. */
export function formatSearch(
  result: SearchResult,
  width = process.stdout.columns || 120,
  style: Style = PLAIN,
): string {
  if (result.items.length === 0) return 'No matching items.'
  const idWidth = Math.max(...result.items.map((hit) => hit.id.length))
  const statusWidth = Math.max(...result.items.map((hit) => hit.status.length + (hit.archived ? 11 : 0)))
  const lines: string[] = []
  for (const hit of result.items) {
    const status = `${hit.status}${hit.archived ? ' (archived)' : ''}`
    const tags = hit.tags?.length ? `  ${hit.tags.map((tag) => `#${tag}`).join(' ')}` : ''
    const head = `${hit.id.padEnd(idWidth)}  ${status.padEnd(statusWidth)}  `
    const painted = `${hit.id.padEnd(idWidth)}  ${padVisible(style.status(hit.status, status), statusWidth)}  `
    lines.push(`${painted}${truncate(`${hit.title}${tags}`, Math.max(20, width - head.length))}`)
    const snippet = hit.snippet.replace(/\s+/g, ' ').trim()
    const where = `    ${hit.matched_fields.join(', ')}: `
    lines.push(`${where}${truncate(snippet, Math.max(20, width - where.length))}`.trimEnd())
  }
  if (result.total > result.items.length) lines.push(`(${result.total - result.items.length} more: use --limit)`)
  return lines.join('\n')
}

function contextLine(row: ContextRow): string {
  const facts = [
    row.status,
    row.type === 'task' ? '' : row.type,
    row.priority ?? '',
    row.assignee ? `@${row.assignee}` : '',
  ]
  const due = row.due ? ` due ${row.due.slice(0, 10)}` : ''
  const under = row.under ? ` (under ${row.under})` : ''
  return `  ${row.id}  [${facts.filter(Boolean).join(', ')}] ${row.title}${due}${under}`
}

/**
 * The context bundle as readable sections: the item, then each non-empty section (parent chain, children, siblings,
 * dependencies both ways, references, referenced by, related, activity), then what was trimmed to fit the budget.
 */
export function formatContext(bundle: ContextBundle): string {
  const { focal, metadata } = bundle
  const lines = [
    `${focal.id}  ${focal.title}`,
    `  ${[
      focal.type,
      focal.status,
      focal.priority,
      focal.assignee ? `@${focal.assignee}` : undefined,
      focal.archived ? 'archived' : undefined,
    ]
      .filter(Boolean)
      .join(' · ')}`,
  ]
  if (focal.tags.length) lines.push(`  tags: ${focal.tags.join(', ')}`)
  if (focal.due) lines.push(`  due: ${focal.due}`)
  if (focal.description.trim()) {
    lines.push(
      '',
      ...focal.description
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`.trimEnd()),
    )
  }
  if (focal.notes.length) {
    lines.push('', 'Notes:')
    for (const note of focal.notes) lines.push(`  ${note.at}${note.by ? ` ${note.by}` : ''}: ${note.text.trimEnd()}`)
  }
  for (const section of contextSections(bundle)) {
    lines.push('', `${section.title}:`)
    lines.push(...('lines' in section ? section.lines.map((line) => `  ${line}`) : section.rows.map(contextLine)))
  }
  if (bundle.activity.length) {
    lines.push(
      '',
      'Activity:',
      ...bundle.activity.map(
        (entry) =>
          `  ${entry.commit.slice(0, 7)}  ${entry.date.slice(0, 10)}  ${entry.agent ?? entry.author}  ${entry.subject}`,
      ),
    )
  }
  if (bundle.missing?.length) lines.push('', `Missing (linked, but no such item): ${bundle.missing.join(', ')}`)
  lines.push('', contextBudgetLine(metadata))
  return lines.join('\n')
}

/** An item as `git backlog show` prints it; with colour, its status and priority are painted. */
export function formatDetail(item: ItemDetail, style: Style = PLAIN): string {
  const lines = [style.bold(`${item.id}  ${item.title}`), '']
  const field = (label: string, value: string | undefined, paint: (text: string) => string = (text) => text) => {
    if (value) lines.push(`${`${label}:`.padEnd(12)}${paint(value)}`)
  }
  field('Type', item.type)
  field('Status', item.status, (text) => style.status(item.status, text))
  field('Priority', item.priority, (text) => style.priority(item.priority, text))
  field('Assignee', item.assignee)
  field('Parent', item.parent)
  field('Epic', item.epic)
  field('Tags', item.tags.join(', '))
  field('Depends on', item.depends_on.join(', '))
  field('Due', item.due)
  field('Scheduled', item.scheduled)
  field('Wait', item.wait)
  field('Recur', item.recur)
  field('Until', item.until)
  field('Created', item.created)
  field('Started', item.started)
  field('Closed', item.closed)
  field('Updated', item.updated)
  for (const ref of item.references) field('Reference', ref.title ? `${ref.title} <${ref.url}>` : ref.url)
  for (const entry of item.evidence) field('Evidence', entry)
  for (const reason of item.blocked_reason) field('Blocked', reason)
  for (const [key, value] of Object.entries(item.attributes))
    field(key, typeof value === 'string' ? value : JSON.stringify(value))
  field('File', item.path)
  if (item.archived) field('Archived', 'yes')
  if (item.description.trim())
    lines.push(
      '',
      ...item.description
        .trimEnd()
        .split('\n')
        .map((line) => `    ${line}`.trimEnd()),
    )
  if (item.notes.length) {
    lines.push('', 'Notes:')
    for (const note of item.notes) {
      lines.push(`  ${note.at}${note.by ? `  ${note.by}` : ''}`)
      lines.push(
        ...note.text
          .trimEnd()
          .split('\n')
          .map((line) => `    ${line}`.trimEnd()),
      )
    }
  }
  return lines.join('\n')
}
