/** The field-by-field 3-way merge of items (docs/architecture.md, Merging): one rule set for undo and for the git merge driver. */

import { merge as mergeLines } from 'node-diff3'
import { parseItemFile, serializeItem } from './codec.js'
import type { BacklogConfig } from './config.js'
import { BacklogError, isBacklogError } from './errors.js'
import { idKey } from './ids.js'
import { blankItem, type Item, type Note, normalizePriority, PRIORITIES, type Reference } from './item.js'
import { idFromPath } from './layout.js'

/** A field both sides changed, each in its own way. `base` is undefined when the field (or the item) was not there. */
export interface FieldConflict {
  field: string
  base: unknown
  ours: unknown
  theirs: unknown
}

export interface ItemMerge {
  /** The merged item (on conflicts in 'report' mode: ours for those fields). */
  item: Item
  /** Fields both sides changed differently (in 'resolve' mode: those settled by a rule). */
  conflicts: FieldConflict[]
}

export interface MergeOptions {
  /** 'report' keeps ours where both sides disagree (undo refuses then); 'resolve' settles by rule and keeps a note. */
  mode: 'report' | 'resolve'
  config: BacklogConfig
  /** The time stamped on the notes that record a value a rule set aside. */
  now: string
}

export interface TextMergeOptions extends MergeOptions {
  /** The file's path, named in parse errors. */
  path?: string
}

export interface TextMerge {
  text: string
  conflicts: FieldConflict[]
  /**
   * Set when the versions are two different items git paired as one file (see `pairedItems`): the text is then the
   * item the file is named for, as its side wrote it, and this names the other item, whose change the text leaves out.
   */
  leftOut?: { id: string; side: Side }
}

/** Who signs the notes that keep the losing value of a settled conflict. */
export const MERGE_NOTE_AUTHOR = 'git-backlog merge'

type Side = 'ours' | 'theirs'

/** One 3-way decision: the value, the side it came from (none when both agree), and whether both changed it. */
interface Choice<T> {
  value: T
  side?: Side
  conflict: boolean
}

/**
 * True when `a` beats the different value `b`. Each rule is a strict order on values, never on sides, so swapping
 * ours and theirs picks the same value.
 */
type Wins<T> = (a: T, b: T) => boolean

function choose<T>(
  base: T,
  ours: T,
  theirs: T,
  same: (a: T, b: T) => boolean,
  decide: (ours: T, theirs: T) => Side,
): Choice<T> {
  if (same(ours, theirs)) return { value: ours, conflict: false }
  if (same(ours, base)) return { value: theirs, side: 'theirs', conflict: false }
  if (same(theirs, base)) return { value: ours, side: 'ours', conflict: false }
  const side = decide(ours, theirs)
  return { value: side === 'ours' ? ours : theirs, side, conflict: true }
}

const identical = <T>(a: T, b: T) => a === b
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const by =
  <T>(wins: Wins<T>) =>
  (ours: T, theirs: T): Side =>
    wins(ours, theirs) ? 'ours' : 'theirs'

const greater: Wins<string> = (a, b) => a > b

/** A value beats no value: a removal against a change keeps the change (and the note says it was removed). */
function present<T>(wins: Wins<T>): Wins<T | undefined> {
  return (a, b) => (a === undefined ? false : b === undefined ? true : wins(a, b))
}

function laterStatus(config: BacklogConfig): Wins<string> {
  const rank = (status: string) => config.statuses.indexOf(status)
  return (a, b) => (rank(a) === rank(b) ? a > b : rank(a) > rank(b))
}

const moreUrgent: Wins<string> = (a, b) => {
  const urgency = (value: string) => {
    const priority = normalizePriority(value)
    return priority ? PRIORITIES.indexOf(priority) : PRIORITIES.length
  }
  return urgency(a) === urgency(b) ? a > b : urgency(a) < urgency(b)
}

const earlier: Wins<string> = (a, b) => {
  const [timeA, timeB] = [Date.parse(a), Date.parse(b)]
  const [validA, validB] = [Number.isFinite(timeA), Number.isFinite(timeB)]
  if (validA !== validB) return validA
  if (validA && timeA !== timeB) return timeA < timeB
  return a < b
}

