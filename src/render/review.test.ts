import { describe, expect, it } from 'vitest'
import { escapeMarkdown } from './review.js'

describe('escapeMarkdown', () => {
  it('keeps text that can make no markup as it is', () => {
    expect(escapeMarkdown('Rate-limit the in_progress queue (v2) #12 + more!')).toBe(
      'Rate-limit the in_progress queue (v2) #12 + more!',
    )
  })

  it('takes the markup out of what could open it: tags, emphasis, code, links, tables, lists, headings, mentions', () => {
    expect(escapeMarkdown('<b>x</b> & *y* _z_ `c` [l](u) a|b ~~s~~')).toBe(
      '&lt;b&gt;x&lt;/b&gt; &amp; \\*y\\* \\_z\\_ \\`c\\` \\[l\\](u) a\\|b \\~\\~s\\~\\~',
    )
    for (const start of ['- item', '+ item', '# heading', '1. item', '2) item', '=== '])
      expect(escapeMarkdown(start).startsWith('\\')).toBe(true)
    expect(escapeMarkdown('ping @team\nnext line')).toBe('ping @\u200bteam next line')
  })
})
