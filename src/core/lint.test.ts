import { describe, expect, it } from 'vitest'
import { findCycles, frontmatterKeyLines } from './lint.js'

describe('findCycles', () => {
  it('finds each cycle once, self-loops included, and none in a tree', () => {
    const edges: Record<string, string[]> = { a: ['b'], b: ['c', 'd'], c: ['a'], d: [], e: ['e'] }
    expect(findCycles(Object.keys(edges), (node) => edges[node] ?? [])).toEqual([['a', 'b', 'c'], ['e']])
    expect(findCycles(['a', 'b'], (node) => (node === 'a' ? ['b'] : []))).toEqual([])
  })

  it('walks a chain of 100,000 links without running out of stack', () => {
    const nodes = Array.from({ length: 100_000 }, (_, index) => `n${index}`)
    const next = (node: string) => {
      const index = Number(node.slice(1))
      return [`n${(index + 1) % nodes.length}`]
    }
    expect(findCycles(nodes, next)[0]?.length).toBe(100_000)
  })
})

describe('frontmatterKeyLines', () => {
  it('gives the line of each top-level key, not of list entries or nested keys', () => {
    const text = '---\nid: bl-x\ndepends_on:\n  - bl-y\nnotes:\n  - at: 2026-01-01\n"quoted key": 1\n---\nstatus: no\n'
    expect([...frontmatterKeyLines(text)]).toEqual([
      ['id', 2],
      ['depends_on', 3],
      ['notes', 5],
      ['quoted key', 7],
    ])
  })
})
