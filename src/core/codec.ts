/** The item file codec: markdown with YAML frontmatter in, canonical markdown out, hand-written lines kept. */

import jsYaml from 'js-yaml'
import { Document, isMap, parseDocument, Scalar, visit } from 'yaml'
import { BacklogError, isBacklogError } from './errors.js'
import { COMMA_LIST_FIELDS } from './fields.js'
import {
  blankItem,
  FIELD_ORDER,
  type FieldName,
  type Item,
  isKnownField,
  type Note,
  type Reference,
  SCALAR_FIELDS,
  STRING_LIST_FIELDS,
} from './item.js'

function malformed(reason: string, line?: number): BacklogError {
  return new BacklogError('MALFORMED_ITEM', line ? `line ${line}: ${reason}` : reason, { reason, line })
}

const CONFLICT_MARKER = /^(?:<{7}|={7}|>{7})(?: |$)/m
/** A whole block as git writes it: `<<<<<<< ours`, optionally `||||||| base`, `=======`, `>>>>>>> theirs`, in order. */
const CONFLICT_BLOCK = /^<{7}(?: [^\n]*)?\n[\s\S]*?^={7}\n[\s\S]*?^>{7}(?: [^\n]*)?$/m

/**
 * True when a text holds a block of git's conflict markers. Legal markdown may too: it means a conflict only where
 * git has the file in conflict (the store asks the index).
 *
 * @example
 * hasConflictBlock('<<<<<<< HEAD\na\n=======\nb\n>>>>>>> other\n') // true
 * hasConflictBlock('Heading\n=======\n') // false
 */
export function hasConflictBlock(text: string): boolean {
  return text.includes('<<<<<<<') && CONFLICT_BLOCK.test(text.replaceAll('\r\n', '\n'))
}

interface SplitFile {
  /** The YAML text between the delimiters, each line ending in a newline. */
  frontmatter: string
  /** Everything after the closing delimiter line, byte for byte. */
  body: string
  data: unknown
}

function lineOf(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

const OPENING = /^---([^\r\n]*)\r?\n/
const CLOSING = /^---[ \t]*(?:\r?\n|$)/m

/**
 * Splits a file into its frontmatter and body by hand rather than with gray-matter: the body must come back byte for
 * byte, and gray-matter both executes `---js` front matter and caches parses across calls (docs/adr/0004-frontmatter-codec.md).
 */
function splitFile(text: string): SplitFile {
  const opening = OPENING.exec(text)
  const start = opening?.[0].length ?? 0
  const closing = opening ? CLOSING.exec(text.slice(start)) : null
  // Markers break the file only before the body ends the frontmatter: in the body, a line of seven `=` is a setext
  // heading and `<<<<<<<` is prose. Markers git leaves in a body are reported by the store from the index.
  const marker = CONFLICT_MARKER.exec(closing ? text.slice(0, start + closing.index) : text)
  if (marker) {
    throw malformed(
      'git conflict markers: `git backlog resolve` merges the file field by field while the merge is unfinished; ' +
        'or keep the lines you want, remove the <<<<<<< ======= >>>>>>> lines, then `git add` the file',
      lineOf(text, marker.index),
    )
  }
  if (!opening) throw malformed('no YAML frontmatter: the file must start with a `---` line', 1)
  const language = opening[1]?.trim() ?? ''
  if (language !== '' && language !== 'yaml' && language !== 'yml') {
    throw malformed(`frontmatter in "${language}" is not allowed (it would be code); use YAML`, 1)
  }
  if (!closing) throw malformed('the frontmatter is not closed by a `---` line')
  const frontmatter = text.slice(start, start + closing.index)
  const body = text.slice(start + closing.index + closing[0].length)
  if (frontmatter.length > MAX_FRONTMATTER_CHARS) {
    throw malformed(
      `the frontmatter is ${frontmatter.length} characters long; items allow ${MAX_FRONTMATTER_CHARS} (put long text in the body)`,
    )
  }
  let data: unknown
  try {
    data = jsYaml.load(frontmatter, { schema: jsYaml.CORE_SCHEMA })
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark
    const reason = (error as { reason?: string }).reason ?? (error as Error).message
    // js-yaml counts lines from 0 inside the frontmatter, which starts on the file's line 2.
    throw malformed(`invalid YAML frontmatter: ${reason}`, mark?.line === undefined ? undefined : mark.line + 2)
  }
  assertPlainData(data)
  return { frontmatter, body, data }
}

/** Bounds on what one file's frontmatter may hold, so a hostile file costs milliseconds, not minutes. */
const MAX_FRONTMATTER_CHARS = 256 * 1024
const MAX_VALUES = 20_000
const MAX_NESTING = 32

/**
 * Refuses frontmatter that is not a plain tree: an alias of a list or mapping (`*a`) makes js-yaml share one object in
 * many places, and ten levels of ten aliases stand for 10^10 values that every later reader (search, caches, JSON)
 * would walk. Also bounds the number of values and their nesting.
 */
function assertPlainData(data: unknown): void {
  const seen = new Set<object>()
  let values = 0
  const visit = (value: unknown, depth: number): void => {
    if (value === null || typeof value !== 'object') return
    if (seen.has(value)) {
      throw malformed(
        'YAML aliases of lists or mappings (`&name` … `*name`) are not allowed in items; write the values out',
      )
    }
    seen.add(value)
    if (depth > MAX_NESTING) throw malformed(`the frontmatter nests deeper than ${MAX_NESTING} levels`)
    const children = Array.isArray(value) ? value : Object.values(value)
    values += children.length
    if (values > MAX_VALUES) throw malformed(`the frontmatter holds more than ${MAX_VALUES} values`)
    for (const child of children) visit(child, depth + 1)
  }
  visit(data, 0)
}

function asText(value: unknown, field: string): string | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw malformed(`"${field}" must be a single value, not a ${Array.isArray(value) ? 'list' : 'mapping'}`)
}

