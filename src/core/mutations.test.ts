import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG } from './config.js'
import { updateInput } from './inputs.js'
import { applyUpdate, buildItem, updateVerb } from './mutations.js'

const context = (now: string) => ({
  config: DEFAULT_CONFIG,
  now,
  date: new Date('2026-11-23T12:00:00Z'),
  agent: 'claude',
})

describe('item mutations', () => {
  it('stamp started once, closed on close, and clear closed on reopen', () => {
    const item = buildItem({ title: 'Work' }, 'bl-1', context('t0'))
    expect(item).toMatchObject({ status: 'open', created: 't0' })
    const started = applyUpdate(item, updateInput.parse({ id: 'bl-1', status: 'in_progress' }), context('t1'))
    const paused = applyUpdate(started, updateInput.parse({ id: 'bl-1', status: 'blocked' }), context('t2'))
    const resumed = applyUpdate(paused, updateInput.parse({ id: 'bl-1', status: 'in_progress' }), context('t3'))
    expect(resumed.started).toBe('t1')
    const done = applyUpdate(resumed, updateInput.parse({ id: 'bl-1', status: 'done' }), context('t4'))
    expect(done.closed).toBe('t4')
    expect(updateVerb(resumed, done, DEFAULT_CONFIG)).toBe('done')
    const reopened = applyUpdate(done, updateInput.parse({ id: 'bl-1', status: 'open' }), context('t5'))
    expect(reopened.closed).toBeUndefined()
    expect(updateVerb(done, reopened, DEFAULT_CONFIG)).toBe('reopen')
    expect(item.status).toBe('open')
  })

  it('add and remove tags case-insensitively, append signed notes, set and remove attributes', () => {
    const item = buildItem({ title: 'x', tags: ['Web'], attributes: { size: 'M' } }, 'bl-1', context('t0'))
    const next = applyUpdate(
      item,
      updateInput.parse({
        id: 'bl-1',
        add_tags: 'api, web',
        remove_tags: ['WEB'],
        note: 'first',
        attributes: { size: null, team: 'core' },
      }),
      context('t1'),
    )
    expect(next.tags).toEqual(['api'])
    expect(next.notes).toEqual([{ at: 't1', by: 'claude', text: 'first' }])
    expect(next.attributes).toEqual({ team: 'core' })
  })
})
