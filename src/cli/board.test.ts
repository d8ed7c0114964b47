import { describe, expect, it } from 'vitest'
import type { ItemRow } from '../app/index.js'
import { type Board, layoutBoard } from './board.js'

const row = (id: string, title: string, extra: Partial<ItemRow> = {}): ItemRow => ({
  id,
  title,
  type: 'task',
  status: 'open',
  ...extra,
})

const board: Board = {
  columns: [
    {
      status: 'open',
      total: 2,
      items: [row('bl-aaaaaa', 'Fix the login flow', { priority: 'urgent' }), row('bl-bbbbbb', 'Docs')],
    },
    { status: 'in_progress', total: 1, items: [row('bl-cccccc', 'Ship it', { blocked: true, priority: 'high' })] },
    { status: 'blocked', total: 0, items: [] },
    { status: 'done', total: 12, items: [row('bl-dddddd', 'Old work', { status: 'done' })] },
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

  it('marks priority and blocked cards, cuts long titles, and explains the marks', () => {
    const text = layoutBoard(board, 44)
    expect(text).toContain('!! bl-aaaaaa Fix th… │ ⊘! bl-cccccc Ship it')
    expect(text).toContain('bl-bbbbbb Docs       │\n\nBLOCKED (0)')
    expect(text.split('\n').at(-1)).toBe('!! urgent   ! high   ⊘ waits on a dependency')
    const plain = layoutBoard({ columns: [{ status: 'open', total: 1, items: [row('bl-bbbbbb', 'Docs')] }] }, 80)
    expect(plain).toBe(`OPEN (1)\n${'─'.repeat(80)}\nbl-bbbbbb Docs`)
  })
})
