/**
 * backlog-mcp (gkoreli): one markdown file per entity, `TASK-0001.md`, `EPIC-0002.md`..., flat in `tasks/` or in
 * type folders, with frontmatter id, title, type, status, epic_id, parent_id, blocked_reason, evidence, references,
 * due_date, created_at, updated_at; the body is the description.
 */

import { ITEM_TYPES } from '../core/item.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead } from './draft.js'
import { dateOf, keepOthers, meaningOf, recordOf, splitFrontmatter, statusOf, textOf, textsOf } from './values.js'

const READ = new Set([
  'id',
  'title',
  'type',
  'status',
  'epic_id',
  'parent_id',
  'blocked_reason',
  'evidence',
  'references',
  'due_date',
  'created_at',
  'updated_at',
])

function readEntity(file: SourceFile): Draft | undefined {
  const { data, body } = splitFrontmatter(file.text, file.path)
  const id = data ? textOf(data.id) : undefined
  if (!data || !id) return undefined
  const draft = blankDraft(id, textOf(data.title) ?? '')
  const type = textOf(data.type)?.toLowerCase() ?? 'task'
  if ((ITEM_TYPES as readonly string[]).includes(type)) draft.type = type
  else {
    draft.attributes.source_type = type
    draft.problems.push(
      `type "${type}" is not an item type here: imported as a task${type === 'cron' ? ' (schedule and command kept as attributes; nothing runs them here)' : ''}`,
    )
  }
  const status = textOf(data.status) ?? 'open'
  const meaning = meaningOf(status)
  draft.status = statusOf(status, meaning)
  const parent = textOf(data.parent_id)
  const epic = textOf(data.epic_id)
  if (parent) draft.parent = parent
  if (epic) {
    draft.epic = epic
    draft.parent ??= epic
  }
  draft.blocked_reason.push(
    ...(Array.isArray(data.blocked_reason)
      ? textsOf(data.blocked_reason)
      : [textOf(data.blocked_reason) ?? ''].filter(Boolean)),
  )
  draft.evidence.push(...(Array.isArray(data.evidence) ? data.evidence.flatMap((entry) => textOf(entry) ?? []) : []))
  for (const entry of Array.isArray(data.references) ? data.references : []) {
    if (typeof entry === 'string') {
      draft.references.push({ url: entry })
      continue
    }
    const reference = recordOf(entry, `${file.path}: a reference`)
    const url = textOf(reference.url)
    const title = textOf(reference.title)
    if (url) draft.references.push({ url, ...(title ? { title } : {}) })
  }
  draft.created = dateOf(data.created_at, 'created_at', draft)
  if (meaning === 'done' || meaning === 'cancelled') {
    // backlog-mcp keeps no close date; its last update is the nearest there is.
    draft.closed = dateOf(data.updated_at, 'updated_at', draft)
  }
  draft.due = dateOf(data.due_date, 'due_date', draft)
  // The body is the description here: a heading saying so at its top would repeat it.
  draft.description = body
    .replace(/^\s*#{1,6}[ \t]+Description[ \t]*#*[ \t]*(?:\n|$)/i, '')
    .replace(/^\n+/, '')
    .trimEnd()
  if (draft.description) draft.description += '\n'
  keepOthers(data, READ, draft)
  return draft
}

/**
 * Reads backlog-mcp's markdown files (any folder layout); files without an `id` in their frontmatter are skipped.
 *
 * @example
 * readBacklogMcp([{ path: 'tasks/TASK-0001.md', text: '---\nid: TASK-0001\ntitle: Fix\nstatus: open\n---\n' }])
 */
export function readBacklogMcp(files: SourceFile[]): SourceRead {
  const drafts: Draft[] = []
  let skipped = 0
  for (const file of files) {
    if (!file.path.endsWith('.md')) continue
    const draft = readEntity(file)
    if (draft) drafts.push(draft)
    else skipped++
  }
  const notes = ['updated_at is not imported: here `updated` comes from git history']
  if (skipped) notes.push(`${skipped} markdown file(s) without an id in their frontmatter skipped`)
  return { drafts, notes }
}
