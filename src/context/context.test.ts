import { describe, expect, it } from 'vitest'
import { BacklogError } from '../core/errors.js'
import { blankItem, type Item } from '../core/item.js'
import type { BacklogCommit } from '../store/backlog-log.js'
import {
  buildContext,
  type ContextBundle,
  type ContextRecord,
  type ContextSource,
  estimateTokens,
  type TrimmedSection,
} from './context.js'

function record(id: string, title: string, fields: Partial<Item> = {}, archived = false): ContextRecord {
  return { item: { ...blankItem(id, title), ...fields }, path: `.backlog/tasks/${id.slice(-1)}/${id}.md`, archived }
}

const DESCRIPTION = `## Goal\n\n${'The login form takes an email and a password and shows errors inline. '.repeat(110)}`

/**
 * The fixture graph: a folder chain (root → auth) whose root names a parent that does not exist, an epic, the focal
 * task under both, 13 children (one with grandchildren and a great-grandchild), siblings, dependencies both ways
 * (one missing), and items that mention the focal id.
 */
function fixture(): ContextRecord[] {
  const kids = Array.from({ length: 12 }, (_, index) => {
    const n = String(index + 1).padStart(2, '0')
    return record(`bl-kid${n}`, `Child ${n}`, {
      parent: 'bl-focal0',
      status: index % 4 === 3 ? 'done' : 'open',
      ...(index % 3 === 0 ? { priority: 'high' } : index % 3 === 1 ? { priority: 'low' } : {}),
    })
  })
  return [
    record('bl-root00', 'Product', { type: 'folder', parent: 'bl-lost01' }),
    record('bl-auth00', 'Auth', { type: 'folder', parent: 'bl-root00' }),
    record('bl-epic00', 'Login epic', { type: 'epic', priority: 'high' }),
    record('bl-focal0', 'Implement the login form', {
      parent: 'bl-auth00',
      epic: 'bl-epic00',
      priority: 'high',
      assignee: 'claude',
      tags: ['ui'],
      depends_on: ['bl-dep001', 'bl-gone01'],
      references: [{ url: 'https://example.com/spec', title: 'Spec' }],
      notes: [{ at: '2027-01-01T00:00:00Z', by: 'ann', text: 'Start with the happy path.' }],
      description: DESCRIPTION,
    }),
    ...kids,
    record('bl-epk01', 'Member of the focal task by epic', { epic: 'bl-focal0', due: '2027-03-01' }),
    record('bl-gk01', 'Grandchild one', { parent: 'bl-kid01' }),
    record('bl-gk02', 'Grandchild two', { epic: 'bl-kid01', status: 'in_progress' }),
    record('bl-ggk01', 'Great-grandchild', { parent: 'bl-gk01' }),
    record('bl-sib01', 'Sibling one', { parent: 'bl-auth00', priority: 'medium' }),
    record('bl-sib02', 'Sibling two', { parent: 'bl-auth00', status: 'done', priority: 'urgent' }),
    record('bl-sib03', 'Sibling three', { parent: 'bl-auth00' }),
    record('bl-etask1', 'Another epic task', { epic: 'bl-epic00' }),
    record('bl-dep001', 'Session API', { status: 'done' }),
    record('bl-after1', 'Remember me', { depends_on: ['BL-FOCAL0'] }),
    record('bl-ment01', 'Error copy', { description: 'Wording for BL-FOCAL0: short.' }),
    record('bl-ment02', 'Metrics', { notes: [{ at: '2027-01-02T00:00:00Z', text: 'waits on bl-focal0.' }] }),
    record('bl-ment03', 'Design', { references: [{ url: 'https://tracker/bl-focal0', title: 'form' }] }, true),
    record('bl-nomen1', 'Not a mention', { description: 'bl-focal0x and xbl-focal0 are other words' }),
    record('bl-rel01', 'Password reset form'),
    record('bl-rel02', 'Login page styles'),
    record('bl-rel03', 'Form validation helpers'),
  ]
}

const COMMITS: BacklogCommit[] = Array.from({ length: 8 }, (_, index) => ({
  commit: `${String(8 - index).repeat(40)}`,
  date: `2027-01-0${8 - index}T00:00:00Z`,
  author: 'Ann',
  ...(index % 2 ? { agent: 'claude' } : {}),
  op: index === 7 ? 'create' : 'update',
  ids: ['bl-focal0'],
  subject: `update bl-focal0: step ${8 - index}`,
  changed: ['status'],
}))

