import { describe, expect, it } from 'vitest'
import { commitMessage, sharedVerb } from './messages.js'

const items = [
  { id: 'bl-7k3m', title: 'Fix auth' },
  { id: 'bl-9q2w', title: 'Rotate keys' },
]

describe('commit subjects of changes to several items', () => {
  it('name the verb the items share, so a grep for a close finds bulk closes too', () => {
    const message = commitMessage({ op: 'update', verb: sharedVerb(['done', 'done']), items, agent: 'claude' })
    expect(message).toBe(
      'done 2 items: bl-7k3m, bl-9q2w\n\nBacklog-Op: update\nBacklog-Id: bl-7k3m\nBacklog-Id: bl-9q2w\nBacklog-Agent: claude\n',
    )
    expect(sharedVerb(['close', 'close', 'close'])).toBe('close')
    expect(sharedVerb(['start'])).toBe('start')
  })

  it('say update when the items changed in different ways', () => {
    expect(sharedVerb(['done', 'update'])).toBe('update')
    expect(sharedVerb(['start', 'done'], 'change')).toBe('change')
    expect(sharedVerb([])).toBe('update')
  })
})
