import { describe, expect, it } from 'vitest'
import { parseItemFile, serializeItem } from './codec.js'
import { BacklogError } from './errors.js'
import { blankItem } from './item.js'

const canonical = `---
id: bl-k3m9x2
title: Fix the login flow
type: task
status: in_progress
priority: high
tags:
  - auth
  - web
depends_on:
  - bl-aaaaaa
references:
  - url: https://example.com/spec
    title: Spec
created: 2026-11-20T10:00:00Z
started: 2026-11-21T09:00:00Z
estimate: 3
notes:
  - at: 2026-11-21T09:05:00Z
    by: claude
    text: |
      Found the cause.
      Session cookie is dropped.
---

Users are logged out after a refresh.

- [ ] keep the session
`

describe('parseItemFile', () => {
  it('reads every field, keeps unknown keys as attributes and dates as strings', () => {
    const item = parseItemFile(canonical)
    expect(item).toMatchObject({
      id: 'bl-k3m9x2',
      title: 'Fix the login flow',
      status: 'in_progress',
      priority: 'high',
      tags: ['auth', 'web'],
      depends_on: ['bl-aaaaaa'],
      references: [{ url: 'https://example.com/spec', title: 'Spec' }],
      created: '2026-11-20T10:00:00Z',
      attributes: { estimate: 3 },
      notes: [{ at: '2026-11-21T09:05:00Z', by: 'claude', text: 'Found the cause.\nSession cookie is dropped.\n' }],
    })
    expect(item.description).toBe('Users are logged out after a refresh.\n\n- [ ] keep the session\n')
  })

  it('never executes code front matter', () => {
    const evil = '---js\n{ title: (globalThis.pwned = true, "x") }\n---\nbody\n'
    expect(() => parseItemFile(evil)).toThrow(BacklogError)
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined()
  })

  it('does not leak a mutated parse into the next parse of the same text', () => {
    const first = parseItemFile(canonical)
    first.tags.push('leaked')
    first.attributes.estimate = 99
    const second = parseItemFile(canonical)
    expect(second.tags).toEqual(['auth', 'web'])
    expect(second.attributes.estimate).toBe(3)
  })

  it('keeps unquoted dates as strings', () => {
    const item = parseItemFile('---\nid: a-1\ntitle: t\ndue: 2026-12-01\nmilestone_date: 2026-12-24\n---\n')
    expect(item.due).toBe('2026-12-01')
    expect(item.attributes.milestone_date).toBe('2026-12-24')
  })

  it('reports conflict markers with their line', () => {
    const text = '---\nid: a-1\n<<<<<<< HEAD\ntitle: one\n=======\ntitle: two\n>>>>>>> other\n---\n'
    expect(() => parseItemFile(text)).toThrow(/line 3: git conflict markers/)
  })

  it('reports invalid YAML with the line in the file', () => {
    expect(() => parseItemFile('---\nid: a-1\ntitle: [unclosed\nstatus: open\n---\n')).toThrow(/line \d+: invalid YAML/)
  })

  it('reports a file without frontmatter', () => {
    expect(() => parseItemFile('# Just a note\n')).toThrow(/no YAML frontmatter/)
  })

  it('takes the id from the file name when the frontmatter has none', () => {
    expect(parseItemFile('---\ntitle: t\n---\n', 'TASK-0001').id).toBe('TASK-0001')
  })

  it('reads lenient hand-written forms', () => {
    const item = parseItemFile(
      '---\nid: a-1\ntitle: 2024\ntags: a, b\nreferences: https://x.dev\nnotes: remember\n---\n',
    )
    expect(item.title).toBe('2024')
    expect(item.tags).toEqual(['a', 'b'])
    expect(item.references).toEqual([{ url: 'https://x.dev' }])
    expect(item.notes).toEqual([{ at: '', text: 'remember' }])
  })
})

describe('serializeItem', () => {
  it('writes a canonical file that parses back to the same item', () => {
    const item = parseItemFile(canonical)
    expect(serializeItem(item)).toBe(canonical)
    expect(parseItemFile(serializeItem(item))).toEqual(item)
  })

  it('gives back the same bytes for an unchanged hand-written file', () => {
    const hand = '---\n# my task\nid:   a-1\ntitle: "Quoted"\ntags: [x,  y]\n---\nbody without blank line\n'
    expect(serializeItem(parseItemFile(hand), hand)).toBe(hand)
  })

  it('rewrites only the changed keys of a hand-written file, keeping comments and styles', () => {
    const hand = [
      '---',
      '# Owner: the web team',
      'id: a-1',
      "title: 'Keep my quotes'",
      'status: open # still triaging',
      '',
      'tags: [x, y]',
      'custom_field:   kept as written',
      '---',
      'Body stays.',
      '',
    ].join('\n')
    const item = parseItemFile(hand)
    const edited = serializeItem({ ...item, status: 'done', priority: 'high' }, hand)
    expect(edited).toBe(
      [
        '---',
        '# Owner: the web team',
        'id: a-1',
        "title: 'Keep my quotes'",
        'status: done',
        'priority: high',
        '',
        'tags: [x, y]',
        'custom_field:   kept as written',
        '---',
        'Body stays.',
        '',
      ].join('\n'),
    )
  })

  it('removes a cleared field and changes the body alone when only the body changed', () => {
    const item = parseItemFile(canonical)
    const cleared = serializeItem({ ...item, priority: undefined }, canonical)
    expect(cleared).not.toContain('priority:')
    expect(cleared.split('\n').length).toBe(canonical.split('\n').length - 1)
    const rebodied = serializeItem({ ...item, description: 'New body' }, canonical)
    expect(rebodied.endsWith('---\n\nNew body\n')).toBe(true)
    expect(rebodied.slice(0, rebodied.indexOf('\n---\n'))).toBe(canonical.slice(0, canonical.indexOf('\n---\n')))
  })

  it('quotes only where YAML needs it and keeps long lines whole', () => {
    const item = blankItem('bl-x', `fix: the "parser" ${'word '.repeat(30)}`.trim())
    item.assignee = '123'
    const text = serializeItem(item)
    expect(text).toContain(`title: 'fix: the "parser" ${'word '.repeat(30).trim()}'\n`)
    expect(text).toContain('assignee: "123"\n')
    expect(parseItemFile(text)).toEqual(item)
  })
})
