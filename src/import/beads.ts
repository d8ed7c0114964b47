/**
 * beads: `.beads/issues.jsonl`, one issue a line (id, title, description, status, priority 0-4, issue_type, assignee,
 * labels, dependencies typed blocks / parent-child / related / discovered-from, dates, comments).
 */

import { BacklogError } from '../core/errors.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead } from './draft.js'
import {
  addNotes,
  dateOf,
  keepOthers,
  meaningOf,
  parseJsonLines,
  recordOf,
  statusOf,
  textOf,
  textsOf,
} from './values.js'

const PRIORITIES = ['urgent', 'high', 'medium', 'low', 'low']

const READ = new Set([
  'id',
  'title',
  'description',
  'design',
  'acceptance_criteria',
  'notes',
  'status',
  'priority',
  'issue_type',
  'assignee',
  'labels',
  'dependencies',
  'created_at',
  'updated_at',
  'closed_at',
  'close_reason',
  'external_ref',
  'comments',
])

/** The body: the description, then beads' design, acceptance criteria and notes under their own headings. */
function bodyOf(issue: Record<string, unknown>): string {
  const parts = [textOf(issue.description) ? String(issue.description).trim() : '']
  for (const [key, heading] of [
    ['design', 'Design'],
    ['acceptance_criteria', 'Acceptance Criteria'],
    ['notes', 'Notes'],
  ] as const) {
    const text = typeof issue[key] === 'string' ? (issue[key] as string).trim() : ''
    if (text) parts.push(`## ${heading}\n\n${text}`)
  }
  const body = parts.filter(Boolean).join('\n\n')
  return body ? `${body}\n` : ''
}

function readIssue(issue: Record<string, unknown>, line: number): Draft {
  const id = textOf(issue.id)
  if (id === undefined) {
    throw new BacklogError('INVALID_INPUT', `issues.jsonl line ${line}: the issue has no "id". Nothing was written.`)
  }
  const draft = blankDraft(id, textOf(issue.title) ?? '')
  const status = textOf(issue.status) ?? 'open'
  draft.status = statusOf(status, meaningOf(status))
  if (issue.priority !== undefined && issue.priority !== null) {
    const priority = Number(issue.priority)
    if (Number.isInteger(priority) && PRIORITIES[priority]) {
      draft.priority = PRIORITIES[priority]
      if (priority === 4) draft.problems.push('priority 4 (backlog) read as low: there is no lower priority here')
    } else {
      draft.problems.push(`priority "${String(issue.priority)}" is not 0 to 4; left out`)
    }
  }
  const kind = textOf(issue.issue_type)?.toLowerCase()
  if (kind === 'epic') draft.type = 'epic'
  else if (kind && kind !== 'task') draft.tags.push(kind)
  const assignee = textOf(issue.assignee)
  if (assignee) draft.assignee = assignee
  draft.tags.push(...textsOf(issue.labels))
  for (const entry of Array.isArray(issue.dependencies) ? issue.dependencies : []) {
    const dependency = recordOf(entry, `issues.jsonl line ${line}: a dependency`)
    const from = textOf(dependency.issue_id) ?? id
    const to = textOf(dependency.depends_on_id)
    if (to === undefined || from.toLowerCase() !== id.toLowerCase()) continue
    const type = textOf(dependency.type) ?? 'blocks'
    if (type === 'blocks') draft.depends_on.push(to)
    else if (type === 'parent-child') {
      if (draft.parent && draft.parent !== to) draft.problems.push(`second parent ${to} dropped: one parent here`)
      else draft.parent = to
    } else {
      const key = type.replace(/[^A-Za-z0-9_]+/g, '_')
      draft.linked[key] = [...(draft.linked[key] ?? []), to]
    }
  }
  draft.created = dateOf(issue.created_at, 'created_at', draft)
  draft.closed = dateOf(issue.closed_at, 'closed_at', draft)
  const reason = textOf(issue.close_reason)
  if (reason) draft.evidence.push(reason)
  const ref = textOf(issue.external_ref)
  if (ref) {
    if (/^https?:\/\//i.test(ref)) draft.references.push({ url: ref })
    else draft.attributes.external_ref = ref
  }
  addNotes(
    issue.comments,
    { text: 'text', at: 'created_at', by: (comment) => textOf(comment.author), what: 'comment' },
    `issues.jsonl line ${line}`,
    draft,
  )
  draft.description = bodyOf(issue)
  keepOthers(issue, READ, draft)
  return draft
}

/**
 * Reads beads' issues.jsonl.
 *
 * @example
 * readBeads([{ path: 'issues.jsonl', text: '{"id":"bd-a1","title":"Fix","status":"open","priority":1}\n' }]).drafts[0].priority // 'high'
 */
export function readBeads(files: SourceFile[]): SourceRead {
  const file = files.find((one) => one.path.endsWith('.jsonl')) ?? files[0]
  if (!file) throw new BacklogError('INVALID_INPUT', 'no issues.jsonl to read. Nothing was written.')
  const drafts = parseJsonLines(file.text, file.path).map(({ line, value }) =>
    readIssue(recordOf(value, `${file.path} line ${line}`), line),
  )
  return { drafts, notes: ['updated_at is not imported: here `updated` comes from git history'] }
}
