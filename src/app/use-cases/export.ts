/** The export use-case: every item a selection matches, in full, for the renderers of `git backlog export`. Reads only. */

import { FIELDS, type FieldSpec, type ItemDetail } from '../../core/fields.js'
import type { ExportInput } from '../../core/inputs.js'
import { parseFilter } from '../../query/filter.js'
import type { ItemRecord, Problem } from '../../store/store.js'
import type { AppCore } from '../shared.js'
import { toDetail } from './get.js'

export interface ExportResult {
  /** The items, in the selection's order (most urgent first unless `sort` says otherwise), every field each. */
  items: ItemDetail[]
  /** The config's statuses in workflow order, which a report groups by. */
  statuses: string[]
  /** Files that cannot be read: left out of `items`, so the reader must be told. */
  problems?: Problem[]
}

/** The keys an item holds itself, in the order of its file: frontmatter fields, then attributes, then the body. */
const ITEM_KEYS = (FIELDS as readonly FieldSpec[])
  .filter((field) => field.place !== 'derived')
  .map((field) => field.name)

/**
 * An item as export gives it: its own fields in file order (optional ones only when set), then where it is and when it
 * last changed. The same keys in the same order for every item, whatever order its file had them in.
 */
function exported(record: ItemRecord, updated: number | undefined): ItemDetail {
  const detail = toDetail(record, updated)
  const source = detail as unknown as Record<string, unknown>
  const item: Record<string, unknown> = {}
  for (const key of ITEM_KEYS) if (source[key] !== undefined) item[key] = source[key]
  // Notes and references in their schema's key order, whatever order their lines had in the file.
  item.notes = detail.notes.map(({ at, by, text }) => ({ at, ...(by === undefined ? {} : { by }), text }))
  item.references = detail.references.map(({ url, title }) => ({ url, ...(title === undefined ? {} : { title }) }))
  item.path = detail.path
  item.archived = detail.archived
  if (detail.updated !== undefined) item.updated = detail.updated
  return item as ItemDetail
}

/**
 * Every item the selection matches (the filter words, statuses and flags of `list`, without its limit), in full.
 * Writes nothing: no file, no commit, no config.
 *
 * @example
 * const { items } = await exportItems(core, { status: ['all'], archived: true })
 */
export async function exportItems(core: AppCore, input: ExportInput): Promise<ExportResult> {
  const { store, selector, changedAt } = core
  await store.refresh()
  const config = store.config()
  const records = store.all()
  const filter = input.filter ? parseFilter(input.filter) : undefined
  // Every item carries `updated`, so history is read whatever the filter asks (its times are cached in the git folder).
  const updated = await changedAt(true)
  const selected = selector.select(records, config, {
    ...input,
    filter,
    ...(updated ? { updated } : {}),
    limit: records.length,
  })
  const problems = store.problems()
  return {
    items: selected.records.map((record) => exported(record, updated?.(record))),
    statuses: [...config.statuses],
    ...(problems.length ? { problems } : {}),
  }
}
