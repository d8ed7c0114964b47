/**
 * The renderings of `git backlog export`, pure functions of the export use-case's result: JSON (every field, to read
 * back), CSV (a row per item, for a spreadsheet) and a markdown report (grouped by status, for a page or a comment).
 */

import type { ExportResult } from '../app/use-cases/export.js'
import { COMMA_LIST_FIELDS, FIELDS, type FieldSpec, type ItemDetail, type Reference } from '../core/fields.js'
import { code, escapeMarkdown } from './review.js'

export const EXPORT_FORMATS = ['json', 'csv', 'markdown'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

// ── JSON ───────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * `{"items": [...]}`, two spaces of indent, a final newline. Each item has every field it holds, in the order of its
 * file (see the use-case): an item read back with the codec writes the same file.
 *
 * @example
 * JSON.parse(renderExportJson(result)).items[0].id // 'bl-k3m9x2'
 */
export function renderExportJson(result: ExportResult): string {
  return `${JSON.stringify({ items: result.items }, null, 2)}\n`
}

// ── CSV ────────────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * What a spreadsheet reads as the start of a formula (OWASP, CSV injection), full-width forms included: a text cell
 * starting with one of them gets a `'` in front, which spreadsheets show as text and do not run.
 */
const FORMULA_START = /^[=+\-@\t\r\n＝＋－＠]/

/** The columns an item's own fields give, in file order: every frontmatter field but the notes. */
const FIELD_COLUMNS = (FIELDS as readonly FieldSpec[])
  .filter((field) => field.place === 'frontmatter' && field.kind !== 'notes')
  .map((field) => field.name)

/** After the fields: the notes counted and the latest one, then what export adds to an item. */
const MORE_COLUMNS = ['notes', 'last_note', 'updated', 'archived', 'path'] as const

/**
 * One cell of RFC 4180: quoted when it holds a comma, a quote or a line break (quotes doubled inside), or when it is
 * text a spreadsheet would run as a formula, which also gets a `'` in front.
 */
export function csvCell(value: string, text = true): string {
  const guarded = text && FORMULA_START.test(value) ? `'${value}` : value
  return guarded !== value || /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded
}

function referenceText(reference: Reference): string {
  return reference.title ? `${reference.title} <${reference.url}>` : reference.url
}

/** A value of an item as the text of its cell, and whether it is text (a number or a boolean is never a formula). */
function cellOf(name: string, value: unknown): [string, boolean] {
  if (value === undefined || value === null) return ['', false]
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value), false]
  if (typeof value === 'string') return [value, true]
  if (Array.isArray(value)) {
    const entries = value.map((entry) =>
      typeof entry === 'string'
        ? entry
        : typeof (entry as Reference)?.url === 'string'
          ? referenceText(entry as Reference)
          : JSON.stringify(entry),
    )
    // Lists of words or ids joined by `, `, as the codec reads `tags: a, b`; free texts a line per entry.
    return [entries.join(COMMA_LIST_FIELDS.has(name) ? ', ' : '\n'), true]
  }
  return [JSON.stringify(value), true]
}

/** The header of a set of items: the fixed columns, then each user attribute in order of first appearance. */
function csvColumns(items: readonly ItemDetail[]): { name: string; attribute?: string }[] {
  const fixed = [...FIELD_COLUMNS, ...MORE_COLUMNS]
  const taken = new Set<string>([...fixed, 'description'])
  const attributes = new Set<string>()
  for (const item of items) for (const key of Object.keys(item.attributes)) attributes.add(key)
  return [
    ...fixed.map((name) => ({ name })),
    // An attribute named as a column export adds (`path`, say) keeps its value under `attributes.path`.
    ...[...attributes].map((key) => ({ name: taken.has(key) ? `attributes.${key}` : key, attribute: key })),
    { name: 'description' },
  ]
}

