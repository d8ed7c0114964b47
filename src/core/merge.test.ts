import { describe, expect, it } from 'vitest'
import { hasConflictBlock, layoutItemFile, parseItemFile, serializeItem } from './codec.js'
import { type BacklogConfig, DEFAULT_CONFIG } from './config.js'
import { BacklogError } from './errors.js'
import { blankItem, type Item } from './item.js'
import { type ItemMerge, MERGE_NOTE_AUTHOR, mergeItems, mergeItemTexts } from './merge.js'

const now = '2026-12-01T12:00:00Z'
const config = DEFAULT_CONFIG
const resolve = { mode: 'resolve', config, now } as const
const report = { mode: 'report', config, now } as const

const body = [
  'Users are logged out after a refresh.',
  '',
  'Steps:',
  '1. log in',
  '2. refresh',
  '3. see the login page',
  '',
]

function item(changes: Partial<Item> = {}): Item {
  return {
    ...blankItem('bl-k3m9x2', 'Fix the login flow'),
    priority: 'medium',
    tags: ['auth', 'web'],
    created: '2026-11-20T10:00:00Z',
    description: body.join('\n'),
    ...changes,
  }
}

/** The body with line `index` replaced. */
function editLine(index: number, text: string): string {
  return body.map((line, at) => (at === index ? text : line)).join('\n')
}

const base = item()
const fields = (merge: ItemMerge) => merge.conflicts.map((conflict) => conflict.field)
const mergeNote = (text: string) => ({ at: now, by: MERGE_NOTE_AUTHOR, text })

describe('mergeItems: scalars', () => {
  it('takes the change of the one side that made it, and returns an unchanged item as it was', () => {
    const ours = item({ title: 'Fix login' })
    expect(mergeItems(base, ours, base, resolve)).toEqual({ item: ours, conflicts: [] })
    expect(mergeItems(base, base, ours, resolve)).toEqual({ item: ours, conflicts: [] })
    expect(mergeItems(base, base, base, resolve)).toEqual({ item: base, conflicts: [] })
  })

  it('keeps a title change on one side and a status change on the other', () => {
    const ours = item({ title: 'Fix login' })
    const theirs = item({ status: 'in_progress', started: '2026-11-21T09:00:00Z' })
    const merged = mergeItems(base, ours, theirs, report)
    expect(merged.conflicts).toEqual([])
    expect(merged.item).toEqual(item({ title: 'Fix login', status: 'in_progress', started: '2026-11-21T09:00:00Z' }))
  })

  it('reports a field both sides changed differently and keeps ours in report mode', () => {
    const merged = mergeItems(base, item({ title: 'Fix login' }), item({ title: 'Login fix' }), report)
    expect(merged.conflicts).toEqual([
      { field: 'title', base: 'Fix the login flow', ours: 'Fix login', theirs: 'Login fix' },
    ])
    expect(merged.item.title).toBe('Fix login')
    expect(merged.item.notes).toEqual([])
  })

  it('settles each scalar by its rule in resolve mode and keeps the losing value in a note', () => {
    const cases: Array<[keyof Item, string | undefined, string | undefined, string | undefined, string | undefined]> = [
      // field, base, ours, theirs, winner
      ['status', 'open', 'blocked', 'done', 'done'],
      ['status', 'open', 'cancelled', 'in_progress', 'cancelled'],
      ['status', 'open', 'triage', 'open2', 'triage'],
      ['status', 'open', 'triage', 'blocked', 'blocked'],
      ['priority', 'medium', 'low', 'high', 'high'],
      ['priority', 'medium', 'urgent', 'H', 'urgent'],
      ['priority', 'medium', 'P1', 'low', 'low'],
      ['priority', 'medium', undefined, 'low', 'low'],
      ['due', undefined, '2026-12-24', '2026-12-31', '2026-12-24'],
      ['due', undefined, '2026-12-24T08:00:00Z', '2026-12-24', '2026-12-24'],
      ['due', '2026-12-01', 'soon', '2026-12-31', '2026-12-31'],
      ['scheduled', undefined, '2026-12-10', '2026-12-03', '2026-12-03'],
      ['created', undefined, '2026-11-19T10:00:00Z', '2026-11-22T10:00:00Z', '2026-11-19T10:00:00Z'],
      ['assignee', undefined, 'alice', 'claude', 'claude'],
      ['assignee', 'bob', undefined, 'alice', 'alice'],
      ['wait', undefined, '2026-12-24', '2026-12-31', '2026-12-31'],
      ['title', 'Fix the login flow', 'Fix login', 'Login fix', 'Login fix'],
      ['type', 'task', 'epic', 'milestone', 'milestone'],
    ]
    for (const [field, from, ours, theirs, winner] of cases) {
      const label = `${field}: ${ours} vs ${theirs}`
      const merged = mergeItems(item({ [field]: from }), item({ [field]: ours }), item({ [field]: theirs }), resolve)
      const loser = winner === ours ? theirs : ours
      expect(merged.item[field], label).toBe(winner)
      expect(fields(merged), label).toEqual([field])
      expect(merged.item.notes, label).toEqual([
        mergeNote(`merge: ${field} was ${loser ?? '(none)'} on the other side`),
      ])
      const swapped = mergeItems(item({ [field]: from }), item({ [field]: theirs }), item({ [field]: ours }), resolve)
      expect(swapped.item, label).toEqual(merged.item)
    }
  })

  it('ranks statuses by the configured workflow, not the default one', () => {
    const custom: BacklogConfig = { ...config, statuses: ['open', 'done', 'review'], closed_statuses: ['done'] }
    const options = { ...resolve, config: custom }
    const ours = item({ status: 'done', closed: '2026-11-22T10:00:00Z' })
    const theirs = item({ status: 'review' })
    const merged = mergeItems(base, ours, theirs, options)
    expect(merged.item.status).toBe('review')
    // review is not closed, so the stamp of the losing close goes with it.
    expect(merged.item.closed).toBeUndefined()
    expect(mergeItems(base, theirs, ours, options).item).toEqual(merged.item)
  })

  it('keeps a value over a removal and says the other side removed it', () => {
    const merged = mergeItems(base, item({ priority: undefined }), item({ priority: 'low' }), resolve)
    expect(merged.item.priority).toBe('low')
    expect(merged.item.notes).toEqual([mergeNote('merge: priority was (none) on the other side')])
  })

  it('honours a removal the other side did not touch', () => {
    const merged = mergeItems(base, item({ priority: undefined }), item({ title: 'Fix login' }), resolve)
    expect(merged.item.priority).toBeUndefined()
    expect(merged.item.title).toBe('Fix login')
    expect(merged.conflicts).toEqual([])
  })
})

