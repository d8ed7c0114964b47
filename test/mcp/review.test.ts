/** backlog_history with a range: the review of a branch over MCP, through the SDK client (which checks the schema). */

import { describe, expect, it } from 'vitest'
import type { Review } from '../../src/core/review.js'
import { callError, callOk, connectInProcess, textOf } from '../helpers/mcp.js'
import { appOf, featureRepo } from '../helpers/review.js'

describe('backlog_history with range', () => {
  it('answers the review as structured content and as markdown', async () => {
    const { repo, ids } = await featureRepo()
    const client = await connectInProcess(repo.dir)
    const result = await client.call('backlog_history', { range: 'main..feature' })
    expect(result.isError, textOf(result)).toBeFalsy()
    const { review } = result.structuredContent as { review: Review }
    expect(review.history).toBe('complete')
    expect(review.counts).toMatchObject({ created: 1, closed: 1, deleted: 1, archived: 1 })
    const closed = review.items.find((item) => item.id === ids['Close me'])
    expect(closed?.changes[0]).toMatchObject({
      kind: 'closed',
      by: 'claude',
      evidence: ['PR #12 merged', 'tests green'],
    })
    expect(textOf(result)).toMatch(/^### Backlog changes: 1 created · 1 closed · 1 deleted/)
    expect(textOf(result)).toContain(`#### \`${ids['Close me']}\` Close me`)

    // '' is the default range: the upstream's merge base (here: main) to the working tree.
    const defaults = await callOk<{ review: Review }>(client, 'backlog_history', { range: '' })
    expect(defaults.review.items.map((item) => item.id).sort()).toEqual(review.items.map((item) => item.id).sort())
  })

  it('keeps a big review to about 4 KB: the most important items, and how many more there are', async () => {
    const { repo } = await featureRepo()
    const client = await connectInProcess(repo.dir)
    const items = Array.from({ length: 60 }, (_, n) => ({
      title: `Imported task ${n}`,
      description: `What task ${n} asks for, in a few words.\n`.repeat(4),
    }))
    await callOk(client, 'backlog_create', { items })
    const result = await client.call('backlog_history', { range: 'main' })
    expect(result.isError, textOf(result)).toBeFalsy()
    const { review } = result.structuredContent as { review: Review & { omitted?: number } }
    expect(textOf(result).length).toBeLessThanOrEqual(4096)
    expect(review.omitted).toBeGreaterThan(0)
    const whole = await appOf(repo.dir).review({ range: 'main' })
    expect(review.items.length + review.omitted!).toBe(whole.items.length)
    expect(review.items.map((item) => item.id)).toEqual(
      whole.items.slice(0, review.items.length).map((item) => item.id),
    )
    expect(textOf(result)).toMatch(new RegExp(`… and ${review.omitted} more items, left out to keep this short`))
  })

  it('names what is wrong: a bad revision, or range with other parameters', async () => {
    const { repo } = await featureRepo()
    const client = await connectInProcess(repo.dir)
    expect(await callError(client, 'backlog_history', { range: 'nope..feature' })).toMatch(
      /^NOT_FOUND: base: "nope" names no commit/,
    )
    expect(await callError(client, 'backlog_history', { range: 'main..feature', limit: 5 })).toMatch(
      /INVALID_INPUT: range: range reviews a whole range: give it alone/,
    )
  })
})
