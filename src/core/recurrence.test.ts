import { afterAll, describe, expect, it } from 'vitest'
import { formatTimestamp } from './dates.js'
import { BacklogError } from './errors.js'
import { describeRecurrenceFormats, nextOccurrence, parseRecurrence } from './recurrence.js'

// A zone with daylight saving time (from 2026-03-29 02:00, UTC+1 to UTC+2), so local-day arithmetic is really tested.
// Set while the file loads; Node applies it in a forked worker (vitest's default pool, which this project uses).
// Every other test builds its expectations in whatever zone is in effect.
const savedZone = process.env.TZ
process.env.TZ = 'Europe/Berlin'
const inBerlin = new Date(2026, 2, 29, 9).toISOString() === '2026-03-29T07:00:00.000Z'
afterAll(() => {
  if (savedZone === undefined) delete process.env.TZ
  else process.env.TZ = savedZone
})

/** A local time as items store it. */
const at = (year: number, month: number, day: number, hour = 0, minute = 0) =>
  formatTimestamp(new Date(year, month - 1, day, hour, minute))
const local = (year: number, month: number, day: number, hour = 12) => new Date(year, month - 1, day, hour)

describe('parseRecurrence', () => {
  it.each([
    ['daily', 'day', 1],
    ['Weekly', 'week', 1],
    ['biweekly', 'week', 2],
    ['fortnightly', 'week', 2],
    ['monthly', 'month', 1],
    ['quarterly', 'month', 3],
    ['yearly', 'year', 1],
    ['annually', 'year', 1],
    ['weekdays', 'weekday', 1],
    ['every weekday', 'weekday', 1],
    ['every day', 'day', 1],
    ['every 3 days', 'day', 3],
    ['every  2   weeks', 'week', 2],
    ['every 6 months', 'month', 6],
    ['every 2 years', 'year', 2],
    ['3d', 'day', 3],
    ['2w', 'week', 2],
    ['1m', 'month', 1],
    ['1q', 'month', 3],
    ['1y', 'year', 1],
    [' 10 days ', 'day', 10],
    ['P3D', 'day', 3],
    ['p2w', 'week', 2],
    ['P1M', 'month', 1],
    ['P1Y', 'year', 1],
  ])('reads %j', (text, unit, every) => {
    expect(parseRecurrence(text)).toEqual({ unit, every })
  })

  it.each([
    '',
    'hourly',
    'sometimes',
    'd',
    'month',
    '0d',
    'every 0 weeks',
    '1000d',
    '-1d',
    '1.5w',
    'every 2 weekdays',
    'P1Y2M',
    'PT1H',
    'every other week',
  ])('refuses %j', (text) => {
    expect(parseRecurrence(text)).toBeUndefined()
  })

  it('describes the forms it reads', () => {
    const formats = describeRecurrenceFormats()
    for (const form of ['weekly', 'weekdays', 'every 3 days', '2w', 'P1M']) expect(formats).toContain(form)
  })
})

