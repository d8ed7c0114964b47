/**
 * Drafts to items of this repository: ids kept where they are ids here (else made deterministically, the old one
 * kept as `imported_id`), links rewritten to those ids, statuses onto the configured ones, texts within the limits,
 * cycles broken; what could not be carried over is said per item.
 */

import type { BacklogConfig } from '../core/config.js'
import { SETTABLE_FIELDS } from '../core/fields.js'
import { idKey, isValidId } from '../core/ids.js'
import { attributes as attributesSchema, LIMITS, textList, toLf, withoutUnstorable } from '../core/input-values.js'
import { createInput } from '../core/inputs.js'
import { blankItem, ITEM_TYPES, type Item, normalizePriority } from '../core/item.js'
import { parseRecurrence } from '../core/recurrence.js'
import type { Draft, StatusMeaning } from './draft.js'
import { slugOf, statusKey } from './values.js'

/** What one imported item could not bring over, by the id it has here. */
export interface ItemReport {
  id: string
  source_id: string
  title: string
  problems: string[]
}

export interface MappedItem {
  item: Item
  archived: boolean
  sourceId: string
}

export interface Mapped {
  items: MappedItem[]
  /** Items with something to say, in source order. */
  reports: ItemReport[]
}

export interface MapOptions {
  config: BacklogConfig
  /** True for an id an item of the repository has: links to it are kept. */
  exists(id: string): boolean
  /**
   * The id of the item of the repository whose attribute `attribute` is `value` (a source's UUID), if one is: that
   * item is the draft imported before, and keeps its id.
   */
  holder?(attribute: string, value: string): string | undefined
}

/** Priority words of other tools that mean one of ours. */
const PRIORITY_WORDS: Record<string, string> = {
  critical: 'urgent',
  highest: 'urgent',
  blocker: 'urgent',
  p0: 'urgent',
  p1: 'high',
  p2: 'medium',
  normal: 'medium',
  p3: 'low',
  lowest: 'low',
}

/** An id made from one that is not an id here (`ADR 0001` → `bl-adr-0001`), the same for the same text. */
function idFrom(sourceId: string, prefix: string): string {
  return `${prefix}-${slugOf(sourceId, 60 - prefix.length) || 'item'}`
}

/** The repository's status for a source status: its own name when the config has it, else by what it means. */
function statusFor(status: Draft['status'], config: BacklogConfig): { status: string; problem?: string } {
  const key = statusKey(status.name)
  const same = config.statuses.find((known) => statusKey(known) === key)
  if (same) return { status: same }
  const meaning: StatusMeaning | undefined = status.meaning
  const named = (name: string) => config.statuses.find((known) => statusKey(known) === name)
  const first = config.statuses[0] as string
  if (meaning === undefined) {
    return {
      status: first,
      problem: `status "${status.name}" is not one of ${config.statuses.join(', ')}: set to ${first} (add it to .backlog/config.yml and import again to keep it)`,
    }
  }
  const closed = config.closed_statuses
  const chosen =
    named(meaning) ??
    (meaning === 'done'
      ? closed[0]
      : meaning === 'cancelled'
        ? closed[closed.length - 1]
        : meaning === 'in_progress'
          ? config.started_statuses[0]
          : undefined)
  if (chosen && config.statuses.includes(chosen)) return { status: chosen }
  return { status: first, problem: `status "${status.name}" has no match in .backlog/config.yml: set to ${first}` }
}

/** A text that fits: control characters removed, cut at `max` characters, with a word for each change. */
function fitted(text: string, max: number, what: string, problems: string[]): string {
  const lf = toLf(text)
  let clean = withoutUnstorable(lf)
  if (clean !== lf) problems.push(`${what}: control characters removed`)
  if (clean.length > max) {
    clean = `${clean.slice(0, max - 1)}…`
    problems.push(`${what} cut to ${max} characters`)
  }
  return clean
}

/** One-line texts (tags, names): line breaks and tabs become spaces. */
function oneLine(text: string, max: number, what: string, problems: string[]): string {
  return fitted(text.replace(/[\t\r\n\u2028\u2029]+/g, ' ').trim(), max, what, problems)
}

/** Attributes that can be stored; one that cannot, or that does not fit, is dropped and named. */
function fittedAttributes(values: Record<string, unknown>, problems: string[]): Record<string, unknown> {
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(values)) {
    if (attributesSchema.safeParse({ [key]: value }).success) kept[key] = value
    else problems.push(`field "${key}" dropped: it cannot be stored as an attribute here`)
  }
  const size = (record: Record<string, unknown>) => JSON.stringify(record).length
  while (size(kept) > LIMITS.attributes) {
    const biggest = Object.keys(kept).sort((a, b) => JSON.stringify(kept[b]).length - JSON.stringify(kept[a]).length)[0]
    if (biggest === undefined) break
    delete kept[biggest]
    problems.push(`field "${biggest}" dropped: the attributes of one item hold at most ${LIMITS.attributes} characters`)
  }
  return kept
}

