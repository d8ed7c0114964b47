/**
 * The use-cases that hand out the backlog's files as they are, for an edge that serves them (MCP resources): every
 * record, one item's file, the config's text, and a call when files change; and the files that cannot be read.
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BacklogError } from '../../core/errors.js'
import { CONFIG_PATH } from '../../core/layout.js'
import { objectId } from '../../store/git/objects.js'
import type { ItemRecord, Problem } from '../../store/store.js'
import type { AppCore } from '../shared.js'

/**
 * Every item's record as the working tree has it now, archived ones included.
 *
 * @example
 * const ids = (await records(core)).map((record) => record.item.id)
 */
export async function records(core: AppCore): Promise<readonly ItemRecord[]> {
  await core.store.refresh()
  return core.store.all()
}

/**
 * The record of `id` as last read (call `records` first to read the working tree afresh); undefined when none.
 *
 * @example
 * (await record(core, 'bl-x9'))?.text // the item's markdown file
 */
export async function record(core: AppCore, id: string): Promise<ItemRecord | undefined> {
  return core.store.get(id)
}

/**
 * The text of `.backlog/config.yml`, or NOT_INITIALIZED where there is no backlog yet.
 *
 * @example
 * await configText(core) // 'prefix: bl\nstatuses: …'
 */
export async function configText(core: AppCore): Promise<string> {
  try {
    return readFileSync(join(core.store.repo.worktree, CONFIG_PATH), 'utf8')
  } catch {
    throw new BacklogError('NOT_INITIALIZED', 'No backlog here yet: run `git backlog init`.')
  }
}

/**
 * Calls `listener` whenever an item file changes, by a call or by hand; returns the unsubscribe.
 *
 * @example
 * const stop = await watch(core, () => console.log('changed'))
 */
export async function watch(core: AppCore, listener: () => void): Promise<() => void> {
  return core.store.onChange(listener)
}

/**
 * Reads the backlog ahead of the first call that needs it, so that call finds everything loaded.
 *
 * @example
 * await warm(core)
 */
export async function warm(core: AppCore): Promise<void> {
  await core.store.warm()
}

/**
 * Every item's record and the item files that cannot be read (each with why and how to fix it), from one read of the
 * working tree: a reader that wants both gets them in step, for one refresh.
 *
 * @example
 * const { records, problems } = await recordsAndProblems(core)
 */
export async function recordsAndProblems(
  core: AppCore,
): Promise<{ records: readonly ItemRecord[]; problems: Problem[] }> {
  // A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…).
  await core.store.refresh()
  return { records: core.store.all(), problems: core.store.problems() }
}

/**
 * An opaque version of an item's file: it changes whenever the file's bytes do, so an editor can say which version it
 * changed (`update`'s `expect`) and be refused when someone else wrote in between. It is the start of the git blob id
 * of the bytes that were parsed, which the read model keeps with each record: free for a board of 10,000 cards, where
 * hashing the text would read every file the parse cache spared.
 *
 * @example
 * versionOf(record) // 'b1946ac92492d234'
 */
export function versionOf(record: ItemRecord): string {
  return (record.blob ?? objectId('blob', record.raw ?? Buffer.from(record.text))).slice(0, 16)
}
