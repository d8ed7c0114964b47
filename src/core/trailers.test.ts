import { describe, expect, it } from 'vitest'
import { commitMessage } from './messages.js'
import { formatTrailers, namesOperation, parseTrailers } from './trailers.js'

describe('trailers', () => {
  it('reads back what a commit message of the backlog writes', () => {
    const message = commitMessage({
      op: 'undo',
      verb: 'undo',
      items: [
        { id: 'bl-aaaa', title: 'A' },
        { id: 'bl-bbbb', title: 'B' },
      ],
      agent: 'claude  code',
      reverts: 'abc1234',
      changed: ['status'],
    })
    expect(parseTrailers(message)).toEqual({
      op: 'undo',
      ids: ['bl-aaaa', 'bl-bbbb'],
      agent: 'claude code',
      reverts: 'abc1234',
    })
    expect(namesOperation(message)).toBe(true)
  })

  it('writes the operation first, then the items, the agent and the commit reverted', () => {
    expect(formatTrailers({ op: 'update', ids: ['bl-7k3m'], agent: 'claude' })).toEqual([
      'Backlog-Op: update',
      'Backlog-Id: bl-7k3m',
      'Backlog-Agent: claude',
    ])
  })

  it('reads a squash of several operations, and a message without trailers, as no backlog commit', () => {
    const one = commitMessage({ op: 'create', verb: 'add', items: [{ id: 'bl-aaaa', title: 'A' }] })
    const two = commitMessage({ op: 'update', verb: 'done', items: [{ id: 'bl-aaaa', title: 'A' }] })
    expect(parseTrailers(`Squashed\n\n${one}\n${two}`)).toBeUndefined()
    expect(parseTrailers('fix the build\n\nMore words here.\n')).toBeUndefined()
    expect(parseTrailers('Backlog-Op: create\n')).toBeUndefined()
    expect(namesOperation('fix the build\n')).toBe(false)
  })
})