const TAG_FLAG = textList()

/**
 * A tag as `--tag` and `--remove-tag` can name it: given as one text, the list schema reads it back as this one tag.
 * A comma would split it in two, so commas (and the spaces around them) become `-`; a tag still out of reach is left
 * out. Either is said.
 */
function reachableTag(tag: string, problems: string[]): string | undefined {
  const reads = (text: string) => {
    const parsed = TAG_FLAG.safeParse(text)
    return parsed.success && parsed.data.length === 1 && parsed.data[0] === text
  }
  if (reads(tag)) return tag
  const fixed = tag.replace(/\s*,\s*/g, '-').replace(/^-+|-+$/g, '')
  if (fixed && reads(fixed)) {
    problems.push(`tag "${tag}" holds a comma, which --tag reads as two tags: imported as "${fixed}"`)
    return fixed
  }
  problems.push(`tag "${tag}" cannot be named with --tag: left out`)
  return undefined
}

/**
 * The item's fields through the schema `git backlog add` and backlog_create check their input with, so an imported
 * item is one that could have been made here: an entry the schema refuses is left out, a list longer than it takes is
 * cut, a field it refuses is cleared; each said.
 */
function checkFields(item: Item, problems: string[]): void {
  const record = item as unknown as Record<string, unknown>
  const input: Record<string, unknown> = { title: item.title }
  for (const field of SETTABLE_FIELDS) if (record[field.name] !== undefined) input[field.name] = record[field.name]
  const parsed = createInput.safeParse(input)
  if (parsed.success) return
  const blank = blankItem(item.id, item.title) as unknown as Record<string, unknown>
  const entries = new Map<string, number[]>()
  for (const issue of parsed.error.issues) {
    const [field, index] = issue.path
    if (typeof field !== 'string' || field === 'title' || !(field in blank)) continue
    const value = record[field]
    if (typeof index === 'number' && Array.isArray(value)) {
      entries.set(field, [...(entries.get(field) ?? []), index])
      problems.push(`${field} entry ${index + 1} ${issue.message}: left out`)
    } else if (Array.isArray(value) && value.length > LIMITS.entries) {
      record[field] = value.slice(0, LIMITS.entries)
      problems.push(`${field} ${issue.message}: the first ${LIMITS.entries} kept`)
    } else {
      record[field] = blank[field]
      problems.push(`${field} ${issue.message}: left out`)
    }
  }
  for (const [field, indexes] of entries) {
    const value = record[field] as unknown[]
    record[field] = value.filter((_, index) => !indexes.includes(index))
  }
}

/**
 * Ids for the drafts: each source id to its id here, first come first served; duplicates get `-2`, `-3`. A draft
 * with a source key an item here holds gets that item's id; one whose id is another item's here takes the next of
 * its longer forms. An id that had to change is said.
 */
function assignIds(
  drafts: Draft[],
  prefix: string,
  { exists, holder }: Pick<MapOptions, 'exists' | 'holder'>,
): { ids: string[]; bySource: Map<string, string> } {
  const used = new Set<string>()
  const bySource = new Map<string, string>()
  const ids = drafts.map((draft) => {
    const wanted = draft.id ?? draft.sourceId
    let id = (draft.key && holder?.(draft.key.attribute, draft.key.value)) || undefined
    if (id === undefined) {
      id = isValidId(wanted) ? wanted : idFrom(wanted, prefix)
      if (id !== wanted) draft.problems.push(`id ${wanted} is not an id here: imported as ${id}`)
      if (draft.key) {
        // The id is another item's (it does not hold this key): a longer form of the same key is this one's.
        const first = id
        const longer = (draft.ids ?? []).filter(isValidId)
        while ((exists(id) || used.has(idKey(id))) && longer.length) id = longer.shift() as string
        if (id !== first) {
          draft.problems.push(
            `id ${first} is another item's here (without this ${draft.key.attribute}): imported as ${id}`,
          )
        }
      }
    }
    if (used.has(idKey(id))) {
      let n = 2
      while (used.has(idKey(`${id}-${n}`))) n++
      draft.problems.push(`id ${id} appears more than once in the source: this one is ${id}-${n}`)
      id = `${id}-${n}`
    }
    used.add(idKey(id))
    if (!bySource.has(idKey(draft.sourceId))) bySource.set(idKey(draft.sourceId), id)
    return id
  })
  return { ids, bySource }
}