function asTextList(value: unknown, field: string, splitCommas: boolean): string[] {
  if (value === null || value === undefined) return []
  if (Array.isArray(value)) {
    return value.map((entry) => asText(entry, field)).filter((entry): entry is string => entry !== undefined)
  }
  const single = asText(value, field)
  if (single === undefined || single.trim() === '') return []
  return splitCommas
    ? single
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    : [single]
}

function asReferences(value: unknown): Reference[] {
  if (value === null || value === undefined) return []
  const entries = Array.isArray(value) ? value : [value]
  return entries.map((entry) => {
    if (typeof entry === 'string') return { url: entry }
    if (entry && typeof entry === 'object' && typeof (entry as Reference).url === 'string') {
      const { url, title } = entry as Record<string, unknown>
      return title === undefined || title === null
        ? { url: url as string }
        : { url: url as string, title: String(title) }
    }
    throw malformed('"references" entries must be a URL or a mapping with `url` and an optional `title`')
  })
}

function asNotes(value: unknown): Note[] {
  if (value === null || value === undefined) return []
  const entries = Array.isArray(value) ? value : [value]
  return entries.map((entry) => {
    if (typeof entry === 'string') return { at: '', text: entry }
    if (entry && typeof entry === 'object') {
      const { at, by, text } = entry as Record<string, unknown>
      const note: Note = { at: asText(at, 'notes.at') ?? '', text: asText(text, 'notes.text') ?? '' }
      const author = asText(by, 'notes.by')
      if (author !== undefined) note.by = author
      return note
    }
    throw malformed('"notes" entries must be text or a mapping with `at`, `by` and `text`')
  })
}

/** The description is the body without the one blank line that separates it from the frontmatter. */
function descriptionOf(body: string): string {
  return body.startsWith('\n') ? body.slice(1) : body.startsWith('\r\n') ? body.slice(2) : body
}

function bodyOf(description: string): string {
  if (description === '') return ''
  return `\n${description.endsWith('\n') ? description : `${description}\n`}`
}

