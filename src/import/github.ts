/**
 * GitHub issues as `gh issue list --json <GH_FIELDS>` prints them: a JSON array. Issue 42 becomes gh-42; each milestone
 * becomes a milestone item the issues sit under; an issue closed as not planned (`stateReason`) is cancelled.
 */

import { BacklogError } from '../core/errors.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead } from './draft.js'
import { addNotes, dateOf, keepOthers, parseJson, recordOf, slugOf, textOf } from './values.js'

const READ = new Set([
  'number',
  'title',
  'body',
  'state',
  'stateReason',
  'labels',
  'assignees',
  'milestone',
  'createdAt',
  'updatedAt',
  'closedAt',
  'comments',
  'url',
  'id',
])

/** The fields to ask `gh issue list --json` for: `stateReason` tells an issue closed as not planned from a done one. */
export const GH_FIELDS =
  'number,title,body,state,stateReason,labels,assignees,milestone,createdAt,updatedAt,closedAt,comments,url'

/** The command whose output the reader takes, as the help, the docs and the errors give it. */
export const GH_COMMAND = `gh issue list --state all --limit 10000 --json ${GH_FIELDS}`

const HOW = `give the output of \`${GH_COMMAND}\` (an older gh that does not know stateReason: leave that field out)`

/** A login from gh's `{login, name}` shape (or a plain text). */
function loginOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') return textOf((value as Record<string, unknown>).login)
  return textOf(value)
}

function milestoneDraft(milestone: Record<string, unknown>, issue: Draft): Draft | undefined {
  const title = textOf(milestone.title)
  if (!title) return undefined
  const number = textOf(milestone.number)
  const draft = blankDraft(`milestone:${title}`, title)
  draft.id = number ? `gh-milestone-${number}` : `gh-milestone-${slugOf(title, 40) || 'untitled'}`
  draft.type = 'milestone'
  const state = textOf(milestone.state)
  if (state) draft.status = { name: state, meaning: state.toLowerCase() === 'closed' ? 'done' : 'open' }
  draft.due = dateOf(milestone.dueOn, 'milestone dueOn', issue)
  const about = textOf(milestone.description)
  if (about) draft.description = `${about}\n`
  if (number) draft.attributes.github_milestone = Number(number)
  return draft
}

function readIssue(issue: Record<string, unknown>, index: number, milestones: Map<string, Draft>): Draft {
  const number = textOf(issue.number)
  if (number === undefined || !/^\d+$/.test(number)) {
    throw new BacklogError('INVALID_INPUT', `issue ${index + 1} has no "number": ${HOW}. Nothing was written.`)
  }
  const draft = blankDraft(`#${number}`, textOf(issue.title) ?? '')
  draft.id = `gh-${number}`
  draft.attributes.github_issue = Number(number)
  const state = textOf(issue.state) ?? 'OPEN'
  const reason = textOf(issue.stateReason)?.toUpperCase()
  const closed = state.toUpperCase() === 'CLOSED'
  draft.status = {
    name: state.toLowerCase(),
    meaning: closed ? (reason === 'NOT_PLANNED' ? 'cancelled' : 'done') : 'open',
  }
  for (const label of Array.isArray(issue.labels) ? issue.labels : []) {
    const name = label && typeof label === 'object' ? textOf((label as Record<string, unknown>).name) : textOf(label)
    if (name) draft.tags.push(name)
  }
  const assignees = (Array.isArray(issue.assignees) ? issue.assignees : []).flatMap((one) => loginOf(one) ?? [])
  if (assignees[0]) draft.assignee = assignees[0]
  if (assignees.length > 1) {
    draft.problems.push(`assignees ${assignees.slice(1).join(', ')} dropped: one assignee here`)
  }
  if (issue.milestone && typeof issue.milestone === 'object') {
    const found = milestoneDraft(issue.milestone as Record<string, unknown>, draft)
    if (found) {
      if (!milestones.has(found.sourceId)) milestones.set(found.sourceId, found)
      draft.parent = found.sourceId
    }
  }
  draft.created = dateOf(issue.createdAt, 'createdAt', draft)
  draft.closed = dateOf(issue.closedAt, 'closedAt', draft)
  const url = textOf(issue.url)
  if (url) draft.references.push({ url, title: `GitHub issue #${number}` })
  addNotes(
    issue.comments,
    { text: 'body', at: 'createdAt', by: (comment) => loginOf(comment.author), what: 'comment' },
    `issue #${number}`,
    draft,
  )
  const body = typeof issue.body === 'string' ? issue.body.replaceAll('\r\n', '\n').trim() : ''
  draft.description = body ? `${body}\n` : ''
  keepOthers(issue, READ, draft)
  return draft
}

/**
 * Reads the JSON array `gh issue list --json ...` prints.
 *
 * @example
 * readGithub([{ path: '-', text: '[{"number": 7, "title": "Crash", "state": "OPEN"}]' }]).drafts[0].id // 'gh-7'
 */
export function readGithub(files: SourceFile[]): SourceRead {
  const file = files[0]
  if (!file) throw new BacklogError('INVALID_INPUT', `no issues to read: ${HOW}. Nothing was written.`)
  const data = parseJson(file.text, file.path)
  if (!Array.isArray(data)) {
    throw new BacklogError('INVALID_INPUT', `${file.path} is not a JSON array of issues: ${HOW}. Nothing was written.`)
  }
  const milestones = new Map<string, Draft>()
  const issues = data.map((entry, index) => readIssue(recordOf(entry, `issue ${index + 1}`), index, milestones))
  return {
    drafts: [...milestones.values(), ...issues],
    notes: ['updatedAt is not imported: here `updated` comes from git history'],
  }
}