describe('mergeItems: status stamps', () => {
  it('keeps the stamps each side set when the statuses differ but the stamps do not collide', () => {
    const ours = item({ status: 'in_progress', started: '2026-11-21T09:00:00Z' })
    const theirs = item({ status: 'done', closed: '2026-11-22T10:00:00Z' })
    const merged = mergeItems(base, ours, theirs, resolve)
    expect(merged.item).toMatchObject({
      status: 'done',
      started: '2026-11-21T09:00:00Z',
      closed: '2026-11-22T10:00:00Z',
    })
    expect(fields(merged)).toEqual(['status'])
  })

  it('takes colliding stamps from the side whose status won, even the later one', () => {
    const ours = item({ status: 'done', started: '2026-11-21T09:00:00Z', closed: '2026-11-22T10:00:00Z' })
    const theirs = item({ status: 'cancelled', started: '2026-11-23T09:00:00Z', closed: '2026-11-24T10:00:00Z' })
    const merged = mergeItems(base, ours, theirs, resolve)
    expect(merged.item).toMatchObject({
      status: 'cancelled',
      started: '2026-11-23T09:00:00Z',
      closed: '2026-11-24T10:00:00Z',
    })
    expect(fields(merged)).toEqual(['status', 'started', 'closed'])
    expect(merged.item.notes.map((note) => note.text)).toEqual([
      'merge: status was done on the other side',
      'merge: started was 2026-11-21T09:00:00Z on the other side',
      'merge: closed was 2026-11-22T10:00:00Z on the other side',
    ])
  })

  it('takes the earlier stamp when both sides reached the same status at different times', () => {
    const ours = item({ status: 'done', closed: '2026-11-24T10:00:00Z' })
    const theirs = item({ status: 'done', closed: '2026-11-22T10:00:00Z' })
    const merged = mergeItems(base, ours, theirs, resolve)
    expect(merged.item.closed).toBe('2026-11-22T10:00:00Z')
    expect(fields(merged)).toEqual(['closed'])
  })

  it('drops the closed stamp when the merged status is not closed (report mode keeps our status)', () => {
    const ours = item({ status: 'in_progress', started: '2026-11-21T09:00:00Z' })
    const theirs = item({ status: 'done', closed: '2026-11-22T10:00:00Z' })
    const merged = mergeItems(base, ours, theirs, report)
    expect(merged.item.status).toBe('in_progress')
    expect(merged.item.closed).toBeUndefined()
    expect(fields(merged)).toEqual(['status'])
  })

  it('undoes a close while a later edit stays (the inverse change merged onto the present)', () => {
    const before = item({ status: 'in_progress' })
    const after = item({ status: 'done', closed: '2026-11-22T10:00:00Z' })
    const current = item({ status: 'done', closed: '2026-11-22T10:00:00Z', priority: 'high' })
    const merged = mergeItems(after, current, before, report)
    expect(merged.conflicts).toEqual([])
    expect(merged.item).toEqual(item({ status: 'in_progress', priority: 'high' }))
  })
})

