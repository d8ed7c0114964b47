import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG } from '../core/config.js'
import { blankItem, type Item } from '../core/item.js'
import type { ItemRecord } from '../store/store.js'
import { compileFilter, parseFilter } from './filter.js'
import { buildWorkGraph } from './graph.js'
import { countItems, createSelector } from './select.js'

const NOW = new Date(2026, 10, 23, 12)
const STATUSES = ['open', 'open', 'in_progress', 'blocked', 'done', 'cancelled']

function backlog(count: number): ItemRecord[] {
  const records: ItemRecord[] = []
  for (let index = 0; index < count; index++) {
    const item: Item = blankItem(
      `bl-${String(index).padStart(6, '0')}`,
      `Item ${index} ${index % 3 ? 'login' : 'export'}`,
    )
    item.status = STATUSES[index % STATUSES.length] as string
    item.priority = ['urgent', 'high', 'medium', 'low', undefined][index % 5]
    item.tags = index % 4 ? ['web'] : ['api']
    if (index % 7 === 3) item.depends_on = [`bl-${String(index - 3).padStart(6, '0')}`]
    if (index % 5 === 0) item.due = `2026-11-${String(10 + (index % 20)).padStart(2, '0')}`
    if (index % 11 === 0) item.wait = '2026-12-24'
    records.push({ item, path: `.backlog/tasks/x/${item.id}.md`, text: '', archived: index % 13 === 0 })
  }
  return records
}