/** Canonical JSON: object keys sorted, so deep equality ignores key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  )
}

const sameDeep = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)
const greaterJson: Wins<unknown> = (a, b) => canonicalJson(a) > canonicalJson(b)

type ScalarField =
  | 'id'
  | 'title'
  | 'type'
  | 'status'
  | 'priority'
  | 'assignee'
  | 'parent'
  | 'epic'
  | 'due'
  | 'scheduled'
  | 'wait'
  | 'recur'
  | 'until'
  | 'created'

/** The rule of each plain scalar; `started`/`closed` follow the status and are handled apart. */
function scalarRules(config: BacklogConfig): Array<[ScalarField, Wins<string>]> {
  return [
    ['id', greater],
    ['title', greater],
    ['type', greater],
    ['status', laterStatus(config)],
    ['priority', moreUrgent],
    ['assignee', greater],
    ['parent', greater],
    ['epic', greater],
    ['due', earlier],
    ['scheduled', earlier],
    ['wait', greater],
    ['recur', greater],
    ['until', greater],
    // Two creation stamps of one item: the first is when it was created.
    ['created', earlier],
  ]
}

function describe(value: unknown): string {
  if (value === undefined) return '(none)'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Collects conflicts and, in 'resolve' mode, the notes that keep each losing value. */
function createSettler(options: MergeOptions) {
  const conflicts: FieldConflict[] = []
  const notes: Note[] = []
  function settle<T>(field: string, base: T | undefined, ours: T, theirs: T, choice: Choice<T>): T {
    if (!choice.conflict) return choice.value
    conflicts.push({ field, base, ours, theirs })
    if (options.mode === 'report') return ours
    const losing = choice.side === 'ours' ? theirs : ours
    notes.push({
      at: options.now,
      by: MERGE_NOTE_AUTHOR,
      text: `merge: ${field} was ${describe(losing)} on the other side`,
    })
    return choice.value
  }
  return { conflicts, notes, settle }
}

/**
 * Keys added by either side (not in base), in an order that does not depend on which side is which: by position among
 * that side's additions (the later of the two when both added it, which keeps the order of the side that added
 * more), then by key.
 */
function addedKeys(baseKeys: ReadonlySet<string>, ours: Iterable<string>, theirs: Iterable<string>): string[] {
  const rank = new Map<string, number>()
  for (const keys of [ours, theirs]) {
    let position = 0
    for (const key of keys) {
      if (baseKeys.has(key)) continue
      rank.set(key, Math.max(rank.get(key) ?? position, position))
      position++
    }
  }
  return [...rank.keys()].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
}

function indexBy<T>(list: readonly T[], keyOf: (value: T) => string): Map<string, T> {
  const index = new Map<string, T>()
  for (const value of list) {
    const key = keyOf(value)
    if (!index.has(key)) index.set(key, value)
  }
  return index
}

/**
 * 3-way set merge: a list only one side changed is taken whole; otherwise base entries both sides kept (in base
 * order), then both sides' additions. `entry` settles an entry present on both sides; `order` sorts a merged list.
 */
function mergeSet<T>(
  base: readonly T[],
  ours: readonly T[],
  theirs: readonly T[],
  keyOf: (value: T) => string,
  entry: (base: T | undefined, ours: T, theirs: T) => T,
  order?: (list: T[]) => T[],
): T[] {
  if (sameJson(ours, theirs) || sameJson(theirs, base)) return [...ours]
  if (sameJson(ours, base)) return [...theirs]
  const [b, o, t] = [indexBy(base, keyOf), indexBy(ours, keyOf), indexBy(theirs, keyOf)]
  const merged: T[] = []
  for (const [key, value] of b) {
    const [mine, other] = [o.get(key), t.get(key)]
    if (mine !== undefined && other !== undefined) merged.push(entry(value, mine, other))
  }
  for (const key of addedKeys(new Set(b.keys()), o.keys(), t.keys())) {
    const [mine, other] = [o.get(key), t.get(key)]
    if (mine !== undefined && other !== undefined) merged.push(entry(undefined, mine, other))
    else merged.push((mine ?? other) as T)
  }
  return order ? order(merged) : merged
}

/** Two spellings of one entry (`BL-x` and `bl-x`): 3-way, else the greater, so either side order gives one result. */
const spelling = (base: string | undefined, ours: string, theirs: string) =>
  choose(base, ours, theirs, identical, by(present(greater))).value as string

const noteKey = (note: Note) => JSON.stringify([note.at, note.by ?? null, note.text])
const byTime = (notes: Note[]) => notes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))

