import { describe, expect, it } from 'vitest'
import { BacklogError } from './errors.js'
import { assertValidId, generateId, ID_ALPHABET, suffixLengthFor } from './ids.js'

describe('ids', () => {
  it('grow the random suffix with the backlog', () => {
    expect(suffixLengthFor(0)).toBe(6)
    expect(suffixLengthFor(10_000)).toBe(6)
    expect(suffixLengthFor(11_000)).toBe(7)
  })

  it('are the prefix and Crockford base-32 characters, skipping ids already taken', () => {
    const sequence = [0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]
    let index = 0
    const id = generateId('bl', new Set(['bl-000000']), () => sequence[index++] ?? 0)
    expect(id).toBe('bl-123456')
    const random = generateId('web', new Set(), () => Math.floor(Math.random() * 32))
    expect(random).toMatch(new RegExp(`^web-[${ID_ALPHABET}]{6}$`))
  })

  it('refuse anything that could leave the folder or is not an id', () => {
    for (const bad of ['../../x', '..', '.hidden', 'a/b', 'a\\b', '', ' ', 'x'.repeat(65), 'bl-1..2']) {
      expect(() => assertValidId(bad), bad).toThrow(BacklogError)
    }
    expect(assertValidId(' TASK-0001 ')).toBe('TASK-0001')
    expect(assertValidId('bl-k3m9x2')).toBe('bl-k3m9x2')
  })
})
