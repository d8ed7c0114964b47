/**
 * Backlog.md: its `backlog/` folder. Tasks are `tasks/task-N - Title.md` (and `drafts/`, `completed/`,
 * `archive/tasks/`) with frontmatter id, title, status, assignee, labels, dependencies, parent_task_id, priority,
 * milestone, created_date, updated_date; the body holds sections (Description, Acceptance Criteria, Implementation
 * Plan, Implementation Notes, Final Summary) between `<!-- SECTION:...:BEGIN -->` markers. `config.yml` names the
 * statuses; `milestones/m-N - name.md` the milestones.
 */

import jsYaml from 'js-yaml'
import { BacklogError } from '../core/errors.js'
import { blankDraft, type Draft, type SourceFile, type SourceRead, type StatusMeaning } from './draft.js'
import { dateOf, keepOthers, meaningOf, slugOf, splitFrontmatter, statusOf, textOf, textsOf } from './values.js'

const READ = new Set([
  'id',
  'title',
  'status',
  'assignee',
  'labels',
  'dependencies',
  'parent_task_id',
  'parent',
  'priority',
  'milestone',
  'created_date',
  'updated_date',
  'references',
  'documentation',
  'subtasks',
  'ordinal',
  'due_date',
  'dueDate',
  'type',
])

interface Config {
  statuses: string[]
  prefix: string
}

