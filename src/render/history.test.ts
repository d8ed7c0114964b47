import { describe, expect, it } from 'vitest'
import { fitHistory, renderHistory } from './history.js'

const entry = {
  commit: 'a'.repeat(40),
  date: '2026-11-23T12:00:00Z',
  author: 'Ann',
  op: 'update',
  subject: 'update 3 items',
  items: [
    { id: 'bl-aaaa', path: '.backlog/tasks/a/bl-aaaa.md', changes: [{ field: 'priority', old: 'low', new: 'high' }] },
  ],
  more_items: 2,
}

describe('fitHistory', () => {
  it('leaves a page that fits as it is, with the items its history left out said, and no next', () => {
    const page = { entries: [entry] }
    expect(fitHistory(page)).toBe(page)
    expect(renderHistory(page)).toContain('… and 2 more items')
  })
})
