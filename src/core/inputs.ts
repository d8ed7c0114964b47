/** The zod input schemas of every use-case, shared by the MCP tools and the CLI: the boundary where input is checked. */

import * as z from 'zod'
import { parseDateInput } from './date-expressions.js'
import { type BacklogError, say, TOOL_WORDS, type Words } from './errors.js'
import { assertValidId } from './ids.js'
import { ITEM_TYPES, isKnownField, normalizePriority, PRIORITIES } from './item.js'
import { describeRecurrenceFormats, parseRecurrence } from './recurrence.js'

/**
 * How much text each kind of input may hold: well below what a transport carries (the stdio server takes messages of
 * up to 10 MB), and small enough that one item never slows every list down.
 */
export const LIMITS = {
  title: 500,
  description: 200_000,
  note: 20_000,
  /** An evidence or blocked-reason entry. */
  entry: 10_000,
  tag: 100,
  /** Tags, dependencies, references, evidence: entries per list. */
  entries: 500,
  /** Assignees, statuses, agent names. */
  name: 200,
  url: 2_000,
  /** All user attributes of one item, as JSON. */
  attributes: 20_000,
  filter: 10_000,
  query: 1_000,
  /** Items in one create call. */
  batch: 1_000,
} as const

/** Control characters YAML cannot hold as written and git refuses (NUL), lone surrogates, and U+FFFE/U+FFFF. */
const UNSTORABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/

function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * Why a text cannot be stored as given, or undefined when it can: too long, or a character git or YAML cannot hold.
 * Multi-line texts (descriptions, notes, evidence) may hold tabs and line breaks; one-line texts may not.
 *
 * @example
 * textProblem('Fix\u0000login', { max: 500, multiline: false }) // 'holds the control character U+0000 at character 4; ...'
 */
export function textProblem(
  value: string,
  { max, multiline }: { max: number; multiline: boolean },
): string | undefined {
  if (value.length > max) return `is ${formatCount(value.length)} characters long; the limit is ${formatCount(max)}`
  const bad = UNSTORABLE.exec(value) ?? (multiline ? null : LINE_BREAK_OR_TAB.exec(value))
  if (!bad) return undefined
  const code = bad[0].codePointAt(0) ?? 0
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  const what =
    code >= 0xd800 && code <= 0xdfff
      ? `a lone surrogate (${hex}), which is not valid Unicode`
      : code === 10 || code === 13
        ? 'a line break'
        : code === 9
          ? 'a tab'
          : `the control character ${hex}`
  return `holds ${what} at character ${bad.index + 1}; ${multiline ? 'text may hold tabs and line breaks, but no other control characters' : 'it must be one line, without control characters'}`
}

/**
 * A string input that can be stored: one line or several, up to `max` characters. Line breaks are kept as LF, the
 * way items are read back (a CRLF file reads as LF too; core/file-bytes.ts), so what is given is what reads back.
 */
function storable(max: number, multiline: boolean) {
  const checked = z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, { max, multiline })
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  return multiline ? checked.transform(toLf) : checked
}

function toLf(text: string): string {
  return text.replaceAll('\r\n', '\n')
}

/** Every entry of a list input checked as one stored text, and the list's length. */
function checkEntries(max: number, multiline: boolean) {
  return (list: string[], ctx: z.RefinementCtx) => {
    if (list.length > LIMITS.entries) {
      ctx.addIssue({
        code: 'custom',
        message: `has ${formatCount(list.length)} entries; the limit is ${LIMITS.entries}`,
      })
    }
    list.forEach((entry, index) => {
      const problem = textProblem(entry, { max, multiline })
      if (problem) ctx.addIssue({ code: 'custom', path: [index], message: problem })
    })
  }
}

/** Clients send lists as arrays, JSON strings or comma-separated text; all mean the same list. */
function toList(value: string | string[]): string[] {
  if (Array.isArray(value)) return value.map((entry) => entry.trim()).filter(Boolean)
  const text = value.trim()
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (Array.isArray(parsed)) return parsed.map((entry) => String(entry).trim()).filter(Boolean)
    } catch {
      // not JSON: read it as comma-separated text below
    }
  }
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
}

/**
 * Free-text entries (evidence, blocked reasons): an array, a JSON array text, or one string that is one entry.
 * Commas belong to the text here ("42 passed, 0 failed"), unlike in lists of tags and ids.
 */