function csvValue(item: ItemDetail, column: { name: string; attribute?: string }): [string, boolean] {
  if (column.attribute !== undefined) return cellOf(column.attribute, item.attributes[column.attribute])
  const notes = item.notes
  if (column.name === 'notes') return [String(notes.length), false]
  if (column.name === 'last_note') {
    const last = notes[notes.length - 1]
    return last ? [`${last.at}${last.by ? ` ${last.by}` : ''}: ${last.text.trimEnd()}`, true] : ['', false]
  }
  // A cell needs no final line break: a spreadsheet would show it as an empty line.
  if (column.name === 'description') return [item.description.trimEnd(), true]
  return cellOf(column.name, (item as unknown as Record<string, unknown>)[column.name])
}

/**
 * A header row and a row per item, RFC 4180: fields separated by commas, records by CRLF, cells quoted as needed;
 * with `bom`, a UTF-8 byte order mark first, so Excel reads the text as UTF-8.
 *
 * @example
 * renderExportCsv(result).split('\r\n')[0] // 'id,title,type,status,priority,...'
 */
export function renderExportCsv(result: ExportResult, options: { bom?: boolean } = {}): string {
  const columns = csvColumns(result.items)
  const rows = [columns.map((column) => csvCell(column.name)).join(',')]
  for (const item of result.items) {
    rows.push(columns.map((column) => csvCell(...csvValue(item, column))).join(','))
  }
  return `${options.bom ? '\ufeff' : ''}${rows.join('\r\n')}\r\n`
}

// ── markdown ───────────────────────────────────────────────────────────────────────────────────────────────────

const REPORT_COLUMNS = ['id', 'title', 'priority', 'assignee', 'tags', 'due', 'parent'] as const

function reportRow(item: ItemDetail): string {
  const cells = [
    code(item.id),
    `${escapeMarkdown(item.title)}${item.archived ? ' (archived)' : ''}`,
    escapeMarkdown(item.priority ?? ''),
    escapeMarkdown(item.assignee ?? ''),
    item.tags.map(escapeMarkdown).join(', '),
    escapeMarkdown(item.due ?? ''),
    item.parent ? code(item.parent) : '',
  ]
  return `| ${cells.join(' | ')} |`
}

/**
 * A report: a heading, a line of counts by status, then a section per status in the config's order (a status the
 * config does not know comes last), each a table of id, title, priority, assignee, tags, due and parent. Every text
 * from an item is escaped as the review escapes it, so a title cannot break the table or open markup.
 *
 * @example
 * renderExportMarkdown(result) // '# Backlog\n\n9 items: 4 open · 2 in_progress · ...'
 */
export function renderExportMarkdown(result: ExportResult): string {
  const groups = new Map<string, ItemDetail[]>(result.statuses.map((status) => [status, []]))
  for (const item of result.items) {
    const group = groups.get(item.status)
    if (group) group.push(item)
    else groups.set(item.status, [item])
  }
  const filled = [...groups].filter(([, items]) => items.length > 0)
  const total = result.items.length
  const counts = filled.map(([status, items]) => `${items.length} ${escapeMarkdown(status)}`).join(' · ')
  const lines = ['# Backlog', '', total === 0 ? 'No items.' : `${total} item${total === 1 ? '' : 's'}: ${counts}`]
  for (const [status, items] of filled) {
    lines.push('', `## ${escapeMarkdown(status)} (${items.length})`, '')
    lines.push(`| ${REPORT_COLUMNS.join(' | ')} |`, `|${REPORT_COLUMNS.map(() => '---|').join('')}`)
    for (const item of items) lines.push(reportRow(item))
  }
  return `${lines.join('\n')}\n`
}

/** The export in one of its formats. */
export function renderExport(result: ExportResult, format: ExportFormat, options: { bom?: boolean } = {}): string {
  if (format === 'csv') return renderExportCsv(result, options)
  if (format === 'markdown') return renderExportMarkdown(result)
  return renderExportJson(result)
}
