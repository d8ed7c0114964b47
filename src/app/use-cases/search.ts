/** The search use-case: ranked full-text search over the items, narrowed by fields and a filter. */

import { idKey } from '../../core/ids.js'
import type { SearchInput } from '../../core/inputs.js'
import { parseFilter } from '../../query/filter.js'
import type { SearchHit } from '../../search/search-index.js'
import type { ItemRecord } from '../../store/store.js'
import type { SearchResult } from '../index.js'
import { type AppCore, canonicalStatus, mentionsUpdated, toRow } from '../shared.js'

/**
 * The items that match `query` best first (or newest first), each with its score, fields matched and a snippet.
 *
 * @example
 * const { items } = await search(core, { query: 'login flow' })
 */
export async function search(core: AppCore, input: SearchInput): Promise<SearchResult> {
  const { store, selector, index, changedAt } = core
  // A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…).
  await store.refresh()
  const config = store.config()
  const records = store.all()
  const statuses = input.status?.map((status) => status.toLowerCase()).filter((status) => status !== 'all')
  for (const status of statuses ?? []) canonicalStatus(config, status)
  const types = input.type?.map((type) => type.toLowerCase())
  const tags = input.tags?.map((tag) => tag.toLowerCase())
  const parent = input.parent ? idKey(input.parent) : undefined
  const filter = input.filter ? parseFilter(input.filter) : undefined
  const updated = await changedAt(input.sort === 'recent' || mentionsUpdated(filter))
  const test = filter ? selector.predicate(records, config, filter, updated) : undefined
  const { hits, total } = index().search(input.query, {
    limit: input.limit ?? 20,
    sort: input.sort ?? 'relevant',
    ...(updated ? { changedAt: updated } : {}),
    accept: ({ item, archived }) =>
      (!archived || Boolean(input.archived)) &&
      (!statuses?.length || statuses.includes(item.status.toLowerCase())) &&
      (!types || types.includes(item.type.toLowerCase())) &&
      (!tags || tags.every((tag) => item.tags.some((own) => own.toLowerCase() === tag))) &&
      (parent === undefined || idKey(item.parent ?? '') === parent || idKey(item.epic ?? '') === parent) &&
      (!test || test(item)),
  })
  return {
    items: hits.map((hit: SearchHit<ItemRecord>) => ({
      ...toRow(hit.record),
      score: hit.score,
      matched_fields: hit.matched_fields,
      snippet: hit.snippet,
    })),
    total,
  }
}
