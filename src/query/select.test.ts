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
})
