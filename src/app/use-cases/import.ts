/** The import use-case: a peer's backlog brought over as items, all in one commit, with what could not be mapped. */

import { serializeItem } from '../../core/codec.js'
import { BacklogError } from '../../core/errors.js'
import type { ItemRow } from '../../core/fields.js'
import { ARCHIVE_DIR, itemPath } from '../../core/layout.js'
import {
  type Draft,
  type ItemReport,
  importSource,
  type MappedItem,
  mapDrafts,
  type SourceFile,
} from '../../import/index.js'
import { installDriverQuietly } from '../../merge/install.js'
import type { ItemRecord } from '../../store/store.js'
import { type AppCore, MAX_RESULT_ROWS, planOf, plural } from '../shared.js'
import { backlogFiles } from './init.js'

export interface ImportInput {
  /** The peer: backlog.md, backlog-mcp, backloghq, beads, git-backlog, github or taskwarrior (or an alias). */
  source: string
  /** Its files, paths relative to what the person named (`tasks/task-1 - Title.md`, or `-` for standard input). */
  files: SourceFile[]
  /**
   * Items whose id the backlog has already (a second import of the same source, or an id taken by hand): `refuse`
   * (the default) writes nothing and names them; `skip` leaves them as they are here and imports the others.
   */
  existing?: 'refuse' | 'skip'
  /** Report what would be imported, write nothing. */
  dry_run?: boolean
  agent?: string
}

export interface ImportResult {
  source: string
  dry_run: boolean
  /** How many items were written (or would be). */
  imported: number
  /** Ids the backlog had already, left as they are (`existing: skip`). */
  skipped: string[]
  /** The first MAX_RESULT_ROWS items written (none on a dry run). */
  items: ItemRow[]
  commit?: string
  changed: boolean
  /** What the importer says of the source as a whole (fields it never imports, files it skipped). */
  notes: string[]
  /** Per item, what could not be carried over. */
  reports: ItemReport[]
  started_backlog?: boolean
}

/** Largest number of ids an error names before saying how many more there are. */
const NAMED = 10

function named(ids: string[]): string {
  return ids.length > NAMED ? `${ids.slice(0, NAMED).join(', ')} and ${ids.length - NAMED} more` : ids.join(', ')
}

/**
 * Who here holds a source key (`taskwarrior_uuid: 5f1c…`): the items imported before, found by the attributes the
 * drafts are keyed by, whatever id they were given then. Keys compare in any case.
 */
function holderOf(
  records: readonly ItemRecord[],
  drafts: readonly Draft[],
): (attribute: string, value: string) => string | undefined {
  const attributes = new Set(drafts.flatMap((draft) => (draft.key ? [draft.key.attribute] : [])))
  const held = new Map<string, string>()
  const keyOf = (attribute: string, value: string) => `${attribute}\u0000${value.trim().toLowerCase()}`
  if (attributes.size) {
    for (const { item } of records) {
      for (const attribute of attributes) {
        const value = item.attributes[attribute]
        if (typeof value === 'string' && !held.has(keyOf(attribute, value))) held.set(keyOf(attribute, value), item.id)
      }
    }
  }
  return (attribute, value) => held.get(keyOf(attribute, value))
}

/**
 * Imports a peer's backlog: reads its files with the source's reader, maps the drafts onto items here and writes
 * them in one commit (`import N items: …`, op `create`). Ids the backlog has already are refused unless
 * `existing: 'skip'`; a dry run only reports.
 *
 * @example
 * await importItems(core, { source: 'beads', files: [{ path: 'issues.jsonl', text }] })
 */
export async function importItems(core: AppCore, input: ImportInput): Promise<ImportResult> {
  const { store } = core
  const source = importSource(input.source)
  const read = source.read(input.files)
  if (read.drafts.length === 0) {
    throw new BacklogError('INVALID_INPUT', `nothing to import: no ${source.name} items found. Nothing was written.`)
  }
  const context = await core.contextFor(input.agent)
  const about = (count: number) =>
    `Imported from ${source.name}: ${plural(count, 'item')}${input.files.length === 1 && input.files[0]?.path !== '-' ? ` (${input.files[0]?.path})` : ''}.`

  let fresh: MappedItem[] = []
  let skipped: string[] = []
  let reports: ItemReport[] = []
  let starts = false
  const plan = () => {
    const taken = store.takenIds()
    const mapped = mapDrafts(read.drafts, {
      config: store.config(),
      exists: (id) => taken.has(id),
      holder: holderOf(store.all(), read.drafts),
    })
    const here = mapped.items.filter((entry) => taken.has(entry.item.id))
    if (here.length && input.existing !== 'skip') {
      const ids = here.map((entry) => entry.item.id)
      throw new BacklogError(
        'CONFLICT',
        `${plural(ids.length, 'item')} of the import ${ids.length === 1 ? 'has an id' : 'have ids'} this backlog has already: ${named(ids)}. Import again with --skip-existing (existing: "skip") to bring only the others, or remove those first. Nothing was written.`,
        { ids },
      )
    }
    const skippedKeys = new Set(here.map((entry) => entry.item.id))
    fresh = mapped.items.filter((entry) => !skippedKeys.has(entry.item.id))
    skipped = [...skippedKeys]
    reports = mapped.reports.filter((report) => !skippedKeys.has(report.id))
    starts = !store.isInitialized()
  }

  if (input.dry_run) {
    await store.refresh()
    plan()
    return {
      source: source.name,
      dry_run: true,
      imported: fresh.length,
      skipped,
      items: [],
      changed: false,
      notes: read.notes,
      reports,
    }
  }

  const result = await store.mutate(() => {
    plan()
    if (fresh.length === 0) return null
    return planOf(
      context,
      { op: 'create', verb: 'import', items: fresh.map((entry) => entry.item), about: about(fresh.length) },
      [
        ...(starts ? backlogFiles() : []),
        ...fresh.map(({ item, archived }) => ({
          path: archived ? itemPath(item.id, ARCHIVE_DIR) : itemPath(item.id),
          content: serializeItem(item),
        })),
      ],
    )
  })
  if (starts && fresh.length) installDriverQuietly(store.repo)
  return {
    source: source.name,
    dry_run: false,
    imported: fresh.length,
    skipped,
    items: core.rowsOf(fresh.slice(0, MAX_RESULT_ROWS).map((entry) => entry.item.id)),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: fresh.length > 0,
    notes: read.notes,
    reports,
    ...(starts && fresh.length ? { started_backlog: true } : {}),
  }
}
