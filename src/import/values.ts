/** Reading a peer's values leniently: texts, lists, dates in each tool's form, status words, JSON, frontmatter. */

import jsYaml from 'js-yaml'
import { parseDateValue } from '../core/dates.js'
import { BacklogError } from '../core/errors.js'
import { isOwnField } from '../core/fields.js'
import { isAttributeKey } from '../core/input-values.js'
import type { Draft, StatusMeaning } from './draft.js'

/** A one-line text of a scalar value (numbers and booleans as written), or undefined when absent or empty. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value.trim()
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/** A list of texts from a list, a comma-separated text or one value; empty entries left out. */
export function textsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((entry) => textOf(entry) ?? [])
  const text = textOf(value)
  if (text === undefined) return []
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/**
 * A text as the words of an id (`Release 1.0!` → `release-1-0`): lower case, runs of anything else than letters,
 * digits and `_` as one `-`, cut at `max`; empty when nothing is left. Milestone ids and ids made from ids that are
 * not ids here are made with it, so the same text always gives the same id.
 */
export function slugOf(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '')
}

/** The fields of a source's comment (or annotation) record: its text, its date and its author. */
export interface CommentShape {
  text: string
  at: string
  by?: (record: Record<string, unknown>) => string | undefined
  /** The comment in messages: `comment`, `annotation`. */
  what: string
}

/**
 * A source's comments as notes of the draft: empty ones left out, and one without a readable date dropped and said
 * (notes here are dated).
 */
export function addNotes(entries: unknown, shape: CommentShape, where: string, draft: Draft): void {
  for (const entry of Array.isArray(entries) ? entries : []) {
    const comment = recordOf(entry, `${where}: a ${shape.what}`)
    const value = comment[shape.text]
    const text = typeof value === 'string' ? value.trim() : ''
    const at = dateOf(comment[shape.at], `${shape.what} ${shape.at}`, draft)
    if (!text) continue
    if (!at) {
      draft.problems.push(`a ${shape.what} without a date dropped: notes here are dated`)
      continue
    }
    const by = shape.by?.(comment)
    draft.notes.push({ at, ...(by ? { by } : {}), text })
  }
}

const TASKWARRIOR_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/
const SPACED_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)$/

/**
 * A date of the source as items store it (`2026-11-03` or `2026-11-03T10:05:00Z`): ISO dates and times, taskwarrior's
 * `20240101T120000Z`, Backlog.md's `2025-07-26 14:30` (read as UTC). Undefined when absent; an unreadable date is
 * noted on the draft and left out.
 *
 * @example
 * dateOf('20240101T120000Z', 'due', draft) // '2024-01-01T12:00:00Z'
 */
export function dateOf(value: unknown, field: string, draft: Draft): string | undefined {
  const text = textOf(value)
  if (text === undefined) return undefined
  const taskwarrior = TASKWARRIOR_DATE.exec(text)
  const spaced = SPACED_TIME.exec(text)
  const iso = taskwarrior
    ? `${taskwarrior[1]}-${taskwarrior[2]}-${taskwarrior[3]}T${taskwarrior[4]}:${taskwarrior[5]}:${taskwarrior[6]}Z`
    : spaced
      ? `${spaced[1]}T${spaced[2]}Z`
      : text
  const date = parseDateValue(iso)
  if (date === undefined) draft.problems.push(`${field} "${text}" is not a date; left out`)
  return date
}

const MEANINGS: Record<string, StatusMeaning> = {
  open: 'open',
  todo: 'open',
  to_do: 'open',
  backlog: 'open',
  new: 'open',
  pending: 'open',
  ready: 'open',
  waiting: 'open',
  in_progress: 'in_progress',
  inprogress: 'in_progress',
  doing: 'in_progress',
  started: 'in_progress',
  active: 'in_progress',
  blocked: 'blocked',
  done: 'done',
  closed: 'done',
  completed: 'done',
  complete: 'done',
  resolved: 'done',
  finished: 'done',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  deleted: 'cancelled',
  tombstone: 'cancelled',
  wontfix: 'cancelled',
  wont_do: 'cancelled',
  not_planned: 'cancelled',
  abandoned: 'cancelled',
}

