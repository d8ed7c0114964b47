/**
 * Date expressions people type for due dates and filters (`friday`, `eow`, `in 3 days`, `now-7d`), resolved in the
 * local time zone against a clock passed in. Anything that is not one of these forms is not a date: there is no
 * fallback to `new Date(text)`, whose guesses differ between engines.
 */

import { formatTimestamp, parseDateValue } from './dates.js'

export interface ResolvedDate {
  date: Date
  /** 'day' when the expression names a calendar day (today, friday, 2026-12-01, eom), 'instant' for now, now-7d, ISO date-times */
  granularity: 'day' | 'instant'
}

type Unit = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year'

const UNITS: Record<string, Unit> = {
  h: 'hour',
  hr: 'hour',
  hrs: 'hour',
  hour: 'hour',
  hours: 'hour',
  d: 'day',
  day: 'day',
  days: 'day',
  w: 'week',
  wk: 'week',
  wks: 'week',
  week: 'week',
  weeks: 'week',
  m: 'month',
  mo: 'month',
  mos: 'month',
  month: 'month',
  months: 'month',
  q: 'quarter',
  qtr: 'quarter',
  qtrs: 'quarter',
  quarter: 'quarter',
  quarters: 'quarter',
  y: 'year',
  yr: 'year',
  yrs: 'year',
  year: 'year',
  years: 'year',
}

/** Day numbers as Date.getDay() gives them: Sunday is 0. */
const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
}

const WEEKDAY = /^(?:(next|this|last) )?([a-z]+)$/
const RELATIVE = /^(in )?(\d+) ?([a-z]+)( ago)?$/
const COMPOUND = /^(.+?) ?([+-]) ?(\d+) ?([a-z]+)$/

/**
 * A local date and time. `new Date(y, …)` maps the years 0–99 to 1900–1999, so the year is set on its own.
 */
function localDate(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0, ms = 0): Date {
  const date = new Date(2000, 0, 1)
  date.setFullYear(year, month, day)
  date.setHours(hours, minutes, seconds, ms)
  return date
}

function startOfDay(date: Date, addDays = 0): Date {
  return localDate(date.getFullYear(), date.getMonth(), date.getDate() + addDays)
}

function daysInMonth(year: number, month: number): number {
  return localDate(year, month + 1, 0).getDate()
}

/** Adds whole months, keeping the day of the month where it exists and clamping it where not (Jan 31 + 1m = Feb 28). */
function addMonths(date: Date, months: number): Date {
  const first = localDate(date.getFullYear(), date.getMonth() + months, 1)
  const year = first.getFullYear()
  const month = first.getMonth()
  const day = Math.min(date.getDate(), daysInMonth(year, month))
  return localDate(year, month, day, date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds())
}

function addOffset(date: Date, amount: number, unit: Unit): Date {
  switch (unit) {
    case 'hour':
      return new Date(date.getTime() + amount * 3_600_000)
    case 'day':
    case 'week': {
      // Calendar days rather than 24-hour steps, so a day across a DST change stays at local midnight.
      const days = unit === 'week' ? amount * 7 : amount
      return localDate(
        date.getFullYear(),
        date.getMonth(),
        date.getDate() + days,
        date.getHours(),
        date.getMinutes(),
        date.getSeconds(),
        date.getMilliseconds(),
      )
    }
    case 'month':
      return addMonths(date, amount)
    case 'quarter':
      return addMonths(date, amount * 3)
    case 'year':
      return addMonths(date, amount * 12)
  }
}

function day(date: Date): ResolvedDate {
  return { date, granularity: 'day' }
}

/** Monday of the week of `today`: weeks start on Monday. */
function startOfWeek(today: Date): Date {
  return startOfDay(today, -((today.getDay() + 6) % 7))
}

function resolveNamed(word: string, now: Date): ResolvedDate | undefined {
  const today = startOfDay(now)
  const year = today.getFullYear()
  const month = today.getMonth()
  const quarter = month - (month % 3)
  switch (word) {
    case 'now':
      return { date: new Date(now.getTime()), granularity: 'instant' }
    case 'today':
      return day(today)
    case 'tomorrow':
      return day(startOfDay(now, 1))
    case 'yesterday':
      return day(startOfDay(now, -1))
    case 'sow':
      return day(startOfWeek(today))
    case 'eow':
      return day(startOfDay(startOfWeek(today), 6))
    case 'som':
      return day(localDate(year, month, 1))
    case 'eom':
      return day(localDate(year, month + 1, 0))
    case 'soq':
      return day(localDate(year, quarter, 1))
    case 'eoq':
      return day(localDate(year, quarter + 3, 0))
    case 'soy':
      return day(localDate(year, 0, 1))
    case 'eoy':
      return day(localDate(year, 11, 31))
    case 'later':
    case 'someday':
      return day(localDate(9999, 11, 30))
    default:
      return undefined
  }
}

function resolveWeekday(match: RegExpExecArray, now: Date): ResolvedDate | undefined {
  const target = WEEKDAYS[match[2] as string]
  if (target === undefined) return undefined
  const today = startOfDay(now)
  const current = today.getDay()
  switch (match[1]) {
    case 'this':
      return day(startOfDay(startOfWeek(today), (target + 6) % 7))
    case 'last':
      return day(startOfDay(today, -((current - target + 7) % 7 || 7)))
    default:
      // `friday` and `next friday` are both the coming Friday, strictly after today.
      return day(startOfDay(today, (target - current + 7) % 7 || 7))
  }
}

