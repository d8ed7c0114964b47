/** The remove use-case: delete items, refused while other items still point at them. */

import { BacklogError, phrase, slot } from '../../core/errors.js'
import { idKey } from '../../core/ids.js'
import type { DeleteInput } from '../../core/inputs.js'
import { assertInitialized } from '../../store/store.js'
import type { ItemRow, MutationResult } from '../index.js'
import { type AppCore, distinct, planOf, toRow } from '../shared.js'

/**
 * Deletes the items named, in one commit; CONFLICT (and nothing deleted) while another item links to one of them.
 *
 * @example
 * await remove(core, { id: ['bl-x9'] })
 */
export async function remove(core: AppCore, input: DeleteInput): Promise<MutationResult> {
  const { store } = core
  // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
  assertInitialized(store)
  const context = await core.contextFor(input.agent)
  let removed: ItemRow[] = []
  const result = await store.mutate(() => {
    const records = distinct(input.id.map((id) => core.require(id)))
    const dangling = referencesTo(core, new Set(records.map((record) => idKey(record.item.id))))
    if (dangling.length) {
      throw new BacklogError(
        'CONFLICT',
        phrase`Other items point at what you are deleting: ${dangling.slice(0, 10).join(', ')}${dangling.length > 10 ? ` and ${dangling.length - 10} more` : ''}. Delete them in the same call, or update them first (${slot('unlink')}). Nothing was deleted.`,
        { items: dangling },
      )
    }
    removed = records.map(toRow)
    return planOf(
      context,
      {
        op: 'delete',
        verb: 'rm',
        items: records.map((record) => record.item),
      },
      records.map((record) => ({ path: record.path, content: null })),
    )
  })
  return { items: removed, ...(result.commit ? { commit: result.commit } : {}), changed: true }
}

/** Items outside `removed` whose parent, epic or dependencies name one of the removed ids. */
function referencesTo(core: AppCore, removed: Set<string>): string[] {
  const found: string[] = []
  for (const { item } of core.store.all()) {
    if (removed.has(idKey(item.id))) continue
    const links = [item.parent, item.epic, ...item.depends_on].filter((link): link is string => link !== undefined)
    const hit = links.find((link) => removed.has(idKey(link)))
    if (hit)
      found.push(`${item.id} (${hit === item.parent ? 'parent' : hit === item.epic ? 'epic' : 'depends_on'} ${hit})`)
  }
  return found
}
