/** The zod input schemas of every use-case, shared by the MCP tools and the CLI: the boundary where input is checked. */

import { z } from 'zod'
import { parseDateValue } from './dates.js'
import { assertValidId } from './ids.js'
import { ITEM_TYPES, isKnownField, normalizePriority, PRIORITIES } from './item.js'

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

const textList = (what: string) =>
  z
    .union([z.array(z.string()), z.string()])
    .transform(toList)
    .describe(`${what}: an array, or comma-separated text`)

const idValue = z
  .string({ error: (issue) => (issue.input === undefined ? 'id is required' : 'id must be text') })
  .transform((value, ctx) => {
    try {
      return assertValidId(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message })
      return z.NEVER
    }
  })
  .describe('An item id, e.g. bl-k3m9x2 (case-insensitive)')

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
        ctx.addIssue({ code: 'custom', message: (error as Error).message })
      }
    }
    return ids.map((id) => id.trim())
  })

const dateValue = (what: string) =>
  z
    .string()
    .transform((value, ctx) => {
      if (value.trim() === '') return ''
      const date = parseDateValue(value)
      if (date === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${what}: "${value}" is not a date; use YYYY-MM-DD or an ISO date-time`,
        })
        return z.NEVER
      }
      return date
    })
    .describe(`${what} as YYYY-MM-DD or an ISO date-time`)

const priorityValue = z
  .string()
  .transform((value, ctx) => {
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
  .describe('urgent, high, medium or low (H, M, L accepted)')

const flexibleBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: 'must be true or false' })
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes')

const positiveInt = z
  .union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')], { error: 'must be a whole number' })
  .transform((value) => Number(value))
  .pipe(z.number().int().min(1).max(100_000))

const reference = z.object({ url: z.string().min(1, 'a reference needs a url'), title: z.string().optional() })

/** References as `[{url, title}]`, plain URLs, or one text of URLs separated by commas or spaces. */
const references = z
  .union([z.array(z.union([z.string(), reference])), z.string()], { error: 'give [{url, title}] or URLs' })
  .transform((value) =>
    (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value).map((entry) =>
      typeof entry === 'string' ? { url: entry } : entry,
    ),
  )
  .describe('Links: [{url, title}], or URLs')

const itemType = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(ITEM_TYPES, { error: `type must be one of ${ITEM_TYPES.join(', ')}` }))
  .describe('task, epic, folder, artifact or milestone')

const ATTRIBUTE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

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
  .describe('User-defined fields, e.g. {"estimate": 3}; null removes one')

const title = z
  .string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be text') })
  .trim()
  .min(1, 'title is required')
  .max(500, 'title is longer than 500 characters; put details in description')
  .refine((value) => !/[\r\n]/.test(value), 'title must be one line; put details in description')

/** Fields an item can be given on create and update; text fields left empty on update clear the field. */
const fieldShape = {
  type: itemType.optional(),
  status: z
    .string()
    .min(1, 'status must not be empty')
    .optional()
    .describe('A workflow status from config: open, in_progress, blocked, done, cancelled'),
  description: z.string().optional().describe('The markdown body: description, spec, acceptance criteria'),
  parent: z.string().optional().describe('Id of the parent item (epic, folder, milestone or task); "" removes it'),
  epic: z.string().optional().describe('Id of the epic this item belongs to; "" removes it'),
  priority: priorityValue.optional(),
  tags: textList('Tags').optional(),
  assignee: z.string().optional().describe('Who works on it: an agent or a person'),
  depends_on: textList('Ids of items that must be done first').optional(),
  due: dateValue('Due date').optional(),
  scheduled: dateValue('Scheduled start date').optional(),
  wait: dateValue('Hidden from default lists until this date').optional(),
  recur: z.string().optional().describe('Recurrence, e.g. weekly'),
  until: dateValue('End of recurrence').optional(),
  references: references.optional(),
  evidence: textList('Evidence of completion').optional(),
  blocked_reason: textList('Why it is blocked').optional(),
  attributes: attributes.optional(),
}

const agentField = {
  agent: z.string().min(1).optional().describe('Who is acting, recorded in the commit (defaults to the MCP client)'),
}

export const createInputShape = {
  title: title.describe('Short title of the item, one line'),
  ...fieldShape,
  ...agentField,
}
export const createInput = z.strictObject(createInputShape)
export type CreateInput = z.output<typeof createInput>

export const updateInputShape = {
  id: idValue,
  title: title.optional(),
  ...fieldShape,
  add_tags: textList('Tags to add').optional(),
  remove_tags: textList('Tags to remove').optional(),
  note: z
    .string()
    .trim()
    .min(1, 'note must not be empty')
    .optional()
    .describe('Appends a timestamped note with your name'),
  ...agentField,
}
export const updateInput = z.strictObject(updateInputShape)
export type UpdateInput = z.output<typeof updateInput>

export const getInputShape = {
  id: idList.describe('One id or an array of ids'),
}
export const getInput = z.strictObject(getInputShape)
export type GetInput = z.output<typeof getInput>

export const deleteInputShape = {
  id: idList.describe('One id or an array of ids to delete'),
  ...agentField,
}
export const deleteInput = z.strictObject(deleteInputShape)
export type DeleteInput = z.output<typeof deleteInput>

export const listInputShape = {
  status: textList(
    'Statuses to include (default: all but done and cancelled, and not waiting; "all" for every status)',
  ).optional(),
  type: textList('Types to include').optional(),
  parent: z.string().optional().describe('Only children of this item'),
  epic: z.string().optional().describe('Only items of this epic'),
  tags: textList('Only items with all of these tags').optional(),
  assignee: z.string().optional().describe('Only items assigned to this agent or person'),
  limit: positiveInt.optional().describe('At most this many rows (default 50)'),
  counts: flexibleBoolean.optional().describe('Also return counts by status and type'),
}
export const listInput = z.strictObject(listInputShape)
export type ListInput = z.output<typeof listInput>

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

/** Turns zod issues into one readable line per problem: `title: title is required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((key) => `unknown field "${key}"${FIELD_HINTS[key] ? ` (use "${FIELD_HINTS[key]}")` : ''}`)
          .join('; ')
      }
      const message = issue.message.replace(/\.$/, '')
      return issue.path.length ? `${issue.path.join('.')}: ${message}` : message
    })
    .join('; ')
}
