/** What changed in an item between two versions, field by field: the substance of its history and of undo's review. */

import { structuredPatch } from 'diff'
import { FIELD_ORDER, type Item, type Note } from './item.js'

/**
 * One field's change. Absent values are left out: a field that was set has no `old`, one that was cleared no `new`.
 * The description's `new` is a short unified diff (`@@` hunks, one line of context) and it has no `old`.
 */
export interface FieldChange {
  field: string
  old?: unknown
  new?: unknown
}

/** The most lines a description diff shows; past it the last line says how many were left out. */
export const MAX_DIFF_LINES = 20
/** Past this many changed lines the body counts as rewritten: diffing it line by line would cost more than it says. */
const MAX_EDIT_LENGTH = 400

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` count as the same value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner
    const record = inner as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    )
  })
}

/** A field's value as history reports it: undefined for an absent scalar or an empty list. */
function reported(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return undefined
  if (Array.isArray(value) && value.length === 0) return undefined
  return value
}

function change(field: string, before: unknown, after: unknown): FieldChange | undefined {
  const old = reported(before)
  const now = reported(after)
  if (canonical(old) === canonical(now)) return undefined
  return { field, ...(old === undefined ? {} : { old }), ...(now === undefined ? {} : { new: now }) }
}

/** Notes are appended far more often than edited: history lists the texts added and removed, not both lists whole. */
function notesChange(before: Note[], after: Note[]): FieldChange | undefined {
  const remaining = new Map<string, number>()
  for (const note of before) remaining.set(canonical(note), (remaining.get(canonical(note)) ?? 0) + 1)
  const added: string[] = []
  for (const note of after) {
    const key = canonical(note)
    const count = remaining.get(key) ?? 0
    if (count > 0) remaining.set(key, count - 1)
    else added.push(note.text)
  }
  const removed: string[] = []
  for (const note of before) {
    const key = canonical(note)
    const count = remaining.get(key) ?? 0
    if (count === 0) continue
    remaining.set(key, count - 1)
    removed.push(note.text)
  }
  if (!added.length && !removed.length) return undefined
  return { field: 'notes', ...(removed.length ? { old: removed } : {}), ...(added.length ? { new: added } : {}) }
}

/**
 * A unified diff of two descriptions with one line of context, cut to MAX_DIFF_LINES lines: enough to see what an
 * edit did without the whole body. Undefined when they are equal.
 *
 * @example
 * describeBodyChange('Steps:\n1. log in\n', 'Steps:\n1. log in\n2. log out\n')
 * // '@@ -1,2 +1,3 @@\n Steps:\n 1. log in\n+2. log out'
 */
export function describeBodyChange(before: string, after: string): string | undefined {
  if (before === after) return undefined
  const patch = structuredPatch('', '', before, after, '', '', { context: 1, maxEditLength: MAX_EDIT_LENGTH })
  if (!patch) {
    const count = (text: string) => (text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0))
    return `@@ rewritten: ${count(before)} lines before, ${count(after)} after @@`
  }
  const lines: string[] = []
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines)
  }
  if (lines.length <= MAX_DIFF_LINES) return lines.join('\n')
  const kept = lines.slice(0, MAX_DIFF_LINES - 1)
  return [...kept, `… ${lines.length - kept.length} more lines`].join('\n')
}

/**
 * The field changes from `before` to `after`, in canonical order: the frontmatter fields of FIELD_ORDER, then
 * `description`, then user attributes by key.
 *
 * - A new item (`before` undefined) lists every field it sets as `new` (type and status always, title
 *   unless it is empty).
 *   `id` is left out (the caller knows it).
 * - A deleted item (`after` undefined) is one change, `{ field: 'deleted', old: <its title> }`.
 * - Notes are `{ field: 'notes', new: [texts added], old: [texts removed] }`, each side only when non-empty.
 * - A move between tasks/ and archive/ is no field change: the caller compares paths.
 *
 * @example
 * diffItems(item, { ...item, status: 'done', closed: '2026-11-23T12:00:00Z' })
 * // [{ field: 'status', old: 'open', new: 'done' }, { field: 'closed', new: '2026-11-23T12:00:00Z' }]
 */
export function diffItems(before: Item | undefined, after: Item | undefined): FieldChange[] {
  if (!after) return before ? [{ field: 'deleted', old: before.title }] : []
  const changes: FieldChange[] = []
  const add = (found: FieldChange | undefined) => {
    if (found) changes.push(found)
  }
  for (const field of FIELD_ORDER) {
    if (field === 'id' && !before) continue
    if (field === 'notes') add(notesChange(before?.notes ?? [], after.notes))
    else add(change(field, before?.[field], after[field]))
  }
  const body = describeBodyChange(before?.description ?? '', after.description)
  if (body !== undefined) changes.push({ field: 'description', new: body })
  const keys = [...new Set([...Object.keys(before?.attributes ?? {}), ...Object.keys(after.attributes)])].sort()
  for (const key of keys) add(change(key, before?.attributes[key], after.attributes[key]))
  return changes
}