describe('mergeItems: sets, notes and attributes', () => {
  it('keeps both sides additions and either side removals, base order first', () => {
    const ours = item({ tags: ['auth', 'ui'] })
    const theirs = item({ tags: ['auth', 'web', 'api', 'db'] })
    const merged = mergeItems(base, ours, theirs, resolve)
    // Additions by their place among each side's additions, then by name: the same whichever side is ours.
    expect(merged.item.tags).toEqual(['auth', 'api', 'ui', 'db'])
    expect(mergeItems(base, theirs, ours, resolve).item.tags).toEqual(['auth', 'api', 'ui', 'db'])
    expect(merged.conflicts).toEqual([])
  })

  it('keeps the order of the side that added more when both added an entry', () => {
    const ours = item({ tags: ['auth', 'web', 'api'] })
    const theirs = item({ tags: ['auth', 'web', 'ui', 'api'], title: 'Fix login' })
    expect(mergeItems(base, ours, theirs, resolve).item.tags).toEqual(['auth', 'web', 'ui', 'api'])
    expect(mergeItems(base, theirs, ours, resolve).item.tags).toEqual(['auth', 'web', 'ui', 'api'])
    const many = item({ tags: ['x', 'y', 'z'] })
    const one = item({ tags: ['z'] })
    expect(mergeItems(base, many, one, resolve).item.tags).toEqual(['x', 'y', 'z'])
    expect(mergeItems(base, one, many, resolve).item.tags).toEqual(['x', 'y', 'z'])
  })

  it('takes a list whole when only one side changed it, order included', () => {
    const ours = item({ tags: ['web', 'auth'] })
    expect(mergeItems(base, ours, item({ title: 'Fix login' }), resolve).item.tags).toEqual(['web', 'auth'])
  })

  it('matches tags and dependency ids without regard to case', () => {
    const from = item({ depends_on: ['bl-aaaaaa', 'bl-bbbbbb'] })
    const ours = item({ tags: ['auth', 'web', 'UI'], depends_on: ['bl-aaaaaa', 'BL-CCCCCC'] })
    const theirs = item({ tags: ['AUTH', 'ui'], depends_on: ['BL-AAAAAA', 'bl-bbbbbb', 'bl-cccccc'] })
    const merged = mergeItems(from, ours, theirs, resolve)
    expect(merged.item.tags).toEqual(['AUTH', 'ui'])
    expect(merged.item.depends_on).toEqual(['BL-AAAAAA', 'bl-cccccc'])
    expect(mergeItems(from, theirs, ours, resolve).item).toEqual(merged.item)
  })

  it('merges evidence and blocked reasons as sets of lines', () => {
    const from = item({ evidence: ['tests pass'], blocked_reason: ['waiting on API'] })
    const ours = item({ evidence: ['tests pass', 'PR #12'], blocked_reason: [] })
    const theirs = item({ evidence: ['screenshot'], blocked_reason: ['waiting on API', 'needs review'] })
    const merged = mergeItems(from, ours, theirs, resolve)
    expect(merged.item.evidence).toEqual(['PR #12', 'screenshot'])
    expect(merged.item.blocked_reason).toEqual(['needs review'])
  })

  it('merges references by url and settles a title both sides gave differently', () => {
    const spec = { url: 'https://example.com/spec', title: 'Spec' }
    const from = item({ references: [spec, { url: 'https://example.com/old' }] })
    const ours = item({ references: [{ ...spec, title: 'Spec v2' }], title: 'Fix login' })
    const theirs = item({
      references: [{ ...spec, title: 'Spec draft' }, { url: 'https://example.com/old' }, { url: 'https://x.dev' }],
    })
    const merged = mergeItems(from, ours, theirs, resolve)
    expect(merged.item.references).toEqual([{ ...spec, title: 'Spec v2' }, { url: 'https://x.dev' }])
    expect(merged.conflicts).toEqual([
      {
        field: 'references',
        base: spec,
        ours: { ...spec, title: 'Spec v2' },
        theirs: { ...spec, title: 'Spec draft' },
      },
    ])
    expect(merged.item.notes).toEqual([
      mergeNote('merge: references was {"url":"https://example.com/spec","title":"Spec draft"} on the other side'),
    ])
    expect(mergeItems(from, ours, theirs, report).item.references[0]).toEqual({ ...spec, title: 'Spec v2' })
  })

  it('unites notes sorted by time and honours a note one side removed', () => {
    const first = { at: '2026-11-21T09:00:00Z', by: 'claude', text: 'Found the cause.' }
    const second = { at: '2026-11-22T09:00:00Z', by: 'alice', text: 'Reproduced.' }
    const third = { at: '2026-11-23T09:00:00Z', by: 'claude', text: 'Fixed.' }
    const from = item({ notes: [first] })
    const merged = mergeItems(from, item({ notes: [third] }), item({ notes: [first, second] }), resolve)
    expect(merged.item.notes).toEqual([second, third])
    expect(merged.conflicts).toEqual([])
    expect(
      mergeItems(from, item({ notes: [first, third] }), item({ notes: [first, second] }), resolve).item.notes,
    ).toEqual([first, second, third])
  })

  it('merges attributes per key with deep equality', () => {
    const from = item({ attributes: { estimate: 3, team: 'web', meta: { a: 1, b: 2 }, old: true } })
    const ours = item({ attributes: { estimate: 5, team: 'web', meta: { b: 2, a: 1 } } })
    const theirs = item({ attributes: { estimate: 3, team: 'auth', meta: { a: 1, b: 2 }, old: true, sprint: 7 } })
    const merged = mergeItems(from, ours, theirs, resolve)
    expect(merged.item.attributes).toEqual({ estimate: 5, team: 'auth', meta: { b: 2, a: 1 }, sprint: 7 })
    expect(merged.conflicts).toEqual([])

    const clash = mergeItems(from, ours, item({ attributes: { ...from.attributes, estimate: 8 } }), resolve)
    expect(clash.item.attributes.estimate).toBe(8)
    expect(clash.conflicts).toEqual([{ field: 'estimate', base: 3, ours: 5, theirs: 8 }])
    expect(clash.item.notes).toEqual([mergeNote('merge: estimate was 5 on the other side')])
  })
})

