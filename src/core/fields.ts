/**
 * The item's fields, listed once: name, kind, place, how a filter compares it, whether a list row shows it, its CLI
 * flag and what it means. Everything else that names fields is derived from this table: the codec's key order and
 * scalar set (core/item.ts, core/codec.ts), the filter's field sets, aliases and getters (query/filter/syntax.ts, compile.ts), the date fields that
 * updates resolve (core/mutations.ts), the input schemas (core/inputs.ts), the output schemas and the TS types of an
 * item and a list row (here, used by mcp/schemas.ts and app/), the CLI flags (cli/options.ts), and the check that
 * the docs name every field (test/docs/fields.test.ts).
 *
 * Adding a field of an existing kind is one line in FIELDS (in the place where it goes in the file). From that line
 * alone: the codec reads and writes it in that place, `field:value` filters it, create and update take it (schema
 * from its kind), `--flag` sets it, the list row and the outputs carry it, and the docs test asks for it in the docs.
 * Only blankItem (core/item.ts) is written out by hand, for speed; src/core/fields.test.ts fails until it has the
 * field, and shows the rest following from one line.
 */

import * as z from 'zod'

/**
 * What a field holds. The kind decides the input schema (core/inputs.ts), the output schema (VALUES below) and the
 * CLI flag's shape (repeatable for lists).
 */
export type FieldKind =
  /** The item's own id. */
  | 'id'
  /** One line of text, required. */
  | 'title'
  /** One of ITEM_TYPES. */
  | 'type'
  /** A word of the config's statuses. */
  | 'status'
  | 'priority'
  /** One line naming an agent or a person. */
  | 'name'
  /** An item id (parent, epic). */
  | 'link'
  /** A list of item ids. */
  | 'links'
  | 'tags'
  /** A date the user sets. */
  | 'date'
  /** A date the app stamps (created, started, closed): not an input. */
  | 'stamp'
  | 'recurrence'
  | 'references'
  /** A list of free texts, commas included (evidence, blocked reasons). */
  | 'entries'
  | 'notes'
  /** The user's own frontmatter keys. */
  | 'attributes'
  /** The markdown body. */
  | 'body'
  /** Derived, never stored: a flag, a number. */
  | 'flag'
  | 'score'

/**
 * How `field:value` compares a field: as text (is, contains, regex, before as text or number...), as dates (spans of
 * days: before, after, by), as a list (some entry matches), as a number; false when it cannot be filtered on.
 */
export type FilterAs = 'text' | 'date' | 'list' | 'number' | false

/**
 * Where a field lives: in the frontmatter (in table order), the body, the user's keys, or derived by the app (from
 * history, the dependency graph, the archive): shown, never written.
 */
export type FieldPlace = 'frontmatter' | 'body' | 'attributes' | 'derived'

export interface FieldSpec {
  readonly name: string
  readonly kind: FieldKind
  readonly place: FieldPlace
  readonly filter: FilterAs
  /** In a list row: always (the identity), when set, or not at all. */
  readonly row: 'always' | 'set' | false
  /** The CLI flag that sets it and its help line; a field with a flag is one that create and update take. */
  readonly flag?: readonly [flags: string, help: string]
  /** What it means, said once in backlog_create's listing (which backlog_update refers to). */
  readonly about?: string
  /** Another name a filter takes for it (`tag:bug`). */
  readonly alias?: string
}

const DATE_HELP = 'YYYY-MM-DD or words: today, tomorrow, friday, eow, eom, "in 3 days"'

/**
 * The fields, frontmatter ones in canonical file order. Keys often changed together sit apart so plain line merges of
 * different fields stay clean (docs/adr/0004-frontmatter-codec.md).
 */
