/**
 * The docs name every field of the registry (src/core/fields.ts): a field added there is one the docs must explain.
 * The filter page's field table names every filterable field, backlog_create's section every field it takes, and
 * `git backlog add` in the command-line page every field flag (its short or its long form).
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FIELDS, SETTABLE_FIELDS } from '../../src/core/fields.js'
import { ROOT } from './markdown.js'

function page(name: string): string {
  return readFileSync(join(ROOT, 'docs', name), 'utf8')
}

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const lines = text.split('\n')
  const start = lines.findIndex((line) => line.replace(/^#+\s*/, '') === heading && line.startsWith('#'))
  expect(start, `heading "${heading}"`).toBeGreaterThanOrEqual(0)
  const level = (lines[start] as string).match(/^#+/)?.[0].length ?? 1
  const end = lines.findIndex((line, index) => index > start && /^#+\s/.test(line) && line.indexOf(' ') <= level)
  return lines.slice(start, end === -1 ? undefined : end).join('\n')
}

describe('the docs and the field registry', () => {
  it('docs/filters.md lists every field a filter compares, and the other names it takes', () => {
    const fields = section(page('filters.md'), 'Fields')
    const names = FIELDS.flatMap((field) =>
      field.filter === false ? [] : 'alias' in field ? [field.name, field.alias] : [field.name],
    )
    expect(names.filter((name) => !fields.includes(`\`${name}\``))).toEqual([])
  })

  it('docs/tools.md explains every field backlog_create takes', () => {
    const create = section(page('tools.md'), 'backlog_create')
    const taken = [...SETTABLE_FIELDS.map((field) => field.name), 'attributes']
    expect(taken.filter((name) => !create.includes(`\`${name}\``))).toEqual([])
  })

  it('docs/cli.md gives every field flag of git backlog add', () => {
    const add = page('cli.md')
      .split('\n')
      .find((line) => line.startsWith('| `git backlog add '))
    expect(add).toBeDefined()
    const missing = SETTABLE_FIELDS.filter((field) => {
      const forms = field.flag[0].split(/[ ,]+/).filter((form) => form.startsWith('-'))
      return !forms.some((form) => new RegExp(`\`${form} `).test(add as string))
    })
    expect(missing.map((field) => field.flag[0])).toEqual([])
  })
})
