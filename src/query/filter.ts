/**
 * The filter language of `backlog_list`, bulk `backlog_update` and the CLI: taskwarrior-style terms (`status:open`,
 * `due.before:friday`, `+bug`, `-BLOCKED`, bare words for text) joined by `and`, `or`, `not` and parentheses. Parsing
 * and compiling are separate so a filter is checked once and its dates, regexes and lower-cased values are prepared
 * once, not per item.
 */

import type { BacklogConfig } from '../core/config.js'
import { type ResolvedDate, resolveDateExpression, storedDateRange } from '../core/date-expressions.js'
import { BacklogError } from '../core/errors.js'
import { ITEM_TYPES, type Item, normalizePriority, PRIORITIES } from '../core/item.js'

/** Comparison of a field term, after aliases: `due.before:` is `lt`, `due.by:` is `lte`, `assignee.has:` is `contains`. */
export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'gt'
  | 'lte'
  | 'gte'
  | 'contains'
  | 'startswith'
  | 'endswith'
  | 'in'
  | 'exists'
  | 'regex'

/** Tags computed from an item rather than stored in it: `+READY`, `-BLOCKED`. */
export const VIRTUAL_TAGS = [
  'READY',
  'BLOCKED',
  'UNBLOCKED',
  'BLOCKING',
  'ACTIVE',
  'OVERDUE',
  'WAITING',
  'TAGGED',
  'ANNOTATED',
  'TODAY',
  'TOMORROW',
  'WEEK',
  'DUE',
  'SCHEDULED',
  'OPEN',
  'CLOSED',
  'PENDING',
  'COMPLETED',
] as const
/** A virtual tag name in upper case; `+ready` and `+READY` both parse to 'READY'. */
export type VirtualTag = (typeof VIRTUAL_TAGS)[number]

/** A parsed filter. `source` and `column` (1-based) point back into the filter text for error messages. */
export type FilterNode =
  | { kind: 'and'; nodes: FilterNode[] }
  | { kind: 'or'; nodes: FilterNode[] }
  | { kind: 'not'; node: FilterNode }
  | {
      kind: 'field'
      /** A known field in lower case (`status`, `depends_on`), or a user attribute's path as written (`meta.owner`). */
      field: string
      /** True for a user attribute: a key of `item.attributes`, dots descending into nested mappings. */
      attribute: boolean
      operator: FilterOperator
      /** The value as written, unquoted; `exists` takes `true` or `false`, `in` a comma list. */
      value: string
      source: string
      column: number
      /** Set on the `id` test read from a whole filter that looks like an id (`follow-up` may just be a word). */
      implicit?: boolean
    }
  | { kind: 'tag'; tag: string }
  | { kind: 'virtual'; tag: VirtualTag }
  /** Bare words; `phrase` when they were quoted as one. */
  | { kind: 'text'; words: string; phrase: boolean }

type FieldNode = Extract<FilterNode, { kind: 'field' }>

/** What a compiled filter needs from the app: the clock, the config and the dependency graph. */
export interface FilterEnv {
  now: Date
  config: BacklogConfig
  /** True while the item has a dependency that is not closed (or names a missing item). */
  hasOpenDependency(item: Item): boolean
  /** True when an item that is not closed depends on this one. */
  isBlocking(item: Item): boolean
  /** True when an item that is not closed has this one as its parent or epic: an epic with open tasks is not READY. */
  hasOpenChildren?(item: Item): boolean
  /** Full-text test for bare words, e.g. from a search index; when absent every word must occur (case-insensitive substring) in title, description, notes text, tags, evidence or blocked_reason. */
  text?(words: string): (item: Item) => boolean
  urgency?(item: Item): number
  /** When the item last changed (ISO), derived from history; filters on `updated` need it. */
  updated?(item: Item): string | undefined
}

const MODIFIERS: Record<string, FilterOperator> = {
  is: 'eq',
  eq: 'eq',
  equals: 'eq',
  not: 'ne',
  ne: 'ne',
  isnt: 'ne',
  before: 'lt',
  below: 'lt',
  under: 'lt',
  lt: 'lt',
  after: 'gt',
  above: 'gt',
  over: 'gt',
  gt: 'gt',
  by: 'lte',
  lte: 'lte',
  gte: 'gte',
  contains: 'contains',
  has: 'contains',
  startswith: 'startswith',
  starts: 'startswith',
  left: 'startswith',
  endswith: 'endswith',
  ends: 'endswith',
  right: 'endswith',
  in: 'in',
  exists: 'exists',
  regex: 'regex',
  match: 'regex',
}

const FIELD_ALIASES: Record<string, string> = { tag: 'tags', depends: 'depends_on' }
const SCALAR_FIELDS = [
  'id',
  'title',
  'description',
  'type',
  'status',
  'priority',
  'assignee',
  'parent',
  'epic',
  'recur',
] as const
const DATE_FIELDS = ['due', 'scheduled', 'wait', 'until', 'created', 'started', 'closed'] as const
const LIST_FIELDS = ['tags', 'depends_on', 'evidence', 'blocked_reason', 'notes', 'references'] as const
const KNOWN_FIELDS: ReadonlySet<string> = new Set<string>([
  ...SCALAR_FIELDS,
  ...DATE_FIELDS,
  ...LIST_FIELDS,
  'urgency',
  'updated',
])
const DATE_FIELD_SET: ReadonlySet<string> = new Set<string>(DATE_FIELDS)
const LIST_FIELD_SET: ReadonlySet<string> = new Set<string>(LIST_FIELDS)