const entryList = (what?: string) => {
  const list = z
    .union([z.array(z.string()), z.string()], { error: 'give a text or an array of texts' })
    .transform((value) => {
      if (typeof value === 'string' && value.trim().startsWith('[')) return toList(value)
      return (Array.isArray(value) ? value : [value]).map((entry) => entry.trim()).filter(Boolean)
    })
    .superRefine(checkEntries(LIMITS.entry, true))
    .transform((list) => list.map(toLf))
  return what ? list.describe(what) : list
}

const textList = (what?: string, max: number = LIMITS.tag) => {
  const list = z
    .union([z.array(z.string()), z.string()])
    .transform(toList)
    .superRefine(checkEntries(max, false))
  return what ? list.describe(what) : list
}

const idValue = z
  .string({ error: (issue) => (issue.input === undefined ? 'id is required' : 'id must be text') })
  .transform((value, ctx) => {
    try {
      return assertValidId(value)
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: (error as Error).message,
        params: { phrase: (error as BacklogError).phrase },
      })
      return z.NEVER
    }
  })
  .describe('Item id, e.g. bl-k3m9x2')

const idList = z
  .union([z.array(z.string()), z.string()], {
    error: (issue) => (issue.input === undefined ? 'id is required' : 'id must be an id or an array of ids'),
  })
  .transform((value, ctx) => {
    const ids = toList(value)
    if (ids.length === 0) ctx.addIssue({ code: 'custom', message: 'give at least one id' })
    for (const id of ids) {
      try {
        assertValidId(id)
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: (error as Error).message,
          params: { phrase: (error as BacklogError).phrase },
        })
      }
    }
    return ids.map((id) => id.trim())
  })

const CHECK_DATE = new Date(2000, 0, 3)

const dateValue = z.string().transform((value, ctx) => {
  const text = value.trim()
  // Checked here so a typo fails at once (whether a word is a date does not depend on the day); the app resolves
  // it with its own clock.
  if (text !== '' && parseDateInput(text, CHECK_DATE) === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a date; use YYYY-MM-DD, today, tomorrow, friday, next friday, eow, eom, in 3 days or now+2h`,
    })
    return z.NEVER
  }
  return text
})

const priorityValue = z.string().transform((value, ctx) => {
  if (value.trim() === '') return ''
  const priority = normalizePriority(value)
  if (!priority) {
    ctx.addIssue({
      code: 'custom',
      message: `priority "${value}" is not one of ${PRIORITIES.join(', ')} (or H, M, L)`,
    })
    return z.NEVER
  }
  return priority
})

const flexibleBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: 'must be true or false' })
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes')

const positiveInt = z
  .union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')], { error: 'must be a whole number' })
  .transform((value) => Number(value))
  .pipe(z.number().int().min(1).max(100_000))

const reference = z.object({
  url: storable(LIMITS.url, false).pipe(z.string().min(1, 'a reference needs a url')),
  title: storable(LIMITS.title, false).optional(),
})

/** References as `[{url, title}]`, plain URLs, or one text of URLs separated by commas or spaces. */
const references = z
  .union([z.array(z.union([z.string(), reference])), z.string()], { error: 'give [{url, title}] or URLs' })
  .transform((value) =>
    (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value).map((entry) =>
      typeof entry === 'string' ? { url: entry } : entry,
    ),
  )
  .superRefine((list, ctx) =>
    checkEntries(LIMITS.url, false)(
      list.map((entry) => entry.url),
      ctx,
    ),
  )

const itemType = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(ITEM_TYPES, { error: `type must be one of ${ITEM_TYPES.join(', ')}` }))

const recurValue = z.string().transform((value, ctx) => {
  const text = value.trim()
  if (text !== '' && parseRecurrence(text) === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a recurrence; use ${describeRecurrenceFormats()}`,
    })
    return z.NEVER
  }
  return text
})

const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/
const MAX_ATTRIBUTE_DEPTH = 8

