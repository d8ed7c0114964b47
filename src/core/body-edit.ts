/** Edits of an item's markdown body (the `write_resource` tool): exact replace, insert at a line, append. */

import { BacklogError, type Phrase, phrase, slot } from './errors.js'

// The operation's inputs, which each edge names its own way (an MCP argument, a CLI flag).
const OLD_STR = slot('old_str')
const NEW_STR = slot('new_str')
const INSERT_LINE = slot('insert_line')
const INSERT = slot('insert')
const APPEND = slot('append')

export type BodyOperation =
  | { type: 'str_replace'; old_str: string; new_str: string }
  | { type: 'insert'; insert_line: number; new_str: string }
  | { type: 'append'; new_str: string }

/** How many lines of the body a failed match shows, and how many match lines an AMBIGUOUS error names. */
const SHOWN_LINES = 10
const CLOSEST_LINES = 3
/** Dice similarity (0–1) above which a body line counts as a near miss of an old_str line. */
const NEAR_LINE = 0.6

/**
 * Applies one edit to a body (the markdown after the frontmatter) and returns the new body. Line endings follow the
 * body: when every line of the body ends in CRLF (or every one in LF), `old_str` and `new_str` are read with that
 * ending, so an agent that always sends `\n` can edit a CRLF file.
 *
 * Throws a BacklogError: `NO_MATCH` (with the first lines of the body and the nearest text), `AMBIGUOUS` (with the
 * lines of every match), or `INVALID_INPUT` (empty `old_str`, a line out of range, an edit that would start the body
 * with a frontmatter block).
 *
 * @example
 * editBody('Steps:\n1. build\n', { type: 'str_replace', old_str: 'build', new_str: 'build and test' })
 * // 'Steps:\n1. build and test\n'
 * editBody('a\nc\n', { type: 'insert', insert_line: 1, new_str: 'b' }) // 'a\nb\nc\n'
 * editBody('a', { type: 'append', new_str: 'b' }) // 'a\nb'
 */
export function editBody(body: string, operation: BodyOperation): string {
  const eol = lineEndingOf(body)
  let result: string
  switch (operation.type) {
    case 'str_replace':
      result = replaceOnce(body, withLineEnding(operation.old_str, eol), withLineEnding(operation.new_str, eol))
      break
    case 'insert':
      result = insertAfterLine(body, operation.insert_line, withLineEnding(operation.new_str, eol))
      break
    case 'append':
      result = append(body, withLineEnding(operation.new_str, eol))
      break
    default:
      throw new BacklogError(
        'INVALID_INPUT',
        `unknown operation type "${(operation as { type: unknown }).type}": use str_replace, insert or append`,
      )
  }
  if (startsWithFrontmatter(result) && !startsWithFrontmatter(body)) {
    throw new BacklogError(
      'INVALID_INPUT',
      phrase`the edit would start the body with a \`---\` … \`---\` block, which reads as a second YAML frontmatter. The frontmatter is not part of the body. For a horizontal rule at the top of the body, write \`***\` or put a line of text before the \`---\`. ${slot('update')}`,
    )
  }
  return result
}

/** `\r\n` when every line break of the body is CRLF, `\n` when every one is LF, undefined when mixed or none. */
function lineEndingOf(body: string): '\n' | '\r\n' | undefined {
  const breaks = countOf(body, '\n')
  if (breaks === 0) return undefined
  const crlf = countOf(body, '\r\n')
  if (crlf === breaks) return '\r\n'
  return crlf === 0 ? '\n' : undefined
}

function withLineEnding(text: string, eol: '\n' | '\r\n' | undefined): string {
  if (eol === undefined) return text
  return text.replace(/\r?\n/g, eol)
}

function countOf(text: string, part: string): number {
  let count = 0
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count++
  return count
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++
  return line
}

function replaceOnce(body: string, oldStr: string, newStr: string): string {
  if (oldStr === '') {
    throw new BacklogError(
      'INVALID_INPUT',
      phrase`${OLD_STR} is empty: give the exact text to replace, or use ${INSERT} or ${APPEND} to add text`,
    )
  }
  const first = body.indexOf(oldStr)
  if (first === -1) throw noMatch(body, oldStr)
  // Overlapping matches count too: replacing `aa` in `aaa` is ambiguous.
  const starts = [first]
  for (let at = body.indexOf(oldStr, first + 1); at !== -1; at = body.indexOf(oldStr, at + 1)) starts.push(at)
  if (starts.length > 1) {
    const lines = [...new Set(starts.map((start) => lineAt(body, start)))]
    const named = lines.length > SHOWN_LINES ? `${lines.slice(0, SHOWN_LINES).join(', ')}, …` : lines.join(', ')
    throw new BacklogError(
      'AMBIGUOUS',
      phrase`${OLD_STR} matches ${starts.length} times (lines ${named}); include more surrounding text so it matches once`,
      { matches: starts.length, lines },
    )
  }
  return body.slice(0, first) + newStr + body.slice(first + oldStr.length)
}

