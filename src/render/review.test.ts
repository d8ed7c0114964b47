import { describe, expect, it } from 'vitest'
import { blankItem, type Item } from '../core/item.js'
import { reviewChanges } from '../core/review.js'
import { COMMENT_CHARS, escapeMarkdown, fitReviewMarkdown, renderReview, renderReviewMarkdown } from './review.js'

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

describe('the review rendered', () => {
  const created = (n: number, fields: Partial<Item> = {}) => ({
    id: `bl-n${String(n).padStart(4, '0')}`,
    after: {
      path: `.backlog/tasks/0/bl-n${n}.md`,
      item: { ...blankItem(`bl-n${String(n).padStart(4, '0')}`, `Imported task number ${n}`), ...fields },
    },
  })
  const review = (items: ReturnType<typeof created>[]) =>
    reviewChanges(
      {
        base: { name: 'main', commit: 'a'.repeat(40) },
        head: { name: 'import', commit: 'b'.repeat(40) },
        compared: 'a'.repeat(40),
        merge_base: true,
        worktree: false,
        commits: [],
        items,
      },
      ['done', 'cancelled'],
    )

  it('keeps markdown within a budget, most important items first, and counts the rest', () => {
    const big = review(Array.from({ length: 800 }, (_, n) => created(n, { description: `Step ${n}.\n`.repeat(5) })))
    const whole = renderReviewMarkdown(big)
    expect(whole.length).toBeGreaterThan(COMMENT_CHARS)
    const { text, shown } = fitReviewMarkdown(big, COMMENT_CHARS)
    expect(text.length).toBeLessThanOrEqual(COMMENT_CHARS)
    expect(shown).toBeGreaterThan(100)
    expect(text).toContain(big.items[shown - 1]!.id)
    expect(text).not.toContain(big.items[shown]!.id)
    expect(
      text.endsWith(
        `… and ${800 - shown} more items, left out to keep this short: \`git backlog review main..import\` shows them all.`,
      ),
    ).toBe(true)
    expect(renderReviewMarkdown(big, { maxChars: whole.length })).toBe(whole)
  })

  it("shows a created item's description, folded and fenced; a note's author as HTML in its summary", () => {
    const one = review([created(1, { description: 'Do this:\n\n```\nrm -rf /\n```\n' })])
    const markdown = renderReviewMarkdown(one)
    expect(markdown).toContain('<summary>Description (5 lines)</summary>\n\n````markdown\nDo this:')
    expect(renderReview(one)).toContain('    Do this:')
  })

  it('prints no control characters to a terminal: an escape sequence in a title shows as U+FFFD', () => {
    const hostile = review([created(1)])
    hostile.items[0]!.title = '\u001b]0;pwned\u0007\u001b[2JTitle\ttabbed'
    const text = renderReview(hostile)
    const control = [...text].filter((char) => {
      const code = char.codePointAt(0) ?? 0
      return (code < 0x20 && char !== '\n' && char !== '\t') || (code >= 0x7f && code <= 0x9f)
    })
    expect(control).toEqual([])
    expect(text).toContain('\ufffd]0;pwned\ufffd\ufffd[2JTitle\ttabbed')
  })
})