/** Reads frontmatter data leniently into an item: known fields coerced, everything else kept as attributes. */
export function itemFromData(data: unknown, description: string, fallbackId?: string): Item {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw malformed('the frontmatter must be a YAML mapping of fields (`key: value` lines)')
  }
  const record = data as Record<string, unknown>
  const id = asText(record.id, 'id') ?? fallbackId
  if (!id) throw malformed('no `id` field')
  const item = blankItem(id, asText(record.title, 'title') ?? '')
  item.type = asText(record.type, 'type') ?? item.type
  item.status = asText(record.status, 'status') ?? item.status
  for (const field of SCALAR_FIELDS) {
    const value = asText(record[field], field)
    if (value !== undefined && value !== '') item[field] = value
  }
  for (const field of STRING_LIST_FIELDS) {
    item[field] = asTextList(record[field], field, COMMA_LIST_FIELDS.has(field))
  }
  item.references = asReferences(record.references)
  item.notes = asNotes(record.notes)
  for (const [key, value] of Object.entries(record)) if (!isKnownField(key)) item.attributes[key] = value
  item.description = description
  return item
}

/**
 * Parses the text of an item file. Throws a `MALFORMED_ITEM` BacklogError whose message and details name the line
 * and the reason; the caller adds the path.
 *
 * @example
 * const item = parseItemFile('---\nid: bl-k3m9x2\ntitle: Fix login\n---\n\nSteps...\n')
 * item.title // 'Fix login'
 */
export function parseItemFile(text: string, fallbackId?: string): Item {
  const { data, body } = splitFile(text)
  return itemFromData(data ?? {}, descriptionOf(body), fallbackId)
}

/** The frontmatter value of a field, or undefined when the field is written as absent. */
function fieldValue(item: Item, field: FieldName): unknown {
  switch (field) {
    case 'id':
    case 'title':
    case 'type':
    case 'status':
      return item[field]
    case 'references':
      return item.references.length ? item.references.map((ref) => ({ ...ref })) : undefined
    case 'notes':
      return item.notes.length
        ? item.notes.map(({ at, by, text }) => (by === undefined ? { at, text } : { at, by, text }))
        : undefined
    default: {
      const value = item[field]
      if (Array.isArray(value)) return value.length ? [...value] : undefined
      return value === '' ? undefined : value
    }
  }
}

/**
 * Every key the item writes, in canonical order: every known field, set or not (an unset one has the value
 * undefined and is written as its key alone), then user attributes, then notes. Every field always has its line so
 * that an edit replaces a line instead of inserting one next to another edit (docs/adr/0018-a-layout-the-merge-button-can-merge.md).
 */
function entriesOf(item: Item): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = []
  for (const field of FIELD_ORDER) if (field !== 'notes') entries.push([field, fieldValue(item, field)])
  for (const [key, value] of Object.entries(item.attributes)) if (value !== undefined) entries.push([key, value])
  entries.push(['notes', fieldValue(item, 'notes')])
  return entries
}

const STRINGIFY_OPTIONS = { lineWidth: 0, minContentWidth: 0, version: '1.2', indentSeq: true } as const

/** Plain scalars that could be something other than a string to a YAML reader: numbers, booleans, nulls, dates. */
const MAYBE_TYPED = /^(?:[-+.\d]|(?:true|false|null|~)$)/i

/**
 * True when js-yaml (the reader, ADR 0004) would read the plain scalar `text` as something other than that string.
 * The writer (`yaml`, YAML 1.2) quotes what YAML 1.2 would misread; js-yaml also reads `0b101` as 5.
 */
function misread(text: string): boolean {
  if (!MAYBE_TYPED.test(text)) return false
  try {
    return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }) !== text
  } catch {
    return false
  }
}

/**
 * Text that YAML writes plain and reads back as the same string: words of letters, digits and `_ . / @ + -` with
 * single spaces between, not starting with a character YAML gives a meaning, and not a number, boolean or null to
 * either reader (ids, statuses, dates, tags, most titles). Everything else goes through `yaml`.
 */
const PLAIN_TEXT = /^[\p{L}\p{N}][\p{L}\p{N}_./@+-]*(?: [\p{L}\p{N}_./@+-]+)*$/u

function plain(value: unknown): value is string {
  return typeof value === 'string' && PLAIN_TEXT.test(value) && !misread(value) && !YAML_WORDS.test(value)
}

/** Words YAML 1.1 readers take for booleans; `yaml` quotes them too, so the fast path leaves them to it. */
const YAML_WORDS = /^(?:y|n|yes|no|on|off|true|false|null)$/i

/**
 * One key's lines; an unset field is its key alone (`priority:`), which every reader takes as no value. Plain text
 * and lists of it are written directly, the same bytes `yaml` writes for them, at a tenth of its cost: a create writes
 * about twenty keys.
 */
