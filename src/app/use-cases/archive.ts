/** The use-cases that move closed items into the archive folder and back. */

import { formatTimestamp } from '../../core/dates.js'
import { BacklogError } from '../../core/errors.js'
import { idKey } from '../../core/ids.js'
import type { ArchiveInput, UnarchiveInput } from '../../core/inputs.js'
import { ARCHIVE_DIR, itemPath } from '../../core/layout.js'
import { assertInitialized, type ItemRecord } from '../../store/store.js'
import type { ArchiveResult, MutationResult } from '../index.js'
import { type AppCore, distinct, MAX_RESULT_ROWS, planOf, toRow } from '../shared.js'

const DEFAULT_ARCHIVE_DAYS = 30
const DAY_MS = 86_400_000

/**
 * Moves closed items into the archive folder in one commit: those named, or those closed more than
 * `older_than_days` ago; `dry_run` only says which.
 *
 * @example
 * await archive(core, { older_than_days: 30, dry_run: true })
 */
export async function archive(core: AppCore, input: ArchiveInput): Promise<ArchiveResult> {
  const { store, contextFor, require } = core
  assertInitialized(store)
  const context = await contextFor(input.agent)
  let chosen: ItemRecord[] = []
  let tooRecent = 0
  const move = (records: ItemRecord[]) =>
    records.map((record) => ({ record, to: itemPath(record.item.id, ARCHIVE_DIR) }))
  const result = await store.mutate(() => {
    const config = store.config()
    if (input.id !== undefined) {
      chosen = distinct(input.id.map((id) => require(id))).filter((record) => !record.archived)
      const open = chosen.filter((record) => !config.closed_statuses.includes(record.item.status))
      if (open.length) {
        throw new BacklogError(
          'INVALID_INPUT',
          `only closed items are archived; ${open.map((record) => `${record.item.id} is ${record.item.status}`).join(', ')}. Close them first (status done or cancelled).`,
        )
      }
    } else {
      const days = input.older_than_days ?? DEFAULT_ARCHIVE_DAYS
      const cutoff = formatTimestamp(new Date(context.date.getTime() - days * DAY_MS))
      const closed = store
        .all()
        .filter(({ item, archived }) => !archived && config.closed_statuses.includes(item.status))
      chosen = closed
        .filter(({ item }) => (item.closed ?? item.created ?? '') <= cutoff)
        .sort((a, b) => (idKey(a.item.id) < idKey(b.item.id) ? -1 : 1))
      tooRecent = closed.length - chosen.length
    }
    if (input.dry_run || chosen.length === 0) return null
    return planOf(
      context,
      {
        op: 'archive',
        verb: 'archive',
        items: chosen.map((record) => record.item),
      },
      move(chosen).flatMap(({ record, to }) => [
        { path: record.path, content: null },
        { path: to, content: record.raw ?? record.text },
      ]),
    )
  })
  return {
    items: chosen.slice(0, MAX_RESULT_ROWS).map((record) => ({ ...toRow(record), archived: !input.dry_run })),
    ...(chosen.length > MAX_RESULT_ROWS ? { total: chosen.length } : {}),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: result.changes.length > 0,
    dry_run: Boolean(input.dry_run),
    ...(tooRecent ? { too_recent: tooRecent } : {}),
  }
}

/**
 * Brings archived items back among the active ones, in one commit.
 *
 * @example
 * await unarchive(core, { id: ['bl-x9'] })
 */
export async function unarchive(core: AppCore, input: UnarchiveInput): Promise<MutationResult> {
  const { store, contextFor, require } = core
  assertInitialized(store)
  const context = await contextFor(input.agent)
  let chosen: ItemRecord[] = []
  const result = await store.mutate(() => {
    chosen = distinct(input.id.map((id) => require(id))).filter((record) => record.archived)
    if (chosen.length === 0) return null
    return planOf(
      context,
      {
        op: 'unarchive',
        verb: 'unarchive',
        items: chosen.map((record) => record.item),
      },
      chosen.flatMap((record) => [
        { path: record.path, content: null },
        { path: itemPath(record.item.id), content: record.raw ?? record.text },
      ]),
    )
  })
  return {
    items: chosen.map((record) => {
      const { archived: _archived, ...row } = toRow(record)
      return row
    }),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: result.changes.length > 0,
  }
}
