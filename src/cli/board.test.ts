import { describe, expect, it } from 'vitest'
import type { ItemRow } from '../app/index.js'
import { type Board, cardLines, layoutBoard } from './board.js'

const row = (id: string, title: string, extra: Partial<ItemRow> = {}): ItemRow & { version: string } => ({
  id,
  title,
  type: 'task',
  status: 'open',
  version: '0123456789abcdef',
  ...extra,
})

const board: Board = {
  columns: [
    {
      status: 'open',
      total: 2,
      wip: 0,
      items: [row('bl-aaaaaa', 'Fix the login flow', { priority: 'urgent' }), row('bl-bbbbbb', 'Docs')],
    },
    {
      status: 'in_progress',
      total: 1,
      wip: 0,
      items: [row('bl-cccccc', 'Ship it', { blocked: true, priority: 'high' })],
    },
    { status: 'blocked', total: 0, wip: 0, items: [] },
    { status: 'done', total: 12, wip: 0, items: [row('bl-dddddd', 'Old work', { status: 'done' })] },
  ],
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length))

describe('layoutBoard', () => {
  it('puts every column side by side when they fit, each at least 20 wide', () => {
    const text = layoutBoard(board, 100)
    expect(text.split('\n')[0]).toMatch(/^OPEN \(2\) +│ IN_PROGRESS \(1\) +│ BLOCKED \(0\) +│ DONE \(1 of 12\)$/)
    expect(widest(text)).toBeLessThanOrEqual(100)
  })

  it('wraps into even bands of columns when the window is narrow', () => {
    const text = layoutBoard(board, 80)
    const headers = text.split('\n').filter((line) => /^[A-Z_]+ \(/.test(line))
    expect(headers).toEqual([
      expect.stringMatching(/^OPEN .*│ IN_PROGRESS/),
      expect.stringMatching(/^BLOCKED .*│ DONE/),
    ])
    expect(widest(text)).toBeLessThanOrEqual(80)
    const single = layoutBoard(board, 30)
    expect(single.split('\n').filter((line) => /^[A-Z_]+ \(/.test(line))).toHaveLength(4)
    expect(widest(single)).toBeLessThanOrEqual(30)
  })

  it('marks priority and blocked cards, puts a title below an id it does not fit beside, and explains the marks', () => {
    const text = layoutBoard(board, 44)
    expect(text).toContain('!! bl-aaaaaa         │ ⊘! bl-cccccc Ship it\n  Fix the login flow │\n')
    expect(text).toContain('bl-bbbbbb Docs       │\n\nBLOCKED (0)')
    expect(text.split('\n').at(-1)).toBe('!! urgent   ! high   ⊘ waits on a dependency')
    const plain = layoutBoard(
      { columns: [{ status: 'open', total: 1, wip: 0, items: [row('bl-bbbbbb', 'Docs')] }] },
      80,
    )
    expect(plain).toBe(`OPEN (1)\n${'─'.repeat(80)}\nbl-bbbbbb Docs`)
  })

  it('keeps cards with titles sharing a long beginning apart: ids whole, titles wrapped, their ends kept', () => {
    const prefix = 'Migrate the billing service database connection pool settings to the new cluster in'
    const similar: Board = {
      columns: [
        {
          status: 'open',
          total: 4,
          wip: 0,
          items: [
            row('bl-aaaaaa', 'Fix the login flow for Safari on iOS'),
            row('bl-bbbbbb', 'Fix the login flow for Safari on Android'),
            row('bl-cccccc', `${prefix} eu-west-1`, { priority: 'urgent' }),
            row('bl-dddddd', `${prefix} eu-west-2`),
          ],
        },
        { status: 'done', total: 0, wip: 0, items: [] },
      ],
    }
    for (const width of [44, 64, 100, 160]) {
      const text = layoutBoard(similar, width)
      expect(widest(text), `width ${width}`).toBeLessThanOrEqual(width)
      for (const end of ['iOS', 'Android', 'eu-west-1', 'eu-west-2']) expect(text, `width ${width}`).toContain(end)
      const column = Math.floor((width - 3) / 2)
      const cards = similar.columns[0]!.items.map((item) => cardLines(item, column).join('\n'))
      expect(new Set(cards).size, `width ${width}`).toBe(4)
      for (const [index, item] of similar.columns[0]!.items.entries()) {
        expect(cards[index], `width ${width}`).toContain(item.id)
        // What tells the card apart from its twin is on the board.
        expect(cards[index], `width ${width}`).toMatch(/(iOS|Android|eu-west-1|eu-west-2)$/)
      }
    }
    expect(cardLines(similar.columns[0]!.items[1]!, 30)).toEqual([
      'bl-bbbbbb Fix the login flow',
      '          …Safari on Android',
    ])
    expect(cardLines(similar.columns[0]!.items[0]!, 30)).toEqual([
      'bl-aaaaaa Fix the login flow',
      '          for Safari on iOS',
    ])
    expect(cardLines(similar.columns[0]!.items[2]!, 20)).toEqual(['!! bl-cccccc', '  Migrate the', '  …in eu-west-1'])
  })

  it('keeps the last words whole when they fit exactly, at every width', () => {
    const docs = row('bl-aaaaaa', 'Implement the registration ceremony docs for passkeys')
    const ui = row('bl-bbbbbb', 'Implement the registration ceremony UI for passkeys')
    for (let width = 20; width <= 60; width++) {
      const [a, b] = [
        cardLines(docs, width).join('\n').replace('bl-aaaaaa', 'ID'),
        cardLines(ui, width).join('\n').replace('bl-bbbbbb', 'ID'),
      ]
      expect(a, `width ${width}`).not.toEqual(b)
    }
    // Exactly the room for "…docs for passkeys" beside the indent: the word "docs" stays.
    expect(cardLines(docs, 20).at(-1)?.trim()).toBe('…docs for passkeys')
  })

  it('puts a title below its id when little room is left beside it, so its words stay whole', () => {
    expect(cardLines(row('bl-7q0zht', 'Registration ceremony endpoint', { priority: 'high' }), 22)).toEqual([
      '! bl-7q0zht',
      '  Registration',
      '  ceremony endpoint',
    ])
    expect(cardLines(row('bl-m1e5t0', 'Public beta'), 22)).toEqual(['bl-m1e5t0 Public beta'])
  })

  it('cuts an id only when it is wider than the column', () => {
    expect(cardLines(row('averylongprefix1-k3m9x2z', 'Docs'), 20)).toEqual(['averylongprefix1-k3…', '  Docs'])
    expect(cardLines(row('bl-k3m9x2', 'Docs'), 20)).toEqual(['bl-k3m9x2 Docs'])
  })
})
