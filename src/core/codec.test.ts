import { describe, expect, it } from 'vitest'
import { inLayout, layoutItemFile, parseItemFile, plainKeyStarts, serializeItem } from './codec.js'
import { BacklogError } from './errors.js'
import { blankItem, FIELD_ORDER } from './item.js'

/** An item as the tool writes it: every field on its own line, a blank line between fields (ADR 0018). */
const canonical = `---
id: bl-k3m9x2

title: Fix the login flow

type: task

status: in_progress

priority: high

assignee:

parent:

epic:

tags:
  - auth
  - web

depends_on:
  - bl-aaaaaa

due:

scheduled:

wait:

recur:

until:

references:
  - url: https://example.com/spec
    title: Spec

evidence:

blocked_reason:

created: 2026-11-20T10:00:00Z

started: 2026-11-21T09:00:00Z

closed:

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

/** The same item as versions before ADR 0018 wrote it: set fields only, no blank lines. */
const compact = `---
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

  it('reads a compact file of an older version as the same item, and gives back its bytes while nothing changes', () => {
    expect(parseItemFile(compact)).toEqual(parseItemFile(canonical))
    expect(serializeItem(parseItemFile(compact), compact)).toBe(compact)
  })

  it('moves a file to the layout on its next write, and layoutItemFile moves it with nothing else changed', () => {
    const item = parseItemFile(compact)
    expect(layoutItemFile(compact)).toBe(canonical)
    expect(layoutItemFile(canonical)).toBe(canonical)
    const edited = serializeItem({ ...item, priority: 'low' }, compact)
    expect(edited).toBe(canonical.replace('priority: high', 'priority: low'))
    const rebodied = serializeItem({ ...item, description: 'New body\n' }, compact)
    expect(rebodied).toBe(`${canonical.slice(0, canonical.indexOf('---\n\n') + 4)}\nNew body\n`)
  })

  it('rewrites only the changed keys of a hand-written file, keeping comments, styles and order, and adds each missing field after the field before it', () => {
    const hand = [
      '---',
      '# Owner: the web team',
      "title: 'Keep my quotes'",
      'id: a-1',
      'status: open # still triaging',
      '',
      '# comma lists are fine',
      'tags: [x, y]',
      'custom_field:   kept as written',
      '---',
      'Body stays.',
      '',
    ].join('\n')
    const item = parseItemFile(hand)
    const edited = serializeItem({ ...item, status: 'done', priority: 'high' }, hand)
    const empty = (fields: string) => fields.split(' ').map((field) => `\n${field}:`)
    expect(edited).toBe(
      [
        '---',
        '# Owner: the web team',
        "title: 'Keep my quotes'",
        '',
        'type: task',
        '',
        'id: a-1',
        '',
        'status: done',
        '',
        'priority: high',
        ...empty('assignee parent epic'),
        '',
        '# comma lists are fine',
        'tags: [x, y]',
        ...empty('depends_on due scheduled wait recur until references evidence blocked_reason created started closed'),
        '',
        'custom_field:   kept as written',
        '',
        'notes:',
        '---',
        'Body stays.',
        '',
      ].join('\n'),
    )
    expect(layoutItemFile(edited)).toBe(edited)
  })

  it('keeps a cleared field as its key alone, and drops a removed attribute with its blank line', () => {
    const item = parseItemFile(canonical)
    const cleared = serializeItem({ ...item, priority: undefined }, canonical)
    expect(cleared).toBe(canonical.replace('priority: high\n', 'priority:\n'))
    const dropped = serializeItem({ ...item, attributes: {} }, canonical)
    expect(dropped).toBe(canonical.replace('estimate: 3\n\n', ''))
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

describe('inLayout', () => {
  it('tells a file in the layout from one that is not, as layoutItemFile would', () => {
    expect(inLayout(canonical)).toBe(true)
    expect(inLayout(compact)).toBe(false)
    // Every field there, but two of them next to each other.
    expect(inLayout(canonical.replace('type: task\n\n', 'type: task\n'))).toBe(false)
    // A comment between two fields separates them as well as a blank line does.
    expect(inLayout(canonical.replace('type: task\n\n', 'type: task\n# set by hand\n'))).toBe(true)
    // A form the scan cannot follow (a quoted key) is laid out to decide.
    const quoted = canonical.replace('estimate: 3', '"estimate": 3')
    expect(inLayout(quoted)).toBe(layoutItemFile(quoted) === quoted)
    for (const text of [canonical, compact]) expect(inLayout(layoutItemFile(text))).toBe(true)
  })
})

describe('the fast path for plain text', () => {
  it('writes what yaml writes, for every kind of value a field holds', async () => {
    const { Document } = await import('yaml')
    const options = { lineWidth: 0, minContentWidth: 0, indentSeq: true }
    const byYaml = (value: unknown) => new Document({ k: value }, { version: '1.2' }).toString(options)
    const values = [
      'bl-k3m9x2',
      'in_progress',
      '2026-11-20T10:00:00Z',
      '2026-12-01',
      'Fix the login flow',
      'Fix login: now',
      'café déjà vu',
      'a/b@c+d.e',
      '1.5',
      '0x1F',
      '1e3',
      'yes',
      'No',
      'null',
      'true',
      '-leading dash',
      'trailing ',
      'two  spaces',
      '#hash',
      'a #comment',
      "it's",
      '"quoted"',
      '@mention',
      '*star',
      '%percent',
      '.dot',
      '日本語のタイトル',
      'v1.2.3',
      '12345',
      '0o17',
      '.inf',
      '~',
    ]
    for (const value of values) {
      const item = blankItem('bl-x', value)
      item.tags = [value]
      const text = serializeItem(item)
      expect(text, value).toContain(byYaml(value).replace(/^k:/, 'title:'))
      expect(text, value).toContain(byYaml([value]).replace(/^k:/, 'tags:'))
      expect(parseItemFile(text)).toMatchObject({ title: value, tags: [value] })
    }
  })
})

describe('hand-written forms the key scan cannot follow', () => {
  it('finds the keys of a file in the layout by the scan, and gives up on what it cannot follow', () => {
    const lines = canonical.slice(4, canonical.indexOf('\n---\n') + 1).split(/(?<=\n)/)
    const keys = [...FIELD_ORDER.filter((field) => field !== 'notes'), 'estimate', 'notes']
    const starts = plainKeyStarts(lines, keys)
    expect(starts?.map((start) => start.key)).toEqual(keys)
    expect(starts?.[1]).toEqual({ key: 'title', line: 2 })
    // A continuation of a quoted value at column 0, and a document-end line: the scan gives up.
    expect(plainKeyStarts(['title: "a\n', 'b"\n'], ['title'])).toBeUndefined()
    expect(plainKeyStarts(['title: a\n', '...\n'], ['title'])).toBeUndefined()
  })

  it('writes such a file all the same: the value kept, the frontmatter canonical where a patch would not read back', () => {
    for (const hand of [
      '---\nid: a-1\ntitle: "first\nstatus: fake"\n"status": open\n---\nBody.\n',
      '---\nid: a-1\ntitle: t\nstatus: open\n...\n---\nBody.\n',
    ]) {
      let item: ReturnType<typeof parseItemFile>
      try {
        item = parseItemFile(hand)
      } catch {
        continue // a form the reader refuses is reported as unreadable, never written over
      }
      const edited = serializeItem({ ...item, priority: 'high' }, hand)
      expect(parseItemFile(edited)).toEqual({ ...item, priority: 'high' })
      expect(inLayout(layoutItemFile(hand))).toBe(true)
    }
  })
})