/** Operators that compare dates when the field holds dates. */
const DATE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['eq', 'ne', 'lt', 'gt', 'lte', 'gte', 'in'])
const ORDER_OPERATORS: ReadonlySet<FilterOperator> = new Set(['lt', 'gt', 'lte', 'gte'])

/** A whole filter that is just an item id (`bl-k3m9x2`, `TASK-12`) means that item (or the word, as text). */
const ITEM_ID = /^[A-Za-z][A-Za-z0-9]*-[0-9A-Za-z]+$/
const FIELD_NAME = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*$/
const NUMBER = /^\s*-?(?:\d+\.?\d*|\.\d+)\s*$/
const MAX_REGEX_LENGTH = 200
/** Dates in a filter are checked at parse time against this fixed day; compiling resolves them against env.now. */
const CHECK_DATE = new Date(2000, 0, 1)
const PRIORITY_RANK: Record<string, number> = { urgent: 4, high: 3, medium: 2, low: 1, none: 0 }

function invalid(message: string, column?: number): BacklogError {
  return new BacklogError('INVALID_INPUT', `filter: ${message}`, column === undefined ? undefined : { column })
}

/** At most 30 characters of source text, for error messages. */
function excerpt(text: string): string {
  return text.length > 30 ? `${text.slice(0, 30)}…` : text
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

interface WordToken {
  kind: 'word'
  column: number
  raw: string
  /** The text before the first colon, when the word is a `field:value` term. */
  key?: string
  /** The value after the colon, or the whole word; unquoted and unescaped. */
  value: string
  quoted: boolean
  /** Column where the value starts (after the colon). */
  valueColumn: number
}

type Token = { kind: 'open' | 'close' | 'bang'; column: number; raw: string } | WordToken

const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char)
const isQuote = (char: string | undefined) => char === '"' || char === "'"

/** Reads a quoted string starting at `start`; `\"` (or `\'`) and `\\` are escapes, other backslashes stay (regexes). */
function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start]
  let value = ''
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index]
    const next = text[index + 1]
    if (char === '\\' && (next === quote || next === '\\')) {
      value += next
      index++
    } else if (char === quote) {
      return { value, end: index + 1 }
    } else {
      value += char
    }
  }
  throw invalid(`unterminated quote at column ${start + 1}: ${excerpt(text.slice(start))}`, start + 1)
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < text.length) {
    const char = text[index] as string
    if (isSpace(char)) {
      index++
      continue
    }
    const column = index + 1
    if (char === '(' || char === ')' || char === '!') {
      tokens.push({ kind: char === '(' ? 'open' : char === ')' ? 'close' : 'bang', column, raw: char })
      index++
      continue
    }
    if (isQuote(char)) {
      const quoted = readQuoted(text, index)
      tokens.push({
        kind: 'word',
        column,
        raw: text.slice(index, quoted.end),
        value: quoted.value,
        quoted: true,
        valueColumn: column,
      })
      index = quoted.end
      continue
    }
    const start = index
    while (index < text.length && !isSpace(text[index]) && !'():'.includes(text[index] as string)) index++
    if (text[index] !== ':') {
      const word = text.slice(start, index)
      tokens.push({ kind: 'word', column, raw: word, value: word, quoted: false, valueColumn: column })
      continue
    }
    const key = text.slice(start, index)
    index++
    const valueColumn = index + 1
    let value: string
    let quoted = false
    if (isQuote(text[index])) {
      const read = readQuoted(text, index)
      value = read.value
      quoted = true
      index = read.end
    } else {
      // A value may hold balanced parentheses (`title.regex:(a|b)`); an unbalanced `)` closes a group.
      const valueStart = index
      let depth = 0
      for (; index < text.length && !isSpace(text[index]); index++) {
        if (text[index] === '(') depth++
        else if (text[index] === ')') {
          if (depth === 0) break
          depth--
        }
      }
      value = text.slice(valueStart, index)
    }
    tokens.push({ kind: 'word', column, raw: text.slice(start, index), key, value, quoted, valueColumn })
  }
  return tokens
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

function keywordOf(token: Token | undefined): 'and' | 'or' | 'not' | undefined {
  if (token?.kind !== 'word' || token.quoted || token.key !== undefined) return undefined
  const word = token.value.toLowerCase()
  return word === 'and' || word === 'or' || word === 'not' ? word : undefined
}

function isVirtualTag(name: string): name is VirtualTag {
  return (VIRTUAL_TAGS as readonly string[]).includes(name)
}

/** Parentheses and negations inside one another: deeper than anyone writes, and the parser's stack stays bounded. */
const MAX_DEPTH = 64

