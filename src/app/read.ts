/** The use-cases that read: get, list, search, context and problems. None of them writes. */

import { buildContext } from '../context/context.js'
import { formatTimestamp } from '../core/dates.js'
import { BacklogError, phrase, slot } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { parseFilter } from '../query/filter.js'
import { countItems } from '../query/select.js'
import type { SearchHit } from '../search/search-index.js'
import type { ItemRecord } from '../store/store.js'
import type { App, ItemDetail } from './index.js'
import { type AppCore, canonicalStatus, mentionsUpdated, toRow } from './shared.js'

function toDetail(record: ItemRecord, updated?: number): ItemDetail {
  const detail: ItemDetail = { ...structuredClone(record.item), path: record.path, archived: record.archived }
  if (updated !== undefined) detail.updated = formatTimestamp(new Date(updated))
  return detail
}

/**
 * The use-cases that read the backlog, over the shared `core`.
 *
 * @example
 * const { list } = readUseCases(createCore({ cwd: process.cwd() }))
 * const { items } = await list({ filter: 'status:todo' })
 */
export function readUseCases(core: AppCore): Pick<App, 'get' | 'list' | 'search' | 'context' | 'problems'> {
  const { store, selector, index, log, changedAt, require } = core

  /** A repository without a backlog reads as an empty one: its first create starts it (docs/adr/0013-…). */
  async function ready(): Promise<void> {
    await store.refresh()
  }

  return {
    async get({ id }) {
      await ready()
      const updated = await changedAt(true)
      const items: ItemDetail[] = []
      const missing: string[] = []
      for (const one of id) {
        const record = store.get(one)
        if (record) items.push(toDetail(record, updated?.(record)))
        // A file that cannot be read is no missing item: MALFORMED_ITEM says how to fix it.
        else if (store.problemFor(one)) require(one)
        else missing.push(one)
      }
      // Asked for several, an agent gets what exists and the ids that do not; asked for nothing that exists, it is
      // told so as plainly as for one id.
      if (items.length === 0) {
        if (missing.length === 1) require(missing[0] as string)
        throw new BacklogError('NOT_FOUND', phrase`No items ${missing.join(', ')}. ${slot('list')}`, { ids: missing })
      }
      return { items, ...(missing.length ? { missing } : {}) }
    },

    async list(input) {
      await ready()
      const config = store.config()
      const records = store.all()
      const limit = input.limit ?? 50
      // Parsed once, for both questions: does it need history, and what does it match.
      const filter = input.filter ? parseFilter(input.filter) : undefined
      const updated = await changedAt(input.sort === 'updated' || mentionsUpdated(filter))
      const selected = selector.select(records, config, { ...input, filter, limit, ...(updated ? { updated } : {}) })
      const graph = selector.graph(records, config)
      const problems = store.problems()
      // Work may be waiting upstream: say so, so an agent syncs before it picks what is already taken there.
      const behind = await core.upstream
        .status()
        .then((status) => (status && status.behind > 0 ? status : undefined))
        .catch(() => undefined)
      const items = selected.records.map((record, position) => {
        const row = toRow(record)
        if (graph.hasOpenDependency(record.item)) row.blocked = true
        if (selected.urgencies) row.urgency = selected.urgencies[position] as number
        const time = input.sort === 'updated' ? updated?.(record) : undefined
        if (time !== undefined) row.updated = formatTimestamp(new Date(time))
        return row
      })
      return {
        items,
        total: selected.total,
        truncated: selected.total > limit,
        ...(input.counts || input.count_by
          ? {
              counts: countItems(
                selected.all().map((record) => record.item),
                input.count_by ?? [],
              ),
            }
          : {}),
        ...(problems.length ? { problems } : {}),
        ...(behind ? { upstream: behind } : {}),
        ...(store.isInitialized() ? {} : { no_backlog: true }),
      }
    },

    async search(input) {
      await ready()
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
    },

    async context(input) {
      await ready()
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
    },

    async problems() {
      await ready()
      return store.problems()
    },
  }
}