/** A status word written any way (`In Progress`, `in-progress`, `IN_PROGRESS`) as one key: `in_progress`. */
export function statusKey(word: string): string {
  return word
    .trim()
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[\s-]+/g, '_')
}

/** What a status word means, when it is one of the common ones; undefined for a word of the source's own. */
export function meaningOf(word: string): StatusMeaning | undefined {
  return MEANINGS[statusKey(word)]
}

/** A draft's status: the source's word, and what it means when the importer knows. */
export function statusOf(name: string, meaning: StatusMeaning | undefined): Draft['status'] {
  return { name, ...(meaning ? { meaning } : {}) }
}

/** Parses JSON, or says where it is not JSON; `what` names the input (`gh issue list output`). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${what} is not valid JSON: ${(error as Error).message}. Nothing was written.`,
    )
  }
}

/** Each non-empty line of a JSON Lines text, parsed; a bad line is an error naming its number. */
export function parseJsonLines(text: string, what: string): Array<{ line: number; value: unknown }> {
  const rows: Array<{ line: number; value: unknown }> = []
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.trim() === '') return
      try {
        rows.push({ line: index + 1, value: JSON.parse(raw) })
      } catch (error) {
        throw new BacklogError(
          'INVALID_INPUT',
          `${what} line ${index + 1} is not valid JSON: ${(error as Error).message}. Nothing was written.`,
        )
      }
    })
  return rows
}

/** A JSON value that must be a mapping, or an error naming where it was found. */
export function recordOf(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new BacklogError('INVALID_INPUT', `${where} is not a JSON object. Nothing was written.`)
  }
  return value as Record<string, unknown>
}

/**
 * A markdown file's YAML frontmatter and body. YAML is read with the core schema, so dates stay the text written.
 * A file without frontmatter gives undefined data.
 */
export function splitFrontmatter(
  text: string,
  path: string,
): { data: Record<string, unknown> | undefined; body: string } {
  const normalized = text.replace(/^\uFEFF/, '').replaceAll('\r\n', '\n')
  if (!normalized.startsWith('---\n')) return { data: undefined, body: normalized }
  const end = normalized.indexOf('\n---', 3)
  if (end < 0)
    throw new BacklogError('INVALID_INPUT', `${path}: the frontmatter has no closing "---". Nothing was written.`)
  const yaml = normalized.slice(4, end + 1)
  const after = normalized.indexOf('\n', end + 1)
  const body = after < 0 ? '' : normalized.slice(after + 1)
  let data: unknown
  try {
    data = jsYaml.load(yaml, { schema: jsYaml.CORE_SCHEMA }) ?? {}
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark
    const line = mark?.line === undefined ? '' : ` (line ${mark.line + 2})`
    throw new BacklogError(
      'INVALID_INPUT',
      `${path}: the frontmatter is not valid YAML${line}: ${(error as { reason?: string }).reason ?? (error as Error).message}. Nothing was written.`,
    )
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BacklogError('INVALID_INPUT', `${path}: the frontmatter is not a mapping of fields. Nothing was written.`)
  }
  return { data: data as Record<string, unknown>, body }
}

/**
 * Keeps the fields of `record` that the importer did not read (`known`) as attributes of the draft, so nothing is
 * silently lost; a key that cannot be an attribute here is named among the draft's problems instead.
 */
export function keepOthers(record: Record<string, unknown>, known: ReadonlySet<string>, draft: Draft): void {
  for (const [key, value] of Object.entries(record)) {
    if (known.has(key) || value === null || value === undefined || value === '') continue
    if (Array.isArray(value) && value.length === 0) continue
    const name = isOwnField(key) ? `source_${key}` : key
    if (!isAttributeKey(name)) {
      draft.problems.push(`field "${key}" dropped: not a name an attribute can have`)
      continue
    }
    draft.attributes[name] = value
  }
}
