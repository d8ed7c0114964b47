/** Text for the viewer: values, dates, who made a commit. Pure, so node tests them without a DOM. */

/**
 * A field value as one line of text: lists joined, objects as JSON, nothing as an em dash.
 *
 * @example
 * valueText(['a', 'b']) // 'a, b'
 */
export function valueText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—'
  if (Array.isArray(value)) return value.length ? value.map((entry) => valueText(entry)).join(', ') : '—'
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record.text === 'string') return record.text
    if (typeof record.url === 'string') return typeof record.title === 'string' ? record.title : record.url
    return JSON.stringify(value)
  }
  return String(value)
}

/** A commit's short id, as git prints it. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7)
}

/** Who made a commit: the agent named in its trailer, else the author. */
export function whoMade(entry: { agent?: string; author?: string }): string {
  return entry.agent || entry.author || 'unknown'
}

/**
 * A date and time in the reader's zone, to the minute; the text itself when it is no date.
 *
 * @example
 * formatDate('2026-01-02') // 'Jan 2, 2026' (in an English locale)
 */
export function formatDate(iso: string | undefined, locale?: string): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso)
  return dateOnly
    ? date.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })
    : date.toLocaleString(locale, {
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
}

/**
 * A URL a link may point to: http and https only (no javascript:, data: or file:); undefined for anything else.
 *
 * @example
 * safeHttpUrl('javascript:alert(1)') // undefined
 */
export function safeHttpUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined
  try {
    const parsed = new URL(url.trim())
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined
  } catch {
    return undefined
  }
}

/**
 * Tags as the API may give them (a list, or text separated by commas or spaces) to a list.
 *
 * @example
 * parseTags('ui, api  docs') // ['ui', 'api', 'docs']
 */
export function parseTags(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((tag) => tag.trim().replace(/^\+/, ''))
    .filter(Boolean)
}

/** The changes of one item in a history entry as "field: old → new" lines. */
export function changeText(change: { field: string; old?: unknown; new?: unknown }): string {
  const hasOld = change.old !== undefined
  const hasNew = change.new !== undefined
  if (hasOld && hasNew) return `${change.field}: ${valueText(change.old)} → ${valueText(change.new)}`
  if (hasNew) return `${change.field}: ${valueText(change.new)}`
  if (hasOld) return `${change.field}: ${valueText(change.old)} removed`
  return change.field
}