export const FIELDS = [
  { name: 'id', kind: 'id', place: 'frontmatter', filter: 'text', row: 'always' },
  { name: 'title', kind: 'title', place: 'frontmatter', filter: 'text', row: 'always' },
  {
    name: 'type',
    kind: 'type',
    place: 'frontmatter',
    filter: 'text',
    row: 'always',
    flag: ['-t, --type <type>', 'item type'],
    about: 'task (default), epic, folder, artifact or milestone',
  },
  {
    name: 'status',
    kind: 'status',
    place: 'frontmatter',
    filter: 'text',
    row: 'always',
    flag: ['-s, --status <status>', 'workflow status (open, in_progress, blocked, done, cancelled)'],
    about: 'open (default), in_progress, blocked, done, cancelled (from config)',
  },
  {
    name: 'priority',
    kind: 'priority',
    place: 'frontmatter',
    filter: 'text',
    row: 'set',
    flag: ['-p, --priority <priority>', 'urgent, high, medium, low (or H, M, L)'],
    about: 'urgent, high, medium or low',
  },
  {
    name: 'assignee',
    kind: 'name',
    place: 'frontmatter',
    filter: 'text',
    row: 'set',
    flag: ['-a, --assignee <who>', 'agent or person working on it'],
    about: 'Agent or person doing it',
  },
  {
    name: 'parent',
    kind: 'link',
    place: 'frontmatter',
    filter: 'text',
    row: 'set',
    flag: ['--parent <id>', 'parent item (epic, folder, milestone or task)'],
  },
  {
    name: 'epic',
    kind: 'link',
    place: 'frontmatter',
    filter: 'text',
    row: 'set',
    flag: ['--epic <id>', 'epic this item belongs to'],
  },
  {
    name: 'tags',
    kind: 'tags',
    place: 'frontmatter',
    filter: 'list',
    alias: 'tag',
    row: 'set',
    flag: ['--tag <tag>', 'a tag (repeat for more); replaces the tags on update'],
  },
  {
    name: 'depends_on',
    kind: 'links',
    place: 'frontmatter',
    filter: 'list',
    alias: 'depends',
    row: 'set',
    flag: ['--depends-on <id>', 'an item that must be done first (repeat for more)'],
    about: 'Ids that must be done first',
  },
  {
    name: 'due',
    kind: 'date',
    place: 'frontmatter',
    filter: 'date',
    row: 'set',
    flag: ['--due <date>', `due date: ${DATE_HELP}`],
  },
  {
    name: 'scheduled',
    kind: 'date',
    place: 'frontmatter',
    filter: 'date',
    row: false,
    flag: ['--scheduled <date>', `scheduled start: ${DATE_HELP}`],
    about: 'Start date',
  },
  {
    name: 'wait',
    kind: 'date',
    place: 'frontmatter',
    filter: 'date',
    row: false,
    flag: ['--wait <date>', `hide from default lists until: ${DATE_HELP}`],
    about: 'Hidden from lists until',
  },
  {
    name: 'recur',
    kind: 'recurrence',
    place: 'frontmatter',
    filter: 'text',
    row: false,
    flag: ['--recur <rule>', 'repeat when done: daily, weekly, monthly, yearly, weekdays, "every 3 days", 2w'],
    about: 'Repeat when done: daily, weekly, weekdays, monthly, every 3 days...',
  },
  {
    name: 'until',
    kind: 'date',
    place: 'frontmatter',
    filter: 'date',
    row: false,
    flag: ['--until <date>', `last date of the recurrence: ${DATE_HELP}`],
    about: 'Recurrence ends',
  },
  {
    name: 'references',
    kind: 'references',
    place: 'frontmatter',
    filter: 'list',
    row: false,
    flag: ['--ref <url>', 'a reference link (repeat for more)'],
    about: 'Links: [{url, title}] or URLs',
  },
  {
    name: 'evidence',
    kind: 'entries',
    place: 'frontmatter',
    filter: 'list',
    row: false,
    flag: ['--evidence <text>', 'evidence of completion (repeat for more)'],
    about: 'Proof of completion (tests run, PR)',
  },
  {
    name: 'blocked_reason',
    kind: 'entries',
    place: 'frontmatter',
    filter: 'list',
    row: false,
    flag: ['--blocked-reason <text>', 'why it is blocked (repeat for more)'],
    about: 'Why it is blocked',
  },
  { name: 'created', kind: 'stamp', place: 'frontmatter', filter: 'date', row: false },
  { name: 'started', kind: 'stamp', place: 'frontmatter', filter: 'date', row: false },
  { name: 'closed', kind: 'stamp', place: 'frontmatter', filter: 'date', row: false },
  // Written after the user's own keys (core/codec.ts): notes grow at the end of the frontmatter.
  { name: 'notes', kind: 'notes', place: 'frontmatter', filter: 'list', row: false },
  /** User-defined frontmatter keys, in file order: kept, filterable (by their own names), never dropped. */
  {
    name: 'attributes',
    kind: 'attributes',
    place: 'attributes',
    filter: false,
    row: false,
    about: 'Your own fields, e.g. {"estimate": 3}; null removes one',
  },
  /** The markdown body with the blank line after the frontmatter removed. */
  {
    name: 'description',
    kind: 'body',
    place: 'body',
    filter: 'text',
    row: false,
    flag: ['-d, --description <text>', 'markdown body (use - to read it from standard input)'],
    about: 'Markdown body: spec, acceptance criteria',
  },
  /** True while a dependency is not done. */
  { name: 'blocked', kind: 'flag', place: 'derived', filter: false, row: 'set' },
  { name: 'urgency', kind: 'score', place: 'derived', filter: 'number', row: 'set' },
  { name: 'archived', kind: 'flag', place: 'derived', filter: false, row: 'set' },
  /** When the item last changed (from git history, or the file's time for an edit not yet committed). */
  { name: 'updated', kind: 'stamp', place: 'derived', filter: 'date', row: 'set' },
] as const satisfies readonly FieldSpec[]

