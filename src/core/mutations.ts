/** Pure item changes: building a new item from create input and applying an update, with status stamps. */

import type { BacklogConfig } from './config.js'
import { parseDateInput } from './date-expressions.js'
import { BacklogError, phrase, slot } from './errors.js'
import { SETTABLE_FIELDS, USER_DATE_FIELDS } from './fields.js'
import { idKey } from './ids.js'
import type { BatchItemInput, UpdateInput } from './inputs.js'
import { blankItem, FIELD_ORDER, type Item, SCALAR_FIELDS } from './item.js'

export interface MutationContext {
  config: BacklogConfig
  /** The current time as items store it (`formatTimestamp`). */
  now: string
  /** The same time as a Date, for date expressions like `tomorrow`. */
  date: Date
  /** The agent acting, for commit trailers. */
  agent?: string
  /** Who signs notes: the agent, or the person's git name when no agent is acting. */
  author?: string
}

type FieldInput = Omit<BatchItemInput, 'title'>

const DATE_FIELDS: ReadonlySet<string> = new Set(USER_DATE_FIELDS)
/** The one-value fields create and update take (the stamps created, started, closed are the app's). */
const INPUT_SCALARS = SCALAR_FIELDS.filter((field) => SETTABLE_FIELDS.some((settable) => settable.name === field))

/** Sets the status and stamps what it means: `started` on the first start, `closed` on close, cleared on reopen. */
export function setStatus(item: Item, status: string, { config, now }: MutationContext): void {
  if (status === item.status) return
  item.status = status
  if (config.started_statuses.includes(status) && !item.started) item.started = now
  if (config.closed_statuses.includes(status)) item.closed = now
  else item.closed = undefined
}

function applyFields(item: Item, input: FieldInput, context: MutationContext): void {
  if (input.type !== undefined) item.type = input.type
  if (input.description !== undefined) item.description = input.description
  for (const field of INPUT_SCALARS) {
    const value = (input as Partial<Record<string, string>>)[field]
    if (value === undefined) continue
    const text = value.trim()
    if (text === '') item[field] = undefined
    else if (DATE_FIELDS.has(field)) item[field] = resolveDate(field, text, context.date)
    else item[field] = text
  }
  if (input.tags !== undefined) item.tags = unique(input.tags)
  if (input.depends_on !== undefined) item.depends_on = unique(input.depends_on)
  if (input.evidence !== undefined) item.evidence = [...input.evidence]
  if (input.blocked_reason !== undefined) item.blocked_reason = [...input.blocked_reason]
  if (input.references !== undefined) {
    item.references = input.references.map((ref) =>
      'title' in ref && ref.title ? { url: ref.url, title: ref.title } : { url: ref.url },
    )
  }
  if (input.attributes !== undefined) {
    for (const [key, value] of Object.entries(input.attributes)) {
      if (value === null) delete item.attributes[key]
      else item.attributes[key] = value
    }
  }
  if (input.status !== undefined) setStatus(item, input.status, context)
}

