import { describe, expect, it } from 'vitest'
import { SECTION_END, SECTION_START, upsertSection } from './agents-section.js'

describe('the backlog section of AGENTS.md', () => {
  const block = (text: string) => `${SECTION_START}\n${text}\n${SECTION_END}\n`

  it('starts a file, or is added after what is there', () => {
    expect(upsertSection(undefined, '## Backlog\n')).toBe(block('## Backlog'))
    expect(upsertSection('# Project\nRules.', '## Backlog')).toBe(`# Project\nRules.\n\n${block('## Backlog')}`)
  })

  it('replaces only what is between its markers, and writing it again changes nothing', () => {
    const once = upsertSection(`# Top\n\n${block('old')}\n# After\n`, '## New')
    expect(once).toBe(`# Top\n\n${block('## New')}\n# After\n`)
    expect(upsertSection(once, '## New')).toBe(once)
  })

  it('keeps CRLF line endings', () => {
    expect(upsertSection('# Top\r\n', 'x')).toBe(`# Top\r\n\r\n${block('x').replace(/\n/g, '\r\n')}`)
  })
})