/** Why an attribute value cannot be stored: text YAML cannot hold, or nesting deeper than anyone writes by hand. */
function attributeValueProblem(value: unknown, depth: number): string | undefined {
  if (depth > MAX_ATTRIBUTE_DEPTH) return `nest deeper than ${MAX_ATTRIBUTE_DEPTH} levels`
  if (typeof value === 'string') {
    const problem = textProblem(value, { max: LIMITS.attributes, multiline: true })
    return problem ? `${JSON.stringify(value.slice(0, 30))} ${problem}` : undefined
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      const problem =
        textProblem(key, { max: LIMITS.name, multiline: false }) ?? attributeValueProblem(entry, depth + 1)
      if (problem) return problem
    }
  }
  return undefined
}

/** User-defined fields: a mapping (or its JSON text) whose keys are not the item's own fields. */
const attributes = z
  .union([z.record(z.string(), z.unknown()), z.string()], {
    error: 'attributes must be a mapping like {"estimate": 3}',
  })
  .transform((value, ctx) => {
    let record: unknown = value
    if (typeof value === 'string') {
      try {
        record = JSON.parse(value)
      } catch {
        record = undefined
      }
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      ctx.addIssue({ code: 'custom', message: 'attributes must be a mapping like {"estimate": 3}' })
      return z.NEVER
    }
    const size = JSON.stringify(record).length
    if (size > LIMITS.attributes) {
      ctx.addIssue({
        code: 'custom',
        message: `are ${formatCount(size)} characters as JSON; the limit is ${formatCount(LIMITS.attributes)}`,
      })
    }
    const problem = attributeValueProblem(record, 0)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
    for (const key of Object.keys(record)) {
      if (isKnownField(key) || key === 'description' || key === 'attributes') {
        ctx.addIssue({
          code: 'custom',
          message: `"${key}" is a field of its own: set it directly, not as an attribute`,
        })
      } else if (!ATTRIBUTE_KEY.test(key)) {
        ctx.addIssue({ code: 'custom', message: `attribute name "${key}" must be letters, digits, "_" or "-"` })
      }
    }
    return record as Record<string, unknown>
  })

const title = z
  .string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be text') })
  .trim()
  .min(1, 'title is required')
  .max(LIMITS.title, `title is longer than ${LIMITS.title} characters; put details in description`)
  .refine((value) => !/[\r\n]/.test(value), 'title must be one line; put details in description')
  .pipe(storable(LIMITS.title, false))

/** Fields an item can be given on create and update; text fields left empty on update clear the field. */
const fieldShape = {
  type: itemType.optional(),
  status: z.string().trim().min(1, 'status must not be empty').pipe(storable(LIMITS.name, false)).optional(),
  description: storable(LIMITS.description, true).optional(),
  parent: storable(LIMITS.name, false).optional(),
  epic: storable(LIMITS.name, false).optional(),
  priority: priorityValue.optional(),
  tags: textList().optional(),
  assignee: storable(LIMITS.name, false).optional(),
  depends_on: textList(undefined, LIMITS.name).optional(),
  due: dateValue.optional(),
  scheduled: dateValue.optional(),
  wait: dateValue.optional(),
  recur: recurValue.optional(),
  until: dateValue.optional(),
  references: references.optional(),
  evidence: entryList().optional(),
  blocked_reason: entryList().optional(),
  attributes: attributes.optional(),
}

/**
 * What the fields mean, said once: in backlog_create's listing, which backlog_update refers to (a model reads the
 * whole tool list at once).
 */
const FIELD_HELP: Partial<Record<keyof typeof fieldShape, string>> = {
  type: 'task (default), epic, folder, artifact or milestone',
  status: 'open (default), in_progress, blocked, done, cancelled (from config)',
  description: 'Markdown body: spec, acceptance criteria',
  priority: 'urgent, high, medium or low',
  assignee: 'Agent or person doing it',
  depends_on: 'Ids that must be done first',
  scheduled: 'Start date',
  wait: 'Hidden from lists until',
  recur: 'Repeat when done: daily, weekly, weekdays, monthly, every 3 days...',
  until: 'Recurrence ends',
  references: 'Links: [{url, title}] or URLs',
  evidence: 'Proof of completion (tests run, PR)',
  blocked_reason: 'Why it is blocked',
  attributes: 'Your own fields, e.g. {"estimate": 3}; null removes one',
}

const describedFieldShape = Object.fromEntries(
  Object.entries(fieldShape).map(([key, schema]) => {
    const help = FIELD_HELP[key as keyof typeof fieldShape]
    return [key, help ? schema.describe(help) : schema]
  }),
) as typeof fieldShape

