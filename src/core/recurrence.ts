/** Recurring items: the `recur` vocabulary and the dates of the next occurrence when one is completed. */

import { formatTimestamp, parseDateValue } from './dates.js'
import { BacklogError } from './errors.js'
import type { Item } from './item.js'

export type RecurrenceUnit = 'day' | 'week' | 'month' | 'year' | 'weekday'

/** Every `every` units; `weekday` is always one weekday (Monday to Friday) at a time. */
export interface Recurrence {
  unit: RecurrenceUnit
  every: number
}

/** Larger counts are typos rather than plans (`every 3000 days`). */
const MAX_EVERY = 999

const NAMED: Record<string, Recurrence> = {
  daily: { unit: 'day', every: 1 },
  weekly: { unit: 'week', every: 1 },
  biweekly: { unit: 'week', every: 2 },
  fortnightly: { unit: 'week', every: 2 },
  monthly: { unit: 'month', every: 1 },
  quarterly: { unit: 'month', every: 3 },
  yearly: { unit: 'year', every: 1 },
  annually: { unit: 'year', every: 1 },
  annual: { unit: 'year', every: 1 },
  weekdays: { unit: 'weekday', every: 1 },
  weekday: { unit: 'weekday', every: 1 },
}

/** Unit words after a count or `every`; a quarter is three months. */
const UNITS: Record<string, { unit: RecurrenceUnit; times: number }> = {
  d: { unit: 'day', times: 1 },
  day: { unit: 'day', times: 1 },
  days: { unit: 'day', times: 1 },
  w: { unit: 'week', times: 1 },
  wk: { unit: 'week', times: 1 },
  wks: { unit: 'week', times: 1 },
  week: { unit: 'week', times: 1 },
  weeks: { unit: 'week', times: 1 },
  m: { unit: 'month', times: 1 },
  mo: { unit: 'month', times: 1 },
  mos: { unit: 'month', times: 1 },
  month: { unit: 'month', times: 1 },
  months: { unit: 'month', times: 1 },
  q: { unit: 'month', times: 3 },
  quarter: { unit: 'month', times: 3 },
  quarters: { unit: 'month', times: 3 },
  y: { unit: 'year', times: 1 },
  yr: { unit: 'year', times: 1 },
  yrs: { unit: 'year', times: 1 },
  year: { unit: 'year', times: 1 },
  years: { unit: 'year', times: 1 },
}

const COUNTED = /^(every\s+)?(?:(\d+)\s*)?([a-z]+)$/
const ISO_DURATION = /^p(\d+)([dwmy])$/
const ISO_UNITS: Record<string, RecurrenceUnit> = { d: 'day', w: 'week', m: 'month', y: 'year' }

function counted(unit: RecurrenceUnit, every: number): Recurrence | undefined {
  return Number.isInteger(every) && every >= 1 && every <= MAX_EVERY ? { unit, every } : undefined
}

/**
 * Parses a `recur` value, case-insensitively: `daily`, `weekly`, `biweekly`/`fortnightly`, `monthly`, `quarterly`,
 * `yearly`/`annually`, `weekdays` (Monday to Friday); `every day`, `every 3 days`, `every 2 weeks`, `every weekday`;
 * `3d`, `2w`, `1m` (months), `1q`, `1y` and `3 days`; ISO 8601 single-unit durations `P3D`, `P2W`, `P1M`, `P1Y`.
 * Counts run from 1 to 999. Undefined for anything else.
 *
 * @example
 * parseRecurrence('every 2 weeks') // { unit: 'week', every: 2 }
 * parseRecurrence('quarterly') // { unit: 'month', every: 3 }
 * parseRecurrence('hourly') // undefined
 */
export function parseRecurrence(value: string): Recurrence | undefined {
  const text = value.trim().toLowerCase().replace(/\s+/g, ' ')
  const named = NAMED[text]
  if (named) return { ...named }
  const iso = ISO_DURATION.exec(text)
  if (iso) return counted(ISO_UNITS[iso[2] as string] as RecurrenceUnit, Number(iso[1]))
  const match = COUNTED.exec(text)
  if (!match) return undefined
  const [, every, count, word] = match
  if (every && count === undefined && (word === 'weekday' || word === 'weekdays')) return { unit: 'weekday', every: 1 }
  const unit = UNITS[word as string]
  // A bare unit (`d`, `month`) is neither a count nor `every …`: too terse to be sure of.
  if (!unit || (every === undefined && count === undefined)) return undefined
  return counted(unit.unit, (count === undefined ? 1 : Number(count)) * unit.times)
}

