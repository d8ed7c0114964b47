/**
 * How an edge follows changes to the backlog (MCP resource notifications, the viewer's event stream): file events
 * gathered into bursts, and two readings of the records compared to say which items changed.
 */

import { idKey } from '../core/ids.js'
import type { ItemRecord } from '../store/store.js'

/** The records of one reading, by id key. */
export type RecordSnapshot = ReadonlyMap<string, ItemRecord>

/** One item that differs between two readings: `before` missing for a new item, `after` for one that went. */
export interface RecordChange {
  /** The item's id, as the newer of the two records spells it. */
  id: string
  before?: ItemRecord
  after?: ItemRecord
}

/**
 * The records of one reading, by id key, to compare with the next.
 *
 * @example
 * const snapshot = snapshotOf(await app.records())
 */
export function snapshotOf(all: readonly ItemRecord[]): Map<string, ItemRecord> {
  return new Map(all.map((record) => [idKey(record.item.id), record]))
}

/**
 * The items that differ between two readings. The read model hands out a new record whenever a file changed, so
 * identity says what changed (reading `.text` of an old record would read the new file: records from the parse cache
 * read it lazily).
 *
 * @example
 * changedRecords(before, after).map((change) => change.id) // ['bl-x9']
 */
export function changedRecords(before: RecordSnapshot, after: RecordSnapshot): RecordChange[] {
  const changes: RecordChange[] = []
  for (const [key, record] of after) {
    const old = before.get(key)
    if (old !== record) changes.push({ id: record.item.id, ...(old ? { before: old } : {}), after: record })
  }
  for (const [key, record] of before) if (!after.has(key)) changes.push({ id: record.item.id, before: record })
  return changes
}

/**
 * Runs `run` once a burst of `poke()`s settles (`settleMs` without one), or `maxWaitMs` into a burst that goes on,
 * so a stream of writes that never pauses is still told. The timer does not keep the process alive.
 *
 * @example
 * const burst = burstOf(() => void publish(), 100, 400)
 * const stop = await app.watch(burst.poke)
 */
export function burstOf(run: () => void, settleMs: number, maxWaitMs: number): { poke(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined
  let started: number | undefined
  return {
    poke() {
      const now = Date.now()
      started ??= now
      clearTimeout(timer)
      timer = setTimeout(
        () => {
          started = undefined
          run()
        },
        Math.max(0, Math.min(settleMs, started + maxWaitMs - now)),
      )
      timer.unref()
    },
    cancel() {
      clearTimeout(timer)
      started = undefined
    },
  }
}