/** Per key 3-way like scalars, with deep equality; the merged keys keep base order, then the additions. */
function mergeAttributes(
  base: Record<string, unknown>,
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  settle: ReturnType<typeof createSettler>['settle'],
): Record<string, unknown> {
  if (sameJson(ours, theirs) || sameJson(theirs, base)) return { ...ours }
  if (sameJson(ours, base)) return { ...theirs }
  const baseKeys = Object.keys(base)
  const keys = [...baseKeys, ...addedKeys(new Set(baseKeys), Object.keys(ours), Object.keys(theirs))]
  const entries: Array<[string, unknown]> = []
  for (const key of keys) {
    const [b, o, t] = [base[key], ours[key], theirs[key]]
    const value = settle(key, b, o, t, choose(b, o, t, sameDeep, by(present(greaterJson))))
    if (value !== undefined) entries.push([key, value])
  }
  // fromEntries defines properties, so a key like `__proto__` stays a plain key.
  return Object.fromEntries(entries)
}

/** Line 3-way merge of the markdown body; where both sides changed the same lines, git-style conflict markers. */
function mergeBodies(base: string, ours: string, theirs: string): { text: string; conflict: boolean } {
  if (ours === theirs || theirs === base) return { text: ours, conflict: false }
  if (ours === base) return { text: theirs, conflict: false }
  // Splitting on '\n' and joining back is exact, final newline included (it leaves a last empty line).
  const result = mergeLines(ours.split('\n'), base.split('\n'), theirs.split('\n'), {
    label: { a: 'ours', b: 'theirs' },
  })
  return { text: result.result.join('\n'), conflict: result.conflict }
}

/**
 * 3-way merge of one item. base undefined = both sides added it (add/add). mode 'report' only reports conflicts
 * (undo refuses them); mode 'resolve' settles each by a deterministic rule and records the losing value as a note
 * ({at: now, by: 'git-backlog merge', text: 'merge: <field> was <losing value> on the other side'}).
 *
 * A field only one side changed takes that change. Both changed differently: `status` the later in
 * `config.statuses`, `priority` the more urgent, `due`/`scheduled`/`created` the earlier, other scalars the greater
 * text, a value always over a removal; `started`/`closed` from the side whose status was taken (`closed` dropped when
 * the merged status is not closed). Lists are 3-way sets (both sides' additions, either side's removals), notes a
 * union sorted by time, attributes 3-way per key, the body a line merge (a conflict there is field `description`,
 * left as conflict markers in 'resolve' mode). The result is the same with ours and theirs swapped (apart from the
 * marker order), and merging an item with itself gives it back.
 *
 * @example
 * const { item, conflicts } = mergeItems(base, ours, theirs, { mode: 'resolve', config, now: '2026-11-21T10:00:00Z' })
 * conflicts.map((conflict) => conflict.field) // ['status']: theirs' 'done' won over 'blocked', a note keeps 'blocked'
 */