class Parser {
  private index = 0
  private depth = 0
  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
  ) {}

  parse(): FilterNode {
    const node = this.parseOr()
    const rest = this.tokens[this.index]
    if (rest) throw invalid(`unmatched ")" at column ${rest.column}`, rest.column)
    return node
  }

  private peek(): Token | undefined {
    return this.tokens[this.index]
  }

  /** Fails unless a term can start at the current token; `after` names what came before it. */
  private expectTerm(after: string, column: number): void {
    const next = this.peek()
    if (!next || next.kind === 'close' || keywordOf(next) === 'or' || keywordOf(next) === 'and') {
      const where = next ? next.column : this.text.length + 1
      throw invalid(`expected a term after "${after}" at column ${where}`, column)
    }
  }

  private parseOr(): FilterNode {
    const nodes = [this.parseAnd()]
    while (keywordOf(this.peek()) === 'or') {
      const token = this.peek() as Token
      this.index++
      this.expectTerm(token.raw, token.column)
      nodes.push(this.parseAnd())
    }
    return nodes.length === 1 ? (nodes[0] as FilterNode) : { kind: 'or', nodes }
  }

  private parseAnd(): FilterNode {
    const nodes: FilterNode[] = []
    let joinable = false
    for (let token = this.peek(); token && token.kind !== 'close'; token = this.peek()) {
      const keyword = keywordOf(token)
      if (keyword === 'or') break
      if (keyword === 'and') {
        if (nodes.length === 0)
          throw invalid(`expected a term before "${token.raw}" at column ${token.column}`, token.column)
        this.index++
        this.expectTerm(token.raw, token.column)
        joinable = false
        continue
      }
      const node = this.parseUnary()
      const previous = nodes[nodes.length - 1]
      // Consecutive bare words are one text term: `fix login` is a search for both words, not two searches.
      if (joinable && previous?.kind === 'text' && !previous.phrase && node.kind === 'text' && !node.phrase) {
        nodes[nodes.length - 1] = { kind: 'text', words: `${previous.words} ${node.words}`, phrase: false }
      } else {
        nodes.push(node)
      }
      joinable = true
    }
    if (nodes.length === 0) {
      const token = this.peek()
      if (token?.kind === 'close') throw invalid(`unmatched ")" at column ${token.column}`, token.column)
      const column = token ? token.column : this.text.length + 1
      throw invalid(`expected a term${token ? ` before "${token.raw}"` : ''} at column ${column}`, column)
    }
    return nodes.length === 1 ? (nodes[0] as FilterNode) : { kind: 'and', nodes }
  }

  private parseUnary(): FilterNode {
    const token = this.peek() as Token
    if (++this.depth > MAX_DEPTH) {
      throw invalid(
        `the filter nests parentheses and negations more than ${MAX_DEPTH} deep (at column ${token.column}); write it flatter`,
        token.column,
      )
    }
    try {
      if (token.kind === 'bang' || keywordOf(token) === 'not') {
        this.index++
        this.expectTerm(token.raw, token.column)
        return { kind: 'not', node: this.parseUnary() }
      }
      return this.parsePrimary()
    } finally {
      this.depth--
    }
  }

  private parsePrimary(): FilterNode {
    const token = this.peek() as Token
    this.index++
    if (token.kind === 'open') {
      if (this.peek()?.kind === 'close') throw invalid(`empty parentheses at column ${token.column}`, token.column)
      if (!this.peek()) throw invalid(`unmatched "(" at column ${token.column}`, token.column)
      const node = this.parseOr()
      if (this.peek()?.kind !== 'close') throw invalid(`unmatched "(" at column ${token.column}`, token.column)
      this.index++
      return node
    }
    if (token.kind !== 'word') throw invalid(`unmatched ")" at column ${token.column}`, token.column)
    return parseWord(token, this.tokens[this.index])
  }
}

function parseWord(token: WordToken, next: Token | undefined): FilterNode {
  if (token.key !== undefined) return parseFieldTerm(token, next)
  if (token.quoted) return { kind: 'text', words: token.value, phrase: true }
  const sign = token.value[0]
  if ((sign === '+' || sign === '-') && token.value.length > 1) {
    const name = token.value.slice(1)
    const upper = name.toUpperCase()
    const node: FilterNode = isVirtualTag(upper) ? { kind: 'virtual', tag: upper } : { kind: 'tag', tag: name }
    return sign === '+' ? node : { kind: 'not', node }
  }
  return { kind: 'text', words: token.value, phrase: false }
}

