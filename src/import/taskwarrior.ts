/**
 * taskwarrior's `task export` (a JSON array, or one object a line from old versions) and the records of backloghq's
 * backlog, which keeps taskwarrior's shape: uuid, description, status pending / completed / deleted / waiting /
 * recurring, priority H/M/L, project, tags, depends, dates, annotations, and user-defined attributes.
 */

import { BacklogError } from '../core/errors.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead, type StatusMeaning } from './draft.js'
import {
  addNotes,
  dateOf,
  keepOthers,
  parseJson,
  parseJsonLines,
  recordOf,
  statusOf,
  textOf,
  textsOf,
} from './values.js'

const STATUSES: Record<string, StatusMeaning> = {
  pending: 'open',
  waiting: 'open',
  recurring: 'open',
  completed: 'done',
  deleted: 'cancelled',
}

/** What one taskwarrior-shaped source calls its fields. */
export interface TaskShape {
  /** The source, in messages (`task export`). */
  what: string
  /** Prefix of the ids made from UUIDs: `tw` gives tw-1a2b3c4d. */
  prefix: string
  /** The record's UUID field(s), first found wins. */
  uuidKeys: readonly string[]
  /** The attribute that keeps the UUID. */
  uuidAttribute: string
  /** Fields read as something else (backloghq's `agent` is the assignee). */
  assigneeKey?: string
  /** Fields computed by the source, not imported, said once for the whole source. */
  derived: readonly string[]
}

const READ = [
  'description',
  'status',
  'priority',
  'project',
  'tags',
  'depends',
  'due',
  'entry',
  'end',
  'start',
  'wait',
  'scheduled',
  'until',
  'recur',
  'annotations',
  'parent',
  'id',
]

/** Hex digits of a UUID an id starts with: enough that two UUIDs rarely share them, fixed so later exports agree. */
const ID_DIGITS = 12

/**
 * Ids from UUIDs, `prefix-` and the UUID's first 12 digits, with longer forms after them (4 digits more each). The
 * length depends only on the UUID and the others of the same import that share its first digits, so a second export
 * gives an item the id the first gave it unless a new UUID shares them; an item imported before is recognised by its
 * UUID attribute anyway (src/import/map.ts), and an id taken here by another item moves on to a longer form.
 */
function idsFromUuids(uuids: string[], prefix: string): Map<string, string[]> {
  const plainOf = (uuid: string) => uuid.toLowerCase().replace(/[^0-9a-z]/g, '')
  // Sorted, a UUID shares its longest prefix with a neighbour: one pass, not a comparison of every pair.
  const distinct = [...new Set(uuids.map(plainOf))].sort()
  const common = (a = '', b = '') => {
    let at = 0
    while (at < a.length && a[at] === b[at]) at++
    return at
  }
  const sharedPrefix = new Map(
    distinct.map((plain, at) => [plain, Math.max(common(plain, distinct[at - 1]), common(plain, distinct[at + 1]))]),
  )
  const ids = new Map<string, string[]>()
  for (const uuid of uuids) {
    const plain = plainOf(uuid)
    let length = Math.min(ID_DIGITS, plain.length)
    const shared = (size: number) => (sharedPrefix.get(plain) ?? 0) >= size
    while (length < plain.length && shared(length)) length = Math.min(length + 4, plain.length)
    const forms: string[] = []
    for (let size = length; ; size = Math.min(size + 4, plain.length)) {
      forms.push(`${prefix}-${plain.slice(0, size)}`)
      if (size >= plain.length) break
    }
    ids.set(uuid, forms)
  }
  return ids
}