export function mergeItems(base: Item | undefined, ours: Item, theirs: Item, options: MergeOptions): ItemMerge {
  const { config } = options
  const { conflicts, notes, settle } = createSettler(options)
  const fields: Partial<Item> = {}
  let statusSide: Side | undefined
  let keptStatusSide: Side | undefined
  for (const [field, wins] of scalarRules(config)) {
    const [b, o, t] = [base?.[field], ours[field], theirs[field]]
    const choice = choose(b, o, t, identical, by(present(wins)))
    if (field === 'status') {
      statusSide = choice.side
      // The side whose status the merged item carries: report mode keeps ours on a conflict.
      keptStatusSide = choice.conflict && options.mode === 'report' ? 'ours' : choice.side
    }
    Object.assign(fields, { [field]: settle(field, b, o, t, choice) })
  }
  // The stamps tell the story of the status that was kept; when both sides agree on it, the earlier stamp.
  const stampSide = (x: string | undefined, y: string | undefined) => statusSide ?? by(present(earlier))(x, y)
  for (const field of ['started', 'closed'] as const) {
    const [b, o, t] = [base?.[field], ours[field], theirs[field]]
    fields[field] = settle(field, b, o, t, choose(b, o, t, identical, stampSide))
  }
  // A close stamp that came without its closed status (the other side's status was kept) goes with the lost status.
  const kept = keptStatusSide === 'ours' ? ours : keptStatusSide === 'theirs' ? theirs : undefined
  if (kept && !config.closed_statuses.includes(kept.status) && fields.closed !== kept.closed) fields.closed = undefined

  fields.tags = mergeSet(base?.tags ?? [], ours.tags, theirs.tags, (tag) => tag.toLowerCase(), spelling)
  fields.depends_on = mergeSet(base?.depends_on ?? [], ours.depends_on, theirs.depends_on, idKey, spelling)
  fields.references = mergeSet(
    base?.references ?? [],
    ours.references,
    theirs.references,
    (ref) => ref.url,
    (b, o, t) => {
      const title = choose(b?.title, o.title, t.title, identical, by(present(greater)))
      const chosen = settle<Reference>('references', b, o, t, {
        value: title.side === 'theirs' ? t : o,
        side: title.side,
        conflict: title.conflict,
      })
      return chosen
    },
  )
  for (const field of ['evidence', 'blocked_reason'] as const) {
    fields[field] = mergeSet(base?.[field] ?? [], ours[field], theirs[field], String, (_b, o) => o)
  }
  const mergedNotes = mergeSet(base?.notes ?? [], ours.notes, theirs.notes, noteKey, (_b, o) => o, byTime)
  fields.attributes = mergeAttributes(base?.attributes ?? {}, ours.attributes, theirs.attributes, settle)

  const body = mergeBodies(base?.description ?? '', ours.description, theirs.description)
  fields.description = body.text
  if (body.conflict) {
    conflicts.push({
      field: 'description',
      base: base?.description,
      ours: ours.description,
      theirs: theirs.description,
    })
    if (options.mode === 'report') fields.description = ours.description
  }
  fields.notes = [...mergedNotes, ...notes]

  // A copy, so changing the merged item never reaches into the inputs.
  const item = structuredClone(Object.assign(blankItem(fields.id ?? ours.id, fields.title ?? ours.title), fields))
  return { item, conflicts }
}

/** The frontmatter and the body of a file that parsed, split at its delimiter lines; undefined if unusual. */
function splitText(text: string): { frontmatter: string; body: string } | undefined {
  const start = text.indexOf('\n') + 1
  if (start === 0) return undefined
  const closing = /^---[ \t]*(?:\r?\n|$)/m.exec(text.slice(start))
  if (!closing) return undefined
  const end = start + closing.index
  return { frontmatter: text.slice(start, end), body: text.slice(end + closing[0].length) }
}

function bodyOf(description: string): string {
  if (description === '') return ''
  return `\n${description.endsWith('\n') ? description : `${description}\n`}`
}

/** Deep equality that ignores properties set to undefined (an item from a parse has every optional key). */
const sameItem = (a: Item, b: Item) => canonicalJson(a) === canonicalJson(b)

/**
 * The frontmatter of the merged item, written on the best template that still says exactly the merged values: the
 * clean line merge of the three frontmatters (keeps both sides' comments and layout), else base's text (keeps the
 * comments both sides share), else canonical. Every choice is independent of which side is ours.
 */
function writeFrontmatter(item: Item, texts: Array<string | undefined>): string {
  const head = { ...item, description: '' }
  const [base, ours, theirs] = texts.map((text) => (text === undefined ? undefined : splitText(text)?.frontmatter))
  const templates: string[] = []
  if (ours !== undefined && theirs !== undefined) {
    const lines = mergeLines(ours.split('\n'), (base ?? '').split('\n'), theirs.split('\n'))
    if (!lines.conflict) templates.push(`---\n${lines.result.join('\n')}---\n`)
  }
  if (base !== undefined) templates.push(`---\n${base}---\n`)
  for (const template of templates) {
    try {
      const text = serializeItem(head, template)
      if (sameItem(parseItemFile(text, item.id), head)) return text
    } catch (error) {
      // A line merge can write YAML that does not parse (a key added twice): try the next template.
      if (!isBacklogError(error)) throw error
    }
  }
  return serializeItem(head)
}

