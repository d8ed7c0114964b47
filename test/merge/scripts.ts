/** Random edit scripts for the merge property test: what two agents might do to one backlog on two branches. */

import fc from 'fast-check'
import type { App } from '../../src/app/index.js'
import { createInput, deleteInput, getInput, updateInput } from '../../src/core/inputs.js'

/** One change made through the app. `item` indexes the items of the common backlog (see BASE_ITEMS). */
export type Op =
  | { op: 'title'; item: number; value: string }
  | { op: 'status'; item: number; value: string }
  | { op: 'priority'; item: number; value: string }
  | { op: 'assignee'; item: number; value: string }
  | { op: 'due'; item: number; value: string }
  | { op: 'add_tags'; item: number; tags: string[] }
  | { op: 'remove_tags'; item: number; tags: string[] }
  | { op: 'note'; item: number; text: string }
  | { op: 'paragraph'; item: number; paragraph: number; text: string }
  | { op: 'create'; title: string; tags: string[] }
  | { op: 'delete'; item: number }

/** The operations that change one of the common items. */
type ItemOp = Exclude<Op, { op: 'create' }>

/** The paragraphs every common item starts with; edits replace one of them, so line counts never change. */
export const PARAGRAPHS = 3

/** The common backlog both branches start from: varied enough that every field has something to change. */
export const BASE_ITEMS = [
  {
    title: 'Rotate the signing keys',
    priority: 'medium',
    tags: ['security'],
    assignee: 'claude',
    due: '2026-12-10',
    status: 'in_progress',
  },
  { title: 'Write the runbook', tags: ['docs', 'ops'] },
  { title: 'Ship the release', priority: 'high', status: 'done' },
].map((fields, n) => ({
  ...fields,
  description: `${Array.from({ length: PARAGRAPHS }, (_, p) => `Item ${n} paragraph ${p} as first written.`).join('\n\n')}\n`,
}))

const item = fc.nat(BASE_ITEMS.length - 1)
const paragraph = fc.nat(PARAGRAPHS - 1)
// Small shared pools: the two sides often pick the same value (an agreeing change, which must merge quietly).
const values = {
  title: fc.constantFrom('Rotate the keys quarterly', 'Write the on-call runbook', 'Ship it'),
  status: fc.constantFrom('open', 'in_progress', 'blocked', 'done', 'cancelled'),
  priority: fc.constantFrom('urgent', 'high', 'low', ''),
  assignee: fc.constantFrom('claude', 'codex', 'ana', ''),
  due: fc.constantFrom('2026-12-01', '2027-01-15', ''),
  tags: fc.subarray(['security', 'ops', 'OPS', 'keys', 'docs', 'urgent-fix'], { minLength: 1, maxLength: 2 }),
  note: fc.constantFrom('Checked the logs', 'Needs a review', 'Waiting on CI'),
  paragraph: fc.constantFrom('Rewritten: short.', 'Rewritten: long.', 'Rewritten: with an example.'),
}
const SCALAR_OPS = ['title', 'status', 'priority', 'assignee', 'due'] as const

/** An operation on one of the common items (`target` picks which). */
function itemOp(target: fc.Arbitrary<number>): fc.Arbitrary<ItemOp> {
  return fc.oneof(
    ...SCALAR_OPS.map((op) => fc.record({ op: fc.constant(op), item: target, value: values[op] })),
    fc.record({ op: fc.constantFrom('add_tags' as const, 'remove_tags' as const), item: target, tags: values.tags }),
    fc.record({ op: fc.constant('note' as const), item: target, text: values.note }),
    {
      arbitrary: fc.record({ op: fc.constant('paragraph' as const), item: target, paragraph, text: values.paragraph }),
      weight: 2,
    },
  )
}

/** One operation of a side's own script; deletes are rare, so most runs merge items both sides still have. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: itemOp(item), weight: 8 },
  {
    arbitrary: fc.record({
      op: fc.constant('create' as const),
      title: fc.constantFrom('Audit the tokens', 'Clean the caches'),
      tags: fc.subarray(['ops', 'new']),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), item }), weight: 1 },
)

/**
 * Two operations, one per side, on the same thing: the same field, paragraph or tag list of one item, or an edit
 * against a delete. Independent scripts rarely meet (a few percent of runs); these make the cases the merge must
 * settle common. `at` places them in the scripts.
 */