describe('mergeItems: body', () => {
  it('merges edits of different lines', () => {
    const ours = item({ description: editLine(0, 'Users are logged out after every refresh.') })
    const theirs = item({ description: editLine(5, '3. see the sign-in page') })
    const merged = mergeItems(base, ours, theirs, report)
    expect(merged.conflicts).toEqual([])
    expect(merged.item.description).toBe(
      body
        .map((line, at) =>
          at === 0 ? 'Users are logged out after every refresh.' : at === 5 ? '3. see the sign-in page' : line,
        )
        .join('\n'),
    )
  })

  it('reports overlapping edits as a description conflict and keeps our body in report mode', () => {
    const ours = item({ description: editLine(4, '2. reload') })
    const theirs = item({ description: editLine(4, '2. press F5') })
    const merged = mergeItems(base, ours, theirs, report)
    expect(merged.conflicts).toEqual([
      { field: 'description', base: base.description, ours: ours.description, theirs: theirs.description },
    ])
    expect(merged.item.description).toBe(ours.description)
  })

  it('leaves git-style markers around overlapping edits in resolve mode, with the other changes merged', () => {
    const ours = item({ description: editLine(4, '2. reload'), title: 'Fix login' })
    const theirs = item({ description: editLine(4, '2. press F5') })
    const merged = mergeItems(base, ours, theirs, resolve)
    expect(merged.item.description).toBe(
      [
        ...body.slice(0, 4),
        '<<<<<<< ours',
        '2. reload',
        '=======',
        '2. press F5',
        '>>>>>>> theirs',
        ...body.slice(5),
      ].join('\n'),
    )
    expect(merged.item.title).toBe('Fix login')
    expect(fields(merged)).toEqual(['description'])
    expect(merged.item.notes).toEqual([])
  })
})