export type Field = (typeof FIELDS)[number]
type Named<F> = F extends { name: infer N } ? N : never

/** A key of the frontmatter that the item owns (every other key is a user attribute). */
export type FieldName = Named<Extract<Field, { place: 'frontmatter' }>>
/** Kinds of one optional value, absent rather than empty. */
const SCALAR_KIND_LIST = ['priority', 'name', 'link', 'date', 'stamp', 'recurrence'] as const
/** Kinds of a list of strings. */
const STRING_LIST_KIND_LIST = ['tags', 'links', 'entries'] as const

/** An optional one-value frontmatter field: absent rather than empty. */
export type ScalarFieldName = Named<Extract<Field, { place: 'frontmatter'; kind: (typeof SCALAR_KIND_LIST)[number] }>>
/** A frontmatter field holding a list of strings. */
export type StringListFieldName = Named<
  Extract<Field, { place: 'frontmatter'; kind: (typeof STRING_LIST_KIND_LIST)[number] }>
>
/** A field create and update take: the ones with a CLI flag. */
export type SettableFieldName = Named<Extract<Field, { flag: readonly [string, string] }>>

const SCALAR_KINDS: ReadonlySet<FieldKind> = new Set(SCALAR_KIND_LIST)
const STRING_LIST_KINDS: ReadonlySet<FieldKind> = new Set(STRING_LIST_KIND_LIST)
/** Kinds that hold a list: their CLI flag is repeated for more entries. */
export const LIST_KINDS: ReadonlySet<FieldKind> = new Set(['tags', 'links', 'entries', 'references', 'notes'])

/**
 * The name lists the rest of the code reads, derived from a table of fields (FIELDS, or FIELDS with one more line in
 * a test): what follows from adding one line.
 *
 * @example
 * fieldSets(FIELDS).order // ['id', 'title', 'type', 'status', 'priority', ...]
 */
