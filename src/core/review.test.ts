import { describe, expect, it } from 'vitest'
import { blankItem, type Item } from './item.js'
import { parseRange, reviewChanges } from './review.js'

const CLOSED = ['done', 'cancelled']

function item(id: string, fields: Partial<Item> = {}): Item {
  return { ...blankItem(id, id.toUpperCase()), ...fields }
}

function source(items: Parameters<typeof reviewChanges>[0]['items']) {
  return {
    base: { name: 'main', commit: 'a'.repeat(40) },
    head: { name: 'HEAD', commit: 'b'.repeat(40) },
    compared: 'a'.repeat(40),
    merge_base: true,
    worktree: false,
    commits: [],
    items,
  }
}

const at = (id: string) => `.backlog/tasks/${id.slice(-1)}/${id}.md`

describe('parseRange', () => {
  it('reads two dots and three alike, one revision as the base with the working tree, nothing as the default', () => {
    expect(parseRange('main..feature')).toEqual({ base: 'main', head: 'feature', worktree: false })
    expect(parseRange('main...feature')).toEqual({ base: 'main', head: 'feature', worktree: false })
    expect(parseRange('main..')).toEqual({ base: 'main', head: 'HEAD', worktree: false })
    expect(parseRange('origin/main')).toEqual({ base: 'origin/main', worktree: true })
    expect(parseRange('')).toEqual({ worktree: true })
    expect(parseRange(undefined)).toEqual({ worktree: true })
  })
})

describe('reviewChanges', () => {
  it('puts created, closed and deleted first, then by priority, then id; a mere edit last', () => {
    const review = reviewChanges(
      source([
        {
          id: 'bl-e1',
          before: { path: at('bl-e1'), item: item('bl-e1') },
          after: { path: at('bl-e1'), item: item('bl-e1', { title: 'Renamed', priority: 'urgent' }) },
        },
        {
          id: 'bl-c2',
          before: { path: at('bl-c2'), item: item('bl-c2', { priority: 'low' }) },
          after: { path: at('bl-c2'), item: item('bl-c2', { priority: 'low', status: 'done' }) },
        },
        { id: 'bl-n3', after: { path: at('bl-n3'), item: item('bl-n3', { priority: 'high' }) } },
        { id: 'bl-d4', before: { path: at('bl-d4'), item: item('bl-d4') } },
        {
          id: 'bl-m5',
          before: { path: at('bl-m5'), item: item('bl-m5') },
          after: { path: at('bl-m5'), item: item('bl-m5', { status: 'in_progress' }) },
        },
      ]),
      CLOSED,
    )
    expect(review.items.map((one) => [one.id, one.kinds])).toEqual([
      ['bl-n3', ['created']],
      ['bl-c2', ['closed']],
      ['bl-d4', ['deleted']],
      ['bl-m5', ['status']],
      ['bl-e1', ['priority', 'title']],
    ])
    expect(review.counts).toEqual({ created: 1, closed: 1, deleted: 1, status: 1, priority: 1, title: 1 })
  })

  it('reports a file that cannot be read, and a file that can again', () => {
    const review = reviewChanges(
      source([
        {
          id: 'bl-u1',
          before: { path: at('bl-u1'), item: item('bl-u1') },
          after: { path: at('bl-u1'), error: 'bad YAML' },
        },
        {
          id: 'bl-u2',
          before: { path: at('bl-u2'), error: 'bad YAML' },
          after: { path: at('bl-u2'), item: item('bl-u2') },
        },
      ]),
      CLOSED,
    )
    expect(review.items.map((one) => one.changes)).toEqual([
      [{ kind: 'unreadable', new: 'bad YAML' }],
      [{ kind: 'unreadable', old: 'bad YAML' }],
    ])
  })
})