describe('mergeItems: add/add', () => {
  it('merges two additions of one item with no base: equal fields kept, different ones settled', () => {
    const ours = item({ tags: ['auth'], notes: [{ at: '2026-11-21T09:00:00Z', text: 'a' }] })
    const theirs = item({ tags: ['web'], priority: 'high', notes: [{ at: '2026-11-20T09:00:00Z', text: 'b' }] })
    const merged = mergeItems(undefined, ours, theirs, resolve)
    expect(merged.item.tags).toEqual(['auth', 'web'])
    expect(merged.item.priority).toBe('high')
    expect(merged.item.notes.map((note) => note.text)).toEqual([
      'b',
      'a',
      'merge: priority was medium on the other side',
    ])
    expect(fields(merged)).toEqual(['priority'])
    expect(mergeItems(undefined, ours, ours, report)).toEqual({ item: ours, conflicts: [] })
  })

  it('conflicts on two different bodies added', () => {
    const merged = mergeItems(undefined, item({ description: 'One.\n' }), item({ description: 'Two.\n' }), report)
    expect(fields(merged)).toEqual(['description'])
  })
})

/** One change each, as an agent or a person would make it; the generated cases combine them. */
const edits: Array<[string, (from: Item) => Item]> = [
  ['title', (from) => ({ ...from, title: 'Fix the login flow for good' })],
  ['title2', (from) => ({ ...from, title: 'Login' })],
  ['start', (from) => ({ ...from, status: 'in_progress', started: '2026-11-21T09:00:00Z' })],
  ['start2', (from) => ({ ...from, status: 'in_progress', started: '2026-11-25T09:00:00Z' })],
  ['done', (from) => ({ ...from, status: 'done', closed: '2026-11-22T10:00:00Z' })],
  ['cancel', (from) => ({ ...from, status: 'cancelled', closed: '2026-11-23T10:00:00Z' })],
  ['block', (from) => ({ ...from, status: 'blocked', blocked_reason: [...from.blocked_reason, 'waiting on API'] })],
  ['high', (from) => ({ ...from, priority: 'high' })],
  ['low', (from) => ({ ...from, priority: 'low' })],
  ['unprioritize', (from) => ({ ...from, priority: undefined })],
  ['due', (from) => ({ ...from, due: '2026-12-24' })],
  ['due2', (from) => ({ ...from, due: '2026-12-31' })],
  ['alice', (from) => ({ ...from, assignee: 'alice' })],
  ['bob', (from) => ({ ...from, assignee: 'bob' })],
  ['tag', (from) => ({ ...from, tags: [...from.tags, 'ui'] })],
  ['TAG', (from) => ({ ...from, tags: [...from.tags, 'UI', 'api'] })],
  ['untag', (from) => ({ ...from, tags: from.tags.filter((tag) => tag !== 'web') })],
  ['depend', (from) => ({ ...from, depends_on: [...from.depends_on, 'bl-aaaaaa'] })],
  ['DEPEND', (from) => ({ ...from, depends_on: [...from.depends_on, 'BL-AAAAAA', 'bl-bbbbbb'] })],
  ['ref', (from) => ({ ...from, references: [...from.references, { url: 'https://x.dev', title: 'X' }] })],
  ['ref2', (from) => ({ ...from, references: [...from.references, { url: 'https://x.dev', title: 'Y' }] })],
  ['note', (from) => ({ ...from, notes: [...from.notes, { at: '2026-11-24T09:00:00Z', by: 'claude', text: 'a' }] })],
  ['note2', (from) => ({ ...from, notes: [...from.notes, { at: '2026-11-24T09:00:00Z', by: 'codex', text: 'b' }] })],
  ['estimate', (from) => ({ ...from, attributes: { ...from.attributes, estimate: 5 } })],
  ['estimate2', (from) => ({ ...from, attributes: { ...from.attributes, estimate: { points: 8 } } })],
  ['top', (from) => ({ ...from, description: from.description.replace('logged out', 'signed out') })],
  ['top2', (from) => ({ ...from, description: from.description.replace('logged out', 'kicked out') })],
  ['bottom', (from) => ({ ...from, description: from.description.replace('login page', 'sign-in page') })],
  ['append', (from) => ({ ...from, description: `${from.description}\nMore detail.\n` })],
]

const generatedBase = item({ notes: [{ at: '2026-11-20T11:00:00Z', text: 'seen' }], attributes: { estimate: 3 } })
/** Every single edit, then every edit followed by the next one: 58 versions, 3,364 ordered pairs. */
const versions: Array<[string, Item]> = [
  ...edits.map(([name, edit]): [string, Item] => [name, edit(generatedBase)]),
  ...edits.map(([name, edit], index): [string, Item] => {
    const [nextName, next] = edits[(index + 1) % edits.length] ?? edits[0]!
    return [`${name}+${nextName}`, next(edit(generatedBase))]
  }),
]