export function fieldSets(table: readonly FieldSpec[]) {
  const names = (test: (field: FieldSpec) => boolean) => table.filter(test).map((field) => field.name)
  const filtered = (as: FilterAs) => names((field) => field.filter === as)
  return {
    /** Canonical frontmatter order. */
    order: names((field) => field.place === 'frontmatter'),
    /** Optional one-value frontmatter fields: absent rather than empty. */
    scalars: names((field) => field.place === 'frontmatter' && SCALAR_KINDS.has(field.kind)),
    /** Frontmatter fields holding a list of strings. */
    stringLists: names((field) => field.place === 'frontmatter' && STRING_LIST_KINDS.has(field.kind)),
    /** Dates the user sets, resolved from words (`friday`) to a day when written. */
    userDates: names((field) => field.kind === 'date'),
    /** What create and update take (and the CLI sets with a flag). */
    settable: names((field) => field.flag !== undefined),
    /** In a list row. */
    row: names((field) => field.row !== false),
    /** What `field:value` knows, by how it compares; `storedDates` leaves out the dates the app derives. */
    filter: {
      text: filtered('text'),
      date: filtered('date'),
      storedDates: names((field) => field.filter === 'date' && field.place !== 'derived'),
      list: filtered('list'),
      number: filtered('number'),
    },
  }
}

const SETS = fieldSets(FIELDS)

export const FIELD_ORDER = SETS.order as readonly FieldName[]
export const SCALAR_FIELDS = SETS.scalars as readonly ScalarFieldName[]
export const STRING_LIST_FIELDS = SETS.stringLists as readonly StringListFieldName[]
export const USER_DATE_FIELDS = SETS.userDates as readonly ScalarFieldName[]
/** Lists of words or ids, where a hand-written `tags: a, b` means two entries (free-text entries keep their commas). */
export const COMMA_LIST_FIELDS: ReadonlySet<string> = new Set(
  (FIELDS as readonly FieldSpec[]).flatMap((field) =>
    field.kind === 'tags' || field.kind === 'links' ? [field.name] : [],
  ),
)
/** How the filter compares each field it knows (query/filter/syntax.ts). */
export const FILTER_FIELDS = SETS.filter
/** The other names a filter takes for fields: `tag` for tags. */
export const FILTER_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  (FIELDS as readonly FieldSpec[]).flatMap((field) => (field.alias ? [[field.alias, field.name]] : [])),
)

/** The fields create and update take, in table order, with their CLI flags. */
export const SETTABLE_FIELDS = (FIELDS as readonly FieldSpec[]).filter(
  (field): field is FieldSpec & { name: SettableFieldName; flag: readonly [string, string] } =>
    field.flag !== undefined,
)
const OWN_KEYS: ReadonlySet<string> = new Set(
  (FIELDS as readonly FieldSpec[]).flatMap((field) => (field.place === 'derived' ? [] : [field.name])),
)

/** True for a name the item holds itself (a frontmatter field, `description`, `attributes`): not a user attribute. */
export function isOwnField(key: string): boolean {
  return OWN_KEYS.has(key)
}

/** What each field means, for the fields that say it in backlog_create's listing. */
export const FIELD_ABOUT: Readonly<Record<string, string>> = Object.fromEntries(
  (FIELDS as readonly FieldSpec[]).flatMap((field) => (field.about ? [[field.name, field.about]] : [])),
)

// ---------------------------------------------------------------------------------------------------------------
// Output schemas, and the TS types inferred from them so the two cannot drift apart

const referenceValue = () => z.object({ url: z.string(), title: z.string().optional() })
const noteValue = () => z.object({ at: z.string(), by: z.string().optional(), text: z.string() })
export const referenceSchema = referenceValue()
export const noteSchema = noteValue()

/** The value of each kind as the app holds it; a new schema each call, so that no JSON Schema turns into a $ref. */
const VALUES = {
  id: () => z.string(),
  title: () => z.string(),
  type: () => z.string(),
  status: () => z.string(),
  priority: () => z.string().optional(),
  name: () => z.string().optional(),
  link: () => z.string().optional(),
  links: () => z.array(z.string()),
  tags: () => z.array(z.string()),
  date: () => z.string().optional(),
  stamp: () => z.string().optional(),
  recurrence: () => z.string().optional(),
  references: () => z.array(referenceValue()),
  entries: () => z.array(z.string()),
  notes: () => z.array(noteValue()),
  attributes: () => z.record(z.string(), z.unknown()),
  body: () => z.string(),
  flag: () => z.boolean().optional(),
  score: () => z.number().optional(),
} satisfies Record<FieldKind, () => z.ZodType>

