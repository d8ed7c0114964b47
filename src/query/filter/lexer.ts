/** The filter's tokens: words (`field:value` split at the colon, quotes read), parentheses and `!`. */

import { excerpt, invalid } from './syntax.js'

export interface WordToken {
  kind: 'word'
  column: number
  raw: string
  /** The text before the first colon, when the word is a `field:value` term. */
  key?: string
  /** The value after the colon, or the whole word; unquoted and unescaped. */
  value: string
  quoted: boolean
  /** Column where the value starts (after the colon). */
  valueColumn: number
}

export type Token = { kind: 'open' | 'close' | 'bang'; column: number; raw: string } | WordToken

const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char)
const isQuote = (char: string | undefined) => char === '"' || char === "'"

/** Reads a quoted string starting at `start`; `\"` (or `\'`) and `\\` are escapes, other backslashes stay (regexes). */
function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start]
  let value = ''
  for (let index = start + 1; index < text.length; index++) {
    const char = text[index]
    const next = text[index + 1]
    if (char === '\\' && (next === quote || next === '\\')) {
      value += next
      index++
    } else if (char === quote) {
      return { value, end: index + 1 }
    } else {
      value += char
    }
  }
  throw invalid(`unterminated quote at column ${start + 1}: ${excerpt(text.slice(start))}`, start + 1)
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < text.length) {
    const char = text[index] as string
    if (isSpace(char)) {
      index++
      continue
    }
    const column = index + 1
    if (char === '(' || char === ')' || char === '!') {
      tokens.push({ kind: char === '(' ? 'open' : char === ')' ? 'close' : 'bang', column, raw: char })
      index++
      continue
    }
    if (isQuote(char)) {
      const quoted = readQuoted(text, index)
      tokens.push({
        kind: 'word',
        column,
        raw: text.slice(index, quoted.end),
        value: quoted.value,
        quoted: true,
        valueColumn: column,
      })
      index = quoted.end
      continue
    }
    const start = index
    while (index < text.length && !isSpace(text[index]) && !'():'.includes(text[index] as string)) index++
    if (text[index] !== ':') {
      const word = text.slice(start, index)
      tokens.push({ kind: 'word', column, raw: word, value: word, quoted: false, valueColumn: column })
      continue
    }
    const key = text.slice(start, index)
    index++
    const valueColumn = index + 1
    let value: string
    let quoted = false
    if (isQuote(text[index])) {
      const read = readQuoted(text, index)
      value = read.value
      quoted = true
      index = read.end
    } else {
      // A value may hold balanced parentheses (`title.regex:(a|b)`); an unbalanced `)` closes a group.
      const valueStart = index
      let depth = 0
      for (; index < text.length && !isSpace(text[index]); index++) {
        if (text[index] === '(') depth++
        else if (text[index] === ')') {
          if (depth === 0) break
          depth--
        }
      }
      value = text.slice(valueStart, index)
    }
    tokens.push({ kind: 'word', column, raw: text.slice(start, index), key, value, quoted, valueColumn })
  }
  return tokens
}