function renderEntry(key: string, value: unknown): string {
  if (value === undefined) return `${key}:\n`
  if (plain(value)) return `${key}: ${value}\n`
  if (Array.isArray(value) && value.length > 0 && value.every(plain))
    return `${key}:\n${value.map((entry) => `  - ${entry}\n`).join('')}`
  return renderWithYaml(key, value)
}

function renderWithYaml(key: string, value: unknown): string {
  const doc = new Document({ [key]: value }, { version: '1.2' })
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && !node.type && misread(node.value)) node.type = Scalar.QUOTE_DOUBLE
    },
  })
  return doc.toString(STRINGIFY_OPTIONS)
}

/** The canonical frontmatter: one key per paragraph, a blank line between any two. */
function renderFrontmatter(entries: Array<[string, unknown]>): string {
  return entries.map(([key, value]) => renderEntry(key, value)).join('\n')
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** A top-level key of hand-written frontmatter: the lines it owns, and the blank and comment lines before them. */
interface KeyBlock {
  key: string
  /** Blank lines and column-0 comments between the previous key's lines and this key's. */
  lead: string[]
  lines: string[]
}

/** A plain top-level key at the start of a line, as the tool and most people write them. */
const PLAIN_KEY = /^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|\r?\n|$)/
/** Lines at column 0 that are not keys and that the scan can pass over: blank, a comment, an entry of a list. */
const PASSABLE = /^(?:[ \t]|#|-(?:[ \t]|\r?\n|$)|\r?\n|$)/

/**
 * Where each top-level key starts, found by looking for plain keys at the start of lines (each line with or without
 * its newline): right when they name the keys the reader found, in the same order, and every other line at column 0
 * is blank, a comment or a list entry (a quoted key, a continuation line at column 0 or a `...` line make it give up).
 * About 20 times cheaper than asking `yaml` for the document, which costs 0.3 ms for a file in the layout.
 *
 * @example
 * plainKeyStarts(['id: a-1\n', '\n', 'title: t\n'], ['id', 'title']) // [{ key: 'id', line: 0 }, { key: 'title', line: 2 }]
 */
export function plainKeyStarts(lines: string[], keys: string[]): Array<{ key: string; line: number }> | undefined {
  const starts: Array<{ key: string; line: number }> = []
  for (const [line, text] of lines.entries()) {
    const key = PLAIN_KEY.exec(text)?.[1]
    if (key === undefined) {
      if (!PASSABLE.test(text)) return undefined
      continue
    }
    if (key !== keys[starts.length]) return undefined
    starts.push({ key, line })
  }
  return starts.length === keys.length ? starts : undefined
}

/** Where each top-level key starts, from `yaml`'s parse; undefined when the frontmatter is not a plain block mapping. */
function parsedKeyStarts(source: string, lineStarts: number[]): Array<{ key: string; line: number }> | undefined {
  const doc = parseDocument(source, { version: '1.2' })
  const map = doc.contents
  if (doc.errors.length || !isMap(map) || map.flow) return undefined
  const lineAt = (offset: number) => {
    let line = 0
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? 0) <= offset) line++
    return line
  }
  return map.items.map((pair) => {
    const keyNode = pair.key as { range?: [number, number, number]; value?: unknown } | null
    return { key: String(keyNode?.value ?? pair.key), line: lineAt(keyNode?.range?.[0] ?? 0) }
  })
}

/**
 * Splits frontmatter into its top-level keys. Each key owns the lines from its own to the next key's, minus column-0
 * comments and blank lines at its end, which belong to whatever follows. `keys` are the top-level keys the reader
 * found, in order. Undefined when the frontmatter is not a plain block mapping (a flow mapping, say), which is then
 * written canonically.
 */
