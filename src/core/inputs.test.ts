import { describe, expect, it } from 'vitest'
import { parseDateValue } from './dates.js'
import { createInput, describeIssues, listInput, updateInput } from './inputs.js'
import { commitMessage } from './messages.js'

describe('input schemas', () => {
  it('accept lists as arrays, JSON text or comma-separated text', () => {
    for (const tags of [['a', 'b'], '["a","b"]', 'a, b', ' a ,b ,']) {
      expect(createInput.parse({ title: 'x', tags }).tags).toEqual(['a', 'b'])
    }
  })

  it('accept numbers and booleans as strings, and priority aliases', () => {
    expect(listInput.parse({ limit: '5', counts: 'true' })).toMatchObject({ limit: 5, counts: true })
    expect(listInput.parse({ counts: 'false' }).counts).toBe(false)
    expect(createInput.parse({ title: 'x', priority: 'H' }).priority).toBe('high')
    expect(updateInput.parse({ id: 'bl-a', priority: '' }).priority).toBe('')
  })

  it('explain every problem in one line', () => {
    const result = createInput.safeParse({ title: '', due: 'tomorrowish', priority: 'x' })
    expect(result.success).toBe(false)
    const text = describeIssues(result.error!)
    expect(text).toMatch(/title: title is required/)
    expect(text).toMatch(/due: "tomorrowish" is not a date/)
    expect(text).toMatch(/priority: priority "x" is not one of/)
  })

  it('check dates for real calendar days and normalize times to UTC', () => {
    expect(parseDateValue('2026-12-01')).toBe('2026-12-01')
    expect(parseDateValue('2028-02-29')).toBe('2028-02-29')
    expect(parseDateValue('2026-02-29')).toBeUndefined()
    expect(parseDateValue('2026-13-01')).toBeUndefined()
    expect(parseDateValue('2026-12-01T09:30:00+01:00')).toBe('2026-12-01T08:30:00Z')
    expect(parseDateValue('2026-12-01 09:30Z')).toBe('2026-12-01T09:30:00Z')
    expect(parseDateValue('soon')).toBeUndefined()
  })

  it('read a date-time without a zone in the local zone, even when its UTC day differs', () => {
    const zone = process.env.TZ
    process.env.TZ = 'Asia/Tokyo'
    try {
      expect(parseDateValue('2026-12-01T08:00')).toBe('2026-11-30T23:00:00Z')
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })
})

describe('commit messages', () => {
  it('have a short subject and one trailer per item', () => {
    expect(
      commitMessage({ op: 'update', verb: 'done', items: [{ id: 'bl-7k3m', title: 'Fix auth' }], agent: 'claude' }),
    ).toBe('done bl-7k3m: Fix auth\n\nBacklog-Op: update\nBacklog-Id: bl-7k3m\nBacklog-Agent: claude\n')
    const long = commitMessage({ op: 'create', verb: 'add', items: [{ id: 'bl-1', title: 'word '.repeat(40) }] })
    expect(long.split('\n')[0]!.length).toBeLessThanOrEqual(72)
    expect(long).not.toContain('Backlog-Agent')
  })
})
