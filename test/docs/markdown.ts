/** The pages the doc tests read (README.md and docs/*.md), taken apart into code blocks, markers and inline code. */

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')

/** README.md and the reference pages under docs/ (not the ADRs, which record decisions as they were made). */
export function docPages(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`)
  return ['README.md', ...docs]
}

export interface CodeBlock {
  /** The page, relative to the repository root. */
  page: string
  /** Line of the opening fence, from 1. */
  line: number
  /** The fence's language: sh, bash, console, json, markdown... ('' when none). */
  lang: string
  /** The lines between the fences, each ending in a newline. */
  text: string
  /**
   * What the HTML comment right before the fence says (only blank lines between): `tested-by: <file>` or
   * `doc-test: <words>`; undefined without one.
   */
  marker?: string
}

export interface InlineCode {
  page: string
  line: number
  code: string
  /** For a table row: the inline code of each cell, so options can be read against the row's command. */
  cells?: string[][]
}

export interface Page {
  path: string
  blocks: CodeBlock[]
  inline: InlineCode[]
  /** `<!-- doc-test: ... -->` comments outside code that say something about the whole page. */
  directives: string[]
  /** Headings with their level and line, in order. */
  headings: Array<{ level: number; text: string; line: number }>
  lines: string[]
}

const FENCE = /^(\s*)(```+|~~~+)\s*([\w-]*)/
const COMMENT = /^\s*<!--\s*(.*?)\s*-->\s*$/
const INLINE = /`([^`]+)`/g

/** Reads one page. */
export function readPage(path: string): Page {
  const lines = readFileSync(join(ROOT, path), 'utf8').split('\n')
  const page: Page = { path, blocks: [], inline: [], directives: [], headings: [], lines }
  let marker: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const fence = FENCE.exec(line)
    if (fence) {
      const [, indent = '', ticks = '```', lang = ''] = fence
      const body: string[] = []
      let j = i + 1
      while (j < lines.length && !(lines[j] as string).trimStart().startsWith(ticks)) {
        body.push((lines[j] as string).slice(Math.min(indent.length, leadingSpaces(lines[j] as string))))
        j++
      }
      page.blocks.push({
        page: path,
        line: i + 1,
        lang: lang.toLowerCase(),
        text: body.map((text) => `${text}\n`).join(''),
        ...(marker ? { marker } : {}),
      })
      marker = undefined
      i = j
      continue
    }
    const comment = COMMENT.exec(line)
    if (comment) {
      marker = comment[1]
      if (marker?.startsWith('doc-test:')) page.directives.push(marker)
      continue
    }
    if (line.trim() !== '') marker = undefined
    const heading = /^(#{1,6})\s+(.*)$/.exec(line)
    if (heading) page.headings.push({ level: heading[1]!.length, text: heading[2]!.trim(), line: i + 1 })
    const codes = [...line.matchAll(INLINE)].map((match) => match[1] as string)
    if (codes.length === 0) continue
    const cells = line.trimStart().startsWith('|')
      ? splitRow(line).map((cell) => [...cell.matchAll(INLINE)].map((match) => match[1] as string))
      : undefined
    for (const code of codes) page.inline.push({ page: path, line: i + 1, code, ...(cells ? { cells } : {}) })
  }
  return page
}

function leadingSpaces(line: string): number {
  return line.length - line.trimStart().length
}

/** The cells of a markdown table row; `\|` inside a cell is not a separator. */
export function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim())
}

/** The words of a marker after its keyword: `doc-test: exit 1` → `['exit', '1']`. */
export function markerWords(marker: string | undefined, keyword: 'doc-test' | 'tested-by'): string[] | undefined {
  if (!marker?.startsWith(`${keyword}:`)) return undefined
  return marker
    .slice(keyword.length + 1)
    .trim()
    .split(/\s+/)
}

/**
 * The command lines of a shell block as a reader would copy them: `$ ` prompts stripped in a console block (whose
 * other lines are output), comments after two or more spaces removed, comment-only and blank lines left out.
 */
export function commandLines(block: CodeBlock): string[] {
  const lines = block.text.split('\n')
  const commands =
    block.lang === 'console' ? lines.filter((line) => line.startsWith('$ ')).map((line) => line.slice(2)) : lines
  return commands
    .map((line) => line.replace(/\s{2,}#\s.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

export const SHELL_LANGS = ['sh', 'bash', 'shell', 'console']
