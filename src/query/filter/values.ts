/** The values of field terms, read and checked: lists, booleans, regexes, numbers, priorities, dates as spans. */

import { type ResolvedDate, resolveDateExpression, storedDateRange } from '../../core/date-expressions.js'
import { normalizePriority, PRIORITIES } from '../../core/item.js'
import type { Token } from './lexer.js'
import { excerpt, type FieldNode, type FilterOperator, invalid, NUMBER } from './syntax.js'

const MAX_REGEX_LENGTH = 200

export function listValues(node: FieldNode): string[] {
  if (node.operator !== 'in') return [node.value]
  const values = node.value
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '')
  if (values.length === 0)
    throw invalid(`expected a comma list after "${node.source}" at column ${node.column}`, node.column)
  return values
}

export function existsValue(node: FieldNode): boolean {
  const value = node.value.trim().toLowerCase()
  if (value === 'true') return true
  if (value === 'false') return false
  throw invalid(
    `exists takes true or false, not "${node.value}", in "${excerpt(node.source)}" at column ${node.column}`,
    node.column,
  )
}

export function compileRegex(node: FieldNode): RegExp {
  if (node.value.length > MAX_REGEX_LENGTH) {
    throw invalid(
      `a regex is at most ${MAX_REGEX_LENGTH} characters, in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  try {
    return new RegExp(node.value, 'i')
  } catch (error) {
    throw invalid(
      `invalid regex "${excerpt(node.value)}" in "${excerpt(node.source)}" at column ${node.column}: ${(error as Error).message}`,
      node.column,
    )
  }
}

export function urgencyNumber(node: FieldNode): number {
  if (!NUMBER.test(node.value)) {
    throw invalid(
      `urgency compares numbers, not "${node.value}", in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  if (!['eq', 'ne', 'lt', 'gt', 'lte', 'gte'].includes(node.operator)) {
    throw invalid(
      `urgency compares with is, not, gt, gte, lt or lte in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  return Number(node.value)
}

export function priorityValues(node: FieldNode): string[] {
  return listValues(node).map((text) => {
    const lower = text.toLowerCase()
    const priority = lower === 'none' ? 'none' : normalizePriority(text)
    if (!priority) {
      throw invalid(
        `unknown priority "${text}" in "${excerpt(node.source)}" at column ${node.column} (one of ${PRIORITIES.join(', ')}, H, M, L, U or none)`,
        node.column,
      )
    }
    return priority
  })
}

export function checkVocabulary(node: FieldNode, what: string, allowed: readonly string[]): void {
  const lower = allowed.map((entry) => entry.toLowerCase())
  for (const text of listValues(node)) {
    if (!lower.includes(text.toLowerCase())) {
      throw invalid(
        `unknown ${what} "${text}" in "${excerpt(node.source)}" at column ${node.column} (one of ${allowed.join(', ')})`,
        node.column,
      )
    }
  }
}

/** A date as the instants it covers, both ends inclusive: a day is [00:00, 23:59:59.999], an instant [t, t]. */
export interface Span {
  start: number
  last: number
}

export function spanOf(resolved: ResolvedDate): Span {
  const start = resolved.date.getTime()
  if (resolved.granularity === 'instant') return { start, last: start }
  const next = new Date(resolved.date)
  next.setDate(next.getDate() + 1)
  return { start, last: next.getTime() - 1 }
}

export function storedSpan(value: string): Span | undefined {
  const range = storedDateRange(value)
  if (!range) return undefined
  return { start: range.start, last: range.end > range.start ? range.end - 1 : range.start }
}

export function dateQuery(node: FieldNode, text: string, now: Date, next?: Token): Span {
  const resolved = resolveDateExpression(text, now)
  if (resolved) return spanOf(resolved)
  const spaced = next?.kind === 'word' && next.key === undefined && !next.quoted
  const prefix = node.source.slice(0, node.source.indexOf(':') + 1)
  const hint = spaced
    ? `; a date with spaces needs quotes: ${prefix}"${text} ${next.value}" (or ${prefix}${text}_${next.value})`
    : '; try today, friday, eow, 2026-12-01, now-7d or 3d'
  throw invalid(`"${text}" is not a date in "${excerpt(node.source)}" at column ${node.column}${hint}`, node.column)
}

/** How an item's date span stands to a queried one. `by`/`lte` is "not after", `gte` "not before". */
export function compareSpans(operator: FilterOperator, item: Span, query: Span): boolean {
  switch (operator) {
    case 'lt':
      return item.last < query.start
    case 'gt':
      return item.start > query.last
    case 'lte':
      return item.start <= query.last
    case 'gte':
      return item.last >= query.start
    case 'ne':
      return !(item.start <= query.last && item.last >= query.start)
    default:
      return item.start <= query.last && item.last >= query.start
  }
}

export function compareOrdered<T extends number | string>(operator: FilterOperator, a: T, b: T): boolean {
  switch (operator) {
    case 'lt':
      return a < b
    case 'gt':
      return a > b
    case 'lte':
      return a <= b
    case 'gte':
      return a >= b
    case 'ne':
      return a !== b
    default:
      return a === b
  }
}