const agentName = storable(LIMITS.name, false).pipe(z.string().min(1))

/** Every writing tool takes `agent`; backlog_create's listing says what it is, once. */
const agentField = { agent: agentName.optional() }

/** An id, or `#N` for the N-th item of the same create call (1-based), in parent, epic and depends_on of a batch. */
const BATCH_REF = /^#(\d+)$/

export function batchPosition(value: string): number | undefined {
  const match = BATCH_REF.exec(value.trim())
  return match ? Number(match[1]) : undefined
}

const batchItem = z.strictObject({ title, ...fieldShape })
export type BatchItemInput = z.output<typeof batchItem>

export const createInputShape = {
  title: title.optional().describe('One line'),
  ...describedFieldShape,
  items: z
    .array(batchItem)
    .min(1, 'items must hold at least one item')
    .max(LIMITS.batch, `at most ${formatCount(LIMITS.batch)} items per call`)
    .optional()
    .describe(
      'Batch: each takes the fields of a single create; "#N" in parent, epic, depends_on names the N-th. Fields beside items are defaults',
    ),
  duplicate_of: idValue.optional().describe('Copy this item (not its notes, stamps or status); fields given override'),
  agent: agentName.optional().describe("Your name in the commit, on every write tool (default: the client's)"),
}
export const createInput = z.strictObject(createInputShape).superRefine((input, ctx) => {
  if (input.title === undefined && input.items === undefined && input.duplicate_of === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['title'],
      message: 'title is required (or items for a batch, or duplicate_of)',
    })
  }
  if (input.items !== undefined && (input.title !== undefined || input.duplicate_of !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give either items (a batch) or one item (title, duplicate_of), not both' })
  }
})
export type CreateInput = z.output<typeof createInput>

// The names say what these do; backlog_update's description says it once for all of them.
const listEdits = {
  add_tags: textList().optional(),
  remove_tags: textList().optional(),
  add_depends_on: textList(undefined, LIMITS.name).optional(),
  remove_depends_on: textList(undefined, LIMITS.name).optional(),
  add_evidence: entryList().optional(),
  add_blocked_reason: entryList().optional(),
  remove_evidence: entryList().optional(),
  remove_blocked_reason: entryList().optional(),
  add_references: references.optional(),
  remove_references: textList(undefined, LIMITS.url).optional(),
  note: z
    .string()
    .trim()
    .min(1, 'note must not be empty')
    .pipe(storable(LIMITS.note, true))
    .optional()
    .describe('Appends a timestamped note signed with your name'),
  remove_note: z
    .string()
    .trim()
    .min(1, 'remove_note must not be empty')
    .optional()
    .describe('Removes the notes whose text or timestamp is exactly this'),
}

/** The filter language, explained once: in backlog_list's `filter`, which the other tools refer to. */
const filterText = storable(LIMITS.filter, false)

export const updateInputShape = {
  id: idList.optional(),
  filter: filterText
    .optional()
    .describe('Instead of id: every item this filter matches (language: backlog_list filter)'),
  all: flexibleBoolean.optional().describe('true lets an empty filter change every item'),
  claim: flexibleBoolean
    .optional()
    .describe(
      'Take it before working on it: assign to you (or assignee) and start it, atomically. CONFLICT if someone else has it, it is closed, or has open dependencies or children (named in the error)',
    ),
  title: title.optional(),
  ...fieldShape,
  ...listEdits,
  ...agentField,
}
export const updateInput = z.strictObject(updateInputShape).superRefine((input, ctx) => {
  if (input.id === undefined && input.filter === undefined && !input.all) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'id is required (or filter for a bulk change)' })
  }
  if (input.id !== undefined && (input.filter !== undefined || input.all)) {
    ctx.addIssue({ code: 'custom', message: 'give either id or filter, not both' })
  }
  if ((input.filter !== undefined || input.all || (input.id?.length ?? 0) > 1) && input.title !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['title'], message: 'title can only be set on one item at a time' })
  }
  if (input.claim && (input.filter !== undefined || input.all)) {
    ctx.addIssue({ code: 'custom', path: ['claim'], message: 'claim takes ids, not a filter' })
  }
})
export type UpdateInput = z.output<typeof updateInput>

