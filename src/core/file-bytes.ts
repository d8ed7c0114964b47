/**
 * An item file's bytes as the codec's text, and an edited text back as bytes: the lines an edit left alone keep their
 * bytes (CRLF endings, bytes that are not UTF-8, a byte order mark), and the lines it writes take the file's own line
 * ending. A file in plain UTF-8 with LF endings goes through unchanged and costs nothing extra.
 */

import { diffArrays } from 'diff'

const BOM = Uint8Array.of(0xef, 0xbb, 0xbf)
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const lenient = new TextDecoder('utf-8', { ignoreBOM: true })
const encoder = new TextEncoder()

export interface DecodedFile {
  /** The text: CRLF line endings as LF, a UTF-8 byte order mark left out, bytes that are not UTF-8 as U+FFFD. */
  text: string
  /** The file's bytes, kept only when `text` is not exactly them, so an edit can keep what it does not change. */
  raw?: Uint8Array
}

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]
}

/**
 * The text of an item file's bytes.
 *
 * @example
 * decodeItemBytes(Buffer.from('---\r\nid: a\r\n---\r\n')) // { text: '---\nid: a\n---\n', raw: <the bytes> }
 */
export function decodeItemBytes(bytes: Uint8Array): DecodedFile {
  const bom = startsWithBom(bytes)
  const body = bom ? bytes.subarray(3) : bytes
  let text: string
  let lossy = false
  try {
    text = strict.decode(body)
  } catch {
    text = lenient.decode(body)
    lossy = true
  }
  const crlf = text.includes('\r\n')
  if (crlf) text = text.replaceAll('\r\n', '\n')
  return bom || lossy || crlf ? { text, raw: bytes } : { text }
}

/** The lines of some bytes, each with its own ending (`\n`, `\r\n`, or none for a last line without one). */
function byteLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = []
  let start = 0
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index] === 10) {
      lines.push(bytes.subarray(start, index + 1))
      start = index + 1
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start))
  return lines
}

function textLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? []
}

/** CRLF when most of the file's line endings are, else LF. */
function lineEnding(lines: Uint8Array[]): string {
  let crlf = 0
  let lf = 0
  for (const line of lines) {
    if (line[line.length - 1] !== 10) continue
    if (line.length > 1 && line[line.length - 2] === 13) crlf++
    else lf++
  }
  return crlf > lf ? '\r\n' : '\n'
}

/** Beyond this many edited lines, the lines between the common start and end count as rewritten: no slow diff. */
const MAX_EDITS = 2_000

/**
 * The bytes of `text`, an edit of a file whose bytes were `raw` (from `decodeItemBytes`; none for a file in plain
 * UTF-8 with LF endings, which gives plain UTF-8). Lines are matched as a line diff does, after the lines both share
 * at the start and at the end; a new line takes the file's ending in place of its own.
 *
 * @example
 * encodeItemText('---\nid: a\nstatus: done\n---\n', raw) // CRLF throughout, as `raw` had it
 */
export function encodeItemText(text: string, raw?: Uint8Array): Uint8Array {
  if (!raw) return encoder.encode(text)
  const bom = startsWithBom(raw)
  const rawLines = byteLines(bom ? raw.subarray(3) : raw)
  // The same reading as decodeItemBytes gives, line by line: the text came from there.
  const before = rawLines.map((line) => lenient.decode(line).replace(/\r\n$/, '\n'))
  const after = textLines(text)
  const ending = lineEnding(rawLines)
  let head = 0
  while (head < before.length && head < after.length && before[head] === after[head]) head++
  let tail = 0
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  ) {
    tail++
  }
  const removed = before.slice(head, before.length - tail)
  const added = after.slice(head, after.length - tail)
  const changes = diffArrays(removed, added, { maxEditLength: MAX_EDITS }) ?? [
    { value: removed, count: removed.length, removed: true, added: false },
    { value: added, count: added.length, removed: false, added: true },
  ]
  const parts: Uint8Array[] = bom ? [BOM, ...rawLines.slice(0, head)] : rawLines.slice(0, head)
  let at = head
  for (const change of changes) {
    const count = change.count ?? change.value.length
    if (change.removed) at += count
    else if (change.added) for (const line of change.value) parts.push(encoder.encode(line.replace(/\r?\n$/, ending)))
    else {
      parts.push(...rawLines.slice(at, at + count))
      at += count
    }
  }
  parts.push(...rawLines.slice(before.length - tail))
  const out = new Uint8Array(parts.reduce((size, part) => size + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
