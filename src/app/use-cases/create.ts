/** The create use-case: one item, a duplicate of one, or a batch whose items may name each other as `#N`. */

import { serializeItem } from '../../core/codec.js'
import { BacklogError } from '../../core/errors.js'
import { generateId, idKey } from '../../core/ids.js'
import { type BatchItemInput, batchPosition, type CreateInput } from '../../core/inputs.js'
import type { Item } from '../../core/item.js'
import { itemPath } from '../../core/layout.js'
import { buildItem, duplicateFields, type MutationContext } from '../../core/mutations.js'
import { installDriverQuietly } from '../../merge/install.js'
import type { MutationResult } from '../index.js'
import { type AppCore, canonicalStatus, planOf, plural } from '../shared.js'
import { backlogFiles } from './init.js'
import { assertLinks, overlay, prefixed, takenWith } from './links.js'

/**
 * Creates items in one commit. The first item in a repository without a backlog starts one in the same commit
 * (docs/adr/0013-an-agent-starts-from-nothing.md), so an agent with no shell can begin.
 *
 * @example
 * await create(core, { title: 'Fix the login flow', priority: 'high' })
 */
export async function create(core: AppCore, input: CreateInput): Promise<MutationResult> {
  const { store } = core
  // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
  const context = await core.contextFor(input.agent)
  let created: Item[] = []
  let starts = false
  const result = await store.mutate(() => {
    created = plannedItems(core, input, context)
    starts = !store.isInitialized()
    return planOf(
      context,
      {
        op: 'create',
        verb: input.duplicate_of ? 'duplicate' : 'add',
        items: created,
      },
      [
        ...(starts ? backlogFiles() : []),
        ...created.map((item) => ({ path: itemPath(item.id), content: serializeItem(item) })),
      ],
    )
  })
  if (starts) installDriverQuietly(store.repo)
  return {
    items: core.rowsOf(created.map((item) => item.id)),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: true,
    ...(starts ? { started_backlog: true } : {}),
  }
}

/** Builds the items of a create call: one, a duplicate, or a batch whose items may name each other as `#N`. */
function plannedItems(core: AppCore, input: CreateInput, context: MutationContext): Item[] {
  const { items: batch, duplicate_of, agent: _agent, ...fields } = input
  let inputs: BatchItemInput[]
  if (batch) {
    const { title: _title, ...defaults } = fields
    inputs = batch.map((entry) => ({ ...defaults, ...entry }))
  } else if (duplicate_of !== undefined) {
    const source = core.require(duplicate_of).item
    inputs = [{ ...duplicateFields(source), ...fields, title: fields.title ?? source.title }]
  } else {
    inputs = [fields as BatchItemInput]
  }
  const taken = new Set<string>()
  const ids = inputs.map(() => {
    const id = generateId(context.config.prefix, takenWith(core, taken), core.random)
    taken.add(idKey(id))
    return id
  })
  const resolve = (value: string, where: string) => {
    const position = batchPosition(value)
    if (position === undefined) return value
    if (!batch) throw new BacklogError('INVALID_INPUT', `${where}: "${value}" names an item of a batch; use an id`)
    const id = ids[position - 1]
    if (id === undefined) {
      throw new BacklogError(
        'INVALID_INPUT',
        `${where}: "${value}" names item ${position}, but this call has ${plural(ids.length, 'item')} (#1 to #${ids.length})`,
      )
    }
    return id
  }
  // The ids drawn for this call mean nothing to the caller if it fails: errors name the items as it did, by #N.
  const label = (id: string) => {
    const position = batch ? ids.indexOf(id) : -1
    return position < 0 ? id : `#${position + 1}`
  }
  const asWritten = (error: unknown, position: number, title: string) =>
    batch ? prefixed(error, `items[${position}]`, title) : error
  const built = inputs.map((entry, position) => {
    try {
      const resolved: BatchItemInput = {
        ...entry,
        ...(entry.status !== undefined ? { status: canonicalStatus(context.config, entry.status) } : {}),
        ...(entry.parent !== undefined ? { parent: resolve(entry.parent, 'parent') } : {}),
        ...(entry.epic !== undefined ? { epic: resolve(entry.epic, 'epic') } : {}),
        ...(entry.depends_on ? { depends_on: entry.depends_on.map((dep) => resolve(dep, 'depends_on')) } : {}),
      }
      return buildItem(resolved, ids[position] as string, context)
    } catch (error) {
      throw asWritten(error, position, entry.title)
    }
  })
  const pending = new Map(built.map((item) => [idKey(item.id), item]))
  const lookup = overlay(core, pending)
  built.forEach((item, position) => {
    try {
      assertLinks(core, item, undefined, lookup, label)
    } catch (error) {
      throw asWritten(error, position, item.title)
    }
  })
  return built
}