function readConfig(file: SourceFile | undefined): Config {
  const config: Config = { statuses: ['To Do', 'In Progress', 'Done'], prefix: 'task' }
  if (!file) return config
  let data: unknown
  try {
    data = jsYaml.load(file.text, { schema: jsYaml.CORE_SCHEMA })
  } catch (error) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${file.path} is not valid YAML: ${(error as Error).message}. Nothing was written.`,
    )
  }
  const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>
  const statuses = textsOf(record.statuses)
  if (statuses.length) config.statuses = statuses
  const prefix = textOf(record.task_prefix) ?? textOf((record.prefixes as Record<string, unknown> | undefined)?.task)
  if (prefix) config.prefix = prefix
  return config
}

/** What each of Backlog.md's statuses means: the common words, else the first is open and the last done. */
function meaningsOf(config: Config): Map<string, StatusMeaning> {
  const meanings = new Map<string, StatusMeaning>()
  config.statuses.forEach((status, index) => {
    const meaning =
      meaningOf(status) ?? (index === 0 ? 'open' : index === config.statuses.length - 1 ? 'done' : undefined)
    if (meaning) meanings.set(status.toLowerCase(), meaning)
  })
  return meanings
}

const MARKER = /^\s*<!--\s*(SECTION:[A-Z_]+|AC|DOD):(BEGIN|END)\s*-->\s*$/

/** One `## Heading` section of the body, the text under it without Backlog.md's markers. */
interface Section {
  heading: string
  text: string
}

/**
 * The body in `## ` sections. A heading inside a marked section (`<!-- SECTION:PLAN:BEGIN -->`) belongs to that
 * section's text: Backlog.md writes plans that start with their own `## Implementation Plan`.
 */
function sectionsOf(body: string): { lead: string; sections: Section[] } {
  const sections: Section[] = []
  const lead: string[] = []
  let current: { heading: string; lines: string[] } | undefined
  let inside = false
  for (const line of body.split('\n')) {
    const marker = MARKER.exec(line)
    if (marker) {
      inside = marker[2] === 'BEGIN'
      continue
    }
    if (!inside && line.startsWith('## ')) {
      if (current) sections.push({ heading: current.heading, text: current.lines.join('\n').trim() })
      current = { heading: line.slice(3).trim(), lines: [] }
      continue
    }
    if (current) current.lines.push(line)
    else lead.push(line)
  }
  if (current) sections.push({ heading: current.heading, text: current.lines.join('\n').trim() })
  return { lead: lead.join('\n').trim(), sections }
}

/** A dependency as written (`task-3`, `3`, `TASK-3`): bare numbers get the configured prefix. */
function dependencyId(value: string, prefix: string): string {
  return /^\d+(\.\d+)*$/.test(value) ? `${prefix}-${value}` : value
}

function milestoneKey(name: string): string {
  return name.trim().toLowerCase()
}

/** The id a Backlog.md file names: its frontmatter `id`, else the start of its file name (`task-12 - Title.md`). */
function fileId(path: string, data: Record<string, unknown>): string | undefined {
  const written = textOf(data.id)
  if (written) return written
  const name = path.slice(path.lastIndexOf('/') + 1)
  return /^([^\s]+) - /.exec(name)?.[1]
}

function readTask(
  file: SourceFile,
  config: Config,
  meanings: Map<string, StatusMeaning>,
  milestones: Map<string, Draft>,
): Draft | undefined {
  const { data, body } = splitFrontmatter(file.text, file.path)
  if (!data) return undefined
  const id = fileId(file.path, data)
  if (!id) throw new BacklogError('INVALID_INPUT', `${file.path}: no "id" in the frontmatter. Nothing was written.`)
  const draft = blankDraft(id, textOf(data.title) ?? '')
  const status = textOf(data.status) ?? config.statuses[0] ?? 'To Do'
  const meaning = meanings.get(status.toLowerCase()) ?? meaningOf(status)
  draft.status = statusOf(status, meaning)
  const folder = file.path.split('/').slice(0, -1).join('/')
  if (/(^|\/)drafts$/.test(folder)) draft.tags.push('draft')
  if (/(^|\/)(completed|archive\/tasks)$/.test(folder)) {
    draft.archived = true
    if (meaning !== 'done' && meaning !== 'cancelled') {
      draft.status = { name: status, meaning: 'cancelled' }
      draft.problems.push(`archived in Backlog.md with status "${status}": imported as cancelled, into the archive`)
    }
  }
  const assignees = textsOf(data.assignee).map((name) => name.replace(/^@/, ''))
  if (assignees[0]) draft.assignee = assignees[0]
  if (assignees.length > 1) draft.problems.push(`assignees ${assignees.slice(1).join(', ')} dropped: one assignee here`)
  const reporter = textOf(data.reporter)
  if (reporter) draft.attributes.reporter = reporter.replace(/^@/, '')
  draft.tags.push(...textsOf(data.labels))
  draft.depends_on.push(...textsOf(data.dependencies).map((dep) => dependencyId(dep, config.prefix)))
  const parent = textOf(data.parent_task_id) ?? textOf(data.parent)
  if (parent) draft.parent = dependencyId(parent, config.prefix)
  const priority = textOf(data.priority)
  if (priority) draft.priority = priority
  const type = textOf(data.type)
  if (type && type !== 'task') draft.tags.push(type)
  const milestone = textOf(data.milestone)
  if (milestone) {
    const key = milestoneKey(milestone)
    let found = milestones.get(key)
    if (!found) {
      found = blankDraft(`milestone:${key}`, milestone)
      found.id = `m-${slugOf(milestone, 40) || 'milestone'}`
      found.type = 'milestone'
      milestones.set(key, found)
    }
    if (draft.parent)
      draft.problems.push(`milestone "${milestone}" dropped: the item already has parent ${draft.parent}`)
    else draft.parent = found.sourceId
  }
  draft.created = dateOf(data.created_date, 'created_date', draft)
  const updated = dateOf(data.updated_date, 'updated_date', draft)
  if (meaning === 'done' || meaning === 'cancelled' || draft.status.meaning === 'cancelled') {
    // Backlog.md keeps no close date; its last update is the nearest there is.
    draft.closed = updated ?? draft.created
  }
  draft.due = dateOf(data.due_date ?? data.dueDate, 'due_date', draft)
  for (const url of textsOf(data.references)) draft.references.push({ url })
  for (const url of textsOf(data.documentation)) draft.references.push({ url, title: 'documentation' })
  const { lead, sections } = sectionsOf(body)
  const kept: string[] = lead ? [lead] : []
  for (const section of sections) {
    const name = section.heading.toLowerCase().replace(/\s*\(optional\)$/, '')
    if (name === 'implementation notes' || name === 'notes & comments' || name === 'notes') {
      const at = updated ?? draft.created
      if (section.text && at) {
        draft.notes.push({ at, ...(draft.assignee ? { by: draft.assignee } : {}), text: section.text })
        continue
      }
    }
    if (name === 'final summary' && section.text) {
      draft.evidence.push(section.text)
      continue
    }
    if (name === 'description') {
      if (section.text) kept.push(section.text)
      continue
    }
    // Backlog.md writes plans that repeat their heading inside the marked text.
    const text = section.text.startsWith(`## ${section.heading}\n`)
      ? section.text.slice(section.heading.length + 4).trim()
      : section.text
    kept.push(text ? `## ${section.heading}\n\n${text}` : `## ${section.heading}`)
  }
  draft.description = kept.length ? `${kept.join('\n\n')}\n` : ''
  keepOthers(data, new Set([...READ, 'reporter']), draft)
  return draft
}

function readMilestone(file: SourceFile, milestones: Map<string, Draft>): void {
  const { data, body } = splitFrontmatter(file.text, file.path)
  if (!data) return
  const id = fileId(file.path, data)
  const title = textOf(data.title) ?? id
  if (!id || !title) return
  const draft = blankDraft(`milestone:${milestoneKey(title)}`, title)
  draft.id = id
  draft.type = 'milestone'
  const { lead, sections } = sectionsOf(body)
  const text = [
    lead,
    ...sections.map((section) =>
      section.heading.toLowerCase() === 'description' ? section.text : `## ${section.heading}\n\n${section.text}`,
    ),
  ]
    .filter(Boolean)
    .join('\n\n')
  draft.description = text ? `${text}\n` : ''
  draft.due = dateOf(data.due_date ?? data.dueDate, 'due_date', draft)
  milestones.set(milestoneKey(title), draft)
  // Tasks name a milestone by its title or by its id.
  milestones.set(milestoneKey(id), draft)
}

/**
 * Reads the files of a Backlog.md folder (paths relative to it: `tasks/task-1 - Title.md`, `config.yml`...).
 *
 * @example
 * readBacklogMd([{ path: 'tasks/task-1 - Fix.md', text: '---\nid: task-1\ntitle: Fix\nstatus: To Do\n---\n' }])
 */
export function readBacklogMd(files: SourceFile[]): SourceRead {
  const config = readConfig(files.find((file) => /(^|\/)config\.yml$/.test(file.path)))
  const meanings = meaningsOf(config)
  const milestones = new Map<string, Draft>()
  for (const file of files) if (/(^|\/)milestones\/[^/]+\.md$/.test(file.path)) readMilestone(file, milestones)
  const drafts: Draft[] = []
  let skipped = 0
  for (const file of files) {
    if (!/(^|\/)(tasks|drafts|completed|archive\/tasks)\/[^/]+\.md$/.test(file.path)) continue
    const draft = readTask(file, config, meanings, milestones)
    if (draft) drafts.push(draft)
    else skipped++
  }
  if (drafts.length === 0 && files.length > 0 && !files.some((file) => /(^|\/)tasks\//.test(file.path))) {
    throw new BacklogError(
      'INVALID_INPUT',
      'no tasks/ folder here: name the Backlog.md folder (backlog/) or the project that holds it. Nothing was written.',
    )
  }
  const notes = [
    'updated_date, ordinal and subtasks are not imported: here `updated` comes from git history, and children name their parent',
  ]
  if (skipped) notes.push(`${skipped} file(s) without frontmatter under tasks/ skipped`)
  if (files.some((file) => /(^|\/)(docs|decisions)\//.test(file.path))) {
    notes.push('docs/ and decisions/ are not imported: add them as artifact items if you want them here')
  }
  const unique = [...new Set(milestones.values())]
  return { drafts: [...unique, ...drafts], notes }
}
