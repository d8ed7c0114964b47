/**
 * Another git-backlog repository: the JSON `git backlog export` prints (`{"items": [...]}`, every field of each item),
 * so a backlog can be moved or copied into another repository with its ids, links, notes and dates. `path` and
 * `updated` are where and when the item was there, not fields of it.
 */

import { BacklogError } from '../core/errors.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead } from './draft.js'
import { dateOf, meaningOf, parseJson, recordOf, statusOf, textOf, textsOf } from './values.js'

const HOW = 'give the output of `git backlog export --all --archived --format json`'

const DATES = ['due', 'scheduled', 'wait', 'until', 'created', 'started', 'closed'] as const

/** The entries of a list field: texts, kept as written (evidence and blocked reasons may hold commas). */
function entriesOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.flatMap((entry) => (typeof entry === 'string' && entry.trim() ? [entry] : []))
    : []
}

function readItem(item: Record<string, unknown>, where: string): Draft {
  const id = textOf(item.id)
  if (id === undefined) throw new BacklogError('INVALID_INPUT', `${where} has no "id": ${HOW}. Nothing was written.`)
  const draft = blankDraft(id, typeof item.title === 'string' ? item.title : '')
  // Written by `git backlog export`: a field is there when the item has it, and nothing else is.
  draft.type = textOf(item.type) ?? 'task'
  const status = textOf(item.status) ?? 'open'
  draft.status = statusOf(status, meaningOf(status))
  for (const key of ['priority', 'assignee', 'parent', 'epic', 'recur'] as const) {
    const value = textOf(item[key])
    if (value !== undefined) draft[key] = value
  }
  draft.tags = textsOf(item.tags)
  draft.depends_on = textsOf(item.depends_on)
  for (const key of DATES) draft[key] = dateOf(item[key], key, draft)
  for (const entry of Array.isArray(item.references) ? item.references : []) {
    const reference = recordOf(entry, `${where}: a reference`)
    const url = textOf(reference.url)
    const title = textOf(reference.title)
    if (url) draft.references.push({ url, ...(title ? { title } : {}) })
    else draft.problems.push('a reference without a url dropped')
  }
  draft.evidence = entriesOf(item.evidence)
  draft.blocked_reason = entriesOf(item.blocked_reason)
  for (const entry of Array.isArray(item.notes) ? item.notes : []) {
    const note = recordOf(entry, `${where}: a note`)
    const at = dateOf(note.at, 'note at', draft)
    const by = textOf(note.by)
    if (at && typeof note.text === 'string') draft.notes.push({ at, ...(by ? { by } : {}), text: note.text })
    else draft.problems.push(`a note without ${at ? 'text' : 'a date'} dropped`)
  }
  if (item.attributes !== undefined) Object.assign(draft.attributes, recordOf(item.attributes, `${where}: attributes`))
  draft.description = typeof item.description === 'string' ? item.description : ''
  if (item.archived === true) draft.archived = true
  // Links are kept as they are: an item of the export without a parent has none here either.
  draft.exact = true
  return draft
}

/**
 * Reads the JSON of `git backlog export` (an object with `items`, or the array itself).
 *
 * @example
 * readGitBacklog([{ path: '-', text: '{"items": [{"id": "bl-k3m9x2", "title": "Fix", "status": "open"}]}' }]).drafts[0].id
 */
export function readGitBacklog(files: SourceFile[]): SourceRead {
  const file = files[0]
  if (!file) throw new BacklogError('INVALID_INPUT', `nothing to read: ${HOW}. Nothing was written.`)
  const data = parseJson(file.text, file.path)
  const items = Array.isArray(data) ? data : (data as { items?: unknown } | null)?.items
  if (!Array.isArray(items)) {
    throw new BacklogError('INVALID_INPUT', `${file.path} is not {"items": [...]}: ${HOW}. Nothing was written.`)
  }
  return {
    drafts: items.map((entry, index) => readItem(recordOf(entry, `item ${index + 1}`), `item ${index + 1}`)),
    notes: ['path and updated are not imported: here they come from the repository and its git history'],
  }
}
