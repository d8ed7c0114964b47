/** The writeBody use-case: an edit of an item's body alone (replace, insert, append), as the resource tool does it. */

import { editBody } from '../../core/body-edit.js'
import { serializeItem } from '../../core/codec.js'
import type { WriteResourceInput } from '../../core/inputs.js'
import { assertInitialized } from '../../store/store.js'
import type { MutationResult } from '../index.js'
import { type AppCore, planOf } from '../shared.js'

/**
 * Edits the description of one item in one commit; changed: false when the edit leaves it as it was.
 *
 * @example
 * await writeBody(core, { id: 'bl-x9', operation: { type: 'append', new_str: 'One more step.' } })
 */
export async function writeBody(core: AppCore, input: WriteResourceInput): Promise<MutationResult> {
  const { store } = core
  assertInitialized(store)
  const context = await core.contextFor(input.agent)
  let id = input.id
  const result = await store.mutate(() => {
    const record = core.require(input.id)
    id = record.item.id
    const next = {
      ...structuredClone(record.item),
      description: editBody(record.item.description, input.operation),
    }
    const text = serializeItem(next, record.text)
    if (text === record.text) return null
    return planOf(
      context,
      {
        op: 'update',
        verb: 'edit',
        changed: ['description'],
        items: [next],
      },
      [{ path: record.path, content: text }],
    )
  })
  return {
    items: core.rowsOf([id]),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: result.changes.length > 0,
  }
}