function parseFieldTerm(token: WordToken, next: Token | undefined): FieldNode {
  const key = token.key as string
  const source = token.raw
  if (key === '') throw invalid(`expected a field name before ":" at column ${token.column}`, token.column)
  if (!FIELD_NAME.test(key)) {
    throw invalid(
      `"${key}" is not a field name in "${excerpt(source)}" at column ${token.column} (quote text that holds a colon: "${excerpt(source)}")`,
      token.column,
    )
  }
  const parts = key.split('.')
  const head = (parts[0] as string).toLowerCase()
  const known = FIELD_ALIASES[head] ?? head
  let field: string
  let attribute = false
  let operator: FilterOperator = 'eq'
  if (KNOWN_FIELDS.has(known)) {
    field = known
    if (parts.length > 2 || (parts.length === 2 && !MODIFIERS[(parts[1] as string).toLowerCase()])) {
      const modifier = parts.slice(1).join('.')
      throw invalid(
        `unknown modifier "${modifier}" in "${excerpt(source)}" at column ${token.column} (one of ${Object.keys(MODIFIERS).join(', ')})`,
        token.column,
      )
    }
    if (parts.length === 2) operator = MODIFIERS[(parts[1] as string).toLowerCase()] as FilterOperator
  } else {
    // A user attribute: the last segment is a modifier when it names one, else part of the path (`meta.owner`).
    const last = (parts[parts.length - 1] as string).toLowerCase()
    const modifier = parts.length > 1 ? MODIFIERS[last] : undefined
    if (modifier) operator = modifier
    field = (modifier ? parts.slice(0, -1) : parts).join('.')
    attribute = true
  }
  let value = token.value
  if (value === '') {
    // `due:` asks for items without a due date; `due.not:` for items with one.
    const mustHaveValue = operator !== 'eq' && operator !== 'ne'
    if (mustHaveValue || field === 'status' || field === 'type' || field === 'id' || field === 'urgency') {
      throw invalid(`expected a value after "${source}" at column ${token.valueColumn}`, token.valueColumn)
    }
    value = operator === 'eq' ? 'false' : 'true'
    operator = 'exists'
  }
  const node: FieldNode = { kind: 'field', field, attribute, operator, value, source, column: token.column }
  checkFieldTerm(node, next)
  return node
}

/** Checks what can be checked without a config or a clock: modifiers per field, dates, regexes, priorities, types. */
function checkFieldTerm(node: FieldNode, next: Token | undefined): void {
  const { field, operator } = node
  if (field === 'urgency') urgencyNumber(node)
  else if (operator === 'exists') existsValue(node)
  else if (operator === 'regex') compileRegex(node)
  else if (field === 'priority' && DATE_OPERATORS.has(operator)) priorityValues(node)
  else if (field === 'type' && (operator === 'eq' || operator === 'ne' || operator === 'in')) {
    checkVocabulary(node, 'type', ITEM_TYPES)
  } else if (DATE_FIELD_SET.has(field) && !node.attribute && DATE_OPERATORS.has(operator)) {
    for (const text of listValues(node)) dateQuery(node, text, CHECK_DATE, next)
  }
  if (LIST_FIELD_SET.has(field) && !node.attribute) checkListOperator(node)
}

function checkListOperator(node: FieldNode): void {
  if (!ORDER_OPERATORS.has(node.operator)) return
  throw invalid(
    `${node.field} is a list: compare it with is, not, contains, startswith, endswith, in, regex or exists, in "${excerpt(node.source)}" at column ${node.column}`,
    node.column,
  )
}

/**
 * Parses a filter. Returns undefined for an empty or blank filter.
 * Throws BacklogError('INVALID_INPUT', 'filter: <why> at column N …') on a syntax error, an unknown modifier, an
 * invalid date or regex. Statuses are checked by compileFilter, which knows the config.
 *
 * Grammar: `or` binds looser than `and`, adjacency is `and`; `not X` or `!X` negates; parentheses group. Terms:
 * `field:value`, `field.modifier:value` (quote values with spaces: `assignee:"Ann Lee"`), `+tag`/`-tag`, virtual tags
 * `+READY`, `-BLOCKED`, and bare words (full text). A whole filter that is an item id means `id:<it>` or that word.
 *
 * @example
 * parseFilter('(+bug or +crash) due.before:"next friday" -BLOCKED')
 * parseFilter('project:web auth') // attribute project = web, and text "auth"
 */
export function parseFilter(text: string): FilterNode | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const parsed = new Parser(tokenize(text), text).parse()
  if (ITEM_ID.test(trimmed)) {
    // `bl-k3m9x2` is that item; `follow-up` is a word. Either may be meant, so either matches.
    const column = text.indexOf(trimmed) + 1
    const id: FilterNode = {
      kind: 'field',
      field: 'id',
      attribute: false,
      operator: 'eq',
      value: trimmed,
      source: trimmed,
      column,
      implicit: true,
    }
    return parsed ? { kind: 'or', nodes: [id, parsed] } : id
  }
  return parsed
}

// ---------------------------------------------------------------------------------------------------------------
// Values

function listValues(node: FieldNode): string[] {
  if (node.operator !== 'in') return [node.value]
  const values = node.value
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value !== '')
  if (values.length === 0)
    throw invalid(`expected a comma list after "${node.source}" at column ${node.column}`, node.column)
  return values
}

function existsValue(node: FieldNode): boolean {
  const value = node.value.trim().toLowerCase()
  if (value === 'true') return true
  if (value === 'false') return false
  throw invalid(
    `exists takes true or false, not "${node.value}", in "${excerpt(node.source)}" at column ${node.column}`,
    node.column,
  )
}

