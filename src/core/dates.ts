/** Date values of items: ISO dates and times, checked, never silently dropped. */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/

/** A timestamp as items store it: UTC, whole seconds. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`
}

/**
 * Normalizes a date given by a caller: `2026-12-01` stays a date, a date and time becomes a UTC timestamp.
 * Returns undefined for anything that is not a real calendar date (`2026-13-01`, `2026-02-30`, `soon`).
 *
 * @example
 * parseDateValue('2026-12-01T09:30:00+01:00') // '2026-12-01T08:30:00Z'
 */
export function parseDateValue(value: string): string | undefined {
  const text = value.trim()
  const dateOnly = DATE_ONLY.exec(text)
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])]
    const date = new Date(Date.UTC(year, month - 1, day))
    const valid = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    return valid ? text : undefined
  }
  if (!DATE_TIME.test(text)) return undefined
  // Date() rolls 2026-02-30 over into March, so the calendar date is checked on its own first.
  if (parseDateValue(text.slice(0, 10)) === undefined) return undefined
  const date = new Date(text.replace(' ', 'T'))
  if (Number.isNaN(date.getTime())) return undefined
  return formatTimestamp(date)
}