/**
 * The accepted `recur` forms in one sentence, for error messages.
 *
 * @example
 * throw new BacklogError('INVALID_INPUT', `recur "${value}" is not a recurrence: use ${describeRecurrenceFormats()}`)
 */
export function describeRecurrenceFormats(): string {
  return (
    'daily, weekly, biweekly, monthly, quarterly, yearly (or annually), weekdays (Monday to Friday), ' +
    '`every N days|weeks|months|years` (e.g. `every 3 days`), the short forms `3d`, `2w`, `1m`, `1y`, ' +
    'or an ISO 8601 duration of one unit (`P3D`, `P2W`, `P1M`, `P1Y`); counts from 1 to 999'
  )
}

/** A calendar day and, for timestamps, the local time of day that rides along unchanged. */
interface DateParts {
  year: number
  month: number
  day: number
  /** The local wall-clock time of day in milliseconds (09:30 is 34,200,000); undefined for a date-only value. */
  time?: number
}

const DAY_MS = 86_400_000

/** Days since 1970-01-01 of a calendar day: a time-zone-free number to compare and subtract days with. */
function dayNumber(parts: DateParts): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day) / DAY_MS
}

function fromDayNumber(days: number, time?: number): DateParts {
  const date = new Date(days * DAY_MS)
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), time }
}

function localParts(date: Date, withTime: boolean): DateParts {
  const parts: DateParts = { year: date.getFullYear(), month: date.getMonth() + 1, day: date.getDate() }
  if (withTime) {
    parts.time = ((date.getHours() * 60 + date.getMinutes()) * 60 + date.getSeconds()) * 1000 + date.getMilliseconds()
  }
  return parts
}

