/** Pure item changes: building a new item from create input and applying an update, with status stamps. */

import type { BacklogConfig } from './config.js'
import type { CreateInput, UpdateInput } from './inputs.js'
import { blankItem, FIELD_ORDER, type Item, SCALAR_FIELDS } from './item.js'

export interface MutationContext {
  config: BacklogConfig
  /** The current time as items store it (`formatTimestamp`). */
  now: string
  /** The agent acting, for commit trailers. */
  agent?: string
  /** Who signs notes: the agent, or the person's git name when no agent is acting. */
  author?: string
}

type FieldInput = Omit<CreateInput, 'title' | 'agent'>

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
  for (const field of SCALAR_FIELDS) {
    if (field === 'created' || field === 'started' || field === 'closed') continue
    const value = (input as Partial<Record<string, string>>)[field]
    if (value === undefined) continue
    if (value.trim() === '') item[field] = undefined
    else item[field] = value.trim()
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

function unique(values: string[]): string[] {
  return [...new Set(values)]
}

/**
 * A new item from create input. The id is chosen by the caller (it must not collide with the store).
 *
 * @example
 * buildItem({ title: 'Fix login' }, 'bl-k3m9x2', context).status // 'open'
 */
export function buildItem(input: CreateInput, id: string, context: MutationContext): Item {
  const item = blankItem(id, input.title.trim())
  item.status = context.config.statuses[0] ?? 'open'
  item.created = context.now
  applyFields(item, input, context)
  return item
}

/** The item after an update; the input item is not modified. */
export function applyUpdate(previous: Item, input: UpdateInput, context: MutationContext): Item {
  const item: Item = structuredClone(previous)
  if (input.title !== undefined) item.title = input.title.trim()
  applyFields(item, input, context)
  if (input.add_tags) item.tags = unique([...item.tags, ...input.add_tags])
  if (input.remove_tags) {
    const removed = new Set(input.remove_tags.map((tag) => tag.toLowerCase()))
    item.tags = item.tags.filter((tag) => !removed.has(tag.toLowerCase()))
  }
  if (input.note !== undefined) {
    const by = context.agent ?? context.author
    item.notes = [...item.notes, { at: context.now, ...(by ? { by } : {}), text: input.note }]
  }
  return item
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
