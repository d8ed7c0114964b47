/** The context use-case: one item and its neighbourhood (parents, children, dependencies, related, recent commits). */

import { buildContext, type ContextBundle } from '../../context/context.js'
import { BacklogError, phrase, slot } from '../../core/errors.js'
import type { ContextInput } from '../../core/inputs.js'
import type { AppCore } from '../shared.js'

/**
 * The bundle around the item named by id, or the best match of a query, fitted to `max_tokens`.
 *
 * @example
 * const bundle = await context(core, { id: 'bl-x9', max_tokens: 2000 })
 */
export async function context(core: AppCore, input: ContextInput): Promise<ContextBundle> {
  const { store, index, log, require } = core
  // A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…).
  await store.refresh()
  let focal: string
  let from: 'id' | 'query' = 'id'
  if (input.id !== undefined) focal = require(input.id).item.id
  else {
    const best = index().search(input.query as string, { limit: 1 }).hits[0]
    if (!best) {
      throw new BacklogError('NOT_FOUND', phrase`No item matches "${input.query}". ${slot('browse')}`)
    }
    focal = best.record.item.id
    from = 'query'
  }
  return buildContext(
    focal,
    {
      get: (id) => store.get(id),
      all: () => store.all(),
      related: (item, limit) => index().similar(item, { limit, accept: ({ archived }) => !archived }),
      activity: (ids, limit) => log.recent({ ids, limit }),
      closedStatuses: store.config().closed_statuses,
    },
    {
      ...(input.max_tokens === undefined ? {} : { max_tokens: input.max_tokens }),
      ...(input.depth === undefined ? {} : { depth: input.depth }),
      ...(input.include_related === undefined ? {} : { include_related: input.include_related }),
      ...(input.include_activity === undefined ? {} : { include_activity: input.include_activity }),
    },
    from,
  )
}
