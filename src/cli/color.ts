/**
 * Colour at a terminal: statuses and priorities stand out in lists, items and the board. Plain text in a pipe, with
 * NO_COLOR, or on a dumb terminal; FORCE_COLOR turns it on anywhere (a pager that keeps colours) or off.
 */

import { stripVTControlCharacters } from 'node:util'

/** ANSI SGR codes: on, off. */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const

type Code = keyof typeof CODES

/** The default statuses and priorities; a status the config adds stays plain. */
const STATUS_COLORS: Record<string, Code[]> = {
  open: ['cyan'],
  in_progress: ['yellow'],
  blocked: ['red'],
  done: ['green'],
  cancelled: ['dim'],
}
const PRIORITY_COLORS: Record<string, Code[]> = {
  urgent: ['bold', 'red'],
  high: ['yellow'],
  low: ['dim'],
}

/**
 * Whether output gets colour: never when NO_COLOR is set (to anything but ""), on when FORCE_COLOR is 1, 2, 3, true
 * or "", off when it is 0 or false; otherwise only when standard output is a terminal that is not "dumb".
 *
 * @example
 * colorWanted({ FORCE_COLOR: '1' }, false) // true
 * colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true) // false
 */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false
  const force = env.FORCE_COLOR?.trim().toLowerCase()
  if (force === '0' || force === 'false') return false
  if (force === '' || force === '1' || force === '2' || force === '3' || force === 'true') return true
  return isTTY && env.TERM !== 'dumb'
}

/** How text for a person is painted: every method returns the text as it is when colour is off. */
export interface Style {
  readonly color: boolean
  /** The text (the status itself by default) in the status's colour. */
  status(status: string, text?: string): string
  /** The text (the priority itself by default) in the priority's colour. */
  priority(priority: string | undefined, text?: string): string
  bold(text: string): string
  dim(text: string): string
}

function paint(codes: readonly Code[] | undefined, text: string): string {
  if (!codes?.length || text === '') return text
  const on = codes.map((code) => CODES[code][0]).join(';')
  const off = [...new Set(codes.map((code) => CODES[code][1]))].join(';')
  return `\u001b[${on}m${text}\u001b[${off}m`
}

/**
 * A style that paints when `color` is true, else leaves text alone.
 *
 * @example
 * createStyle(true).status('done') // '\u001b[32mdone\u001b[39m'
 */
export function createStyle(color: boolean): Style {
  if (!color) return PLAIN
  return {
    color,
    status: (status, text = status) => paint(STATUS_COLORS[status.toLowerCase()], text),
    priority: (priority, text = priority ?? '') => paint(priority ? PRIORITY_COLORS[priority] : undefined, text),
    bold: (text) => paint(['bold'], text),
    dim: (text) => paint(['dim'], text),
  }
}

/** No colour. */
export const PLAIN: Style = {
  color: false,
  status: (status, text = status) => text,
  priority: (priority, text = priority ?? '') => text,
  bold: (text) => text,
  dim: (text) => text,
}

/** Pads text, painted or not, with spaces to `width` visible characters. */
export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stripVTControlCharacters(text).length))
}
