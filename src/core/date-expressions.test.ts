import { describe, expect, it } from 'vitest'
import { parseDateInput, resolveDateExpression, storedDateRange } from './date-expressions.js'

// Expected values are built with local Date constructors, so these hold in any time zone.
const SUNDAY = new Date(2026, 10, 22, 13, 2, 26) // Sun 2026-11-22 13:02:26 local
const FRIDAY = new Date(2026, 10, 27, 9, 30) // Fri 2026-11-27 09:30 local

function day(text: string, now: Date): Date | undefined {
  const resolved = resolveDateExpression(text, now)
  expect(resolved?.granularity, text).toBe('day')
  return resolved?.date
}

function instant(text: string, now: Date): Date | undefined {
  const resolved = resolveDateExpression(text, now)
  expect(resolved?.granularity, text).toBe('instant')
  return resolved?.date
}

describe('resolveDateExpression', () => {
  it('reads ISO dates as local days and date-times as instants', () => {
    expect(day('2026-12-01', SUNDAY)).toEqual(new Date(2026, 11, 1))
    expect(instant('2026-12-01T09:30:00Z', SUNDAY)).toEqual(new Date(Date.UTC(2026, 11, 1, 9, 30)))
    expect(instant('2026-12-01t09:30z', SUNDAY)).toEqual(new Date(Date.UTC(2026, 11, 1, 9, 30)))
    expect(instant('2026-12-01T09:30', SUNDAY)).toEqual(new Date(2026, 11, 1, 9, 30))
  })

  it('names now, today, tomorrow and yesterday, in any case and spacing', () => {
    expect(instant('now', SUNDAY)).toEqual(SUNDAY)
    expect(day('today', SUNDAY)).toEqual(new Date(2026, 10, 22))
    expect(day('  ToMorrow ', SUNDAY)).toEqual(new Date(2026, 10, 23))
    expect(day('YESTERDAY', SUNDAY)).toEqual(new Date(2026, 10, 21))
  })

  it('takes a weekday as the next one strictly after today', () => {
    expect(day('friday', SUNDAY)).toEqual(new Date(2026, 10, 27))
    expect(day('fri', SUNDAY)).toEqual(new Date(2026, 10, 27))
    expect(day('sunday', SUNDAY)).toEqual(new Date(2026, 10, 29))
    expect(day('monday', SUNDAY)).toEqual(new Date(2026, 10, 23))
    expect(day('friday', FRIDAY)).toEqual(new Date(2026, 11, 4))
    expect(day('sat', FRIDAY)).toEqual(new Date(2026, 10, 28))
  })

  it('reads "next friday" as the coming friday, "this friday" as this week\'s and "last friday" as the one before', () => {
    expect(day('next friday', SUNDAY)).toEqual(new Date(2026, 10, 27))
    expect(day('next   Friday', FRIDAY)).toEqual(new Date(2026, 11, 4))
    expect(day('next_friday', SUNDAY)).toEqual(new Date(2026, 10, 27))
    expect(day('this friday', FRIDAY)).toEqual(new Date(2026, 10, 27))
    // Weeks run Monday to Sunday: on a Sunday, this week's Friday is two days ago.
    expect(day('this friday', SUNDAY)).toEqual(new Date(2026, 10, 20))
    expect(day('this monday', FRIDAY)).toEqual(new Date(2026, 10, 23))
    expect(day('last friday', FRIDAY)).toEqual(new Date(2026, 10, 20))
    expect(day('last sunday', SUNDAY)).toEqual(new Date(2026, 10, 15))
  })

  it('names the first and last days of the week, month, quarter and year', () => {
    expect(day('sow', SUNDAY)).toEqual(new Date(2026, 10, 16))
    expect(day('eow', SUNDAY)).toEqual(new Date(2026, 10, 22))
    expect(day('sow', FRIDAY)).toEqual(new Date(2026, 10, 23))
    expect(day('eow', FRIDAY)).toEqual(new Date(2026, 10, 29))
    expect(day('som', SUNDAY)).toEqual(new Date(2026, 10, 1))
    expect(day('eom', SUNDAY)).toEqual(new Date(2026, 10, 30))
    expect(day('eom', new Date(2028, 1, 10))).toEqual(new Date(2028, 1, 29))
    expect(day('soq', SUNDAY)).toEqual(new Date(2026, 9, 1))
    expect(day('eoq', SUNDAY)).toEqual(new Date(2026, 11, 31))
    expect(day('eoq', new Date(2026, 3, 1))).toEqual(new Date(2026, 5, 30))
    expect(day('soy', SUNDAY)).toEqual(new Date(2026, 0, 1))
    expect(day('eoy', SUNDAY)).toEqual(new Date(2026, 11, 31))
    expect(day('later', SUNDAY)).toEqual(new Date(9999, 11, 30))
    expect(day('someday', SUNDAY)).toEqual(new Date(9999, 11, 30))
  })

  it('counts offsets from today as days, and hours from now as instants', () => {
    expect(day('3d', SUNDAY)).toEqual(new Date(2026, 10, 25))
    expect(day('2w', SUNDAY)).toEqual(new Date(2026, 11, 6))
    expect(day('1m', SUNDAY)).toEqual(new Date(2026, 11, 22))
    expect(day('1q', SUNDAY)).toEqual(new Date(2027, 1, 22))
    expect(day('1y', SUNDAY)).toEqual(new Date(2027, 10, 22))
    expect(day('3 days', SUNDAY)).toEqual(new Date(2026, 10, 25))
    expect(day('2 weeks', SUNDAY)).toEqual(new Date(2026, 11, 6))
    expect(day('in 3 days', SUNDAY)).toEqual(new Date(2026, 10, 25))
    expect(day('3 days ago', SUNDAY)).toEqual(new Date(2026, 10, 19))
    expect(day('1 month ago', SUNDAY)).toEqual(new Date(2026, 9, 22))
    expect(day('2 yrs', SUNDAY)).toEqual(new Date(2028, 10, 22))
    expect(instant('3h', SUNDAY)).toEqual(new Date(SUNDAY.getTime() + 3 * 3_600_000))
    expect(instant('in 2 hours', SUNDAY)).toEqual(new Date(SUNDAY.getTime() + 2 * 3_600_000))
  })

  it('adds and subtracts offsets from a base: a day stays a day, now stays an instant', () => {
    expect(instant('now-7d', SUNDAY)).toEqual(new Date(2026, 10, 15, 13, 2, 26))
    expect(instant('now + 2h', SUNDAY)).toEqual(new Date(SUNDAY.getTime() + 2 * 3_600_000))
    expect(day('today+2w', SUNDAY)).toEqual(new Date(2026, 11, 6))
    expect(day('eow-1d', SUNDAY)).toEqual(new Date(2026, 10, 21))
    expect(day('friday+1d', SUNDAY)).toEqual(new Date(2026, 10, 28))
    expect(day('2026-12-01-1w', SUNDAY)).toEqual(new Date(2026, 10, 24))
    expect(day('today+1w-1d', SUNDAY)).toEqual(new Date(2026, 10, 28))
    expect(instant('today+3h', SUNDAY)).toEqual(new Date(2026, 10, 22, 3))
  })

  it('clamps month steps to the end of the month', () => {
    expect(day('2026-01-31+1m', SUNDAY)).toEqual(new Date(2026, 1, 28))
    expect(day('2028-01-31+1m', SUNDAY)).toEqual(new Date(2028, 1, 29))
    expect(day('2026-03-31-1m', SUNDAY)).toEqual(new Date(2026, 1, 28))
    expect(day('2028-02-29+1y', SUNDAY)).toEqual(new Date(2029, 1, 28))
    expect(day('1m', new Date(2026, 4, 31, 8))).toEqual(new Date(2026, 5, 30))
    expect(instant('now+1q', new Date(2026, 10, 30, 8))).toEqual(new Date(2027, 1, 28, 8))
  })

  it('rejects everything else instead of guessing', () => {
    for (const text of [
      '',
      '   ',
      '2026-13-01',
      '2026-02-30',
      'soon',
      'next',
      'this',
      'next week',
      '1x',
      '3',
      'in 3 days ago',
      'friday+',
      'soon+1d',
      'Jan 5 2027',
      '12/01/2026',
      'now-99999999d',
      'today-3000y',
    ]) {
      expect(resolveDateExpression(text, SUNDAY), text).toBeUndefined()
    }
  })
})