type ValueOf<K extends FieldKind> = ReturnType<(typeof VALUES)[K]>
type Unwrapped<T> = T extends z.ZodOptional<infer Inner> ? Inner : T

type ItemShape = { [F in Exclude<Field, { place: 'derived' }> as F['name']]: ValueOf<F['kind']> }
type RowShape = {
  [F in Extract<Field, { row: 'always' | 'set' }> as F['name']]: F['row'] extends 'always'
    ? ValueOf<F['kind']>
    : z.ZodOptional<Unwrapped<ValueOf<F['kind']>>>
}

function shapeOf(test: (field: FieldSpec) => boolean, value: (field: FieldSpec) => z.ZodType) {
  return Object.fromEntries((FIELDS as readonly FieldSpec[]).filter(test).map((field) => [field.name, value(field)]))
}

function rowValue(field: FieldSpec): z.ZodType {
  const value = VALUES[field.kind]()
  return field.row === 'always' || value instanceof z.ZodOptional ? value : value.optional()
}

/** An item as the app sees it. Optional scalars are absent rather than empty; lists are always present. */
export const itemSchema = z.object(
  shapeOf(
    (field) => field.place !== 'derived',
    (field) => VALUES[field.kind](),
  ) as ItemShape,
)

/**
 * One line of a list: enough to choose an item, without its body. Lists are left out when empty. Only backlog_list
 * carries its schema (mcp/schemas.ts); other tools' rows refer to it.
 */
export const rowSchema = z.object(shapeOf((field) => field.row !== false, rowValue) as RowShape)

/**
 * What backlog_get's schema says of an item: the fields always present (identity, lists, attributes, body). Its
 * other fields (priority, due, started...) are strings when set, said in the tool's description, not in bytes here.
 */
export const itemOutputShape = shapeOf(
  (field) => field.place !== 'derived' && !(VALUES[field.kind]() instanceof z.ZodOptional),
  (field) => VALUES[field.kind](),
) as { [K in keyof ItemShape as ItemShape[K] extends z.ZodOptional ? never : K]: ItemShape[K] }

/** What every row and item has: id, title, type, status. */
export const identityShape = shapeOf(
  (field) => field.row === 'always',
  (field) => VALUES[field.kind](),
) as { [K in keyof RowShape as RowShape[K] extends z.ZodOptional ? never : K]: RowShape[K] }

export type Item = z.infer<typeof itemSchema>
export type ItemRow = z.infer<typeof rowSchema>
export type Reference = z.infer<typeof referenceSchema>
export type Note = z.infer<typeof noteSchema>

const STORED_ROW_FIELDS = (FIELDS as readonly FieldSpec[])
  .filter((field) => field.row !== false && field.place !== 'derived')
  .map((field) => ({ name: field.name as keyof Item & keyof ItemRow, always: field.row === 'always' }))

/**
 * The row of an item, from its own fields: identity always, the others when set (lists when not empty). The app adds
 * what it derives (blocked, urgency, archived, updated).
 *
 * @example
 * itemRow({ ...blankItem('bl-x', 'T'), due: '2026-12-01' }) // { id: 'bl-x', title: 'T', type: 'task', status: 'open', due: '2026-12-01' }
 */
export function itemRow(item: Item): ItemRow {
  const row: Record<string, unknown> = {}
  for (const { name, always } of STORED_ROW_FIELDS) {
    const value = item[name]
    if (always || (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0))) {
      row[name] = value
    }
  }
  return row as ItemRow
}

/** An item as backlog_get and `show` return it: where it is, and whether archived. */
export type ItemDetail = Item & {
  path: string
  archived: boolean
  /** When the item last changed: the newest commit that changed it, or the file's time for an uncommitted edit. */
  updated?: string
}