function readRecord(record: Record<string, unknown>, uuid: string, shape: TaskShape, where: string): Draft {
  // Its description is the title; a description of several lines keeps the lines after the first as the body.
  const [title = '', ...rest] = (typeof record.description === 'string' ? record.description.trim() : '').split('\n')
  const draft = blankDraft(uuid, title.trim())
  const body = rest.join('\n').trim()
  if (body) draft.description = `${body}\n`
  draft.attributes[shape.uuidAttribute] = uuid
  draft.key = { attribute: shape.uuidAttribute, value: uuid }
  const status = textOf(record.status) ?? 'pending'
  const meaning = STATUSES[status.toLowerCase()]
  draft.status = statusOf(status, meaning)
  if (meaning === 'open' && textOf(record.start)) draft.status.meaning = 'in_progress'
  if (status === 'recurring') {
    draft.problems.push(
      'a recurring template: imported as an open item that recurs; its instances are items of their own',
    )
  }
  const priority = textOf(record.priority)
  if (priority) draft.priority = priority
  const assignee = shape.assigneeKey ? textOf(record[shape.assigneeKey]) : undefined
  if (assignee) draft.assignee = assignee
  const project = textOf(record.project)
  if (project) draft.attributes.project = project
  draft.tags.push(...textsOf(record.tags))
  draft.depends_on.push(...textsOf(record.depends))
  const template = textOf(record.parent)
  if (template) draft.linked.recurrence_of = [template]
  draft.created = dateOf(record.entry, 'entry', draft)
  draft.started = dateOf(record.start, 'start', draft)
  if (meaning === 'done' || meaning === 'cancelled') draft.closed = dateOf(record.end, 'end', draft)
  draft.due = dateOf(record.due, 'due', draft)
  draft.wait = dateOf(record.wait, 'wait', draft)
  draft.scheduled = dateOf(record.scheduled, 'scheduled', draft)
  draft.until = dateOf(record.until, 'until', draft)
  const recur = textOf(record.recur)
  if (recur && template) {
    // The template recurs here; an instance that recurred too would make each occurrence twice.
    draft.attributes.source_recur = recur
    draft.problems.push(
      `an occurrence of a recurring task: its rule "${recur}" kept as source_recur; only the template recurs here`,
    )
  } else if (recur) draft.recur = recur
  addNotes(record.annotations, { text: 'description', at: 'entry', what: 'annotation' }, where, draft)
  const known = new Set([
    ...READ,
    ...shape.uuidKeys,
    ...shape.derived,
    ...(shape.assigneeKey ? [shape.assigneeKey] : []),
  ])
  keepOthers(record, known, draft)
  return draft
}

/**
 * Drafts of taskwarrior-shaped records, all of one import (an export and its archive segments): ids made from their
 * UUIDs across all of them at once. `where` names a record in messages.
 */
export function readTaskRecords(records: Array<{ value: unknown; where: string }>, shape: TaskShape): SourceRead {
  const rows = records.map(({ value, where }) => {
    const record = recordOf(value, where)
    const uuid = shape.uuidKeys.map((key) => textOf(record[key])).find(Boolean)
    if (uuid === undefined) {
      throw new BacklogError('INVALID_INPUT', `${where} has no "${shape.uuidKeys[0]}". Nothing was written.`)
    }
    return { record, uuid, where }
  })
  const ids = idsFromUuids(
    rows.map((row) => row.uuid),
    shape.prefix,
  )
  const drafts = rows.map(({ record, uuid, where }) => {
    const draft = readRecord(record, uuid, shape, where)
    const [id, ...longer] = ids.get(uuid) ?? []
    if (id) draft.id = id
    if (longer.length) draft.ids = longer
    return draft
  })
  return {
    drafts,
    notes: [`${shape.derived.join(', ')} not imported: computed by ${shape.what}, or from git history here`],
  }
}

/**
 * Reads `task export`: a JSON array, or one JSON object a line.
 *
 * @example
 * readTaskwarrior([{ path: '-', text: '[{"uuid": "5f1c...", "description": "Call Ann", "status": "pending"}]' }])
 */
export function readTaskwarrior(files: SourceFile[]): SourceRead {
  const file = files[0]
  if (!file)
    throw new BacklogError('INVALID_INPUT', 'nothing to read: give the output of `task export`. Nothing was written.')
  const text = file.text.trim()
  const records = text.startsWith('[')
    ? parseJson(text, file.path)
    : parseJsonLines(text, file.path).map((row) => row.value)
  if (!Array.isArray(records)) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${file.path} is not a JSON array of tasks: give the output of \`task export\`. Nothing was written.`,
    )
  }
  return readTaskRecords(
    records.map((value, index) => ({ value, where: `task export task ${index + 1}` })),
    {
      what: 'task export',
      prefix: 'tw',
      uuidKeys: ['uuid'],
      uuidAttribute: 'taskwarrior_uuid',
      derived: ['id', 'urgency', 'modified', 'mask', 'imask'],
    },
  )
}