export const getInputShape = { id: idList }
export const getInput = z.strictObject(getInputShape)
export type GetInput = z.output<typeof getInput>

export const deleteInputShape = {
  id: idList,
  ...agentField,
}
export const deleteInput = z.strictObject(deleteInputShape)
export type DeleteInput = z.output<typeof deleteInput>

const SORTS = ['urgency', 'priority', 'due', 'created', 'updated', 'id', 'title'] as const
export type SortOrder = (typeof SORTS)[number]

export const listInputShape = {
  filter: filterText
    .optional()
    .describe(
      'Terms joined by and (default), or, not, parentheses: field:value (status:open, assignee:"Ann Lee"), ' +
        '+tag/-tag, bare words (text). Modifiers: field.is/not/before/after/by/above/below/contains/startswith/' +
        'endswith/in/exists/regex:value. Dates: 2026-05-01, today, friday, eow, now-7d. Virtual tags: READY (can ' +
        'start now: none of started, closed, blocked, waiting, scheduled later; nothing open it depends on or contains), ' +
        'BLOCKED, UNBLOCKED, BLOCKING, ACTIVE, OVERDUE, WAITING, DUE (7 days), TODAY, TOMORROW, WEEK, SCHEDULED, ' +
        'TAGGED, ANNOTATED, OPEN, CLOSED. Other names are your own fields (estimate.gt:3). E.g. "+READY ' +
        'priority.above:low", "(+ACTIVE or +OVERDUE) -BLOCKED"',
    ),
  status: textList('Default: not done, cancelled or waiting; "all" for every status').optional(),
  type: textList().optional(),
  parent: z.string().optional().describe('Only its children'),
  epic: z.string().optional().describe('Items whose epic or parent is this'),
  tags: textList('Items with all of these').optional(),
  assignee: z.string().optional(),
  archived: flexibleBoolean.optional().describe('Include archived items'),
  sort: z
    .enum(SORTS, { error: `sort must be one of ${SORTS.join(', ')}` })
    .optional()
    .describe('Default urgency'),
  limit: positiveInt.optional().describe('Default 50'),
  counts: flexibleBoolean.optional().describe('By status, type, priority, assignee and tag'),
  count_by: textList('More fields to count by').optional(),
}
export const listInput = z.strictObject(listInputShape)
export type ListInput = z.output<typeof listInput>

export const searchInputShape = {
  query: z
    .string({ error: (issue) => (issue.input === undefined ? 'query is required' : 'query must be text') })
    .trim()
    .min(1, 'query must not be empty')
    .pipe(storable(LIMITS.query, false))
    .describe('Words, or an item id'),
  status: textList('Default: every status').optional(),
  type: listInputShape.type,
  tags: listInputShape.tags,
  parent: listInputShape.parent,
  filter: filterText.optional().describe('Only what this matches (language: backlog_list filter)'),
  archived: listInputShape.archived,
  sort: z
    .enum(['relevant', 'recent'], { error: 'sort must be relevant or recent' })
    .optional()
    .describe('recent: newest activity first'),
  limit: positiveInt.optional().describe('Default 20'),
}
export const searchInput = z.strictObject(searchInputShape)
export type SearchInput = z.output<typeof searchInput>

const smallInt = (min: number, max: number) =>
  z
    .union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')], { error: 'must be a whole number' })
    .transform((value) => Number(value))
    .pipe(z.number().int().min(min).max(max))

export const contextInputShape = {
  id: idValue.optional(),
  query: z
    .string()
    .trim()
    .min(1)
    .pipe(storable(LIMITS.query, false))
    .optional()
    .describe('Instead of id: the best search match'),
  max_tokens: smallInt(500, 32_000).optional().describe('Default 4000'),
  depth: smallInt(1, 3).optional().describe('Levels of children, 1-3 (default 1)'),
  include_related: flexibleBoolean.optional().describe('Default true'),
  include_activity: flexibleBoolean.optional().describe('Default true'),
}
export const contextInput = z.strictObject(contextInputShape).superRefine((input, ctx) => {
  if ((input.id === undefined) === (input.query === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'give id or query (one of them)' })
  }
})
export type ContextInput = z.output<typeof contextInput>

const lineNumber = z
  .union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')], { error: 'must be a line number' })
  .transform((value) => Number(value))
  .pipe(z.number().int().min(0))