/** Lines of the body without their endings; a final line break ends the last line rather than starting another. */
function splitLines(body: string): string[] {
  if (body === '') return []
  const lines = body.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

function insertAfterLine(body: string, insertLine: number, newStr: string): string {
  if (!Number.isInteger(insertLine) || insertLine < 0) {
    throw new BacklogError(
      'INVALID_INPUT',
      phrase`${INSERT_LINE} must be a whole number from 0 (the top) to the number of lines, not ${insertLine}`,
    )
  }
  const lineCount = splitLines(body).length
  if (insertLine > lineCount) {
    throw new BacklogError(
      'INVALID_INPUT',
      phrase`${INSERT_LINE} ${insertLine} is past the end: the body has ${lineCount} line${lineCount === 1 ? '' : 's'}; use 0 to ${lineCount}, or ${APPEND}`,
      { insert_line: insertLine, lines: lineCount },
    )
  }
  if (newStr === '') throw new BacklogError('INVALID_INPUT', phrase`${NEW_STR} is empty: there is nothing to insert`)
  if (insertLine === lineCount) return append(body, newStr)
  // Offset of the start of line insertLine + 1: just after the insertLine-th line break.
  let offset = 0
  for (let line = 0; line < insertLine; line++) offset = body.indexOf('\n', offset) + 1
  const eol = lineEndingOf(body) ?? '\n'
  const block = newStr.endsWith('\n') ? newStr : newStr + eol
  return body.slice(0, offset) + block + body.slice(offset)
}

/** new_str on its own line after the body; the result ends in a line break when either input did. */
function append(body: string, newStr: string): string {
  if (newStr === '') throw new BacklogError('INVALID_INPUT', phrase`${NEW_STR} is empty: there is nothing to append`)
  if (body === '') return newStr
  const eol = lineEndingOf(body) ?? lineEndingOf(newStr) ?? '\n'
  if (body.endsWith('\n')) return body + (newStr.endsWith('\n') ? newStr : newStr + eol)
  return body + eol + newStr
}

const FRONTMATTER_OPENING = /^---[ \t]*(?:[A-Za-z]+[ \t]*)?\r?\n/
const FRONTMATTER_CLOSING = /^(?:---|\.\.\.)[ \t]*\r?$/m

/** A body that begins `---` and later has a closing `---` line: what frontmatter readers take as a YAML block. */
function startsWithFrontmatter(body: string): boolean {
  const opening = FRONTMATTER_OPENING.exec(body)
  return opening !== null && FRONTMATTER_CLOSING.test(body.slice(opening[0].length))
}

function numbered(lines: string[], from: number): string {
  const width = String(from + lines.length - 1).length
  return lines.map((line, index) => `${String(from + index).padStart(width)}| ${line.replace(/\r$/, '')}`).join('\n')
}

function noMatch(body: string, oldStr: string): BacklogError {
  const lines = splitLines(body)
  if (lines.length === 0) {
    return new BacklogError('NO_MATCH', phrase`${OLD_STR} was not found: the body is empty. Use ${APPEND} to add text.`)
  }
  const hint = looseMatchHint(body, oldStr) ?? closestLinesHint(lines, oldStr)
  const shown = lines.slice(0, SHOWN_LINES)
  const more = lines.length > SHOWN_LINES ? `\n(${lines.length - SHOWN_LINES} more lines)` : ''
  return new BacklogError(
    'NO_MATCH',
    phrase`${OLD_STR} was not found in the body; it must match exactly, whitespace included.${hint ? phrase`\n${hint}` : ''}\n${more ? `First ${SHOWN_LINES} lines of the body` : 'The body'}:\n${numbered(shown, 1)}${more}`,
    { lines: lines.length },
  )
}

// Characters people and models type interchangeably. Each maps to what it is mistaken for.
const LOOKALIKES: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u00a0': ' ',
}

interface Loose {
  text: string
  /** For each character of `text`, the offset in the original of the character it came from. */
  origin: number[]
}

/**
 * The text with lookalike characters replaced, CR dropped, runs of spaces and tabs collapsed to one space and
 * trailing spaces removed: two texts that differ only in what a reader cannot see loosen to the same string.
 */
function loosen(source: string): Loose {
  let text = ''
  const origin: number[] = []
  let pendingSpace = -1
  for (let i = 0; i < source.length; i++) {
    const raw = source[i] as string
    const char = LOOKALIKES[raw] ?? raw
    if (char === '\r') continue
    if (char === ' ' || char === '\t') {
      if (pendingSpace === -1) pendingSpace = i
      continue
    }
    if (pendingSpace !== -1 && char !== '\n') {
      text += ' '
      origin.push(pendingSpace)
    }
    pendingSpace = -1
    text += char
    origin.push(i)
  }
  return { text, origin }
}

