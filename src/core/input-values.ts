/**
 * The value schemas that input schemas are built of: stored texts with their limits, lists in the forms clients send,
 * ids, dates, priorities, recurrences, references, attributes. core/inputs.ts puts them together per use-case.
 */

import * as z from 'zod'
import { parseDateInput } from './date-expressions.js'
import type { BacklogError } from './errors.js'
import { isOwnField } from './fields.js'
import { assertValidId } from './ids.js'
import { ITEM_TYPES, normalizePriority, PRIORITIES } from './item.js'
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
const EVERY_UNSTORABLE = new RegExp(UNSTORABLE.source, 'g')

/** `text` without what a stored text refuses (see `UNSTORABLE`): for an import, which makes a text fit instead. */
export function withoutUnstorable(text: string): string {
  return text.replace(EVERY_UNSTORABLE, '')
}

export function formatCount(count: number): string {
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
export function storable(max: number, multiline: boolean) {
  const checked = z.string().superRefine((value, ctx) => {
    const problem = textProblem(value, { max, multiline })
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })
  return multiline ? checked.transform(toLf) : checked
}

export function toLf(text: string): string {
  return text.replaceAll('\r\n', '\n')
}

/** Every entry of a list input checked as one stored text, and the list's length. */
export function checkEntries(max: number, multiline: boolean) {
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
export function toList(value: string | string[]): string[] {
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
export const entryList = (what?: string) => {
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

export const textList = (what?: string, max: number = LIMITS.tag) => {
  const list = z
    .union([z.array(z.string()), z.string()])
    .transform(toList)
    .superRefine(checkEntries(max, false))
  return what ? list.describe(what) : list
}

export const idValue = z
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

export const idList = z
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

export const dateValue = z.string().transform((value, ctx) => {
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

export const priorityValue = z.string().transform((value, ctx) => {
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

export const flexibleBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])], { error: 'must be true or false' })
  .transform((value) => value === true || value === 'true' || value === '1' || value === 'yes')

export const positiveInt = z
  .union([z.number(), z.string().regex(/^\d+$/, 'must be a whole number')], { error: 'must be a whole number' })
  .transform((value) => Number(value))
  .pipe(z.number().int().min(1).max(100_000))

export const reference = z.object({
  url: storable(LIMITS.url, false).pipe(z.string().min(1, 'a reference needs a url')),
  title: storable(LIMITS.title, false).optional(),
})

/** References as `[{url, title}]`, plain URLs, or one text of URLs separated by commas or spaces. */
export const references = z
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

export const itemType = z
  .string()
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.enum(ITEM_TYPES, { error: `type must be one of ${ITEM_TYPES.join(', ')}` }))

export const recurValue = z.string().transform((value, ctx) => {
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

/** Whether `key` can name an attribute of an item. */
export function isAttributeKey(key: string): boolean {
  return ATTRIBUTE_KEY.test(key)
}
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
export const attributes = z
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
      if (isOwnField(key)) {
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

export const title = z
  .string({ error: (issue) => (issue.input === undefined ? 'title is required' : 'title must be text') })
  .trim()
  .min(1, 'title is required')
  .max(LIMITS.title, `title is longer than ${LIMITS.title} characters; put details in description`)
  .refine((value) => !/[\r\n]/.test(value), 'title must be one line; put details in description')
  .pipe(storable(LIMITS.title, false))