const withoutBody = (value: Item) => ({ ...value, description: '' })

describe('mergeItems: generated cases', () => {
  it('is idempotent: merging a version with itself, or onto an unchanged side, gives it back', () => {
    for (const [name, version] of versions) {
      for (const mode of [resolve, report]) {
        expect(mergeItems(version, version, version, mode), name).toEqual({ item: version, conflicts: [] })
        expect(mergeItems(generatedBase, version, version, mode), name).toEqual({ item: version, conflicts: [] })
        expect(mergeItems(generatedBase, version, generatedBase, mode), name).toEqual({ item: version, conflicts: [] })
        expect(mergeItems(generatedBase, generatedBase, version, mode), name).toEqual({ item: version, conflicts: [] })
      }
    }
  })

  it('is symmetric: swapping ours and theirs gives the same item and the same conflicting fields', () => {
    let conflicted = 0
    for (const [oursName, ours] of versions) {
      for (const [theirsName, theirs] of versions) {
        const forward = mergeItems(generatedBase, ours, theirs, resolve)
        const backward = mergeItems(generatedBase, theirs, ours, resolve)
        const label = `${oursName} vs ${theirsName}`
        expect(fields(backward), label).toEqual(fields(forward))
        if (fields(forward).includes('description')) {
          expect(withoutBody(backward.item), label).toEqual(withoutBody(forward.item))
          expect(backward.item.description).toContain('<<<<<<< ours')
        } else {
          expect(backward.item, label).toEqual(forward.item)
        }
        if (forward.conflicts.length) conflicted++
        // Every losing value is kept: one note per settled field besides the body.
        const notes = forward.item.notes.filter((note) => note.by === MERGE_NOTE_AUTHOR)
        expect(notes.length, label).toBe(
          forward.conflicts.filter((conflict) => conflict.field !== 'description').length,
        )
      }
    }
    // The generated pairs really exercise the rules, not just the clean paths.
    expect(conflicted).toBeGreaterThanOrEqual(200)
  })

  it('keeps every change of a side the other did not touch', () => {
    for (const [oursName, ours] of versions) {
      for (const [theirsName, theirs] of versions) {
        const merged = mergeItems(generatedBase, ours, theirs, report)
        const conflicting = new Set(fields(merged))
        for (const field of ['title', 'priority', 'assignee', 'due'] as const) {
          if (conflicting.has(field) || theirs[field] !== generatedBase[field]) continue
          expect(merged.item[field], `${oursName} vs ${theirsName}: ${field}`).toBe(ours[field])
        }
      }
    }
  })
})

const handWritten = `---
# Hand-written: keep this comment
id: bl-k3m9x2
title: Fix the login flow
status: open # not started yet
priority: medium
tags: [auth, web]

created: 2026-11-20T10:00:00Z
# effort in points
estimate: 3
---

Users are logged out after a refresh.

Steps:
1. log in
2. refresh
`

/** The file after an edit, written the way the app writes it: only the changed keys rewritten. */
function edited(text: string, change: (from: Item) => Item): string {
  return serializeItem(change(parseItemFile(text)), text)
}