function keyBlocksOf(
  source: string,
  keys: string[],
): { head: string[]; blocks: KeyBlock[]; tail: string[] } | undefined {
  const lineStarts = [0]
  for (let i = 0; i < source.length; i++)
    if (source.charCodeAt(i) === 10 && i + 1 < source.length) lineStarts.push(i + 1)
  const lines = lineStarts.map((start, index) => {
    const line = source.slice(start, lineStarts[index + 1] ?? source.length)
    return line.endsWith('\n') ? line : `${line}\n`
  })
  const starts = plainKeyStarts(lines, keys) ?? parsedKeyStarts(source, lineStarts)
  if (!starts) return undefined
  const isGap = (line: string | undefined) => /^(?:#.*|\s*)\n?$/.test(line ?? '')
  const blocks: KeyBlock[] = []
  let previousEnd = starts[0]?.line ?? lines.length
  const head = lines.slice(0, previousEnd)
  starts.forEach(({ key, line }, index) => {
    let end = starts[index + 1]?.line ?? lines.length
    while (end > line + 1 && isGap(lines[end - 1])) end--
    blocks.push({ key, lead: index === 0 ? [] : lines.slice(previousEnd, line), lines: lines.slice(line, end) })
    previousEnd = end
  })
  return { head, blocks, tail: lines.slice(previousEnd) }
}

/**
 * Writes frontmatter over a hand-written one: rewrites only the lines of keys whose values changed, so comments,
 * quoting and list styles a person wrote survive an edit, and moves the file to the merge-friendly layout on the way:
 * every field gets its line (a missing one goes after the nearest key before it in canonical order) and a blank line
 * separates any two keys. Keys keep the order the person gave them.
 */
function patchFrontmatter(
  source: string,
  keys: string[],
  before: Map<string, unknown>,
  after: Array<[string, unknown]>,
): string {
  const split = keyBlocksOf(source, keys)
  if (!split) return renderFrontmatter(after)
  const afterKeys = new Map(after)
  const existing = new Set(split.blocks.map((block) => block.key))

  // New keys go right after the nearest preceding key that exists, keeping the canonical order.
  const insertedAfter = new Map<string | undefined, Array<[string, unknown]>>()
  let anchor: string | undefined
  for (const entry of after) {
    if (existing.has(entry[0])) anchor = entry[0]
    else insertedAfter.set(anchor, [...(insertedAfter.get(anchor) ?? []), entry])
  }

  const out: KeyBlock[] = []
  const add = (block: KeyBlock) => {
    // A blank line between any two keys: an edit to one then never touches a line next to an edit to the other.
    const lead = !out.length
      ? block.lead.filter((line) => line.startsWith('#'))
      : block.lead.length
        ? block.lead
        : ['\n']
    out.push({ ...block, lead })
  }
  const addNew = (key: string | undefined) => {
    for (const [name, value] of insertedAfter.get(key) ?? [])
      add({ key: name, lead: [], lines: [renderEntry(name, value)] })
  }
  addNew(undefined)
  let orphans: string[] = []
  for (const block of split.blocks) {
    if (!afterKeys.has(block.key)) {
      // A removed attribute: its comments stay, for the key that follows; its blank lines go with it.
      orphans = [...orphans, ...block.lead.filter((line) => line.startsWith('#'))]
      continue
    }
    const value = afterKeys.get(block.key)
    const lines = sameValue(before.get(block.key), value) ? block.lines : [renderEntry(block.key, value)]
    const lead = orphans.length ? [...block.lead, ...orphans] : block.lead
    orphans = []
    add({ key: block.key, lead, lines })
    addNew(block.key)
  }
  const text = (blocks: KeyBlock[]) => blocks.map((block) => block.lead.join('') + block.lines.join('')).join('')
  return split.head.join('') + text(out) + [...orphans, ...split.tail].join('')
}

/**
 * Writes an item as markdown. Without `previousText` the output is canonical: fixed key order, every field present,
 * a blank line between fields, block lists, quoting only where needed, LF, final newline. With it, only changed keys
 * are rewritten (and the file moves to the layout, see `patchFrontmatter`), and an unchanged item gives back
 * `previousText` byte for byte. What it writes is parsed again before it is returned: an item that would not read back
 * as given is refused with INVALID_INPUT naming the field, so no write ever leaves an unreadable file.
 *
 * @example
 * serializeItem({ ...item, status: 'done' }, fs.readFileSync(path, 'utf8'))
 */
export function serializeItem(item: Item, previousText?: string): string {
  const text = renderItem(item, previousText, false)
  return text === previousText ? text : readBack(item, text, previousText)
}

/**
 * `text` when it reads back as `item`. A patch of a hand-written file that does not (a form where the key scan and
 * the reader disagree, kept from harm by this check) gives way to the canonical frontmatter: the person's comments in
 * it are lost, no value is. Anything else that does not read back is refused.
 */
function readBack(item: Item, text: string, previousText: string | undefined): string {
  try {
    assertReadsBack(item, text)
    return text
  } catch (error) {
    if (previousText === undefined || !isBacklogError(error)) throw error
    const canonical = `---\n${renderFrontmatter(entriesOf(item))}---\n${bodyOf(item.description)}`
    assertReadsBack(item, canonical)
    return canonical
  }
}

/**
 * The text of an item file moved to the merge-friendly layout with nothing else changed: the same text when it is in
 * the layout already. Throws MALFORMED_ITEM for a file that cannot be read.
 *
 * @example
 * layoutItemFile('---\nid: a-1\ntitle: t\n---\n') // '---\nid: a-1\n\ntitle: t\n\ntype: task\n…'
 */
export function layoutItemFile(text: string, fallbackId?: string): string {
  const item = parseItemFile(text, fallbackId)
  const laid = renderItem(item, text, true)
  return laid === text ? laid : readBack(item, laid, text)
}

/**
 * True when an item file is in the merge-friendly layout: every known field has its line and a blank line (or a
 * comment) separates any two fields. Cheap for the files the tool writes (a parse and a scan); other forms are checked
 * by laying them out. Throws MALFORMED_ITEM for a file that cannot be read.
 *
 * @example
 * inLayout('---\nid: a-1\ntitle: t\n---\n') // false: fields missing and no blank lines
 */
export function inLayout(text: string): boolean {
  const { frontmatter, data } = splitFile(text)
  const keys = data && typeof data === 'object' ? Object.keys(data) : []
  const lines = frontmatter.split('\n')
  const starts = plainKeyStarts(lines, keys)
  if (!starts) return layoutItemFile(text) === text
  const present = new Set(keys)
  if (FIELD_ORDER.some((field) => !present.has(field))) return false
  return starts.every(({ line }, index) => index === 0 || /^(?:#.*|\s*)$/.test(lines[line - 1] ?? ''))
}

function renderItem(item: Item, previousText: string | undefined, relayout: boolean): string {
  const after = entriesOf(item)
  if (previousText === undefined) return `---\n${renderFrontmatter(after)}---\n${bodyOf(item.description)}`
  const previous = splitFile(previousText)
  const previousItem = itemFromData(previous.data ?? {}, descriptionOf(previous.body), item.id)
  const before = new Map(entriesOf(previousItem))
  const frontmatterChanged =
    before.size !== after.length || after.some(([key, value]) => !before.has(key) || !sameValue(before.get(key), value))
  const bodyChanged = previousItem.description !== item.description
  if (!frontmatterChanged && !bodyChanged && !relayout) return previousText
  // Any write moves the file to the layout, so an item leaves the old one on its next change.
  const keys = previous.data && typeof previous.data === 'object' ? Object.keys(previous.data) : []
  const frontmatter = patchFrontmatter(previous.frontmatter, keys, before, after)
  return `---\n${frontmatter}---\n${bodyChanged ? bodyOf(item.description) : previous.body}`
}

function assertReadsBack(item: Item, text: string): void {
  let read: Item
  try {
    read = parseItemFile(text, item.id)
  } catch (error) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${item.id} would not read back once written (${(error as Error).message}); nothing was written`,
      { id: item.id },
    )
  }
  const wanted = new Map(entriesOf(item))
  const found = new Map(entriesOf(read))
  for (const key of new Set([...wanted.keys(), ...found.keys()])) {
    if (!sameValue(wanted.get(key), found.get(key))) {
      throw new BacklogError(
        'INVALID_INPUT',
        `${key}: ${JSON.stringify(wanted.get(key))?.slice(0, 80)} would read back as ${JSON.stringify(found.get(key))?.slice(0, 80)}; nothing was written`,
        { id: item.id, field: key },
      )
    }
  }
  const description =
    item.description === '' || item.description.endsWith('\n') ? item.description : `${item.description}\n`
  if (read.description !== description) {
    throw new BacklogError('INVALID_INPUT', 'description would not read back as written; nothing was written', {
      id: item.id,
      field: 'description',
    })
  }
}