function resolveDate(field: string, text: string, now: Date): string {
  const value = parseDateInput(text, now)
  if (value === undefined) throw new BacklogError('INVALID_INPUT', `${field}: "${text}" is not a date`)
  return value
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/**
 * A new item from create input. The id is chosen by the caller (it must not collide with the store).
 *
 * @example
 * buildItem({ title: 'Fix login' }, 'bl-k3m9x2', context).status // 'open'
 */
export function buildItem(input: BatchItemInput, id: string, context: MutationContext): Item {
  const item = blankItem(id, input.title.trim())
  item.status = context.config.statuses[0] ?? 'open'
  item.created = context.now
  applyFields(item, input, context)
  return item
}

/** The fields of an update that apply to each item it reaches (everything but the selection and the actor). */
export type ItemChanges = Omit<UpdateInput, 'id' | 'filter' | 'all' | 'agent'>

/** The item after an update; the input item is not modified. */
export function applyUpdate(previous: Item, input: ItemChanges, context: MutationContext): Item {
  const item: Item = structuredClone(previous)
  if (input.title !== undefined) item.title = input.title.trim()
  applyFields(item, input, context)
  if (input.add_tags) item.tags = unique([...item.tags, ...input.add_tags])
  if (input.remove_tags) item.tags = without(item.tags, input.remove_tags, (tag) => tag.toLowerCase())
  if (input.add_depends_on) item.depends_on = unique([...item.depends_on, ...input.add_depends_on])
  if (input.remove_depends_on) item.depends_on = without(item.depends_on, input.remove_depends_on, idKey)
  if (input.add_evidence) item.evidence = [...item.evidence, ...input.add_evidence]
  if (input.add_blocked_reason) item.blocked_reason = [...item.blocked_reason, ...input.add_blocked_reason]
  if (input.remove_evidence) item.evidence = removeEntries(item, 'evidence', input.remove_evidence)
  if (input.remove_blocked_reason) {
    item.blocked_reason = removeEntries(item, 'blocked_reason', input.remove_blocked_reason)
  }
  if (input.add_references) {
    const known = new Set(item.references.map((ref) => ref.url))
    for (const ref of input.add_references) {
      if (known.has(ref.url)) continue
      known.add(ref.url)
      item.references.push('title' in ref && ref.title ? { url: ref.url, title: ref.title } : { url: ref.url })
    }
  }
  if (input.remove_references) {
    const removed = new Set(input.remove_references)
    item.references = item.references.filter((ref) => !removed.has(ref.url))
  }
  if (input.remove_note !== undefined) {
    const target = input.remove_note
    const kept = item.notes.filter((note) => note.text.trim() !== target && note.at !== target)
    if (kept.length === item.notes.length) {
      throw new BacklogError(
        'NO_MATCH',
        phrase`${slot('remove_note')}: ${item.id} has no note whose text or timestamp is exactly "${target}"${
          item.notes.length
            ? `. Its notes: ${item.notes.map((note) => `${note.at} ${JSON.stringify(note.text.length > 60 ? `${note.text.slice(0, 60)}…` : note.text)}`).join('; ')}`
            : ' (it has no notes)'
        }`,
        { id: item.id },
      )
    }
    item.notes = kept
  }
  if (input.note !== undefined) {
    const by = context.agent ?? context.author
    item.notes = [...item.notes, { at: context.now, ...(by ? { by } : {}), text: input.note }]
  }
  return item
}

/** The list without these exact entries; an entry that is not there is NO_MATCH, naming what is. */
function removeEntries(item: Item, field: 'evidence' | 'blocked_reason', removed: string[]): string[] {
  const present = new Set(item[field].map((entry) => entry.trim()))
  const missing = removed.filter((entry) => !present.has(entry))
  if (missing.length) {
    throw new BacklogError(
      'NO_MATCH',
      phrase`${slot(`remove_${field}`)}: ${item.id} has no ${field} ${missing.map((entry) => JSON.stringify(entry)).join(', ')}${
        item[field].length
          ? `; it has ${item[field].map((entry) => JSON.stringify(entry)).join(', ')}`
          : ' (it has none)'
      }`,
      { id: item.id },
    )
  }
  const gone = new Set(removed)
  return item[field].filter((entry) => !gone.has(entry.trim()))
}

function without(values: string[], removed: string[], key: (value: string) => string): string[] {
  const gone = new Set(removed.map(key))
  return values.filter((value) => !gone.has(key(value)))
}

/** The names of the fields that differ, in canonical order, for the commit message (`note` for a new note). */
export function changedFields(previous: Item, next: Item): string[] {
  const changed: string[] = []
  for (const field of FIELD_ORDER) {
    if (JSON.stringify(previous[field]) === JSON.stringify(next[field])) continue
    changed.push(field === 'notes' && next.notes.length > previous.notes.length ? 'note' : field)
  }
  if (previous.description !== next.description) changed.push('description')
  const keys = new Set([...Object.keys(previous.attributes), ...Object.keys(next.attributes)])
  for (const key of keys) {
    if (JSON.stringify(previous.attributes[key]) !== JSON.stringify(next.attributes[key])) changed.push(key)
  }
  return changed
}

/** The verb of an update's commit subject: what a person scanning `git log --oneline` wants to see. */
export function updateVerb(previous: Item, next: Item, config: BacklogConfig): string {
  if (previous.status !== next.status) {
    if (config.closed_statuses.includes(next.status)) return next.status === 'done' ? 'done' : 'close'
    if (config.started_statuses.includes(next.status)) return 'start'
    if (config.closed_statuses.includes(previous.status)) return 'reopen'
    return next.status
  }
  return 'update'
}

/**
 * The fields a copy of an item starts from: what it is and says, not what happened to it (status, notes, evidence,
 * blocked reasons and stamps start afresh).
 *
 * @example
 * buildItem({ ...duplicateFields(item), title: 'Copy' }, newId, context)
 */
export function duplicateFields(item: Item): BatchItemInput {
  const fields: BatchItemInput = {
    title: item.title,
    type: item.type as BatchItemInput['type'],
    description: item.description,
    tags: [...item.tags],
    depends_on: [...item.depends_on],
    references: item.references.map((ref) => ({ ...ref })),
  }
  for (const field of INPUT_SCALARS) {
    const value = item[field]
    if (value !== undefined) (fields as Record<string, unknown>)[field] = value
  }
  if (Object.keys(item.attributes).length) fields.attributes = structuredClone(item.attributes)
  return fields
}