function resolveIso(text: string): ResolvedDate | undefined {
  const value = parseDateValue(text.toUpperCase())
  if (value === undefined) return undefined
  if (value.length === 10) {
    return day(localDate(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10))))
  }
  return { date: new Date(value), granularity: 'instant' }
}

function resolveNormalized(text: string, now: Date): ResolvedDate | undefined {
  const iso = resolveIso(text)
  if (iso) return iso
  const named = resolveNamed(text, now)
  if (named) return named
  const weekday = WEEKDAY.exec(text)
  if (weekday) return resolveWeekday(weekday, now)
  const relative = RELATIVE.exec(text)
  if (relative) {
    const [, inWord, amount, unitWord, ago] = relative
    const unit = UNITS[unitWord as string]
    if (!unit || (inWord && ago)) return undefined
    const sign = ago ? -1 : 1
    // A number of days or more names a calendar day (`3d` is the day after the day after tomorrow); hours an instant.
    if (unit === 'hour') return { date: addOffset(now, sign * Number(amount), unit), granularity: 'instant' }
    return day(addOffset(startOfDay(now), sign * Number(amount), unit))
  }
  const compound = COMPOUND.exec(text)
  if (compound) {
    const [, baseText, operator, amount, unitWord] = compound
    const unit = UNITS[unitWord as string]
    const base = unit ? resolveNormalized(baseText as string, now) : undefined
    if (!unit || !base) return undefined
    const date = addOffset(base.date, (operator === '-' ? -1 : 1) * Number(amount), unit)
    return { date, granularity: base.granularity === 'day' && unit !== 'hour' ? 'day' : 'instant' }
  }
  return undefined
}

/**
 * Resolves a date expression against `now`, in the local time zone; undefined when the text is not one.
 *
 * Forms (case-insensitive; `_` may stand for a space, so `next_friday` works where spaces cannot):
 * - ISO dates `2026-12-01` (a day) and date-times `2026-12-01T09:30Z` (an instant; without a zone, local time);
 * - `now` (an instant), `today`, `tomorrow`, `yesterday`;
 * - weekdays `friday`/`fri` and `next friday`: the coming one, strictly after today (so on a Friday, a week ahead;
 *   `next` does not skip a week, as in taskwarrior); `this friday`: the one of this Monday-to-Sunday week, which may
 *   be today or past; `last friday`: the latest one strictly before today;
 * - `sow`/`eow` (Monday/Sunday of this week), `som`/`eom`, `soq`/`eoq`, `soy`/`eoy`: first or last calendar day;
 * - `later`/`someday`: 9999-12-30;
 * - offsets from today: `3d`, `2 weeks`, `in 3 days`, `3 days ago` (a day); `3h` (an instant, from now);
 * - compounds `base±offset`: `now-7d` (an instant), `today+2w`, `eow-1d`, `friday+1d` (days). An offset in hours
 *   makes an instant. Units: d, w, m (months), q, y, h and their long forms. Month steps clamp to the month's end.
 *
 * @example
 * resolveDateExpression('friday', new Date(2026, 10, 22)) // { date: 2026-11-27 00:00 local, granularity: 'day' }
 * resolveDateExpression('now-7d', now)?.granularity // 'instant'
 * resolveDateExpression('soon', now) // undefined
 */
export function resolveDateExpression(text: string, now: Date): ResolvedDate | undefined {
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
  if (normalized === '') return undefined
  const resolved = resolveNormalized(normalized, now)
  if (!resolved) return undefined
  const year = resolved.date.getFullYear()
  // Stored dates have four-digit years; a huge offset gives NaN or a year no item could store.
  if (Number.isNaN(year) || year < 1000 || year > 9999) return undefined
  return resolved
}

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0')
}

/** The local calendar day of a date, as items store days: `YYYY-MM-DD`. */
function formatLocalDay(date: Date): string {
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/**
 * What an item field stores for a user's date input: a day → 'YYYY-MM-DD' (local calendar day); an instant →
 * formatTimestamp (UTC, 'YYYY-MM-DDTHH:MM:SSZ'). undefined when not a date.
 *
 * @example
 * parseDateInput('tomorrow', new Date(2026, 10, 22, 15, 0)) // '2026-11-23'
 * parseDateInput('now+2h', new Date(Date.UTC(2026, 10, 22, 13, 0))) // '2026-11-22T15:00:00Z'
 */
export function parseDateInput(text: string, now: Date): string | undefined {
  const resolved = resolveDateExpression(text, now)
  if (!resolved) return undefined
  return resolved.granularity === 'day' ? formatLocalDay(resolved.date) : formatTimestamp(resolved.date)
}

/**
 * The instant range an item's stored date value covers: 'YYYY-MM-DD' → [local 00:00, next local 00:00); a timestamp
 * → [t, t]. undefined for junk. Filters compare these ranges, so a due day counts as the whole day.
 *
 * @example
 * storedDateRange('2026-11-27') // { start: 2026-11-27 00:00 local, end: 2026-11-28 00:00 local } in ms
 * storedDateRange('2026-11-27T10:00:00Z') // { start: 1795773600000, end: 1795773600000 }
 */
export function storedDateRange(value: string): { start: number; end: number } | undefined {
  const normalized = parseDateValue(value)
  if (normalized === undefined) return undefined
  if (normalized.length === 10) {
    const [year, month, date] = [
      Number(normalized.slice(0, 4)),
      Number(normalized.slice(5, 7)) - 1,
      Number(normalized.slice(8, 10)),
    ]
    return { start: localDate(year, month, date).getTime(), end: localDate(year, month, date + 1).getTime() }
  }
  const time = Date.parse(normalized)
  return { start: time, end: time }
}