function readDate(field: string, value: string): DateParts {
  const normalized = parseDateValue(value)
  if (normalized === undefined) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${field} "${value}" is not a date: write YYYY-MM-DD or an ISO timestamp before completing a recurring item`,
      { field, value },
    )
  }
  if (normalized.length === 10) {
    return {
      year: Number(normalized.slice(0, 4)),
      month: Number(normalized.slice(5, 7)),
      day: Number(normalized.slice(8)),
    }
  }
  return localParts(new Date(normalized), true)
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

/** Writes a value back in the form it came in: a date stays a date, a timestamp is the same local time of day. */
function writeDate(parts: DateParts): string {
  const { year, month, day, time } = parts
  if (time === undefined) return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
  // Wall-clock fields rather than milliseconds since midnight: 09:00 stays 09:00 across a DST change.
  const seconds = Math.floor(time / 1000)
  const local = new Date(year, month - 1, day, Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60)
  return formatTimestamp(local)
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** The same day-of-month `months` later, or the month's last day when it is shorter (Jan 31 + 1 month = Feb 28). */
function addMonths(parts: DateParts, months: number): DateParts {
  const index = parts.year * 12 + (parts.month - 1) + months
  const year = Math.floor(index / 12)
  const month = index - year * 12 + 1
  return { year, month, day: Math.min(parts.day, daysInMonth(year, month)), time: parts.time }
}

function isWeekend(days: number): boolean {
  const weekday = new Date(days * DAY_MS).getUTCDay()
  return weekday === 0 || weekday === 6
}

/** `periods` whole periods after `parts`; weekdays are stepped by the caller, so here they count as days. */
function advance(parts: DateParts, recurrence: Recurrence, periods: number): DateParts {
  const count = recurrence.every * periods
  switch (recurrence.unit) {
    case 'day':
    case 'weekday':
      return fromDayNumber(dayNumber(parts) + count, parts.time)
    case 'week':
      return fromDayNumber(dayNumber(parts) + 7 * count, parts.time)
    case 'month':
      return addMonths(parts, count)
    case 'year':
      return addMonths(parts, 12 * count)
  }
}

/** Rough days per period: a first guess of how many periods to skip, corrected by stepping. */
const APPROX_DAYS: Record<RecurrenceUnit, number> = { day: 1, weekday: 1, week: 7, month: 30, year: 365 }

/** The fewest whole periods (at least one) that take `from` past the day `after`. */
function periodsPast(from: DateParts, recurrence: Recurrence, after: number): number {
  const gap = after - dayNumber(from)
  let periods = Math.max(1, Math.floor(gap / (APPROX_DAYS[recurrence.unit] * recurrence.every)))
  while (periods > 1 && dayNumber(advance(from, recurrence, periods - 1)) > after) periods--
  while (dayNumber(advance(from, recurrence, periods)) <= after) periods++
  return periods
}

/** The first weekday after the later of `from` and the day `after`. */
function nextWeekday(from: number, after: number): number {
  let day = Math.max(from, after) + 1
  while (isWeekend(day)) day++
  return day
}

/** True when `next` falls after `until`: days compare as days, two timestamps as instants. */
function pastUntil(next: DateParts, until: DateParts): boolean {
  if (next.time === undefined || until.time === undefined) return dayNumber(next) > dayNumber(until)
  return dayNumber(next) * DAY_MS + next.time > dayNumber(until) * DAY_MS + until.time
}

const SHIFTED = ['scheduled', 'wait'] as const

export interface NextOccurrence {
  due: string
  scheduled?: string
  wait?: string
}

/**
 * The dates of the next occurrence when a recurring item is completed at `closedAt`, in the local time zone.
 *
 * - With a due date, due advances by whole periods until its day is after closedAt's day: completing early or on time
 *   gives the next period, completing late skips the missed ones (no backlog of overdue copies). `scheduled` and
 *   `wait` move by the same periods, so they keep their place relative to due. For `weekdays` the next due is the
 *   first Monday-to-Friday after both, and `scheduled`/`wait` move by as many calendar days as due did.
 * - Without a due date, the next due is closedAt's local day plus one period (a date), and `scheduled`/`wait` each
 *   advance on their own by whole periods until after closedAt's day.
 * - Months keep the due's day-of-month and clamp to shorter months: Jan 31 monthly gives Feb 28 (Feb 29 in a leap
 *   year). Periods count from the current due, so Jan 31 completed in mid-March gives Mar 31; but the stored Feb 28 is
 *   what the next completion starts from (the item keeps no other anchor), giving Mar 28. Feb 29 yearly gives Feb 28.
 * - A date stays a date; a timestamp keeps its local time of day (09:00 stays 09:00 across a DST change) and is
 *   written as a UTC timestamp.
 *
 * Returns undefined when the next due is after `until` (a date includes its whole day): the series has ended. Throws
 * INVALID_INPUT when `recur` is missing or not a recurrence, or a date field is not a date.
 *
 * @example
 * nextOccurrence({ due: '2026-03-02', recur: 'weekly' }, new Date(2026, 2, 4)) // { due: '2026-03-09' }
 * nextOccurrence({ due: '2026-01-31', recur: 'monthly' }, new Date(2026, 0, 31)) // { due: '2026-02-28' }
 * nextOccurrence({ recur: '3d' }, new Date(2026, 2, 4, 18)) // { due: '2026-03-07' }
 */
export function nextOccurrence(
  item: Pick<Item, 'due' | 'scheduled' | 'wait' | 'until' | 'recur'>,
  closedAt: Date,
): NextOccurrence | undefined {
  const recurrence = item.recur === undefined ? undefined : parseRecurrence(item.recur)
  if (!recurrence) {
    throw new BacklogError(
      'INVALID_INPUT',
      item.recur === undefined
        ? 'the item has no recur value, so it has no next occurrence'
        : `recur "${item.recur}" is not a recurrence: use ${describeRecurrenceFormats()}`,
      { recur: item.recur },
    )
  }
  const closedDay = dayNumber(localParts(closedAt, false))
  const byDay: Recurrence = { unit: 'day', every: 1 }
  const moved: Partial<Record<'scheduled' | 'wait', DateParts>> = {}
  let due: DateParts

  if (item.due !== undefined) {
    const current = readDate('due', item.due)
    // Weekdays move every field by the calendar days due moved; other units by the same number of periods.
    const [step, periods] =
      recurrence.unit === 'weekday'
        ? [byDay, nextWeekday(dayNumber(current), closedDay) - dayNumber(current)]
        : [recurrence, periodsPast(current, recurrence, closedDay)]
    due = advance(current, step, periods)
    for (const field of SHIFTED) {
      const value = item[field]
      if (value !== undefined) moved[field] = advance(readDate(field, value), step, periods)
    }
  } else {
    due =
      recurrence.unit === 'weekday'
        ? fromDayNumber(nextWeekday(closedDay, closedDay))
        : advance(fromDayNumber(closedDay), recurrence, 1)
    for (const field of SHIFTED) {
      const value = item[field]
      if (value === undefined) continue
      const parts = readDate(field, value)
      moved[field] =
        recurrence.unit === 'weekday'
          ? fromDayNumber(nextWeekday(dayNumber(parts), closedDay), parts.time)
          : advance(parts, recurrence, periodsPast(parts, recurrence, closedDay))
    }
  }

  if (item.until !== undefined && pastUntil(due, readDate('until', item.until))) return undefined
  const result: NextOccurrence = { due: writeDate(due) }
  for (const field of SHIFTED) {
    const parts = moved[field]
    if (parts) result[field] = writeDate(parts)
  }
  return result
}