function compileRegex(node: FieldNode): RegExp {
  if (node.value.length > MAX_REGEX_LENGTH) {
    throw invalid(
      `a regex is at most ${MAX_REGEX_LENGTH} characters, in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  try {
    return new RegExp(node.value, 'i')
  } catch (error) {
    throw invalid(
      `invalid regex "${excerpt(node.value)}" in "${excerpt(node.source)}" at column ${node.column}: ${(error as Error).message}`,
      node.column,
    )
  }
}

function urgencyNumber(node: FieldNode): number {
  if (!NUMBER.test(node.value)) {
    throw invalid(
      `urgency compares numbers, not "${node.value}", in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  if (!['eq', 'ne', 'lt', 'gt', 'lte', 'gte'].includes(node.operator)) {
    throw invalid(
      `urgency compares with is, not, gt, gte, lt or lte in "${excerpt(node.source)}" at column ${node.column}`,
      node.column,
    )
  }
  return Number(node.value)
}

function priorityValues(node: FieldNode): string[] {
  return listValues(node).map((text) => {
    const lower = text.toLowerCase()
    const priority = lower === 'none' ? 'none' : normalizePriority(text)
    if (!priority) {
      throw invalid(
        `unknown priority "${text}" in "${excerpt(node.source)}" at column ${node.column} (one of ${PRIORITIES.join(', ')}, H, M, L, U or none)`,
        node.column,
      )
    }
    return priority
  })
}

function checkVocabulary(node: FieldNode, what: string, allowed: readonly string[]): void {
  const lower = allowed.map((entry) => entry.toLowerCase())
  for (const text of listValues(node)) {
    if (!lower.includes(text.toLowerCase())) {
      throw invalid(
        `unknown ${what} "${text}" in "${excerpt(node.source)}" at column ${node.column} (one of ${allowed.join(', ')})`,
        node.column,
      )
    }
  }
}

/** A date as the instants it covers, both ends inclusive: a day is [00:00, 23:59:59.999], an instant [t, t]. */
interface Span {
  start: number
  last: number
}

function spanOf(resolved: ResolvedDate): Span {
  const start = resolved.date.getTime()
  if (resolved.granularity === 'instant') return { start, last: start }
  const next = new Date(resolved.date)
  next.setDate(next.getDate() + 1)
  return { start, last: next.getTime() - 1 }
}

function storedSpan(value: string): Span | undefined {
  const range = storedDateRange(value)
  if (!range) return undefined
  return { start: range.start, last: range.end > range.start ? range.end - 1 : range.start }
}

function dateQuery(node: FieldNode, text: string, now: Date, next?: Token): Span {
  const resolved = resolveDateExpression(text, now)
  if (resolved) return spanOf(resolved)
  const spaced = next?.kind === 'word' && next.key === undefined && !next.quoted
  const prefix = node.source.slice(0, node.source.indexOf(':') + 1)
  const hint = spaced
    ? `; a date with spaces needs quotes: ${prefix}"${text} ${next.value}" (or ${prefix}${text}_${next.value})`
    : '; try today, friday, eow, 2026-12-01, now-7d or 3d'
  throw invalid(`"${text}" is not a date in "${excerpt(node.source)}" at column ${node.column}${hint}`, node.column)
}

/** How an item's date span stands to a queried one. `by`/`lte` is "not after", `gte` "not before". */
function compareSpans(operator: FilterOperator, item: Span, query: Span): boolean {
  switch (operator) {
    case 'lt':
      return item.last < query.start
    case 'gt':
      return item.start > query.last
    case 'lte':
      return item.start <= query.last
    case 'gte':
      return item.last >= query.start
    case 'ne':
      return !(item.start <= query.last && item.last >= query.start)
    default:
      return item.start <= query.last && item.last >= query.start
  }
}

function compareOrdered<T extends number | string>(operator: FilterOperator, a: T, b: T): boolean {
  switch (operator) {
    case 'lt':
      return a < b
    case 'gt':
      return a > b
    case 'lte':
      return a <= b
    case 'gte':
      return a >= b
    case 'ne':
      return a !== b
    default:
      return a === b
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Compiling

type Predicate = (item: Item) => boolean

interface Context {
  env: FilterEnv
  now: number
  closed: ReadonlySet<string>
  started: ReadonlySet<string>
  /** Spans of stored date values, parsed once per compiled filter: many items share a date. */
  span(value: string | undefined): Span | undefined
}

function createContext(env: FilterEnv): Context {
  const spans = new Map<string, Span | null>()
  return {
    env,
    now: env.now.getTime(),
    closed: new Set(env.config.closed_statuses.map((status) => status.toLowerCase())),
    started: new Set(env.config.started_statuses.map((status) => status.toLowerCase())),
    span(value) {
      if (value === undefined) return undefined
      let span = spans.get(value)
      if (span === undefined) {
        span = storedSpan(value) ?? null
        spans.set(value, span)
      }
      return span ?? undefined
    },
  }
}

const lowerStatus = (item: Item) => item.status.toLowerCase()

const SCALAR_GETTERS: Record<string, (item: Item) => string | undefined> = {
  id: (item) => item.id,
  title: (item) => item.title,
  description: (item) => item.description,
  type: (item) => item.type,
  status: (item) => item.status,
  priority: (item) => item.priority,
  assignee: (item) => item.assignee,
  parent: (item) => item.parent,
  epic: (item) => item.epic,
  recur: (item) => item.recur,
  due: (item) => item.due,
  scheduled: (item) => item.scheduled,
  wait: (item) => item.wait,
  until: (item) => item.until,
  created: (item) => item.created,
  started: (item) => item.started,
  closed: (item) => item.closed,
}

const LIST_GETTERS: Record<string, (item: Item) => readonly string[]> = {
  tags: (item) => item.tags,
  depends_on: (item) => item.depends_on,
  evidence: (item) => item.evidence,
  blocked_reason: (item) => item.blocked_reason,
  notes: (item) => item.notes.map((note) => note.text),
  references: (item) =>
    item.references.flatMap((reference) => (reference.title ? [reference.url, reference.title] : [reference.url])),
}

/** A test of one present, non-empty text value; `ne` is compiled as the negation of `eq`. */
function textTest(node: FieldNode, operator: FilterOperator): (value: string) => boolean {
  const lower = node.value.toLowerCase()
  switch (operator) {
    case 'contains':
      return (value) => value.toLowerCase().includes(lower)
    case 'startswith':
      return (value) => value.toLowerCase().startsWith(lower)
    case 'endswith':
      return (value) => value.toLowerCase().endsWith(lower)
    case 'regex': {
      const regex = compileRegex(node)
      return (value) => regex.test(value)
    }
    case 'in': {
      const wanted = new Set(listValues(node).map((value) => value.toLowerCase()))
      return (value) => wanted.has(value.toLowerCase())
    }
    case 'lt':
    case 'gt':
    case 'lte':
    case 'gte': {
      const number = NUMBER.test(node.value) ? Number(node.value) : undefined
      return (value) =>
        number !== undefined && NUMBER.test(value)
          ? compareOrdered(operator, Number(value), number)
          : compareOrdered(operator, value.toLowerCase(), lower)
    }
    default:
      return (value) => value === lower || value.toLowerCase() === lower
  }
}

function compileScalar(node: FieldNode, get: (item: Item) => string | undefined): Predicate {
  if (node.operator === 'exists') {
    const wanted = existsValue(node)
    return (item) => {
      const value = get(item)
      return (value !== undefined && value !== '') === wanted
    }
  }
  const negate = node.operator === 'ne'
  const test = textTest(node, negate ? 'eq' : node.operator)
  return (item) => {
    const value = get(item)
    if (value === undefined || value === '') return negate
    return test(value) !== negate
  }
}

function compileList(node: FieldNode, get: (item: Item) => readonly string[]): Predicate {
  if (node.operator === 'exists') {
    const wanted = existsValue(node)
    return (item) => get(item).length > 0 === wanted
  }
  const negate = node.operator === 'ne'
  const test = textTest(node, negate ? 'eq' : node.operator)
  return (item) => get(item).some(test) !== negate
}

function compileDate(node: FieldNode, context: Context, get: (item: Item) => string | undefined): Predicate {
  const queries = listValues(node).map((text) => dateQuery(node, text, context.env.now))
  const operator = node.operator === 'in' ? 'eq' : node.operator
  return (item) => {
    const span = context.span(get(item))
    if (!span) return operator === 'ne'
    return operator === 'ne'
      ? queries.every((query) => compareSpans('ne', span, query))
      : queries.some((query) => compareSpans(operator, span, query))
  }
}

function compilePriority(node: FieldNode): Predicate {
  const ranks = priorityValues(node).map((priority) => PRIORITY_RANK[priority] as number)
  const rankOf = (item: Item) =>
    item.priority ? (PRIORITY_RANK[item.priority] ?? PRIORITY_RANK[normalizePriority(item.priority) ?? ''] ?? 0) : 0
  const operator = node.operator
  if (operator === 'in') return (item) => ranks.includes(rankOf(item))
  const rank = ranks[0] as number
  return (item) => compareOrdered(operator, rankOf(item), rank)
}

function compileStatus(node: FieldNode, context: Context): Predicate {
  checkVocabulary(node, 'status', context.env.config.statuses)
  return compileScalar(node, lowerStatus)
}

function compileUrgency(node: FieldNode, context: Context): Predicate {
  const urgency = context.env.urgency
  if (!urgency)
    throw invalid(`urgency is not available here, in "${excerpt(node.source)}" at column ${node.column}`, node.column)
  const number = urgencyNumber(node)
  const operator = node.operator
  return (item) => compareOrdered(operator, urgency(item), number)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** A key of a mapping, exactly as written or else in any case (YAML keys are case-sensitive, filters are not). */
function ownValue(record: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(record, key)) return record[key]
  const lower = key.toLowerCase()
  for (const own of Object.keys(record)) if (own.toLowerCase() === lower) return record[own]
  return undefined
}

function readAttribute(attributes: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(attributes, path)) return attributes[path]
  let value: unknown = attributes
  for (const key of path.split('.')) {
    if (!isRecord(value)) return undefined
    value = ownValue(value, key)
  }
  return value
}

function isEmptyValue(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value)
  return undefined
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString()
  return undefined
}

function spanOfValue(value: unknown, context: Context): Span | undefined {
  if (value instanceof Date) {
    const time = value.getTime()
    return Number.isNaN(time) ? undefined : { start: time, last: time }
  }
  return typeof value === 'string' ? context.span(value) : undefined
}

/**
 * User attributes hold whatever YAML gave: numbers compare as numbers when the value asked for is one, a value that
 * reads as a date (`2026-12-01`, `eow`) compares as a date for before/after/by, anything else as text. A list
 * matches when one of its elements does.
 */
function compileAttribute(node: FieldNode, context: Context): Predicate {
  const path = node.field
  const read = (item: Item) => readAttribute(item.attributes, path)
  const elements = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value])
  if (node.operator === 'exists') {
    const wanted = existsValue(node)
    return (item) => !isEmptyValue(read(item)) === wanted
  }
  const negate = node.operator === 'ne'
  const operator = negate ? 'eq' : node.operator
  const number = NUMBER.test(node.value) ? Number(node.value) : undefined
  let test: (element: unknown) => boolean
  if (ORDER_OPERATORS.has(operator) && number === undefined && resolveDateExpression(node.value, context.env.now)) {
    const query = dateQuery(node, node.value, context.env.now)
    test = (element) => {
      const span = spanOfValue(element, context)
      return span !== undefined && compareSpans(operator, span, query)
    }
  } else if (number !== undefined && (ORDER_OPERATORS.has(operator) || operator === 'eq')) {
    const text = textTest(node, operator)
    test = (element) => {
      const own = numberOf(element)
      if (own !== undefined) return compareOrdered(operator, own, number)
      const asText = textOf(element)
      return operator === 'eq' && asText !== undefined && text(asText)
    }
  } else {
    const text = textTest(node, operator)
    test = (element) => {
      const asText = textOf(element)
      return asText !== undefined && text(asText)
    }
  }
  return (item) => {
    const value = read(item)
    if (isEmptyValue(value)) return negate
    return elements(value).some(test) !== negate
  }
}