describe('mergeItemTexts', () => {
  it('returns the other side byte for byte when one side did not change the file', () => {
    const theirs = edited(handWritten, (from) => ({ ...from, title: 'Fix login' }))
    expect(mergeItemTexts(handWritten, handWritten, theirs, resolve)).toEqual({ text: theirs, conflicts: [] })
    expect(mergeItemTexts(handWritten, theirs, handWritten, resolve)).toEqual({ text: theirs, conflicts: [] })
    expect(mergeItemTexts(handWritten, theirs, theirs, resolve)).toEqual({ text: theirs, conflicts: [] })
    expect(mergeItemTexts(undefined, handWritten, handWritten, resolve).text).toBe(handWritten)
  })

  it('leaves a hand-written file alone when both sides agree, even one the codec would lay out differently', () => {
    const tight = '---\nid: bl-k3m9x2\ntitle: Fix login\n---\nNo blank line above.\n'
    const retitled = tight.replace('Fix login', 'Fix the login')
    expect(mergeItemTexts(tight, tight, tight, resolve).text).toBe(tight)
    expect(mergeItemTexts(tight, retitled, tight, resolve).text).toBe(retitled)
    expect(mergeItemTexts(undefined, retitled, retitled, resolve).text).toBe(retitled)
    const long = '---\nid: bl-k3m9x2\ntitle: Fix login\ntype: task\nstatus: open\n---\nNo blank line above.\n'
    const both = mergeItemTexts(long, long.replace('Fix login', 'Fix it'), long.replace('open', 'done'), resolve).text
    expect(both).toBe('---\nid: bl-k3m9x2\ntitle: Fix it\ntype: task\nstatus: done\n---\nNo blank line above.\n')
  })

  it('recovers when the line merge of the frontmatters would repeat a key both sides added', () => {
    const ours = handWritten.replace('title: Fix the login flow\n', 'title: Fix the login flow\nteam: web\n')
    const theirs = handWritten.replace('estimate: 3\n', 'estimate: 3\nteam: web\n')
    const { text, conflicts } = mergeItemTexts(handWritten, ours, theirs, resolve)
    expect(conflicts).toEqual([])
    expect(text.match(/^team: web$/gm)).toHaveLength(1)
    expect(parseItemFile(text).attributes).toEqual({ estimate: 3, team: 'web' })
    expect(text).toContain('# Hand-written: keep this comment\n')
  })

  it('keeps hand-written comments and layout when the sides changed lines apart', () => {
    // A hand-written file that a first write moved to the layout (ADR 0018): its comments and styles still there.
    const laidOut = layoutItemFile(handWritten)
    const started = edited(laidOut, (from) => ({ ...from, status: 'in_progress', started: '2026-11-21T09:00:00Z' }))
    const ours = started.replace('id: bl-k3m9x2\n', 'id: bl-k3m9x2\n# Started by hand\n')
    const theirs = edited(laidOut, (from) => ({ ...from, attributes: { estimate: 5 } }))
    const { text, conflicts } = mergeItemTexts(laidOut, ours, theirs, resolve)
    expect(conflicts).toEqual([])
    expect(text).toContain('# Hand-written: keep this comment\nid: bl-k3m9x2\n# Started by hand\n')
    expect(text).toContain('tags: [auth, web]\n\n')
    expect(text).toContain('# effort in points\nestimate: 5\n')
    expect(parseItemFile(text)).toMatchObject({ status: 'in_progress', started: '2026-11-21T09:00:00Z' })
    expect(mergeItemTexts(laidOut, theirs, ours, resolve).text).toBe(text)
  })

  it('falls back to the base layout when the sides changed neighbouring lines, and stays symmetric', () => {
    const ours = edited(handWritten, (from) => ({ ...from, status: 'in_progress', started: '2026-11-21T09:00:00Z' }))
    const theirs = edited(handWritten, (from) => ({ ...from, priority: 'high' }))
    const { text, conflicts } = mergeItemTexts(handWritten, ours, theirs, resolve)
    expect(conflicts).toEqual([])
    expect(text).toContain('# Hand-written: keep this comment\n')
    expect(text).toContain('# effort in points\n')
    expect(parseItemFile(text)).toMatchObject({ status: 'in_progress', priority: 'high', attributes: { estimate: 3 } })
    expect(mergeItemTexts(handWritten, theirs, ours, resolve).text).toBe(text)
  })

  it('writes a settled conflict and its note as valid YAML', () => {
    const ours = edited(handWritten, (from) => ({ ...from, status: 'blocked' }))
    const theirs = edited(handWritten, (from) => ({ ...from, status: 'done', closed: '2026-11-22T10:00:00Z' }))
    const { text, conflicts } = mergeItemTexts(handWritten, ours, theirs, resolve)
    expect(conflicts.map((conflict) => conflict.field)).toEqual(['status'])
    expect(parseItemFile(text)).toMatchObject({
      status: 'done',
      closed: '2026-11-22T10:00:00Z',
      notes: [mergeNote('merge: status was blocked on the other side')],
    })
  })

  it('leaves conflict markers in the body only, under a frontmatter that still parses', () => {
    const ours = edited(handWritten, (from) => ({
      ...from,
      description: from.description.replace('2. refresh', '2. reload'),
    }))
    const theirs = edited(handWritten, (from) => ({
      ...from,
      title: 'Fix login',
      description: from.description.replace('2. refresh', '2. press F5'),
    }))
    const { text, conflicts } = mergeItemTexts(handWritten, ours, theirs, resolve)
    expect(conflicts.map((conflict) => conflict.field)).toEqual(['description'])
    expect(text).toContain('1. log in\n<<<<<<< ours\n2. reload\n=======\n2. press F5\n>>>>>>> theirs\n')
    // The file is left for a person. To the codec the body is prose; the block is what the store reports as a
    // conflict while git has the file unmerged.
    expect(hasConflictBlock(text)).toBe(true)
    expect(parseItemFile(text).description).toContain('<<<<<<< ours\n2. reload\n=======\n')
    const frontmatter = text.slice(0, text.indexOf('\n---\n') + 5)
    expect(parseItemFile(frontmatter)).toMatchObject({ title: 'Fix login', attributes: { estimate: 3 } })
  })

  it('writes canonically when there is no layout to keep (add/add)', () => {
    const ours = serializeItem(item({ tags: ['auth'] }))
    const theirs = serializeItem(item({ tags: ['web'] }))
    const { text } = mergeItemTexts(undefined, ours, theirs, resolve)
    expect(text).toBe(serializeItem(item({ tags: ['auth', 'web'] })))
  })

  it('names the side and the path of a version that does not parse', () => {
    const broken = '---\nid: bl-k3m9x2\ntitle: [unclosed\n---\n'
    const merge = () =>
      mergeItemTexts(handWritten, broken, handWritten, { ...resolve, path: '.backlog/tasks/2/bl-k3m9x2.md' })
    expect(merge).toThrow(BacklogError)
    expect(merge).toThrow(/^\.backlog\/tasks\/2\/bl-k3m9x2\.md \(ours side of the merge\): line \d+: invalid YAML/)
  })

  it('gives the merged item as parseable, symmetric text for every generated pair', () => {
    const texts = edits.map(([name, edit]): [string, string] => [name, serializeItem(edit(generatedBase))])
    const baseText = serializeItem(generatedBase)
    for (const [oursName, ours] of texts) {
      for (const [theirsName, theirs] of texts) {
        const label = `${oursName} vs ${theirsName}`
        const merged = mergeItemTexts(baseText, ours, theirs, resolve)
        const expected = mergeItems(generatedBase, parseItemFile(ours), parseItemFile(theirs), resolve)
        expect(merged.conflicts, label).toEqual(expected.conflicts)
        if (expected.conflicts.some((conflict) => conflict.field === 'description')) continue
        expect(parseItemFile(merged.text), label).toEqual(expected.item)
        expect(mergeItemTexts(baseText, theirs, ours, resolve).text, label).toBe(merged.text)
      }
    }
  })

  it('keeps the item a file is named for when git hands it two different items, and names the one left out', () => {
    // git took bl-k3m9x2 (changed on one side, deleted on the other) for a move to bl-7w2p4q, added by the deleting side
    const base = serializeItem(item())
    const changed = serializeItem(
      item({ priority: 'urgent', notes: [{ at: now, by: 'ana', text: 'Found the cause' }] }),
    )
    const added = serializeItem({ ...blankItem('bl-7w2p4q', 'Audit the tokens'), created: now })
    const path = '.backlog/tasks/q/bl-7w2p4q.md'
    expect(mergeItemTexts(base, changed, added, { ...resolve, path })).toEqual({
      text: added,
      conflicts: [],
      leftOut: { id: 'bl-k3m9x2', side: 'ours' },
    })
    expect(mergeItemTexts(base, added, changed, { ...resolve, path })).toEqual({
      text: added,
      conflicts: [],
      leftOut: { id: 'bl-k3m9x2', side: 'theirs' },
    })
    // without a path: the item that is not the common ancestor's
    expect(mergeItemTexts(base, changed, added, resolve).leftOut).toEqual({ id: 'bl-k3m9x2', side: 'ours' })
  })

  it('merges one item both sides hold as two adds when git paired it with another ancestor', () => {
    const other = serializeItem({ ...blankItem('bl-7w2p4q', 'Audit the tokens'), created: now, priority: 'high' })
    const merged = mergeItemTexts(
      other,
      serializeItem(item({ priority: 'high' })),
      serializeItem(item({ priority: 'low' })),
      resolve,
    )
    expect(merged.leftOut).toBeUndefined()
    // the unrelated ancestor's `high` does not make `low` the one change: both values count, settled by rule
    expect(merged.conflicts.map((conflict) => conflict.field)).toEqual(['priority'])
    expect(parseItemFile(merged.text)).toMatchObject({ id: 'bl-k3m9x2', title: 'Fix the login flow', priority: 'high' })
  })
})