function parseSide(text: string, side: string, path: string | undefined): Item {
  try {
    return parseItemFile(text)
  } catch (error) {
    if (!isBacklogError(error)) throw error
    throw new BacklogError(
      error.code,
      `${path ?? 'item file'} (${side} side of the merge): ${error.message}`,
      { ...error.details, side, ...(path ? { path } : {}) },
      { cause: error },
    )
  }
}

/**
 * Whether git handed over two different items as one file's three versions. git takes an item deleted on one side
 * and an item added on that side for a move when their files look alike (small items are mostly the same empty
 * fields), and then merges the other side's change of the deleted item into the added item's file. Merged field by
 * field, the added item would take over that change (a note, a priority, a title) and the changed item would go
 * without a word (docs/adr/0021-items-git-takes-for-a-move.md). Returns the side whose item the file keeps (the
 * one its name names; else the one the common ancestor is not) and the other item; undefined for one item.
 */
function pairedItems(
  base: Item | undefined,
  ours: Item,
  theirs: Item,
  path: string | undefined,
): { keep: Side; leftOut: { id: string; side: Side } } | undefined {
  const [oursKey, theirsKey] = [idKey(ours.id), idKey(theirs.id)]
  if (oursKey === theirsKey) return undefined
  const named = path === undefined ? undefined : idFromPath(path)
  const namedKey = named === undefined ? undefined : idKey(named)
  const keep: Side =
    namedKey === theirsKey || (namedKey !== oursKey && base !== undefined && idKey(base.id) === oursKey)
      ? 'theirs'
      : 'ours'
  const other = keep === 'ours' ? theirs : ours
  return { keep, leftOut: { id: other.id, side: keep === 'ours' ? 'theirs' : 'ours' } }
}

/**
 * The same over file texts (parse, merge, serialize canonically); body conflicts in 'resolve' mode leave git-style
 * conflict markers in the body and are reported. A side that did not change the file gives the other side's text
 * byte for byte; otherwise the frontmatter is rewritten only where the merged values need it, so comments both sides
 * kept survive, and the text does not depend on which side is ours (apart from the marker order). Throws
 * `MALFORMED_ITEM` naming the side (and `path`) when a version does not parse.
 *
 * @example
 * const { text, conflicts } = mergeItemTexts(baseText, oursText, theirsText, { mode: 'resolve', config, now, path })
 * // merge driver: write text to %A; exit 1 when conflicts include 'description' (markers left), else 0
 */
export function mergeItemTexts(
  baseText: string | undefined,
  ours: string,
  theirs: string,
  options: TextMergeOptions,
): TextMerge {
  let base = baseText
  let baseItem = base === undefined ? undefined : parseSide(base, 'base', options.path)
  const oursItem = parseSide(ours, 'ours', options.path)
  const theirsItem = parseSide(theirs, 'theirs', options.path)
  const paired = pairedItems(baseItem, oursItem, theirsItem, options.path)
  if (paired) return { text: paired.keep === 'ours' ? ours : theirs, conflicts: [], leftOut: paired.leftOut }
  if (baseItem && idKey(baseItem.id) !== idKey(oursItem.id)) {
    // both sides hold one item the common ancestor is not: two adds of it, whatever git took the ancestor to be
    baseItem = undefined
    base = undefined
  }
  if (ours === theirs || theirs === base) return { text: ours, conflicts: [] }
  if (ours === base) return { text: theirs, conflicts: [] }
  const { item, conflicts } = mergeItems(baseItem, oursItem, theirsItem, options)
  // A body both sides left as it was keeps its bytes (a missing blank line after `---`, say).
  const [oursBody, theirsBody] = [splitText(ours)?.body, splitText(theirs)?.body]
  const keepBody = oursBody !== undefined && oursBody === theirsBody && item.description === oursItem.description
  return {
    text: writeFrontmatter(item, [base, ours, theirs]) + (keepBody ? oursBody : bodyOf(item.description)),
    conflicts,
  }
}
