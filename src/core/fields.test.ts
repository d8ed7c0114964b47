import { describe, expect, it } from 'vitest'
import type * as z from 'zod'
import {
  COMMA_LIST_FIELDS,
  FIELD_ORDER,
  FIELDS,
  FILTER_ALIASES,
  FILTER_FIELDS,
  type FieldSpec,
  fieldSets,
  itemOutputShape,
  itemRow,
  itemSchema,
  rowSchema,
  SCALAR_FIELDS,
  SETTABLE_FIELDS,
  STRING_LIST_FIELDS,
  USER_DATE_FIELDS,
} from './fields.js'
import { createInputShape, updateInputShape } from './inputs.js'
import { blankItem } from './item.js'

describe('the field registry', () => {
  it('gives the canonical frontmatter order and the codec sets', () => {
    expect(FIELD_ORDER).toEqual([
      'id',
      'title',
      'type',
      'status',
      'priority',
      'assignee',
      'parent',
      'epic',
      'tags',
      'depends_on',
      'due',
      'scheduled',
      'wait',
      'recur',
      'until',
      'references',
      'evidence',
      'blocked_reason',
      'created',
      'started',
      'closed',
      'notes',
    ])
    expect(SCALAR_FIELDS).toEqual([
      'priority',
      'assignee',
      'parent',
      'epic',
      'due',
      'scheduled',
      'wait',
      'recur',
      'until',
      'created',
      'started',
      'closed',
    ])
    expect(STRING_LIST_FIELDS).toEqual(['tags', 'depends_on', 'evidence', 'blocked_reason'])
    expect(USER_DATE_FIELDS).toEqual(['due', 'scheduled', 'wait', 'until'])
    expect([...COMMA_LIST_FIELDS]).toEqual(['tags', 'depends_on'])
  })

  it('gives the filter its field sets', () => {
    expect(new Set(FILTER_FIELDS.text)).toEqual(
      new Set(['id', 'title', 'description', 'type', 'status', 'priority', 'assignee', 'parent', 'epic', 'recur']),
    )
    expect(FILTER_FIELDS.storedDates).toEqual(['due', 'scheduled', 'wait', 'until', 'created', 'started', 'closed'])
    expect(FILTER_FIELDS.date).toContain('updated')
    expect(FILTER_FIELDS.list).toEqual(['tags', 'depends_on', 'references', 'evidence', 'blocked_reason', 'notes'])
    expect(FILTER_FIELDS.number).toEqual(['urgency'])
    expect(FILTER_ALIASES).toEqual({ tag: 'tags', depends: 'depends_on' })
  })

  it('has blankItem make every stored field, in table order (blankItem is written out by hand for speed)', () => {
    const stored = FIELDS.filter((field) => field.place !== 'derived').map((field) => field.name)
    expect(Object.keys(blankItem('bl-x', 'T'))).toEqual(stored)
    expect(itemSchema.safeParse(blankItem('bl-x', 'T')).success).toBe(true)
  })

  it('derives the schemas: a blank item parses, a row needs only its identity', () => {
    expect(Object.keys(rowSchema.shape)).toEqual([
      'id',
      'title',
      'type',
      'status',
      'priority',
      'assignee',
      'parent',
      'epic',
      'tags',
      'depends_on',
      'due',
      'blocked',
      'urgency',
      'archived',
      'updated',
    ])
    expect(rowSchema.safeParse({ id: 'bl-x', title: 'T', type: 'task', status: 'open' }).success).toBe(true)
    expect(Object.keys(itemOutputShape)).toEqual([
      'id',
      'title',
      'type',
      'status',
      'tags',
      'depends_on',
      'references',
      'evidence',
      'blocked_reason',
      'notes',
      'attributes',
      'description',
    ])
  })

  it('makes every field with a flag an input of create and update, described where it says what it means', () => {
    for (const field of SETTABLE_FIELDS) {
      expect(Object.keys(updateInputShape)).toContain(field.name)
      const schema = createInputShape[field.name as keyof typeof createInputShape] as z.ZodType
      if (field.about) expect(schema.description).toBe(field.about)
    }
  })

  it('shows what one new line in the table gives: file order, codec set, filter, inputs and flag, list row', () => {
    // A field as it would be added: one line, placed after `epic`.
    const line: FieldSpec = {
      name: 'reviewer',
      kind: 'name',
      place: 'frontmatter',
      filter: 'text',
      row: 'set',
      flag: ['--reviewer <who>', 'who reviews it'],
    }
    const before = fieldSets(FIELDS)
    const after = fieldSets([...FIELDS.slice(0, 8), line, ...FIELDS.slice(8)])
    expect(after.order).toEqual([...before.order.slice(0, 8), 'reviewer', ...before.order.slice(8)])
    expect(after.scalars).toEqual(['priority', 'assignee', 'parent', 'epic', 'reviewer', ...before.scalars.slice(4)])
    expect(after.filter.text).toEqual([...before.filter.text.slice(0, 8), 'reviewer', ...before.filter.text.slice(8)])
    expect(after.settable).toContain('reviewer')
    expect(after.row).toEqual([...before.row.slice(0, 8), 'reviewer', ...before.row.slice(8)])
    expect(after.stringLists).toEqual(before.stringLists)
  })
})

describe('itemRow', () => {
  it('gives the identity always, the rest when set, in row order (as app/shared.ts toRow does)', () => {
    const item = { ...blankItem('bl-x', ''), priority: 'high', due: '2026-12-01', tags: ['a'], assignee: '' }
    const row = itemRow(item)
    expect(row).toEqual({
      id: 'bl-x',
      title: '',
      type: 'task',
      status: 'open',
      priority: 'high',
      tags: ['a'],
      due: '2026-12-01',
    })
    expect(Object.keys(row)).toEqual(['id', 'title', 'type', 'status', 'priority', 'tags', 'due'])
    expect(itemRow(blankItem('bl-y', 'T'))).toEqual({ id: 'bl-y', title: 'T', type: 'task', status: 'open' })
  })
})
