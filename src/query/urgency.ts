/** Urgency: one number per item that orders active lists, from priority, dates, the work graph and age. */

import { type Item, normalizePriority } from '../core/item.js'

export interface UrgencyInputs {
  item: Item
  now: Date
  /** Some open item depends on this one. */
  blocking: boolean
  /** This one waits on an open dependency, or its status says blocked. */
  blocked: boolean
  /** Work has started (a started status). */
  active: boolean
  /** A closed status: urgency is 0. */
  closed: boolean
}

const PRIORITY: Record<string, number> = { urgent: 8, high: 6, medium: 3.9, low: 1.8 }
const DUE = 12
const ACTIVE = 4
const BLOCKING = 8
const BLOCKED = -5
const SCHEDULED = 5
const WAITING = -3
const AGE = 2
const AGE_DAYS = 365
const TAGS = 1
const NOTES = 1

const DAY_MS = 86_400_000

/**
 * The terms of `urgency`, as markdown for the README. Keep in step with the code: a test checks every coefficient
 * appears here.
 */
/** The terms the dependency graph adds, which callers that cache an item's own terms add themselves. */
export const URGENCY_WEIGHTS = { blocking: BLOCKING, blocked: BLOCKED } as const

export const URGENCY_FORMULA = `Urgency is a sum of terms, rounded to 2 decimals; closed items score 0. "Today" is the local day.

| term | adds |
|---|---|
| priority | urgent **${PRIORITY.urgent}**, high **${PRIORITY.high}**, medium **${PRIORITY.medium}**, low **${PRIORITY.low}**, none 0 |
| due | **${DUE}** × ramp, where d = today − the due's local day (negative before it): ramp = 1 when d ≥ 7 (a week overdue), 0.2 + 0.8 × (d + 14) / 21 when −14 ≤ d < 7, 0.2 when further out; no due 0. Due today gives 8.8 |
| active | **+${ACTIVE}** when work has started (a started status) |
| blocking | **+${BLOCKING}** when an open item depends on it |
| blocked | **${BLOCKED}** when it depends on an open item or its status is \`blocked\` |
| scheduled | **+${SCHEDULED}** once \`scheduled\` is reached (a date: from that day on) |
| waiting | **${WAITING}** while \`wait\` is in the future (a date: until that day begins) |
| age | up to **+${AGE}**: ${AGE} × days since \`created\` / ${AGE_DAYS}, capped at ${AGE_DAYS} days |
| tags | **+${TAGS}** when it has any tag |
| notes | **+${NOTES}** when it has any note |

The weights follow Taskwarrior's defaults, so an urgent item due today (8 + 8.8) outranks a blocking one (8), and a
blocked item sinks below unblocked work of the same priority.`

// The clock is the same for a whole list: today's local day is worked out once per distinct \`now\`.
let cachedNow = Number.NaN
let cachedToday = 0

function localDayOf(ms: number): number {
  return Math.floor((ms - new Date(ms).getTimezoneOffset() * 60_000) / DAY_MS)
}

function todayOf(now: Date): number {
  const ms = now.getTime()
  if (ms !== cachedNow) {
    cachedNow = ms
    cachedToday = localDayOf(ms)
  }
  return cachedToday
}

function isDateOnly(value: string): boolean {
  return value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45
}

/** Days since 1970-01-01 of a date's calendar day, or of a timestamp's local day; NaN when it is not a date. */
function dayOf(value: string): number {
  if (isDateOnly(value)) {
    return Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10))) / DAY_MS
  }
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? Number.NaN : localDayOf(ms)
}

// Both checks are false for an unreadable value: every comparison with NaN is.

/** True once the value's moment has come: a date from the start of its day, a timestamp from its instant. */
function hasArrived(value: string, now: Date, today: number): boolean {
  return isDateOnly(value) ? dayOf(value) <= today : Date.parse(value) <= now.getTime()
}

/** True while the value's moment is still ahead: a date until its day begins, a timestamp until its instant. */
function isAhead(value: string, now: Date, today: number): boolean {
  return isDateOnly(value) ? dayOf(value) > today : Date.parse(value) > now.getTime()
}

function dueTerm(due: string, today: number): number {
  const overdue = today - dayOf(due)
  if (Number.isNaN(overdue)) return 0
  if (overdue >= 7) return DUE
  if (overdue >= -14) return DUE * (0.2 + (0.8 * (overdue + 14)) / 21)
  return DUE * 0.2
}

function ageTerm(created: string, now: Date, today: number): number {
  const days = isDateOnly(created) ? today - dayOf(created) : (now.getTime() - Date.parse(created)) / DAY_MS
  if (!(days > 0)) return 0
  return (AGE * Math.min(days, AGE_DAYS)) / AGE_DAYS
}

function priorityTerm(priority: string | undefined): number {
  if (priority === undefined) return 0
  const exact = PRIORITY[priority]
  if (exact !== undefined) return exact
  const normalized = normalizePriority(priority)
  return normalized === undefined ? 0 : (PRIORITY[normalized] ?? 0)
}

/**
 * The urgency of an item at `now` (see `URGENCY_FORMULA`), rounded to 2 decimals. Pure and cheap: lists call it for
 * every item, so it parses each date field at most once and reads nothing else. Unreadable dates add nothing.
 *
 * @example
 * urgency({ item: { ...item, priority: 'high', due: '2026-03-02' }, now: new Date(2026, 2, 2, 12),
 *   blocking: false, blocked: false, active: false, closed: false }) // 14.8 (6 + 8.8)
 */
export function urgency(inputs: UrgencyInputs): number {
  if (inputs.closed) return 0
  const { item, now } = inputs
  const today = todayOf(now)
  let score = priorityTerm(item.priority)
  if (item.due !== undefined) score += dueTerm(item.due, today)
  if (inputs.active) score += ACTIVE
  if (inputs.blocking) score += BLOCKING
  if (inputs.blocked) score += BLOCKED
  if (item.scheduled !== undefined && hasArrived(item.scheduled, now, today)) score += SCHEDULED
  if (item.wait !== undefined && isAhead(item.wait, now, today)) score += WAITING
  if (item.created !== undefined) score += ageTerm(item.created, now, today)
  if (item.tags.length > 0) score += TAGS
  if (item.notes.length > 0) score += NOTES
  return Math.round(score * 100) / 100
}