/** Names the invisible differences between the text in the body and old_str. */
function differences(actual: string, wanted: string): Phrase[] {
  const found: Phrase[] = []
  const sequence = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).join('')
  const tabs = /\t/.test(actual)
  if (tabs !== /\t/.test(wanted)) {
    found.push(
      tabs
        ? phrase`the body has tabs where ${OLD_STR} has spaces`
        : phrase`the body has spaces where ${OLD_STR} has tabs`,
    )
  }
  const trailing = /[ \t]+(?:\r?\n|$)/
  if (trailing.test(actual) !== trailing.test(wanted)) {
    found.push(trailing.test(actual) ? phrase`the body has trailing spaces` : phrase`${OLD_STR} has trailing spaces`)
  }
  if (/\r\n/.test(actual) !== /\r\n/.test(wanted)) {
    found.push(
      /\r\n/.test(actual) ? phrase`the body has CRLF line endings there` : phrase`${OLD_STR} has CRLF line endings`,
    )
  }
  if (sequence(actual, /[\u2018-\u201f'"]/g) !== sequence(wanted, /[\u2018-\u201f'"]/g)) {
    found.push(phrase`the quotes differ (curly \u2018\u2019\u201c\u201d versus straight ' ")`)
  }
  if (sequence(actual, /[\u2013\u2014-]/g) !== sequence(wanted, /[\u2013\u2014-]/g)) {
    found.push(phrase`the dashes differ (\u2013 \u2014 versus -)`)
  }
  if (sequence(actual, /\u00a0/g) !== sequence(wanted, /\u00a0/g)) found.push(phrase`the non-breaking spaces differ`)
  if (found.length === 0) found.push(phrase`the spacing differs`)
  return found
}

/** When old_str matches once whitespace, line endings and quotes are ignored: the text as it really is. */
function looseMatchHint(body: string, oldStr: string): Phrase | undefined {
  const wanted = loosen(oldStr).text
  if (wanted.trim() === '') return undefined
  const loose = loosen(body)
  const at = loose.text.indexOf(wanted)
  if (at === -1) return undefined
  const start = loose.origin[at] as number
  const end = (loose.origin[at + wanted.length - 1] as number) + 1
  const actual = body.slice(start, end)
  const from = lineAt(body, start)
  const to = lineAt(body, end - 1)
  const where = from === to ? `line ${from}` : `lines ${from}–${to}`
  const named = differences(actual, oldStr).reduce((all, one, index) => (index ? phrase`${all}; ${one}` : one))
  return phrase`Near match at ${where}: ${named}. The text as it is (JSON-escaped): ${JSON.stringify(actual)}`
}

function bigrams(text: string): Map<string, number> {
  const counts = new Map<string, number>()
  const squeezed = text.trim().replace(/\s+/g, ' ').toLowerCase()
  for (let i = 0; i < squeezed.length - 1; i++) {
    const pair = squeezed.slice(i, i + 2)
    counts.set(pair, (counts.get(pair) ?? 0) + 1)
  }
  return counts
}

/** Dice coefficient of character pairs: 1 for equal texts, near 0 for unrelated ones; cheap for long bodies. */
function similarity(a: Map<string, number>, b: Map<string, number>): number {
  let sizeA = 0
  let sizeB = 0
  let shared = 0
  for (const count of a.values()) sizeA += count
  for (const [pair, count] of b) {
    sizeB += count
    shared += Math.min(count, a.get(pair) ?? 0)
  }
  return sizeA + sizeB === 0 ? 0 : (2 * shared) / (sizeA + sizeB)
}

/** The body lines most like any line of old_str, for a typo or a line that was already edited. */
function closestLinesHint(lines: string[], oldStr: string): Phrase | undefined {
  const wanted = oldStr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, 20)
    .map(bigrams)
  if (wanted.length === 0) return undefined
  const scored: Array<{ line: number; score: number }> = []
  lines.forEach((line, index) => {
    if (line.trim() === '') return
    const own = bigrams(line)
    const score = Math.max(...wanted.map((pairs) => similarity(pairs, own)))
    if (score >= NEAR_LINE) scored.push({ line: index + 1, score })
  })
  if (scored.length === 0) return undefined
  const best = scored
    .sort((a, b) => b.score - a.score)
    .slice(0, CLOSEST_LINES)
    .sort((a, b) => a.line - b.line)
  const shown = best.map(({ line }) => `${line}| ${(lines[line - 1] as string).replace(/\r$/, '')}`).join('\n')
  return phrase`Closest line${best.length === 1 ? '' : 's'} in the body:\n${shown}`
}
