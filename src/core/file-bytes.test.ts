import { describe, expect, it } from 'vitest'
import { layoutItemFile, parseItemFile, serializeItem } from './codec.js'
import { decodeItemBytes, encodeItemText } from './file-bytes.js'

const bytes = (text: string) => Buffer.from(text, 'latin1')

describe('item file bytes', () => {
  it('costs nothing for plain UTF-8 with LF endings', () => {
    const text = '---\nid: a-1\ntitle: Plain\n---\n\nBody\n'
    expect(decodeItemBytes(Buffer.from(text))).toEqual({ text })
    expect(Buffer.from(encodeItemText(text)).toString()).toBe(text)
  })

  it('reads CRLF as LF and writes an edit back in CRLF, untouched lines byte for byte', () => {
    const lf = layoutItemFile('---\nid: a-1\ntitle: Windows\nstatus: open\n---\n\nLine one\nLine two\n')
    const { text, raw } = decodeItemBytes(Buffer.from(lf.replaceAll('\n', '\r\n')))
    expect(text).toBe(lf)
    const edited = serializeItem({ ...parseItemFile(text), status: 'done', priority: 'high' }, text)
    const out = Buffer.from(encodeItemText(edited, raw)).toString()
    expect(out).toBe(
      lf
        .replace('status: open\n', 'status: done\n')
        .replace('priority:\n', 'priority: high\n')
        .replaceAll('\n', '\r\n'),
    )
  })

  it('keeps bytes that are not UTF-8 on the lines an edit leaves alone', () => {
    // Latin-1 "Café" in the title and the body: not UTF-8.
    const laid = layoutItemFile('---\nid: a-1\ntitle: Caf\xe9 menu\nstatus: open\n---\n\nna\xefve body\n')
    const { text, raw } = decodeItemBytes(bytes(laid))
    expect(text).toContain('title: Caf\uFFFD menu')
    const edited = serializeItem({ ...parseItemFile(text), status: 'done' }, text)
    const out = Buffer.from(encodeItemText(edited, raw))
    expect(out.equals(bytes(laid.replace('status: open', 'status: done')))).toBe(true)
  })

  it('keeps a byte order mark, and each line its own ending in a file that mixes them', () => {
    const original = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('---\r\nid: a-1\ntitle: Mixed\r\nstatus: open\r\n---\r\n'),
    ])
    const { text, raw } = decodeItemBytes(original)
    expect(text).toBe('---\nid: a-1\ntitle: Mixed\nstatus: open\n---\n')
    expect(parseItemFile(text).title).toBe('Mixed')
    const out = Buffer.from(encodeItemText(text.replace('Mixed', 'Still mixed'), raw))
    expect(
      out.equals(
        Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from('---\r\nid: a-1\ntitle: Still mixed\r\nstatus: open\r\n---\r\n'),
        ]),
      ),
    ).toBe(true)
  })

  it("keeps a line ending in CR CR LF as it was, and gives new lines from CRLF input the file's ending", () => {
    const original = Buffer.from('---\nid: a-1\ntitle: Odd\n---\n\nodd line\r\r\nplain\n')
    const { text, raw } = decodeItemBytes(original)
    const edited = `${text.replace('title: Odd', 'title: Odder')}from a Windows client\r\n`
    const out = Buffer.from(encodeItemText(edited, raw)).toString('latin1')
    expect(out).toBe('---\nid: a-1\ntitle: Odder\n---\n\nodd line\r\r\nplain\nfrom a Windows client\n')
  })

  // Linear time without a stopwatch: 200,000 lines take a fraction of a second, and a pass over the lines per line
  // would take hours, past the timeout.
  it('rewrites a whole large CRLF body in linear time', { timeout: 20_000 }, () => {
    const body = Array.from({ length: 200_000 }, (_, n) => `line ${n}`).join('\r\n')
    const original = Buffer.from(`---\r\nid: a-1\r\ntitle: Big\r\n---\r\n\r\n${body}\r\n`)
    const { text, raw } = decodeItemBytes(original)
    const rewritten = text.replace(/line (\d+)/g, 'row $1')
    const out = Buffer.from(encodeItemText(rewritten, raw)).toString()
    expect(out).toBe(original.toString().replace(/line (\d+)/g, 'row $1'))
  })
})
