import { describe, expect, it } from 'vitest'
import { formatTimestamp } from '../core/dates.js'
import { blankItem, type Item } from '../core/item.js'
import { URGENCY_FORMULA, type UrgencyInputs, urgency } from './urgency.js'

// Noon local time on 2026-03-10; dates below are local days around it.
const now = new Date(2026, 2, 10, 12)

function score(fields: Partial<Item> = {}, flags: Partial<Omit<UrgencyInputs, 'item' | 'now'>> = {}): number {
  const item = { ...blankItem('bl-1', 'Work'), ...fields }
  return urgency({ item, now, blocking: false, blocked: false, active: false, closed: false, ...flags })
}

/** A local time as items store it. */
const at = (month: number, day: number, hour: number) => formatTimestamp(new Date(2026, month - 1, day, hour))

describe('urgency', () => {
  it('scores a bare item 0 and each priority by its weight', () => {
    expect(score()).toBe(0)
    expect(score({ priority: 'urgent' })).toBe(8)
    expect(score({ priority: 'high' })).toBe(6)
    expect(score({ priority: 'medium' })).toBe(3.9)
    expect(score({ priority: 'low' })).toBe(1.8)
    expect(score({ priority: 'H' })).toBe(6)
    expect(score({ priority: 'whenever' })).toBe(0)
  })

  it('ranks urgent above low', () => {
    expect(score({ priority: 'urgent' })).toBeGreaterThan(score({ priority: 'low' }))
  })

  it('ramps the due term from 2.4 two weeks out to 12 a week overdue', () => {
    expect(score({ due: '2026-06-01' })).toBe(2.4)
    expect(score({ due: '2026-03-24' })).toBe(2.4)
    expect(score({ due: '2026-03-11' })).toBe(8.34)
    expect(score({ due: '2026-03-10' })).toBe(8.8)
    expect(score({ due: '2026-03-03' })).toBe(12)
    expect(score({ due: '2025-01-01' })).toBe(12)
    expect(score({ due: '2026-03-05' })).toBeGreaterThan(score({ due: '2026-03-20' }))
  })

  it('counts a timestamp due by its local day', () => {
    expect(score({ due: at(3, 10, 23) })).toBe(8.8)
    expect(score({ due: at(3, 10, 1) })).toBe(8.8)
    expect(score({ due: at(3, 11, 0) })).toBe(8.34)
  })

  it('adds started work and blocking, subtracts blocked', () => {
    const base = { priority: 'medium' }
    expect(score(base, { active: true })).toBe(7.9)
    expect(score(base, { blocking: true })).toBe(11.9)
    expect(score(base, { blocked: true })).toBe(-1.1)
    expect(score(base, { blocking: true })).toBeGreaterThan(score(base))
    expect(score(base, { blocked: true })).toBeLessThan(score(base))
  })

  it('adds a reached scheduled date and subtracts a future wait', () => {
    expect(score({ scheduled: '2026-03-10' })).toBe(5)
    expect(score({ scheduled: '2026-03-11' })).toBe(0)
    expect(score({ scheduled: at(3, 10, 11) })).toBe(5)
    expect(score({ scheduled: at(3, 10, 13) })).toBe(0)
    expect(score({ wait: '2026-03-11' })).toBe(-3)
    expect(score({ wait: '2026-03-10' })).toBe(0)
    expect(score({ wait: at(3, 10, 13) })).toBe(-3)
    expect(score({ wait: at(3, 10, 11) })).toBe(0)
  })

  it('adds up to 2 for age over a year, and 1 each for tags and notes', () => {
    expect(score({ created: formatTimestamp(now) })).toBe(0)
    expect(score({ created: formatTimestamp(new Date(now.getTime() - 73 * 86_400_000)) })).toBe(0.4)
    expect(score({ created: '2020-01-01' })).toBe(2)
    expect(score({ tags: ['web', 'api'] })).toBe(1)
    expect(score({ notes: [{ at: '2026-03-01T00:00:00Z', text: 'seen' }] })).toBe(1)
  })

  it('adds the terms together', () => {
    const fields = { priority: 'high', due: '2026-03-10', tags: ['web'] }
    expect(score(fields, { active: true, blocking: true })).toBe(6 + 8.8 + 4 + 8 + 1)
  })

  it('scores closed items 0 whatever else they have', () => {
    const fields = { priority: 'urgent', due: '2026-01-01', tags: ['x'], created: '2020-01-01' }
    expect(score(fields, { closed: true, blocking: true, active: true })).toBe(0)
  })

  it('ignores dates it cannot read', () => {
    expect(score({ due: 'soon', scheduled: 'later', wait: '2026-xx-01', created: 'long ago' })).toBe(0)
  })

  it('is deterministic and leaves the item untouched', () => {
    const item = { ...blankItem('bl-1', 'Work'), priority: 'low', due: '2026-03-12', created: '2026-01-01' }
    const copy = structuredClone(item)
    const inputs = { item, now, blocking: true, blocked: false, active: false, closed: false }
    const first = urgency(inputs)
    expect(urgency({ ...inputs, now: new Date(2027, 0, 1) })).not.toBe(first)
    expect(urgency(inputs)).toBe(first)
    expect(item).toEqual(copy)
  })

  it('documents every coefficient it uses', () => {
    for (const weight of ['8', '6', '3.9', '1.8', '12', '+4', '+8', '-5', '+5', '-3', '+2', '+1']) {
      expect(URGENCY_FORMULA).toContain(`**${weight}**`)
    }
  })
})