/**
 * Drops the dependencies that close a cycle, walking each item's dependencies depth first (iteratively: a chain of
 * 10,000 items must not exhaust the stack) and cutting every edge back into the path.
 */
function breakCycles(items: Item[], problemsOf: (item: Item) => string[]): void {
  const byKey = new Map(items.map((item) => [idKey(item.id), item]))
  const state = new Map<string, 'open' | 'done'>()
  for (const root of items) {
    if (state.has(idKey(root.id))) continue
    const stack: Array<{ item: Item; next: number }> = [{ item: root, next: 0 }]
    state.set(idKey(root.id), 'open')
    while (stack.length) {
      const top = stack[stack.length - 1] as { item: Item; next: number }
      const dependency = top.item.depends_on[top.next]
      if (dependency === undefined) {
        state.set(idKey(top.item.id), 'done')
        stack.pop()
        continue
      }
      const target = byKey.get(idKey(dependency))
      const seen = state.get(idKey(dependency))
      if (target && seen === 'open') {
        const path = stack.slice(stack.findIndex((entry) => idKey(entry.item.id) === idKey(dependency)))
        const cycle = [...path.map((entry) => entry.item.id), dependency].join(' → ')
        top.item.depends_on.splice(top.next, 1)
        problemsOf(top.item).push(`depends_on ${dependency} dropped: it closes a cycle (${cycle})`)
        continue
      }
      top.next++
      if (target && seen === undefined) {
        state.set(idKey(dependency), 'open')
        stack.push({ item: target, next: 0 })
      }
    }
  }
}

/** Parents that would make an item its own ancestor: the link that closes the loop is dropped. */
function breakParentLoops(items: Item[], problemsOf: (item: Item) => string[]): void {
  const byKey = new Map(items.map((item) => [idKey(item.id), item]))
  const settled = new Set<string>()
  for (const item of items) {
    const path = new Set<string>()
    let current: Item | undefined = item
    while (current && !settled.has(idKey(current.id))) {
      path.add(idKey(current.id))
      const parent: string | undefined = current.parent
      if (parent !== undefined && path.has(idKey(parent))) {
        problemsOf(current).push(`parent ${parent} dropped: it would make a loop of parents`)
        if (current.epic !== undefined && idKey(current.epic) === idKey(parent)) current.epic = undefined
        current.parent = undefined
        break
      }
      current = parent === undefined ? undefined : byKey.get(idKey(parent))
    }
    for (const key of path) settled.add(key)
  }
}

/**
 * Maps the drafts of one source onto items of this repository.
 *
 * @example
 * mapDrafts(readBeads(files).drafts, { config, exists: (id) => store.get(id) !== undefined })
 */