export const writeResourceInputShape = {
  id: idValue,
  operation: z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value
      try {
        return JSON.parse(value)
      } catch {
        return value
      }
    },
    z.discriminatedUnion(
      'type',
      [
        z.strictObject({
          type: z.literal('str_replace'),
          old_str: z.string().transform(toLf).describe('Must occur exactly once'),
          new_str: storable(LIMITS.description, true),
        }),
        z.strictObject({
          type: z.literal('insert'),
          insert_line: lineNumber.describe('Insert after this line; 0 = top'),
          new_str: storable(LIMITS.description, true),
        }),
        z.strictObject({
          type: z.literal('append'),
          new_str: storable(LIMITS.description, true),
        }),
      ],
      { error: 'operation must be {type: "str_replace" | "insert" | "append", ...}' },
    ),
  ),
  ...agentField,
}
export const writeResourceInput = z.strictObject(writeResourceInputShape)
export type WriteResourceInput = z.output<typeof writeResourceInput>

export const archiveInputShape = {
  older_than_days: smallInt(0, 100_000).optional().describe('Default 30'),
  id: idList.optional().describe('Instead: exactly these closed items'),
  dry_run: flexibleBoolean.optional().describe('Only list what would move'),
  ...agentField,
}
export const archiveInput = z.strictObject(archiveInputShape).superRefine((input, ctx) => {
  if (input.id !== undefined && input.older_than_days !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give either id or older_than_days, not both' })
  }
})
export type ArchiveInput = z.output<typeof archiveInput>

export const unarchiveInputShape = {
  id: idList,
  ...agentField,
}
export const unarchiveInput = z.strictObject(unarchiveInputShape)
export type UnarchiveInput = z.output<typeof unarchiveInput>

/** Field names of other tools that clients send out of habit, and ours. */
const FIELD_HINTS: Record<string, string> = {
  labels: 'tags',
  dependencies: 'depends_on',
  depends: 'depends_on',
  parent_id: 'parent',
  parentTaskId: 'parent',
  epic_id: 'epic',
  content: 'description',
  body: 'description',
  dueDate: 'due',
  due_date: 'due',
  annotation: 'note',
  task_id: 'id',
  ids: 'id',
}

/** `items[1].due` rather than `items.1.due`: the way the caller wrote it. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index ? '.' : ''}${String(key)}`)).join('')
}

/** Turns zod issues into one readable line per problem: `title: title is required`. */
export function describeIssues(error: z.ZodError, words: Words = TOOL_WORDS): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((key) => `unknown field "${key}"${FIELD_HINTS[key] ? ` (use "${FIELD_HINTS[key]}")` : ''}`)
          .join('; ')
      }
      const message = (
        issue.code === 'custom' && issue.params?.phrase ? say(issue.params.phrase, words) : issue.message
      ).replace(/\.$/, '')
      return issue.path.length ? `${formatPath(issue.path)}: ${message}` : message
    })
    .join('; ')
}

const commitId = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{4,40}$/, 'a commit id is 4 to 40 hex digits')
  .describe('A commit id (4 to 40 hex digits)')

export const undoInputShape = {
  id: idValue.optional().describe("The latest change to this item, anyone's"),
  commit: commitId.optional().describe('Exactly this commit'),
  redo: flexibleBoolean.optional().describe('Take back your latest undo'),
  ...agentField,
}
export const undoInput = z.strictObject(undoInputShape).superRefine((input, ctx) => {
  if (input.id !== undefined && input.commit !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give id or commit, not both' })
  }
})
export type UndoInput = z.output<typeof undoInput>

export const historyInputShape = {
  id: idValue.optional().describe('One item (deleted ones too)'),
  agent: storable(LIMITS.name, false).pipe(z.string().min(1)).optional().describe("Only this agent's changes"),
  limit: smallInt(1, 1000).optional().describe('Commits per page (default 20)'),
  after: commitId.optional().describe('The next of the previous page'),
}
export const historyInput = z.strictObject(historyInputShape)
export type HistoryInput = z.output<typeof historyInput>

export const restoreInputShape = {
  id: idValue,
  ...agentField,
}
export const restoreInput = z.strictObject(restoreInputShape)
export type RestoreInput = z.output<typeof restoreInput>
