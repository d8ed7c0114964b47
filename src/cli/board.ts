/**
 * The terminal board (`git backlog board`): one column per workflow status, cards `id title`, laid out to the window.
 * The columns come from the app (`app.board`, use-cases/board.ts); laying them out is pure text work, testable at
 * any width.
 */

import { stripVTControlCharacters } from 'node:util'
import type { ItemRow } from '../app/index.js'
import type { Board } from '../app/use-cases/board.js'
import { PLAIN, padVisible, type Style } from './color.js'
import { BLOCKED_MARK, truncate } from './format.js'

export type { Board, BoardColumn } from '../app/use-cases/board.js'

const SEPARATOR = ' │ '
/** Narrowest column worth showing: an id and a few words of title. */
const MIN_COLUMN = 20

/** `!!` urgent, `!` high, ⊘ waiting on a dependency; nothing for the rest. */
function marksOf(row: ItemRow, style: Style): { text: string; painted: string } {
  const priority = row.priority === 'urgent' ? '!!' : row.priority === 'high' ? '!' : ''
  const blocked = row.blocked ? BLOCKED_MARK : ''
  return {
    text: `${blocked}${priority}`,
    painted: `${style.status('blocked', blocked)}${style.priority(row.priority, priority)}`,
  }
}

/** Lines a card's title may take: two similar titles differ somewhere in two lines, or in their ends. */
const TITLE_LINES = 2
/** Fewer columns than this left beside the id, and a title that does not fit there goes below it. */
const MIN_BESIDE = 16

/**
 * Text cut to `width` keeping its end: `…` and the last words that fit, as whole words when some do. The end is
 * where similar titles differ ("… on iOS", "… on Android").
 */
function keepEnd(text: string, width: number): string {
  if (text.length <= width) return text
  if (width <= 1) return ''
  const start = text.length - (width - 1)
  const tail = text.slice(start)
  // A tail that begins a word keeps it; else the broken word goes, unless that leaves too little.
  if (text[start - 1] === ' ') return `…${tail}`
  const space = tail.indexOf(' ')
  const words = space >= 0 && space < tail.length / 2 ? tail.slice(space + 1) : tail
  return `…${words}`
}

/** The first line of `text` that fits `width`, broken at a space when there is one, and the rest. */
function firstLine(text: string, width: number): [string, string] {
  if (text.length <= width) return [text, '']
  const space = text.lastIndexOf(' ', width)
  const cut = space > 0 ? space : width
  return [text.slice(0, cut).trimEnd(), text.slice(cut).trimStart()]
}

/**
 * A card: marks and the id, never cut, then the title beside it, wrapped onto a second line under the title's
 * start; a title longer than two lines keeps its beginning and its end, with `…` between.
 *
 * @example
 * cardLines(row('bl-aaaaaa', 'Fix the login flow for Safari on Android'), 30, PLAIN)
 * // ['bl-aaaaaa Fix the login flow', '          …Safari on Android']
 */
export function cardLines(row: ItemRow, width: number, style: Style = PLAIN): string[] {
  const marks = marksOf(row, style)
  const head = `${marks.text ? `${marks.text} ` : ''}${row.id}`
  const paintedHead = `${marks.text ? `${marks.painted} ` : ''}${row.id}`
  const title = row.title.replace(/\s+/g, ' ').trim()
  const besideRoom = width - head.length - 1
  const beside = besideRoom >= MIN_BESIDE || title.length <= besideRoom
  const indent = beside ? head.length + 1 : 2
  const room = Math.max(1, width - indent)
  const lines: string[] = []
  let rest = title
  for (let line = 1; line <= TITLE_LINES && rest; line++) {
    if (line === TITLE_LINES) {
      lines.push(keepEnd(rest, room))
      rest = ''
    } else {
      const [first, after] = firstLine(rest, room)
      lines.push(first)
      rest = after
    }
  }
  const pad = ' '.repeat(indent)
  // Only an id of a long prefix in the narrowest column is cut.
  if (head.length > width) return [truncate(head, width), ...lines.map((line) => pad + line)]
  if (beside) return [`${paintedHead} ${lines[0] ?? ''}`.trimEnd(), ...lines.slice(1).map((line) => pad + line)]
  return [paintedHead, ...lines.map((line) => pad + line)]
}

/**
 * The board as text no wider than `width`. Columns sit side by side as long as each gets at least 20 characters;
 * more statuses than fit wrap into several bands of columns, split evenly (4 columns in 80 characters: two bands
 * of two). A card shows its id whole and its title on up to two lines, its end kept (see cardLines).
 *
 * @example
 * layoutBoard({ columns: [{ status: 'open', total: 1, items: [row] }] }, 80)
 */
export function layoutBoard(board: Board, width: number, style: Style = PLAIN): string {
  const count = Math.max(1, board.columns.length)
  const fitting = Math.max(1, Math.floor((width + SEPARATOR.length) / (MIN_COLUMN + SEPARATOR.length)))
  const bands = Math.ceil(count / fitting)
  const perBand = Math.ceil(count / bands)
  const columnWidth = Math.max(1, Math.floor((width - SEPARATOR.length * (perBand - 1)) / perBand))
  const blocks: string[] = []
  for (let start = 0; start < board.columns.length; start += perBand) {
    const band = board.columns.slice(start, start + perBand)
    const cells = band.map((column) => {
      const shown = column.items.length
      const count = shown < column.total ? `${shown} of ${column.total}` : `${column.total}`
      const limit =
        column.limit === undefined ? '' : ` / limit ${column.limit}${column.total > column.limit ? ' OVER' : ''}`
      const header = `${column.status.toUpperCase()} (${count}${limit})`
      const cards = column.items.flatMap((row) => cardLines(row, columnWidth, style))
      return [style.bold(style.status(column.status, truncate(header, columnWidth))), '─'.repeat(columnWidth), ...cards]
    })
    const height = Math.max(...cells.map((cell) => cell.length))
    for (let line = 0; line < height; line++) {
      blocks.push(
        cells
          .map((cell) => padVisible(cell[line] ?? '', columnWidth))
          .join(SEPARATOR)
          .trimEnd(),
      )
    }
    blocks.push('')
  }
  const rows = board.columns.flatMap((column) => column.items)
  const legend: Array<[string, string, string]> = []
  if (rows.some((row) => row.priority === 'urgent')) legend.push(['!!', style.priority('urgent', '!!'), 'urgent'])
  if (rows.some((row) => row.priority === 'high')) legend.push(['!', style.priority('high', '!'), 'high'])
  if (rows.some((row) => row.blocked)) {
    legend.push([BLOCKED_MARK, style.status('blocked', BLOCKED_MARK), 'waits on a dependency'])
  }
  // Entries side by side as far as the width allows, then on the next line.
  const lines: string[] = []
  let line = ''
  for (const [mark, painted, words] of legend) {
    const entry = `${painted} ${truncate(words, width - mark.length - 1)}`
    const visible = stripVTControlCharacters(line).length
    if (line && visible + 3 + stripVTControlCharacters(entry).length > width) {
      lines.push(line)
      line = entry
    } else line = line ? `${line}   ${entry}` : entry
  }
  if (line) lines.push(line)
  if (lines.length) blocks.push(...lines)
  else blocks.pop()
  return blocks.join('\n')
}