const contestArbitrary: fc.Arbitrary<{ ops: [Op, Op]; at: number }> = fc.record({
  at: fc.nat(),
  ops: fc.oneof(
    ...SCALAR_OPS.map((op) =>
      fc.record({ item, a: values[op], b: values[op] }).map(({ item, a, b }): [Op, Op] => [
        { op, item, value: a },
        { op, item, value: b },
      ]),
    ),
    {
      arbitrary: fc
        .record({ item, paragraph, a: values.paragraph, b: values.paragraph })
        .map(({ item, paragraph, a, b }): [Op, Op] => [
          { op: 'paragraph', item, paragraph, text: a },
          { op: 'paragraph', item, paragraph, text: b },
        ]),
      weight: 3,
    },
    fc
      .record({ item, a: values.tags, b: values.tags, remove: fc.boolean() })
      .map(({ item, a, b, remove }): [Op, Op] => [
        { op: 'add_tags', item, tags: a },
        { op: remove ? 'remove_tags' : 'add_tags', item, tags: b },
      ]),
    fc.record({ item, a: values.note, b: values.note }).map(({ item, a, b }): [Op, Op] => [
      { op: 'note', item, text: a },
      { op: 'note', item, text: b },
    ]),
    fc
      .record({ item, edit: itemOp(fc.constant(0)), deleter: fc.boolean() })
      .map(({ item, edit, deleter }): [Op, Op] => {
        const [removal, change]: [Op, Op] = [
          { op: 'delete', item },
          { ...edit, item },
        ]
        return deleter ? [removal, change] : [change, removal]
      }),
  ),
})

function insert(script: Op[], op: Op, at: number): Op[] {
  const position = at % (script.length + 1)
  return [...script.slice(0, position), op, ...script.slice(position)]
}

/**
 * The scripts of the two sides: up to 2 operations of each side's own, and 1 to 3 contested pairs placed in both
 * (1 to 5 operations a side). Shrinks to one contested pair and nothing else. Unbiased: fast-check's default bias
 * favours the first of each choice and the shortest lists, which here means two sides that agree.
 */
export const scriptsArbitrary: fc.Arbitrary<{ a: Op[]; b: Op[] }> = fc
  .noBias(
    fc.record({
      a: fc.array(opArbitrary, { maxLength: 2 }),
      b: fc.array(opArbitrary, { maxLength: 2 }),
      contests: fc.array(contestArbitrary, { minLength: 1, maxLength: 3 }),
    }),
  )
  .map(({ a, b, contests }) => ({
    a: contests.reduce((script, { ops, at }) => insert(script, ops[0], at), a),
    b: contests.reduce((script, { ops, at }) => insert(script, ops[1], at), b),
  }))

/**
 * Runs a script through the app, each operation one call (so one commit, as the app makes them). Operations on an
 * item this side already deleted are skipped: the app would refuse them, and a script that stops halfway tells less.
 *
 * @example
 * await runScript(app, ids, [{ op: 'priority', item: 0, value: 'high' }, { op: 'delete', item: 2 }])
 */
export async function runScript(app: App, ids: readonly string[], ops: readonly Op[]): Promise<void> {
  const deleted = new Set<number>()
  for (const op of ops) {
    if (op.op === 'create') {
      await app.create(createInput.parse({ title: op.title, ...(op.tags.length ? { tags: op.tags } : {}) }))
      continue
    }
    if (deleted.has(op.item)) continue
    const id = ids[op.item] as string
    switch (op.op) {
      case 'title':
      case 'status':
      case 'priority':
      case 'assignee':
      case 'due':
        await app.update(updateInput.parse({ id, [op.op]: op.value }))
        break
      case 'add_tags':
      case 'remove_tags':
        await app.update(updateInput.parse({ id, [op.op]: op.tags }))
        break
      case 'note':
        await app.update(updateInput.parse({ id, note: op.text }))
        break
      case 'paragraph': {
        const current = (await app.get(getInput.parse({ id }))).items[0]?.description ?? ''
        const paragraphs = current.replace(/\n+$/, '').split('\n\n')
        paragraphs[op.paragraph] = `${op.text} (paragraph ${op.paragraph})`
        await app.update(updateInput.parse({ id, description: `${paragraphs.join('\n\n')}\n` }))
        break
      }
      case 'delete':
        await app.remove(deleteInput.parse({ id }))
        deleted.add(op.item)
        break
    }
  }
}