describe('parseDateInput', () => {
  it('stores a day as its local calendar date and an instant as a UTC timestamp', () => {
    expect(parseDateInput('tomorrow', SUNDAY)).toBe('2026-11-23')
    expect(parseDateInput('friday', SUNDAY)).toBe('2026-11-27')
    expect(parseDateInput('eom', SUNDAY)).toBe('2026-11-30')
    expect(parseDateInput('2026-12-01', SUNDAY)).toBe('2026-12-01')
    expect(parseDateInput('later', SUNDAY)).toBe('9999-12-30')
    expect(parseDateInput('2026-12-01T09:30:00+01:00', SUNDAY)).toBe('2026-12-01T08:30:00Z')
    const now = new Date(Date.UTC(2026, 10, 22, 13, 0, 0, 400))
    expect(parseDateInput('now', now)).toBe('2026-11-22T13:00:00Z')
    expect(parseDateInput('now+2h', now)).toBe('2026-11-22T15:00:00Z')
    expect(parseDateInput('soon', now)).toBeUndefined()
    expect(parseDateInput('2026-02-30', now)).toBeUndefined()
  })
})

describe('storedDateRange', () => {
  it('covers a stored day from local midnight to the next, and a timestamp as one instant', () => {
    expect(storedDateRange('2026-11-27')).toEqual({
      start: new Date(2026, 10, 27).getTime(),
      end: new Date(2026, 10, 28).getTime(),
    })
    const time = Date.UTC(2026, 10, 27, 10)
    expect(storedDateRange('2026-11-27T10:00:00Z')).toEqual({ start: time, end: time })
    expect(storedDateRange('2026-11-27T11:00:00+01:00')).toEqual({ start: time, end: time })
  })

  it('returns undefined for values that are not dates', () => {
    for (const value of ['', 'friday', '2026-13-01', '2026-02-30', '2026-11-27T25:00:00Z']) {
      expect(storedDateRange(value), value).toBeUndefined()
    }
  })
})
