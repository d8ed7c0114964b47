/** Text for people at a terminal: aligned tables that fit the window, items shown like `git show`. */

import type { ItemDetail, ItemRow, ListResult } from '../app.js'
import type { Problem } from '../store/store.js'

function truncate(text: string, width: number): string {
  if (width <= 1) return ''
  return text.length > width ? `${text.slice(0, width - 1)}…` : text
}

/** A table of rows, the title column taking whatever width the terminal has left. */
export function formatTable(rows: ItemRow[], width = process.stdout.columns || 120): string {
  const columns: Array<[string, (row: ItemRow) => string]> = [
    ['ID', (row) => row.id],
    ['STATUS', (row) => row.status],
    ['PRI', (row) => row.priority ?? ''],
    ['TYPE', (row) => row.type],
    ['ASSIGNEE', (row) => row.assignee ?? ''],
  ]
  const used = columns.filter(
    ([header, cell]) => header === 'ID' || header === 'STATUS' || rows.some((row) => cell(row)),
  )
  const widths = used.map(([header, cell]) => Math.max(header.length, ...rows.map((row) => cell(row).length)))
  const titleWidth = Math.max(20, width - widths.reduce((sum, w) => sum + w + 2, 0))
  const line = (cells: string[], title: string) =>
    `${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ')}  ${truncate(title, titleWidth)}`.trimEnd()
  const title = (row: ItemRow) =>
    `${row.title}${row.tags?.length ? `  ${row.tags.map((tag) => `#${tag}`).join(' ')}` : ''}`
  return [
    line(
      used.map(([header]) => header),
      'TITLE',
    ),
    ...rows.map((row) =>
      line(
        used.map(([, cell]) => cell(row)),
        title(row),
      ),
    ),
  ].join('\n')
}

export function formatProblems(problems: Problem[]): string {
  return problems
    .map(
      (problem) => `warning: cannot read ${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`,
    )
    .join('\n')
}

export function formatList(result: ListResult): string {
  const parts = [result.items.length ? formatTable(result.items) : 'No matching items.']
  if (result.truncated) parts.push(`(${result.total - result.items.length} more: use --limit or a narrower filter)`)
  if (result.counts) {
    for (const [label, counts] of Object.entries(result.counts)) {
      parts.push(
        `${label.replace('by_', 'by ')}: ${Object.entries(counts)
          .map(([key, n]) => `${key} ${n}`)
          .join(', ')}`,
      )
    }
  }
  return parts.join('\n')
}

export function formatDetail(item: ItemDetail): string {
  const lines = [`${item.id}  ${item.title}`, '']
  const field = (label: string, value: string | undefined) => {
    if (value) lines.push(`${`${label}:`.padEnd(12)}${value}`)
  }
  field('Type', item.type)
  field('Status', item.status)
  field('Priority', item.priority)
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
  for (const ref of item.references) field('Reference', ref.title ? `${ref.title} <${ref.url}>` : ref.url)
  for (const entry of item.evidence) field('Evidence', entry)
  for (const reason of item.blocked_reason) field('Blocked', reason)
  for (const [key, value] of Object.entries(item.attributes))
    field(key, typeof value === 'string' ? value : JSON.stringify(value))
  field('File', item.path)
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