interface Calls {
  related: Array<{ id: string; limit: number }>
  activity: Array<{ ids: string[]; limit: number }>
}

function source(records = fixture()): ContextSource & { calls: Calls } {
  const calls: Calls = { related: [], activity: [] }
  const byKey = new Map(records.map((entry) => [entry.item.id.toLowerCase(), entry]))
  return {
    calls,
    get: (id) => byKey.get(id.toLowerCase()),
    all: () => records,
    related(item, limit) {
      calls.related.push({ id: item.id, limit })
      return ['bl-rel01', 'bl-sib01', 'bl-rel02', 'bl-rel03'].map((id) => byKey.get(id) as ContextRecord)
    },
    async activity(ids, limit) {
      calls.activity.push({ ids, limit })
      return structuredClone(COMMITS)
    },
  }
}

const ids = (rows: Array<{ id: string }>) => rows.map((row) => row.id)

/** Room for everything, with as many digits as the budgets the trimming tests use. */
const ROOMY = { max_tokens: 9_999 }

describe('buildContext', () => {
  it('gathers the focal item and everything linked to it', async () => {
    const from = source()
    const bundle = await buildContext('BL-FOCAL0', from, ROOMY)

    expect(bundle.focal).toMatchObject({
      id: 'bl-focal0',
      title: 'Implement the login form',
      description: DESCRIPTION,
      path: '.backlog/tasks/0/bl-focal0.md',
      archived: false,
      notes: [{ at: '2027-01-01T00:00:00Z', by: 'ann', text: 'Start with the happy path.' }],
    })
    expect('due' in bundle.focal).toBe(false)
    expect(ids(bundle.parent_chain)).toEqual(['bl-auth00', 'bl-root00', 'bl-epic00'])
    // Open before closed, then priority (high, low, none), then id.
    expect(ids(bundle.children)).toEqual([
      'bl-kid01',
      'bl-kid07',
      'bl-kid10',
      'bl-kid02',
      'bl-kid05',
      'bl-kid11',
      'bl-epk01',
      'bl-kid03',
      'bl-kid06',
      'bl-kid09',
      'bl-kid04',
      'bl-kid08',
      'bl-kid12',
    ])
    expect(bundle.children[6]).toEqual({
      id: 'bl-epk01',
      title: 'Member of the focal task by epic',
      type: 'task',
      status: 'open',
      due: '2027-03-01',
    })
    expect(ids(bundle.siblings)).toEqual(['bl-sib01', 'bl-sib03', 'bl-sib02'])
    expect(ids(bundle.depends_on)).toEqual(['bl-dep001'])
    expect(ids(bundle.dependents)).toEqual(['bl-after1'])
    expect(bundle.references).toEqual([{ url: 'https://example.com/spec', title: 'Spec' }])
    expect(ids(bundle.referenced_by)).toEqual(['bl-ment01', 'bl-ment02', 'bl-ment03'])
    expect(bundle.missing).toEqual(['bl-gone01', 'bl-lost01'])
    expect(bundle.metadata).toEqual({
      token_estimate: estimateTokens(bundle),
      max_tokens: 9_999,
      truncated: false,
      trimmed: [],
      focal_resolved_from: 'id',
    })
  })

  it('passes related items and activity through from the source, without what is already shown', async () => {
    const from = source()
    const bundle = await buildContext('bl-focal0', from, ROOMY)
    expect(ids(bundle.related)).toEqual(['bl-rel01', 'bl-rel02', 'bl-rel03'])
    expect(from.calls.related).toEqual([{ id: 'bl-focal0', limit: 10 }])
    expect(from.calls.activity).toHaveLength(1)
    expect(from.calls.activity[0]?.limit).toBe(10)
    expect(from.calls.activity[0]?.ids).toEqual(['bl-focal0', ...ids(bundle.children)])
    expect(bundle.activity).toEqual(COMMITS.map(({ changed: _, ...commit }) => commit))

    const bare = source()
    const without = await buildContext('bl-focal0', bare, { ...ROOMY, include_related: false, include_activity: false })
    expect(without.related).toEqual([])
    expect(without.activity).toEqual([])
    expect(bare.calls).toEqual({ related: [], activity: [] })
  })

  it('goes down as many levels of children as depth says, saying what each deeper row sits under', async () => {
    const two = await buildContext('bl-focal0', source(), { ...ROOMY, depth: 2 })
    expect(two.children.slice(13)).toEqual([
      { id: 'bl-gk01', title: 'Grandchild one', type: 'task', status: 'open', under: 'bl-kid01' },
      { id: 'bl-gk02', title: 'Grandchild two', type: 'task', status: 'in_progress', under: 'bl-kid01' },
    ])
    const three = await buildContext('bl-focal0', source(), { ...ROOMY, depth: 3 })
    expect(three.children.slice(15)).toEqual([
      { id: 'bl-ggk01', title: 'Great-grandchild', type: 'task', status: 'open', under: 'bl-gk01' },
    ])
    expect(three.children.slice(0, 15)).toEqual(two.children)
  })

  it('lists the tasks of an epic as its children, and tasks of one epic as siblings', async () => {
    const epic = await buildContext('bl-epic00', source(), ROOMY)
    expect(ids(epic.children)).toEqual(['bl-focal0', 'bl-etask1'])
    expect(epic.parent_chain).toEqual([])
    expect(epic.siblings).toEqual([])
    const task = await buildContext('bl-etask1', source(), ROOMY)
    expect(ids(task.parent_chain)).toEqual(['bl-epic00'])
    expect(ids(task.siblings)).toEqual(['bl-focal0'])
  })

  it('is deterministic: the same backlog in any order gives the same bundle', async () => {
    const first = await buildContext('bl-focal0', source(), { depth: 2 })
    const again = await buildContext('bl-focal0', source(), { depth: 2 })
    const shuffled = fixture().reverse()
    const reordered = await buildContext('bl-focal0', source(shuffled), { depth: 2 })
    expect(again).toEqual(first)
    expect(reordered).toEqual(first)
    expect(JSON.stringify(reordered)).toBe(JSON.stringify(first))
  })

  describe('trimming to the budget', () => {
    /** The bundle expected after the given cuts, and the budget it exactly fills. */
    function cutTo(full: ContextBundle, changes: Partial<ContextBundle>, trimmed: TrimmedSection[]) {
      const expected: ContextBundle = {
        ...structuredClone(full),
        ...structuredClone(changes),
        metadata: { ...full.metadata, truncated: true, trimmed, max_tokens: 1000, token_estimate: 1000 },
      }
      const budget = estimateTokens(expected)
      expected.metadata.max_tokens = budget
      expected.metadata.token_estimate = budget
      // The placeholders had as many digits as the budget, so the expected bundle measures what it says.
      expect(estimateTokens(expected)).toBe(budget)
      return { expected, budget }
    }

    it('drops sections in the fixed order, each only as far as needed, and reports each cut', async () => {
      const full = await buildContext('bl-focal0', source(), ROOMY)
      const build = (max_tokens: number) => buildContext('bl-focal0', source(), { max_tokens })
      const ledger = async (max_tokens: number) => (await build(max_tokens)).metadata.trimmed

      expect(await ledger(full.metadata.token_estimate)).toEqual([])
      expect(await ledger(full.metadata.token_estimate - 1)).toEqual([{ section: 'related', dropped: 1 }])

      const steps: Array<[Partial<ContextBundle>, TrimmedSection[], TrimmedSection]> = [
        [{ related: [] }, [{ section: 'related', dropped: 3 }], { section: 'activity', dropped: 1 }],
        [
          { related: [], activity: full.activity.slice(0, 5) },
          [
            { section: 'related', dropped: 3 },
            { section: 'activity', dropped: 3 },
          ],
          { section: 'siblings', dropped: 1 },
        ],
        [
          { related: [], activity: full.activity.slice(0, 5), siblings: [] },
          [
            { section: 'related', dropped: 3 },
            { section: 'activity', dropped: 3 },
            { section: 'siblings', dropped: 3 },
          ],
          { section: 'referenced_by', dropped: 1 },
        ],
        [
          { related: [], activity: full.activity.slice(0, 5), siblings: [], referenced_by: [] },
          [
            { section: 'related', dropped: 3 },
            { section: 'activity', dropped: 3 },
            { section: 'siblings', dropped: 3 },
            { section: 'referenced_by', dropped: 3 },
          ],
          { section: 'children', dropped: 1 },
        ],
      ]
      for (const [changes, trimmed, nextCut] of steps) {
        const { expected, budget } = cutTo(full, changes, trimmed)
        expect(await build(budget)).toEqual(expected)
        expect(await ledger(budget - 1)).toEqual([...trimmed, nextCut])
      }

      const lists = { related: [], activity: full.activity.slice(0, 5), siblings: [], referenced_by: [] }
      const listsCut: TrimmedSection[] = [
        { section: 'related', dropped: 3 },
        { section: 'activity', dropped: 3 },
        { section: 'siblings', dropped: 3 },
        { section: 'referenced_by', dropped: 3 },
        { section: 'children', dropped: 3 },
      ]
      const { expected, budget } = cutTo(full, { ...lists, children: full.children.slice(0, 10) }, listsCut)
      expect(await build(budget)).toEqual(expected)
      const [last] = (await ledger(budget - 1)).slice(-1)
      expect(last?.section).toBe('description')
    })

    it('cuts the focal description last, with a marker, keeping as much as fits', async () => {
      const full = await buildContext('bl-focal0', source(), ROOMY)
      const bundle = await buildContext('bl-focal0', source(), { max_tokens: 1500 })
      expect(bundle.metadata.token_estimate).toBeLessThanOrEqual(1500)
      expect(bundle.metadata.token_estimate).toBeGreaterThan(1490)
      const cut = bundle.metadata.trimmed.at(-1) as TrimmedSection
      expect(cut.section).toBe('description')
      const marker = `\n\n[description truncated: ${cut.dropped} of ${DESCRIPTION.length} characters dropped to fit max_tokens]`
      expect(bundle.focal.description).toBe(DESCRIPTION.slice(0, DESCRIPTION.length - cut.dropped) + marker)
      expect(bundle.metadata.truncated).toBe(true)
      // What is never dropped is still there.
      expect(bundle.parent_chain).toEqual(full.parent_chain)
      expect(bundle.depends_on).toEqual(full.depends_on)
      expect(bundle.dependents).toEqual(full.dependents)
      expect(bundle.children).toEqual(full.children.slice(0, 10))
      expect(bundle.activity).toEqual(full.activity.slice(0, 5))
    })

    it('keeps the focal id and title, the parent chain and the dependencies even when nothing else fits', async () => {
      const full = await buildContext('bl-focal0', source(), ROOMY)
      const bundle = await buildContext('bl-focal0', source(), { max_tokens: 10 })
      expect(bundle.focal.id).toBe('bl-focal0')
      expect(bundle.focal.title).toBe('Implement the login form')
      expect(bundle.focal.description).toBe(
        `[description truncated: ${DESCRIPTION.length} of ${DESCRIPTION.length} characters dropped to fit max_tokens]`,
      )
      expect(bundle.parent_chain).toEqual(full.parent_chain)
      expect(bundle.depends_on).toEqual(full.depends_on)
      expect(bundle.metadata).toEqual({
        token_estimate: estimateTokens(bundle),
        max_tokens: 10,
        truncated: true,
        trimmed: [
          { section: 'related', dropped: 3 },
          { section: 'activity', dropped: 3 },
          { section: 'siblings', dropped: 3 },
          { section: 'referenced_by', dropped: 3 },
          { section: 'children', dropped: 3 },
          { section: 'description', dropped: DESCRIPTION.length },
        ],
        focal_resolved_from: 'id',
      })
      expect(bundle.metadata.token_estimate).toBeGreaterThan(10)
    })
  })

  it('never changes the records it was given', async () => {
    const records = fixture()
    const before = structuredClone(records)
    await buildContext('bl-focal0', source(records), { max_tokens: 600 })
    expect(records).toEqual(before)
  })

  it('says how the focal item was found, and refuses unknown ids and depths out of range', async () => {
    expect((await buildContext('bl-kid01', source(), {}, 'query')).metadata.focal_resolved_from).toBe('query')
    await expect(buildContext('bl-nope00', source())).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(buildContext('bl-focal0', source(), { depth: 4 })).rejects.toBeInstanceOf(BacklogError)
    await expect(buildContext('bl-focal0', source(), { max_tokens: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    })
  })
})
