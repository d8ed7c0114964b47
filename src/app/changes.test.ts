import { describe, expect, it } from 'vitest'
import { blankItem } from '../core/item.js'
import type { ItemRecord } from '../store/store.js'
import { burstOf, changedRecords, snapshotOf } from './changes.js'

function record(id: string, title = id): ItemRecord {
  return { item: blankItem(id, title), path: `.backlog/tasks/x/${id}.md`, text: '' } as unknown as ItemRecord
}

describe('changedRecords', () => {
  it('names items added, changed (a new record) and gone, by id, and nothing for a record kept', () => {
    const kept = record('bl-kept01')
    const old = record('bl-edit01')
    const gone = record('BL-Gone01')
    const before = snapshotOf([kept, old, gone])
    const edited = record('bl-edit01', 'edited')
    const added = record('bl-new001')
    const changes = changedRecords(before, snapshotOf([kept, edited, added]))
    expect(changes).toEqual([
      { id: 'bl-edit01', before: old, after: edited },
      { id: 'bl-new001', after: added },
      { id: 'BL-Gone01', before: gone },
    ])
    expect(snapshotOf([gone]).has('bl-gone01')).toBe(true)
  })
})

describe('burstOf', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  it('runs once when pokes settle', async () => {
    let runs = 0
    const burst = burstOf(() => runs++, 30, 1000)
    for (let n = 0; n < 5; n++) burst.poke()
    await sleep(80)
    expect(runs).toBe(1)
  })

  it('runs during a stream of pokes that never settles, at most maxWaitMs apart', async () => {
    let runs = 0
    const burst = burstOf(() => runs++, 50, 120)
    const started = Date.now()
    while (Date.now() - started < 500) {
      burst.poke()
      await sleep(10)
    }
    burst.cancel()
    // Without the bound it would run never; a loaded machine may stretch the 120 ms.
    expect(runs).toBeGreaterThanOrEqual(2)
  })

  it('runs nothing once cancelled', async () => {
    let runs = 0
    const burst = burstOf(() => runs++, 20, 100)
    burst.poke()
    burst.cancel()
    await sleep(60)
    expect(runs).toBe(0)
  })
})