describe('nextOccurrence', () => {
  it('advances a date due by one period when completed on time or early', () => {
    expect(nextOccurrence({ due: '2026-03-02', recur: 'daily' }, local(2026, 3, 2))).toEqual({ due: '2026-03-03' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'weekly' }, local(2026, 3, 2))).toEqual({ due: '2026-03-09' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'weekly' }, local(2026, 2, 27))).toEqual({ due: '2026-03-09' })
    expect(nextOccurrence({ due: '2026-03-02', recur: '2w' }, local(2026, 3, 2))).toEqual({ due: '2026-03-16' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'quarterly' }, local(2026, 3, 2))).toEqual({ due: '2026-06-02' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'P1Y' }, local(2026, 3, 2))).toEqual({ due: '2027-03-02' })
  })

  it('skips missed periods: the next due is the first one after the completion day', () => {
    expect(nextOccurrence({ due: '2026-03-02', recur: 'weekly' }, local(2026, 3, 18))).toEqual({ due: '2026-03-23' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'weekly' }, local(2026, 3, 16, 23))).toEqual({
      due: '2026-03-23',
    })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'every 3 days' }, local(2026, 3, 10))).toEqual({
      due: '2026-03-11',
    })
    expect(nextOccurrence({ due: '2020-01-15', recur: 'monthly' }, local(2026, 3, 20))).toEqual({ due: '2026-04-15' })
    expect(nextOccurrence({ due: '2016-01-01', recur: 'daily' }, local(2026, 3, 20))).toEqual({ due: '2026-03-21' })
  })

  it('keeps the day of the month, clamping to shorter months', () => {
    expect(nextOccurrence({ due: '2026-01-31', recur: 'monthly' }, local(2026, 1, 31))).toEqual({ due: '2026-02-28' })
    expect(nextOccurrence({ due: '2028-01-31', recur: 'monthly' }, local(2028, 1, 31))).toEqual({ due: '2028-02-29' })
    // Counted from the current due, two missed months do not drift to the 28th.
    expect(nextOccurrence({ due: '2026-01-31', recur: 'monthly' }, local(2026, 3, 15))).toEqual({ due: '2026-03-31' })
    expect(nextOccurrence({ due: '2026-03-31', recur: '1m' }, local(2026, 3, 31))).toEqual({ due: '2026-04-30' })
    expect(nextOccurrence({ due: '2028-02-29', recur: 'yearly' }, local(2028, 2, 29))).toEqual({ due: '2029-02-28' })
    expect(nextOccurrence({ due: '2026-11-30', recur: 'quarterly' }, local(2026, 11, 30))).toEqual({
      due: '2027-02-28',
    })
  })

  it('moves scheduled and wait by the same periods, keeping their place before due', () => {
    const item = { due: '2026-01-31', scheduled: '2026-01-24', wait: '2026-01-01', recur: 'monthly' }
    expect(nextOccurrence(item, local(2026, 1, 31))).toEqual({
      due: '2026-02-28',
      scheduled: '2026-02-24',
      wait: '2026-02-01',
    })
    const weekly = { due: '2026-03-06', scheduled: '2026-03-04', recur: 'weekly' }
    expect(nextOccurrence(weekly, local(2026, 3, 20))).toEqual({ due: '2026-03-27', scheduled: '2026-03-25' })
  })

  it('steps weekdays over the weekend, moving scheduled by the same days', () => {
    const friday = { due: '2026-03-06', scheduled: '2026-03-05', recur: 'weekdays' }
    expect(nextOccurrence(friday, local(2026, 3, 6))).toEqual({ due: '2026-03-09', scheduled: '2026-03-08' })
    expect(nextOccurrence({ due: '2026-03-04', recur: 'weekdays' }, local(2026, 3, 4))).toEqual({ due: '2026-03-05' })
    expect(nextOccurrence({ due: '2026-03-02', recur: 'every weekday' }, local(2026, 3, 7))).toEqual({
      due: '2026-03-09',
    })
  })

  it('without a due date, sets due to the completion day plus one period', () => {
    expect(nextOccurrence({ recur: '3d' }, local(2026, 3, 4, 18))).toEqual({ due: '2026-03-07' })
    expect(nextOccurrence({ recur: 'monthly' }, local(2026, 1, 31))).toEqual({ due: '2026-02-28' })
    expect(nextOccurrence({ recur: 'weekdays' }, local(2026, 3, 6))).toEqual({ due: '2026-03-09' })
    // Just after local midnight is the new local day, whatever the UTC date (still Mar 4 in UTC east of Greenwich).
    expect(nextOccurrence({ recur: 'daily' }, local(2026, 3, 5, 0))).toEqual({ due: '2026-03-06' })
    expect(nextOccurrence({ scheduled: '2026-03-02', recur: 'weekly' }, local(2026, 3, 4))).toEqual({
      due: '2026-03-11',
      scheduled: '2026-03-09',
    })
  })

  it('keeps timestamps as timestamps at the same local time across a DST change', () => {
    expect(inBerlin, 'TZ must take effect in the test worker (vitest pool forks)').toBe(true)
    // 09:00 in Berlin is 08:00Z in winter and 07:00Z in summer.
    expect(at(2026, 3, 28, 9)).toBe('2026-03-28T08:00:00Z')
    expect(nextOccurrence({ due: at(2026, 3, 28, 9), recur: 'daily' }, local(2026, 3, 28))).toEqual({
      due: '2026-03-29T07:00:00Z',
    })
    const item = { due: at(2026, 3, 20, 17, 30), wait: at(2026, 3, 20, 8), scheduled: '2026-03-19', recur: 'weekly' }
    expect(nextOccurrence(item, local(2026, 3, 31))).toEqual({
      due: at(2026, 4, 3, 17, 30),
      wait: at(2026, 4, 3, 8),
      scheduled: '2026-04-02',
    })
  })

  it('compares a timestamp due by its local day, not by the instant', () => {
    // Due today at 23:00 and completed at 08:00 the same day: that occurrence is done, the next is tomorrow.
    expect(nextOccurrence({ due: at(2026, 3, 10, 23), recur: 'daily' }, local(2026, 3, 10, 8))).toEqual({
      due: at(2026, 3, 11, 23),
    })
  })

  it('ends the series when the next due is after until', () => {
    const item = { due: '2026-03-02', recur: 'weekly', until: '2026-03-09' }
    expect(nextOccurrence(item, local(2026, 3, 2))).toEqual({ due: '2026-03-09' })
    expect(nextOccurrence({ ...item, due: '2026-03-09' }, local(2026, 3, 9))).toBeUndefined()
    expect(nextOccurrence(item, local(2026, 3, 10))).toBeUndefined()
    expect(nextOccurrence({ recur: 'daily', until: '2026-03-04' }, local(2026, 3, 4))).toBeUndefined()
    const timed = { due: at(2026, 3, 2, 9), recur: 'weekly', until: at(2026, 3, 9, 8) }
    expect(nextOccurrence(timed, local(2026, 3, 2))).toBeUndefined()
    expect(nextOccurrence({ ...timed, until: at(2026, 3, 9, 9) }, local(2026, 3, 2))).toEqual({
      due: at(2026, 3, 9, 9),
    })
  })

  it('refuses an invalid recur or date with INVALID_INPUT naming the value', () => {
    const refusal = (item: Parameters<typeof nextOccurrence>[0]) => {
      try {
        nextOccurrence(item, local(2026, 3, 2))
      } catch (error) {
        if (error instanceof BacklogError) return error
      }
      throw new Error('expected a BacklogError')
    }
    expect(refusal({ due: '2026-03-02', recur: 'hourly' })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('recur "hourly" is not a recurrence: use daily, weekly'),
    })
    expect(refusal({ due: '2026-03-02' }).code).toBe('INVALID_INPUT')
    expect(refusal({ due: '2026-02-30', recur: 'daily' }).message).toContain('due "2026-02-30" is not a date')
    expect(refusal({ due: '2026-03-02', until: 'soon', recur: 'daily' }).message).toContain('until "soon"')
  })
})