describe('selecting items for a list', () => {
  it('matches exactly what the filter and the default view say, with the status shortcut taken or not', () => {
    const records = backlog(600)
    const selector = createSelector({ now: () => NOW })
    const closed = new Set(DEFAULT_CONFIG.closed_statuses)
    const graph = buildWorkGraph(
      records.map((record) => record.item),
      (status) => closed.has(status),
    )
    const env = {
      now: NOW,
      config: DEFAULT_CONFIG,
      hasOpenDependency: graph.hasOpenDependency,
      isBlocking: graph.isBlocking,
    }
    for (const filter of [
      'status:open +web',
      'status.in:open,done login',
      '+READY priority.above:low',
      '+ACTIVE',
      '+OVERDUE +api',
      '+CLOSED',
      '(+ACTIVE or +OVERDUE) -BLOCKED',
      'status:done or status:blocked',
    ]) {
      const test = compileFilter(parseFilter(filter)!, env)
      // Every status is named or implied by these filters, so nothing is hidden by default but archived items.
      const expected = records
        .filter((record) => !record.archived && test(record.item))
        .map((record) => record.item.id)
        .sort()
      const got = selector
        .select(records, DEFAULT_CONFIG, { filter })
        .records.map((record) => record.item.id)
        .sort()
      expect(got, filter).toEqual(expected)
      expect(got.length, filter).toBeGreaterThan(0)
    }
  })

  it('hides closed and waiting items unless asked, and orders by urgency with the scores beside the rows', () => {
    const records = backlog(120)
    const selector = createSelector({ now: () => NOW })
    const { records: shown, urgencies } = selector.select(records, DEFAULT_CONFIG, {})
    expect(shown.every((record) => !['done', 'cancelled'].includes(record.item.status))).toBe(true)
    expect(shown.some((record) => record.item.wait)).toBe(false)
    expect(urgencies).toHaveLength(shown.length)
    expect([...(urgencies ?? [])]).toEqual([...(urgencies ?? [])].sort((a, b) => b - a))
    // With a limit: the same first rows as the full order, and the same total.
    const limited = selector.select(records, DEFAULT_CONFIG, { limit: 7 })
    expect(limited.records).toEqual(shown.slice(0, 7))
    expect(limited.total).toBe(shown.length)
    const byDue = selector.select(records, DEFAULT_CONFIG, { sort: 'due' })
    expect(selector.select(records, DEFAULT_CONFIG, { sort: 'due', limit: 3 }).records).toEqual(
      byDue.records.slice(0, 3),
    )
    const withArchive = selector.select(records, DEFAULT_CONFIG, { archived: true })
    expect(withArchive.records.some((record) => record.archived && record.item.status === 'done')).toBe(true)
  })

  it('counts by status, type, priority, assignee, tag and any field', () => {
    const items = backlog(10).map((record) => record.item)
    items[0]!.attributes.estimate = 3
    const counts = countItems(items, ['estimate', 'status'])
    expect(counts.by_tag).toEqual({ api: 3, web: 7 })
    expect(counts.by_assignee).toEqual({ unassigned: 10 })
    expect(counts.by_field?.estimate).toEqual({ '3': 1, none: 9 })
    expect(counts.by_field?.status).toEqual(counts.by_status)
  })

  it('gives after a series of writes the same answers as a selector built fresh on the result', () => {
    // The store keeps each item at its position: a change replaces the record there, a new item comes last, a
    // removed one's place is taken by the last (store/read-model.ts). The selector patches what it derived.
    let records = backlog(300)
    const now = { date: NOW }
    const kept = createSelector({ now: () => now.date })
    const selections = [
      {},
      { filter: '+READY priority.above:low' },
      { filter: '-BLOCKED urgency.above:5', sort: 'title' as const },
      { filter: '+BLOCKING or +BLOCKED' },
      { status: ['all'], sort: 'due' as const, limit: 20 },
      { tags: ['api'], sort: 'priority' as const, archived: true },
      { filter: 'login', sort: 'created' as const },
    ]
    let seed = 7
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % below
    }
    let next = 300
    for (let step = 0; step < 120; step++) {
      records = [...records]
      const at = random(records.length)
      const old = records[at]!.item
      const kind = random(6)
      if (kind === 0) {
        const item = blankItem(`bl-${String(next++).padStart(6, '0')}`, `New ${step} login`)
        item.depends_on = [records[random(records.length)]!.item.id]
        records.push({ item, path: `.backlog/tasks/x/${item.id}.md`, text: '', archived: false })
      } else if (kind === 1) {
        const last = records.pop()!
        if (at < records.length) records[at] = last
      } else {
        const item = structuredClone(old)
        if (kind === 2) item.status = STATUSES[random(STATUSES.length)] as string
        if (kind === 3) item.depends_on = [records[random(records.length)]!.item.id]
        if (kind === 4) item.priority = ['urgent', 'low', undefined][random(3)]
        if (kind === 5) item.tags = random(2) ? ['api'] : []
        records[at] = { ...records[at]!, item }
      }
      if (step % 10 === 9) now.date = new Date(now.date.getTime() + 90_000)
      const fresh = createSelector({ now: () => now.date })
      for (const selection of selections) {
        const mine = kept.select(records, DEFAULT_CONFIG, selection)
        const theirs = fresh.select(records, DEFAULT_CONFIG, selection)
        const label = `step ${step}: ${JSON.stringify(selection)}`
        expect(
          mine.records.map((record) => record.item.id),
          label,
        ).toEqual(theirs.records.map((r) => r.item.id))
        expect(mine.urgencies, label).toEqual(theirs.urgencies)
        expect(mine.total, label).toBe(theirs.total)
      }
      const graph = kept.graph(records, DEFAULT_CONFIG)
      const rebuilt = fresh.graph(records, DEFAULT_CONFIG)
      for (const { item } of records) {
        expect(graph.isBlocking(item)).toBe(rebuilt.isBlocking(item))
        expect(graph.openDependencies(item)).toEqual(rebuilt.openDependencies(item))
        expect(
          graph
            .dependents(item)
            .map((dependent) => dependent.id)
            .sort(),
        ).toEqual(
          rebuilt
            .dependents(item)
            .map((dependent) => dependent.id)
            .sort(),
        )
      }
    }
  })

  it('asks the text index it is handed for the bare words of a filter, synced with the records listed', () => {
    const records = backlog(30)
    const asked: string[] = []
    let synced: readonly ItemRecord[] | undefined
    const text = {
      sync: (list: readonly ItemRecord[]) => {
        synced = list
      },
      matching: (words: string) => {
        asked.push(words)
        return new Set([records[0]!.item.id, records[1]!.item.id])
      },
    }
    const selector = createSelector({ now: () => NOW, text })
    const got = selector.select(records, DEFAULT_CONFIG, { filter: 'anything', status: ['all'], archived: true })
    expect(asked).toEqual(['anything'])
    expect(synced).toBe(records)
    expect(got.records.map((record) => record.item.id).sort()).toEqual([records[0]!.item.id, records[1]!.item.id])
  })
})
