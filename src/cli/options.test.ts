import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { withFilterWords } from './options.js'

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
