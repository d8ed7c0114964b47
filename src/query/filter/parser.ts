/** The filter's parser: tokens to a FilterNode, with every check that needs neither a config nor a clock. */

import { ITEM_TYPES } from '../../core/item.js'
import { type Token, tokenize, type WordToken } from './lexer.js'
import {
  DATE_FIELD_SET,
  DATE_OPERATORS,
  excerpt,
  FIELD_ALIASES,
  type FieldNode,
  type FilterNode,
  type FilterOperator,
  invalid,
  KNOWN_FIELDS,
  LIST_FIELD_SET,
  MODIFIERS,
  ORDER_OPERATORS,
  VIRTUAL_TAGS,
  type VirtualTag,
} from './syntax.js'
import {
  checkVocabulary,
  compileRegex,
  dateQuery,
  existsValue,
  listValues,
  priorityValues,
  urgencyNumber,
} from './values.js'

/** A whole filter that is just an item id (`bl-k3m9x2`, `TASK-12`) means that item (or the word, as text). */
const ITEM_ID = /^[A-Za-z][A-Za-z0-9]*-[0-9A-Za-z]+$/
const FIELD_NAME = /^[A-Za-z_][\w-]*(?:\.[\w-]+)*$/
/** Dates in a filter are checked at parse time against this fixed day; compiling resolves them against env.now. */
const CHECK_DATE = new Date(2000, 0, 1)

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

export function checkListOperator(node: FieldNode): void {
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