function compileField(node: FieldNode, context: Context): Predicate {
  if (node.attribute) return compileAttribute(node, context)
  const { field, operator } = node
  if (field === 'urgency') return compileUrgency(node, context)
  if (field === 'updated') {
    const updated = context.env.updated
    if (!updated) throw invalid(`"updated" cannot be filtered on here (column ${node.column})`, node.column)
    if (!DATE_OPERATORS.has(operator) && operator !== 'exists') {
      throw invalid(
        `updated takes a date comparison, e.g. updated.after:yesterday (column ${node.column})`,
        node.column,
      )
    }
    return operator === 'exists' ? compileScalar(node, updated) : compileDate(node, context, updated)
  }
  const list = LIST_GETTERS[field]
  if (list) {
    checkListOperator(node)
    return compileList(node, list)
  }
  const get = SCALAR_GETTERS[field]
  if (!get) throw invalid(`unknown field "${field}" at column ${node.column}`, node.column)
  if (field === 'status' && (operator === 'eq' || operator === 'ne' || operator === 'in'))
    return compileStatus(node, context)
  if (field === 'type' && (operator === 'eq' || operator === 'ne' || operator === 'in')) {
    checkVocabulary(node, 'type', ITEM_TYPES)
  }
  if (field === 'priority' && DATE_OPERATORS.has(operator)) {
    const test = compilePriority({ ...node, operator: operator === 'ne' ? 'eq' : operator })
    return operator === 'ne' ? (item) => !test(item) : test
  }
  if (DATE_FIELD_SET.has(field) && DATE_OPERATORS.has(operator)) return compileDate(node, context, get)
  return compileScalar(node, get)
}

