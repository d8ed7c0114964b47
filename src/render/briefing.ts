/**
 * The session briefing as compact text within a byte budget: whole lines only, each cut on a character boundary, and
 * what did not fit said in a `… N more` line, so an agent knows where to look instead of reading a silent cut.
 */

/** A line never takes more than this many bytes: one long title must not push every other line out. */
export const MAX_LINE_BYTES = 200

/** The smallest budget a briefing can be cut to and still say anything useful. */
export const MIN_BRIEFING_BYTES = 256

const ELLIPSIS = '…'
const ELLIPSIS_BYTES = Buffer.byteLength(ELLIPSIS)

/** One section of the briefing: a title, its lines (the first are the most important), how many there are in all. */
export interface BriefingSection {
  key: string
  /** The title line, e.g. `Ready, most urgent first (4500):`. */
  title: string
  lines: string[]
  /** How many entries there are in all (at least `lines.length`). */
  total: number
  /** Where to see the rest, e.g. `backlog_list filter "+READY"`. */
  more: string
  /** Show the title even when there is nothing under it ("nothing changed" is news too). */
  keep?: boolean
}

export interface FittedBriefing {
  text: string
  /** Per section key, how many of its lines the text shows. */
  shown: Record<string, number>
  /** Sections (keys) that lost lines to the budget. */
  trimmed: string[]
}

/** Control characters (a hand-edited title may hold a tab or a stray CR) read as spaces: one entry, one line. */
export function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim()
}

/**
 * The text cut to at most `maxBytes` UTF-8 bytes, on a character boundary (a code point is never split), ending in
 * `…` when it was cut.
 *
 * @example
 * cutToBytes('héllo wörld', 9) // 'héllo…' (9 bytes: é and … take 2 and 3)
 */
export function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  const room = maxBytes - ELLIPSIS_BYTES
  let bytes = 0
  let kept = ''
  for (const char of text) {
    const size = Buffer.byteLength(char)
    if (bytes + size > room) break
    bytes += size
    kept += char
  }
  return room > 0 ? `${kept}${ELLIPSIS}` : ''
}

/** A line of the briefing; `heading` when it is the title of a section with entries, which must not end the text. */
interface Line {
  text: string
  heading?: boolean
}

function render(header: string[], sections: BriefingSection[], shown: number[], footer: string[]): Line[] {
  const out: Line[] = header.map((text) => ({ text }))
  sections.forEach((section, index) => {
    if (section.total === 0 && !section.keep) return
    const count = shown[index] ?? 0
    out.push({ text: section.title, ...(section.total > 0 ? { heading: true } : {}) })
    for (const line of section.lines.slice(0, count)) out.push({ text: `- ${line}` })
    const rest = section.total - count
    if (rest > 0) out.push({ text: `  … ${count ? `${rest} more` : `${rest}`}: ${section.more}` })
  })
  out.push(...footer.map((text) => ({ text })))
  return out.map((line) => ({ ...line, text: cutToBytes(line.text, MAX_LINE_BYTES) }))
}

function joined(lines: Line[]): string {
  return lines.map((line) => line.text).join('\n')
}

/**
 * Whole lines from the start that fit `maxBytes`, less a section title left with nothing under it: a heading says
 * there are entries, so it goes with its last line (its `… N` line) rather than stand alone.
 */
function fitLines(lines: Line[], maxBytes: number): string {
  const fitted: Line[] = []
  let bytes = 0
  for (const line of lines) {
    const size = Buffer.byteLength(line.text) + (fitted.length ? 1 : 0)
    if (bytes + size > maxBytes) break
    bytes += size
    fitted.push(line)
  }
  while (fitted[fitted.length - 1]?.heading) fitted.pop()
  return joined(fitted)
}

/**
 * The order in which sections give up lines when the text is over budget: changes by others first (history has
 * them), then blocked and ready work beyond the first few, then the rest, down to none; the work in progress last.
 * Each step is [section key, the fewest lines it keeps].
 */
const LADDER: Array<[string, number]> = [
  ['changes', 5],
  ['blocked', 5],
  ['ready', 5],
  ['in_progress', 8],
  ['changes', 2],
  ['blocked', 2],
  ['ready', 3],
  ['in_progress', 5],
  ['changes', 0],
  ['blocked', 0],
  ['ready', 1],
  ['in_progress', 1],
  ['ready', 0],
  ['in_progress', 0],
]

/**
 * Lays the briefing out within `maxBytes`: every line cut to MAX_LINE_BYTES, then lines dropped step by step (LADDER)
 * with a `… N more: where` line in their place, then the footer; a header or footer too long for a tiny budget is cut
 * by whole lines.
 *
 * @example
 * fitBriefing(['Backlog briefing for claude'], [{ key: 'ready', title: 'Ready (1):', lines: ['bl-x Fix'], total: 1, more: 'backlog_list' }], [], 3072).text
 */
export function fitBriefing(
  header: string[],
  sections: BriefingSection[],
  footer: string[],
  maxBytes: number,
): FittedBriefing {
  // Cut here to keep the work of each render small; render cuts again once the `- ` and `… N more` are added.
  const cut = (line: string) => cutToBytes(oneLine(line), MAX_LINE_BYTES)
  const head = header.map(cut)
  const tail = footer.map(cut)
  const fitted = sections.map((section) => ({
    ...section,
    title: cut(section.title),
    more: cut(section.more),
    lines: section.lines.map(cut),
  }))
  const shown = fitted.map((section) => section.lines.length)
  const size = (withFooter: boolean) => Buffer.byteLength(joined(render(head, fitted, shown, withFooter ? tail : [])))
  for (const [key, floor] of LADDER) {
    const index = fitted.findIndex((section) => section.key === key)
    if (index < 0) continue
    while (size(true) > maxBytes && (shown[index] ?? 0) > floor) shown[index] = (shown[index] ?? 0) - 1
  }
  const withFooter = size(true) <= maxBytes
  const text = fitLines(render(head, fitted, shown, withFooter ? tail : []), maxBytes)
  return {
    text,
    shown: Object.fromEntries(fitted.map((section, index) => [section.key, shown[index] ?? 0])),
    trimmed: fitted.filter((section, index) => (shown[index] ?? 0) < section.lines.length).map((s) => s.key),
  }
}
