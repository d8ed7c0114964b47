import { describe, expect, it } from 'vitest'
import { parseItemFile } from './codec.js'
import { blankItem, type Item } from './item.js'
import { describeBodyChange, diffItems, MAX_DIFF_LINES } from './item-diff.js'

function item(fields: Partial<Item> = {}): Item {
  return { ...blankItem('bl-k3m9x2', 'Fix the login flow'), ...fields }
}

describe('diffItems', () => {
  it('reports each changed field old → new in canonical order, leaving out absent sides', () => {
    const before = item({ priority: 'low', tags: ['auth'], due: '2026-12-01', created: '2026-11-01T09:00:00Z' })
    const after = item({
      status: 'done',
      priority: 'high',
      assignee: 'ann',
      tags: ['auth', 'ui'],
      created: '2026-11-01T09:00:00Z',
      closed: '2026-11-23T12:00:00Z',
    })
    expect(diffItems(before, after)).toEqual([
      { field: 'status', old: 'open', new: 'done' },
      { field: 'priority', old: 'low', new: 'high' },
      { field: 'assignee', new: 'ann' },
      { field: 'tags', old: ['auth'], new: ['auth', 'ui'] },
      { field: 'due', old: '2026-12-01' },
      { field: 'closed', new: '2026-11-23T12:00:00Z' },
    ])
  })

  it('finds nothing between equal items, whatever the key order of attribute values', () => {
    const before = item({ attributes: { estimate: { low: 1, high: 3 } }, description: 'Body\n' })
    const after = item({ attributes: { estimate: { high: 3, low: 1 } }, description: 'Body\n' })
    expect(diffItems(before, after)).toEqual([])
  })

  it('lists the set fields of a new item as new values, without its id', () => {
    const created = item({ priority: 'high', tags: ['auth'], created: '2026-11-23T12:00:00Z', description: 'Why\n' })
    expect(diffItems(undefined, created)).toEqual([
      { field: 'title', new: 'Fix the login flow' },
      { field: 'type', new: 'task' },
      { field: 'status', new: 'open' },
      { field: 'priority', new: 'high' },
      { field: 'tags', new: ['auth'] },
      { field: 'created', new: '2026-11-23T12:00:00Z' },
      { field: 'description', new: '@@ -1,0 +1,1 @@\n+Why' },
    ])
  })

  it('reports a deleted item as one change with its title, and two absent items as none', () => {
    expect(diffItems(item(), undefined)).toEqual([{ field: 'deleted', old: 'Fix the login flow' }])
    expect(diffItems(undefined, undefined)).toEqual([])
  })

  it('reports notes as the texts added and removed, not both lists', () => {
    const first = { at: '2026-11-20T10:00:00Z', by: 'ann', text: 'Repro on Safari' }
    const second = { at: '2026-11-21T10:00:00Z', by: 'bob', text: 'Cookie expires early' }
    const third = { at: '2026-11-22T10:00:00Z', text: 'Fixed in #42' }
    expect(diffItems(item({ notes: [first] }), item({ notes: [first, second] }))).toEqual([
      { field: 'notes', new: ['Cookie expires early'] },
    ])
    expect(diffItems(item({ notes: [first, second] }), item({ notes: [second, third] }))).toEqual([
      { field: 'notes', old: ['Repro on Safari'], new: ['Fixed in #42'] },
    ])
    // The same text noted twice, once removed: one removal, not zero.
    expect(diffItems(item({ notes: [third, third] }), item({ notes: [third] }))).toEqual([
      { field: 'notes', old: ['Fixed in #42'] },
    ])
  })

  it('puts the description after the known fields and attributes last, sorted by key', () => {
    const before = item({ attributes: { zeta: 1, alpha: 'x' }, description: 'Old text\n' })
    const after = item({ status: 'blocked', attributes: { zeta: 2, beta: true }, description: 'New text\n' })
    expect(diffItems(before, after)).toEqual([
      { field: 'status', old: 'open', new: 'blocked' },
      { field: 'description', new: '@@ -1,1 +1,1 @@\n-Old text\n+New text' },
      { field: 'alpha', old: 'x' },
      { field: 'beta', new: true },
      { field: 'zeta', old: 1, new: 2 },
    ])
  })

  it('reports an id changed by hand, and references by value', () => {
    const before = item({ references: [{ url: 'https://example.com/a' }] })
    const after = item({ id: 'bl-other1', references: [{ url: 'https://example.com/a', title: 'Spec' }] })
    expect(diffItems(before, after)).toEqual([
      { field: 'id', old: 'bl-k3m9x2', new: 'bl-other1' },
      {
        field: 'references',
        old: [{ url: 'https://example.com/a' }],
        new: [{ url: 'https://example.com/a', title: 'Spec' }],
      },
    ])
  })

  it('compares items as parsed from files, so a rewritten but equal file is no change', () => {
    const before = parseItemFile('---\nid: bl-k3m9x2\ntitle: Fix\ntags: [a, b]\n---\n\nBody\n')
    const after = parseItemFile('---\ntitle: "Fix"\nid: bl-k3m9x2\ntags:\n  - a\n  - b\n---\n\nBody\n')
    expect(diffItems(before, after)).toEqual([])
  })
})

describe('describeBodyChange', () => {
  it('shows hunks with one line of context', () => {
    const before = 'one\ntwo\nthree\nfour\nfive\nsix\n'
    const after = 'one\n2\nthree\nfour\nfive\nsix\nseven\n'
    expect(describeBodyChange(before, after)).toBe(
      ['@@ -1,3 +1,3 @@', ' one', '-two', '+2', ' three', '@@ -6,1 +6,2 @@', ' six', '+seven'].join('\n'),
    )
    expect(describeBodyChange(before, before)).toBeUndefined()
  })

  it(`cuts a long diff to ${MAX_DIFF_LINES} lines, the last saying how many were left out`, () => {
    const after = Array.from({ length: 50 }, (_, index) => `line ${index}`).join('\n')
    const text = describeBodyChange('', `${after}\n`) as string
    const lines = text.split('\n')
    expect(lines).toHaveLength(MAX_DIFF_LINES)
    expect(lines[0]).toBe('@@ -1,0 +1,50 @@')
    expect(lines[1]).toBe('+line 0')
    expect(lines.at(-1)).toBe('… 32 more lines')
  })

  it('says a body was rewritten when a line diff would be too costly', () => {
    const before = Array.from({ length: 300 }, (_, index) => `a${index}`).join('\n')
    const after = Array.from({ length: 300 }, (_, index) => `b${index}`).join('\n')
    expect(describeBodyChange(`${before}\n`, `${after}\n`)).toBe('@@ rewritten: 300 lines before, 300 after @@')
  })
})