function defaultText(words: string, phrase: boolean): Predicate {
  const needles = phrase ? [words.toLowerCase()] : words.toLowerCase().split(/\s+/).filter(Boolean)
  const has = (value: string, needle: string) => value.toLowerCase().includes(needle)
  const hasIn = (values: readonly string[], needle: string) => values.some((value) => has(value, needle))
  return (item) =>
    needles.every(
      (needle) =>
        has(item.title, needle) ||
        has(item.description, needle) ||
        hasIn(item.tags, needle) ||
        item.notes.some((note) => has(note.text, needle)) ||
        hasIn(item.evidence, needle) ||
        hasIn(item.blocked_reason, needle),
    )
}

function compileVirtual(tag: VirtualTag, context: Context): Predicate {
  const { env, now, closed, started } = context
  const isClosed = (item: Item) => closed.has(lowerStatus(item))
  const isBlocked = (item: Item) => lowerStatus(item) === 'blocked' || env.hasOpenDependency(item)
  const isWaiting = (item: Item) => (context.span(item.wait)?.start ?? -Infinity) > now
  const dueWithin = (span: Span) => (item: Item) => {
    const due = context.span(item.due)
    return due !== undefined && compareSpans('eq', due, span)
  }
  const dayOf = (expression: string) => spanOf(resolveDateExpression(expression, env.now) as ResolvedDate)
  switch (tag) {
    case 'READY':
      return (item) => {
        const status = lowerStatus(item)
        return (
          !closed.has(status) &&
          !started.has(status) &&
          status !== 'blocked' &&
          !isWaiting(item) &&
          !((context.span(item.scheduled)?.start ?? -Infinity) > now) &&
          !env.hasOpenDependency(item) &&
          !env.hasOpenChildren?.(item)
        )
      }
    case 'BLOCKED':
      return isBlocked
    case 'UNBLOCKED':
      return (item) => !isBlocked(item)
    case 'BLOCKING':
      return (item) => env.isBlocking(item)
    case 'ACTIVE':
      return (item) => started.has(lowerStatus(item))
    case 'OVERDUE':
      return (item) => {
        const due = context.span(item.due)
        return due !== undefined && due.last < now && !isClosed(item)
      }
    case 'WAITING':
      return isWaiting
    case 'TAGGED':
      return (item) => item.tags.length > 0
    case 'ANNOTATED':
      return (item) => item.notes.length > 0
    case 'TODAY':
      return dueWithin(dayOf('today'))
    case 'TOMORROW':
      return dueWithin(dayOf('tomorrow'))
    case 'WEEK':
      return dueWithin({ start: dayOf('sow').start, last: dayOf('eow').last })
    case 'DUE': {
      const horizon = now + 7 * 86_400_000
      return (item) => {
        const due = context.span(item.due)
        return due !== undefined && due.start <= horizon && !isClosed(item)
      }
    }
    case 'SCHEDULED':
      return (item) => item.scheduled !== undefined && item.scheduled !== ''
    case 'OPEN':
    case 'PENDING':
      return (item) => !isClosed(item)
    case 'CLOSED':
    case 'COMPLETED':
      return isClosed
  }
}