export function mapDrafts(drafts: Draft[], { config, exists, holder }: MapOptions): Mapped {
  const { ids, bySource } = assignIds(drafts, config.prefix, { exists, ...(holder ? { holder } : {}) })
  const problems = new Map<Item, string[]>()
  const problemsOf = (item: Item) => problems.get(item) as string[]
  const link = (target: string, field: string, draft: Draft): string | undefined => {
    const found = bySource.get(idKey(target))
    if (found) return found
    if (isValidId(target) && exists(target)) return target
    // A link by source key (a UUID) to an item imported before.
    const held = draft.key && holder?.(draft.key.attribute, target)
    if (held) return held
    draft.problems.push(`${field} ${target}: no such item in the source or here; dropped`)
    return undefined
  }
  const types = new Map(drafts.map((draft, index) => [idKey(ids[index] as string), draft.type ?? 'task']))

  const items = drafts.map((draft, index): MappedItem => {
    const id = ids[index] as string
    const notes = draft.problems
    let title = oneLine(draft.title, Number.POSITIVE_INFINITY, 'title', notes)
    let description = draft.description
    if (title === '') {
      title = `Untitled ${draft.sourceId}`
      notes.push(`no title: called "${title}"`)
    } else if (title.length > LIMITS.title) {
      description = `${title}\n\n${description}`
      title = `${title.slice(0, LIMITS.title - 1)}…`
      notes.push(`title cut to ${LIMITS.title} characters; the whole title starts the description`)
    }
    const item = blankItem(id, title)
    if (draft.type !== undefined) {
      if ((ITEM_TYPES as readonly string[]).includes(draft.type)) item.type = draft.type
      else notes.push(`type "${draft.type}" is not an item type here: imported as a task`)
    }
    const status = statusFor(draft.status, config)
    item.status = status.status
    if (status.problem) notes.push(status.problem)
    if (draft.priority !== undefined) {
      const priority = normalizePriority(PRIORITY_WORDS[draft.priority.trim().toLowerCase()] ?? draft.priority)
      if (priority) item.priority = priority
      else {
        item.attributes.source_priority = draft.priority
        notes.push(`priority "${draft.priority}" is not urgent, high, medium or low: kept as source_priority`)
      }
    }
    if (draft.assignee !== undefined) item.assignee = oneLine(draft.assignee, LIMITS.name, 'assignee', notes)
    if (draft.parent !== undefined) item.parent = link(draft.parent, 'parent', draft)
    if (draft.epic !== undefined) item.epic = link(draft.epic, 'epic', draft)
    if (
      !draft.exact &&
      item.epic === undefined &&
      item.parent !== undefined &&
      types.get(idKey(item.parent)) === 'epic'
    ) {
      item.epic = item.parent
    }
    for (const field of ['parent', 'epic'] as const) {
      if (item[field] !== undefined && idKey(item[field] as string) === idKey(id)) {
        item[field] = undefined
        notes.push(`${field}: an item cannot be its own ${field}; dropped`)
      }
    }
    const tags = new Map<string, string>()
    for (const tag of draft.tags) {
      const line = oneLine(tag, LIMITS.tag, `tag "${tag.slice(0, 20)}"`, notes)
      const text = line && reachableTag(line, notes)
      if (text && !tags.has(text.toLowerCase())) tags.set(text.toLowerCase(), text)
    }
    item.tags = [...tags.values()]
    const dependencies = new Set<string>()
    for (const dependency of draft.depends_on) {
      const target = link(dependency, 'depends_on', draft)
      if (target === undefined) continue
      if (idKey(target) === idKey(id)) notes.push('depends_on: an item cannot depend on itself; dropped')
      else dependencies.add(target)
    }
    item.depends_on = [...dependencies]
    item.due = draft.due
    item.scheduled = draft.scheduled
    item.wait = draft.wait
    item.until = draft.until
    if (draft.recur !== undefined) {
      if (parseRecurrence(draft.recur)) item.recur = draft.recur
      else {
        item.attributes.source_recur = draft.recur
        notes.push(`recurrence "${draft.recur}" is not one read here: kept as source_recur, the item does not recur`)
      }
    }
    item.references = draft.references.map((reference) => ({
      url: oneLine(reference.url, LIMITS.url, 'reference', notes),
      ...(reference.title ? { title: oneLine(reference.title, LIMITS.title, 'reference title', notes) } : {}),
    }))
    item.evidence = draft.evidence.map((entry) => fitted(entry, LIMITS.entry, 'evidence', notes))
    item.blocked_reason = draft.blocked_reason.map((entry) => fitted(entry, LIMITS.entry, 'blocked reason', notes))
    item.created = draft.created
    item.started = draft.started
    const closed = config.closed_statuses.includes(item.status)
    item.closed = closed ? draft.closed : undefined
    if (!closed && draft.closed !== undefined) {
      // Reopened there (or a status that is not closed here): the date it was closed is kept, not dropped.
      item.attributes.closed_before = draft.closed
      notes.push(
        `closed ${draft.closed} in the source, but not closed now (${item.status}): the date kept as closed_before`,
      )
    }
    item.notes = draft.notes
      .map((note) => ({
        at: note.at,
        ...(note.by ? { by: oneLine(note.by, LIMITS.name, 'note author', notes) } : {}),
        text: fitted(note.text, LIMITS.note, 'note', notes),
      }))
      .sort((a, b) => a.at.localeCompare(b.at))
    const attributes: Record<string, unknown> = { ...draft.attributes }
    for (const [key, targets] of Object.entries(draft.linked)) {
      attributes[key] = targets.map((target) => bySource.get(idKey(target)) ?? target)
    }
    if (id !== (draft.id ?? draft.sourceId)) attributes.imported_id = draft.sourceId
    item.attributes = fittedAttributes({ ...item.attributes, ...attributes }, notes)
    description = fitted(description, LIMITS.description, 'description', notes)
    item.description = description
    checkFields(item, notes)
    problems.set(item, notes)
    return { item, archived: draft.archived === true, sourceId: draft.sourceId }
  })

  breakCycles(
    items.map((entry) => entry.item),
    problemsOf,
  )
  breakParentLoops(
    items.map((entry) => entry.item),
    problemsOf,
  )
  const reports = items.flatMap(({ item, sourceId }) => {
    const said = problemsOf(item)
    return said.length ? [{ id: item.id, source_id: sourceId, title: item.title, problems: said }] : []
  })
  return { items, reports }
}
