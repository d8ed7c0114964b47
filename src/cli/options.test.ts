import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { createInput } from '../core/inputs.js'
import { type FieldOptions, fieldsFrom, parse, withFieldOptions, withFilterWords } from './options.js'

const list = new Command('list')
  .option('-s, --status <status>')
  .option('-n, --limit <n>')
  .option('--all')
  .option('--json')
  .argument('[filter...]')

describe('withFilterWords', () => {
  it('moves filter words behind -- in order and keeps options with their values', () => {
    expect(withFilterWords(['-BLOCKED', '+bug', '-s', 'open', '--json'], list)).toEqual([
      '-s',
      'open',
      '--json',
      '--',
      '-BLOCKED',
      '+bug',
    ])
    expect(withFilterWords(['(', '+A', 'or', '-bug', ')', '--all'], list)).toEqual([
      '--all',
      '--',
      '(',
      '+A',
      'or',
      '-bug',
      ')',
    ])
  })

  it('never takes an option value for a filter word, and leaves unknown long options for commander to refuse', () => {
    expect(withFilterWords(['--status', '-weird', '-n', '5'], list)).toEqual(['--status', '-weird', '-n', '5'])
    expect(withFilterWords(['--bogus', 'x'], list)).toEqual(['--bogus', '--', 'x'])
    expect(withFilterWords(['--', '--not-an-option'], list)).toEqual(['--', '--not-an-option'])
    expect(withFilterWords(['--json'], list)).toEqual(['--json'])
    // An option glued to its value would be read as a tag filter and match everything: refused with the fix.
    expect(() => withFilterWords(['-n5'], list)).toThrow(/write -n 5 with a space/)
  })
})

describe('the field flags', () => {
  it('give every field create takes, under its schema name, from the flags of core/fields.ts', async () => {
    const add = withFieldOptions(new Command('add').exitOverride())
    add.parse(
      [
        ...['-d', '-', '-t', 'epic', '-s', 'open', '-p', 'H', '-a', 'ann', '--parent', 'bl-a', '--epic', 'bl-b'],
        ...['--tag', 'x', '--tag', 'y', '--depends-on', 'bl-c', '--due', '2026-12-01', '--scheduled', '2026-11-01'],
        ...['--wait', '2026-10-01', '--recur', 'weekly', '--until', '2027-01-01', '--ref', 'https://a.example'],
        ...['--evidence', 'tests, all 12', '--blocked-reason', 'waits on CI', '--set', 'estimate=3', '--set', 'old='],
      ],
      { from: 'user' },
    )
    const fields = await fieldsFrom(add.opts<FieldOptions>(), async () => 'from stdin')
    expect(fields).toEqual({
      type: 'epic',
      status: 'open',
      priority: 'H',
      assignee: 'ann',
      parent: 'bl-a',
      epic: 'bl-b',
      tags: ['x', 'y'],
      depends_on: ['bl-c'],
      due: '2026-12-01',
      scheduled: '2026-11-01',
      wait: '2026-10-01',
      recur: 'weekly',
      until: '2027-01-01',
      references: ['https://a.example'],
      evidence: ['tests, all 12'],
      blocked_reason: ['waits on CI'],
      description: 'from stdin',
      attributes: { estimate: '3', old: null },
    })
    const input = parse(createInput, { title: 'T', ...fields })
    expect(input.priority).toBe('high')
    expect(input.references).toEqual([{ url: 'https://a.example' }])
  })

  it('leave out the flags not given, and refuse a type that is not one', async () => {
    const add = withFieldOptions(new Command('add').exitOverride().configureOutput({ writeErr: () => {} }))
    add.parse(['--due', 'friday'], { from: 'user' })
    expect(await fieldsFrom(add.opts<FieldOptions>(), async () => '')).toEqual({ due: 'friday' })
    const bad = withFieldOptions(new Command('add').exitOverride().configureOutput({ writeErr: () => {} }))
    expect(() => bad.parse(['-t', 'story'], { from: 'user' })).toThrow(/story/)
  })
})
