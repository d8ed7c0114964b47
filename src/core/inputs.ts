/** The zod input schemas of every use-case, shared by the MCP tools and the CLI: the boundary where input is checked. */

import * as z from 'zod'
import { say, TOOL_WORDS, type Words } from './errors.js'
import { FIELD_ABOUT, type Field, type FieldKind, SETTABLE_FIELDS, type SettableFieldName } from './fields.js'
import {
  attributes,
  dateValue,
  entryList,
  flexibleBoolean,
  formatCount,
  idList,
  idValue,
  itemType,
  LIMITS,
  positiveInt,
  priorityValue,
  recurValue,
  references,
  storable,
  textList,
  title,
  toLf,
} from './input-values.js'

export { LIMITS, textProblem } from './input-values.js'

/** The input schema of each kind of field (core/fields.ts): a new field of a known kind needs nothing here. */
const INPUT_BY_KIND = {
  type: () => itemType,
  status: () => z.string().trim().min(1, 'status must not be empty').pipe(storable(LIMITS.name, false)),
  priority: () => priorityValue,
  name: () => storable(LIMITS.name, false),
  link: () => storable(LIMITS.name, false),
  links: () => textList(undefined, LIMITS.name),
  tags: () => textList(),
  date: () => dateValue,
  recurrence: () => recurValue,
  references: () => references,
  entries: () => entryList(),
  body: () => storable(LIMITS.description, true),
} satisfies Partial<Record<FieldKind, () => z.ZodType>>

type SettableField = Extract<Field, { name: SettableFieldName }>
type FieldShape = {
  [F in SettableField as F['name']]: z.ZodOptional<ReturnType<(typeof INPUT_BY_KIND)[F['kind']]>>
} & { attributes: z.ZodOptional<typeof attributes> }

/**
 * Fields an item can be given on create and update, in file order (core/fields.ts), then the user's own; text fields
 * left empty on update clear the field.
 */
const fieldShape = {
  ...Object.fromEntries(
    SETTABLE_FIELDS.map((field) => [field.name, INPUT_BY_KIND[field.kind as keyof typeof INPUT_BY_KIND]().optional()]),
  ),
  attributes: attributes.optional(),
} as FieldShape

/**
 * What the fields mean, said once: in backlog_create's listing, which backlog_update refers to (a model reads the
 * whole tool list at once).
 */
const describedFieldShape = Object.fromEntries(
  Object.entries(fieldShape).map(([key, schema]) => {
    const help = FIELD_ABOUT[key]
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

/** What `export` selects: what a list selects (filter, statuses, archived...), every match, no counts. */
export const exportInputShape = (({ limit: _limit, counts: _counts, count_by: _countBy, ...rest }) => rest)(
  listInputShape,
)
export const exportInput = z.strictObject(exportInputShape)
export type ExportInput = z.output<typeof exportInput>

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

/** A range of revisions: git's own syntax, which git checks; only what could be read as an option is refused here. */
const rangeValue = z
  .string()
  .trim()
  .max(LIMITS.name)
  .refine(
    (text) => !text.startsWith('-') && /^[^\s\p{Cc}]*$/u.test(text),
    'a range is "<base>..<head>" or one revision',
  )

export const reviewInputShape = {
  range: rangeValue
    .optional()
    .describe(
      "'main..HEAD' (three-dot: from the merge base); one base: to HEAD plus uncommitted edits; '': against main",
    ),
}
export const reviewInput = z.strictObject(reviewInputShape)
export type ReviewInput = z.output<typeof reviewInput>

/** `sync`: a base to merge in as well, e.g. `origin/main`. */
export const syncInput = z.strictObject({
  base: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.name)
    .refine(
      (text) => !text.startsWith('-') && /^[^\s\p{Cc}]*$/u.test(text),
      'a base is a branch or commit name, e.g. origin/main',
    )
    .optional(),
})
export type SyncInput = z.output<typeof syncInput>

/**
 * Items an entry of an activity feed (history without an id) lists: a commit that wrote thousands (an import, `doctor
 * --fix`) shows these and counts the rest in `more_items`, so the feed stays small and quick.
 */
export const FEED_ITEMS = 50

export const historyInputShape = {
  id: idValue.optional().describe('One item (deleted ones too)'),
  agent: storable(LIMITS.name, false).pipe(z.string().min(1)).optional().describe("Only this agent's changes"),
  limit: smallInt(1, 1000).optional().describe('Commits per page (default 20)'),
  after: commitId.optional().describe('The next of the previous page'),
  range: reviewInputShape.range,
}
export const historyInput = z.strictObject(historyInputShape).superRefine((input, ctx) => {
  if (input.range !== undefined && (input.id ?? input.agent ?? input.limit ?? input.after) !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['range'], message: 'range reviews a whole range: give it alone' })
  }
})
export type HistoryInput = z.output<typeof historyInput>

export const restoreInputShape = {
  id: idValue,
  ...agentField,
}
export const restoreInput = z.strictObject(restoreInputShape)
export type RestoreInput = z.output<typeof restoreInput>

export const lintInputShape = {
  strict: flexibleBoolean.optional().describe('Warnings fail too (ok is false when there are any)'),
}
export const lintInput = z.strictObject(lintInputShape)
export type LintInput = z.output<typeof lintInput>

export const briefingInputShape = {
  agent: agentName.optional().describe('Whose session: its own last change marks where "changed since" starts'),
  since: dateValue.optional().describe('Changes since this time instead, e.g. yesterday or 2026-11-23T09:00Z'),
  max_bytes: smallInt(256, 65_536).optional().describe('Size budget in UTF-8 bytes (default 3072)'),
}
export const briefingInput = z.strictObject(briefingInputShape)
export type BriefingInput = z.output<typeof briefingInput>
