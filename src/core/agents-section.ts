/**
 * The backlog's section in a file of instructions for agents (AGENTS.md, CLAUDE.md): kept between two markers so
 * that writing it again replaces only the section, and everything else in the file stays as the person wrote it.
 */

export const SECTION_START =
  '<!-- git-backlog:start (written by git backlog init --agents; edits inside are replaced) -->'
export const SECTION_END = '<!-- git-backlog:end -->'

const START_PREFIX = '<!-- git-backlog:start'

/**
 * The file's text with the section in place: replacing the one between the markers, or added at the end (after a
 * blank line) when there is none; a new file when `existing` is undefined. The same input gives the same output, and
 * writing the result again changes nothing.
 *
 * @example
 * upsertSection('# Project\n', '## Backlog\n') // '# Project\n\n<!-- git-backlog:start … -->\n## Backlog\n<!-- git-backlog:end -->\n'
 */
export function upsertSection(existing: string | undefined, section: string): string {
  const block = `${SECTION_START}\n${section.trim()}\n${SECTION_END}\n`
  if (existing === undefined || existing.trim() === '') return block
  const newline = existing.includes('\r\n') ? '\r\n' : '\n'
  const text = existing.replace(/\r\n/g, '\n')
  const start = text.indexOf(START_PREFIX)
  const end = start < 0 ? -1 : text.indexOf(SECTION_END, start)
  let result: string
  if (start >= 0 && end >= 0) {
    const after = text.slice(end + SECTION_END.length).replace(/^\n/, '')
    result = `${text.slice(0, start)}${block}${after}`
  } else {
    result = `${text.replace(/\n*$/, '\n')}\n${block}`
  }
  return newline === '\n' ? result : result.replace(/\n/g, '\r\n')
}