function compileNode(node: FilterNode, context: Context): Predicate {
  switch (node.kind) {
    case 'and': {
      const parts = node.nodes.map((child) => compileNode(child, context))
      return (item) => parts.every((part) => part(item))
    }
    case 'or': {
      const parts = node.nodes.map((child) => compileNode(child, context))
      return (item) => parts.some((part) => part(item))
    }
    case 'not': {
      const inner = compileNode(node.node, context)
      return (item) => !inner(item)
    }
    case 'tag': {
      const lower = node.tag.toLowerCase()
      return (item) => item.tags.some((tag) => tag === lower || tag.toLowerCase() === lower)
    }
    case 'virtual':
      return compileVirtual(node.tag, context)
    case 'text':
      return compileText(node, context)
    case 'field':
      return compileField(node, context)
  }
}

function compileText(node: Extract<FilterNode, { kind: 'text' }>, context: Context): Predicate {
  if (!context.env.text) return defaultText(node.words, node.phrase)
  const indexed = context.env.text(node.words)
  if (!node.phrase) return indexed
  // The index ignores word order: a quoted phrase is confirmed as it was written.
  const written = defaultText(node.words, true)
  return (item) => indexed(item) && written(item)
}

/**
 * Compiles a parsed filter into a predicate over items. Dates resolve against `env.now`, statuses are checked against
 * `env.config.statuses` (an unknown one is an INVALID_INPUT error naming the valid ones).
 *
 * Dates compare as spans: a stored day covers the whole local day, so with `friday` = 2026-11-27 a due of
 * `2026-11-27` is `due.by:friday` and `due:friday` but not `due.before:friday`.
 *
 * @example
 * const test = compileFilter(parseFilter('+READY priority.above:low')!, env)
 * items.filter(test)
 */
export function compileFilter(node: FilterNode, env: FilterEnv): (item: Item) => boolean {
  return compileNode(node, createContext(env))
}

/** Which stored fields a virtual tag reads, for filterFields. */
const VIRTUAL_FIELDS: Record<VirtualTag, readonly string[]> = {
  READY: ['status', 'depends_on', 'wait', 'scheduled'],
  BLOCKED: ['depends_on'],
  UNBLOCKED: ['depends_on'],
  BLOCKING: ['depends_on'],
  ACTIVE: ['status'],
  OVERDUE: ['status', 'due'],
  WAITING: ['wait'],
  TAGGED: ['tags'],
  ANNOTATED: ['notes'],
  TODAY: ['due'],
  TOMORROW: ['due'],
  WEEK: ['due'],
  DUE: ['status', 'due'],
  SCHEDULED: ['scheduled'],
  OPEN: ['status'],
  CLOSED: ['status'],
  PENDING: ['status'],
  COMPLETED: ['status'],
}

/**
 * Fields a filter tests (lower case, e.g. 'status', 'due', 'tags'; a user attribute by its path). Virtual tags that
 * imply a status (READY, ACTIVE, OPEN, CLOSED, COMPLETED, PENDING, OVERDUE, DUE) count as 'status'; BLOCKED and
 * UNBLOCKED do not, so closed items stay hidden by default for them. The app uses this: without 'status' it hides
 * closed items by default. Bare words add nothing.
 *
 * @example
 * filterFields(parseFilter('+READY due.before:eow')!) // Set { 'status', 'depends_on', 'wait', 'scheduled', 'due' }
 */
export function filterFields(node: FilterNode): Set<string> {
  const fields = new Set<string>()
  const walk = (current: FilterNode, negated: boolean): void => {
    switch (current.kind) {
      case 'and':
      case 'or':
        for (const child of current.nodes) walk(child, negated)
        return
      case 'not':
        walk(current.node, !negated)
        return
      case 'tag':
        fields.add('tags')
        return
      case 'virtual':
        // `-ACTIVE` asks for items that are not active, not for closed ones: only a virtual tag asked for as it is
        // speaks about status.
        if (!negated) for (const field of VIRTUAL_FIELDS[current.tag]) fields.add(field)
        return
      case 'field':
        // An id read from a word that only looks like one says nothing about which items to show.
        if (!current.implicit) fields.add(current.attribute ? current.field.toLowerCase() : current.field)
        return
      case 'text':
        return
    }
  }
  walk(node, false)
  return fields
}
