/** The session briefing: within its byte budget at 10,000 items and long titles, and "changed since" per agent. */

import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { itemFromData, serializeItem } from '../../src/core/codec.js'
import { ID_ALPHABET } from '../../src/core/ids.js'
import { itemPath } from '../../src/core/layout.js'
import { MAX_LINE_BYTES } from '../../src/render/briefing.js'
import { steadyApp } from '../helpers/app.js'
import { steppingClock, tempRepo } from '../helpers/repo.js'

const bytes = (text: string) => Buffer.byteLength(text)

/** A title of `length` characters mixing 1-, 2-, 3- and 4-byte characters, so a cut can land inside any of them. */
function longTitle(index: number, length = 480): string {
  const alphabet = ['a', 'é', '€', '🙂', ' ', 'ß', '中']
  let title = `Item ${index} `
  for (let at = 0; title.length < length; at++) title += alphabet[(index + at) % alphabet.length]
  return title.slice(0, length).replace(/[\uD800-\uDBFF]$/, 'x')
}

describe('briefing', () => {
  it('holds its byte budget at 10,000 items with long titles, cutting no character and no line in half', async () => {
    const repo = tempRepo()
    const setup = createApp({ cwd: repo.dir })
    await setup.init({})
    setup.close()
    // Written as files and committed once with git, as a hand-made backlog would be: 10,000 creates through the
    // app would test the write path, not the briefing.
    const titles = new Map<string, string>()
    const idOf = (index: number) =>
      `bl-${Array.from({ length: 6 }, (_, at) => ID_ALPHABET[Math.floor(index / 32 ** at) % 32]).join('')}`
    for (let index = 0; index < 10_000; index++) {
      const id = idOf(index)
      const data: Record<string, unknown> = {
        id,
        title: longTitle(index),
        priority: ['urgent', 'high', 'medium', 'low'][index % 4],
        created: '2026-11-20T10:00:00Z',
      }
      if (index % 10 === 1)
        Object.assign(data, { status: 'in_progress', assignee: index % 20 === 1 ? 'claude' : 'bob' })
      if (index % 10 === 2)
        Object.assign(data, { status: 'blocked', blocked_reason: [`waiting for ${longTitle(index, 300)}`] })
      if (index % 10 === 3) data.depends_on = [idOf(index - 3)]
      titles.set(id, data.title as string)
      repo.write(itemPath(id), serializeItem(itemFromData(data, 'A description.\n')))
    }
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', 'a backlog of 10,000 items')

    const reader = createApp({ cwd: repo.dir, now: steppingClock(Date.UTC(2026, 10, 24)) })
    const started = performance.now()
    const briefing = await reader.briefing({ agent: 'claude' })
    const elapsed = performance.now() - started
    // Reported in the test log, not asserted: timing belongs to benchmarks (docs/architecture.md).
    console.log(`briefing at 10,000 items: ${elapsed.toFixed(0)} ms (cold), ${briefing.bytes} bytes`)
    const warmStart = performance.now()
    await reader.briefing({ agent: 'claude' })
    console.log(`warm: ${(performance.now() - warmStart).toFixed(0)} ms\n${briefing.text}`)
    let rows = 0
    for (const maxBytes of [256, 700, 1500, 3072, 8192]) {
      const { text, bytes: size } = await reader.briefing({ agent: 'claude', max_bytes: maxBytes })
      expect(size).toBe(bytes(text))
      expect(size).toBeLessThanOrEqual(maxBytes)
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
      expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text)
      for (const line of text.split('\n')) {
        expect(bytes(line)).toBeLessThanOrEqual(MAX_LINE_BYTES)
        // A row names an item and shows its title whole, or its beginning followed by "…": never a stray part.
        const row = /^- (bl-[0-9a-z]+)(?: \[[a-z]+\])?(?: @\w+(?: \(you\))?)? (.*)$/.exec(line)
        if (!row) continue
        rows++
        const title = titles.get(row[1] as string)
        expect(title, line).toBeDefined()
        const shown = (row[2] as string).replace(/…: .*$/, '…').replace(/: waiting for .*$/, '')
        if (shown.endsWith('…')) expect((title as string).startsWith(shown.slice(0, -1))).toBe(true)
        else expect(shown).toBe(title)
      }
    }
    expect(rows).toBeGreaterThan(20)
    // A blocked row keeps room for why, however long its title.
    expect(briefing.text).toMatch(/^- bl-\S+ \[\w+\] .*…: (waits on bl-|"waiting for )/m)
    expect(briefing.bytes).toBeLessThanOrEqual(3072)
    expect(briefing.text).toMatch(
      /^Backlog briefing for claude on main: 10000 items; 1000 in progress, \d+ ready, \d+ blocked\./,
    )
    // claude's own work comes first, and the sections say how many more there are and where to see them.
    expect(briefing.in_progress.items[0]?.assignee).toBe('claude')
    expect(briefing.text).toContain('more: backlog_list filter "+READY not type.in:epic,milestone,folder"')
    expect(briefing.in_progress.total).toBe(1000)
    expect(briefing.blocked.items[0]?.blocked_reason?.[0]).toMatch(/^waiting for /)
    reader.close()
  }, 240_000)

  it('lists what others changed since each agent last changed something', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir)
    await app.init({})
    const [x] = (await app.create({ title: 'Parser', agent: 'alpha' })).items
    const [y] = (await app.create({ title: 'Printer', agent: 'beta' })).items
    await app.update({ id: [x?.id as string], note: 'started on the grammar', agent: 'alpha' })
    await app.update({ id: [y?.id as string], status: 'done', agent: 'beta' })
    await app.update({ id: [y?.id as string], note: 'printed', agent: 'beta' })

    const alpha = await app.briefing({ agent: 'alpha' })
    expect(alpha.changes.commits.map((change) => change.who)).toEqual(['beta', 'beta'])
    expect(alpha.changes.commits.map((change) => change.subject)).toEqual([
      expect.stringContaining(`update ${y?.id}`),
      expect.stringContaining(`done ${y?.id}`),
    ])
    expect(alpha.changes.total).toBe(2)
    expect(alpha.changes.since?.commit).toBe(repo.git('rev-parse', 'HEAD~2').trim())
    expect(alpha.text).toMatch(/Changed since your last change \(.*\): 2 commits\n- .* beta: update/)

    const beta = await app.briefing({ agent: 'beta' })
    expect(beta.changes.total).toBe(0)
    expect(beta.changes.since?.commit).toBe(repo.git('rev-parse', 'HEAD').trim())

    await app.update({ id: [x?.id as string], status: 'in_progress', assignee: 'alpha', agent: 'alpha' })
    const betaLater = await app.briefing({ agent: 'BETA' })
    expect(betaLater.changes.commits.map((change) => change.who)).toEqual(['alpha'])
    expect(betaLater.text).toContain(`${x?.id} @alpha Parser`)
    expect((await app.briefing({ agent: 'alpha' })).text).toContain(`${x?.id} @alpha (you) Parser`)

    // An agent with no change of its own gets the latest changes, and says so.
    const gamma = await app.briefing({ agent: 'gamma' })
    expect(gamma.changes.since).toBeUndefined()
    expect(gamma.changes.total).toBe(7)
    expect(gamma.text).toContain('No earlier change by gamma on this branch; the latest changes (7):')

    // Since a time: every change from then on, whoever made it.
    const third = repo.git('log', '--format=%aI', '--reverse').trim().split('\n')[3] as string
    const since = await app.briefing({ agent: 'alpha', since: third })
    expect(since.changes.commits.length).toBe(5)
    app.close()
  })

  it('lists as ready the work to claim: no epic, milestone or folder, with or without children', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir)
    await app.init({})
    const [empty] = (await app.create({ title: 'An epic not broken down yet', type: 'epic' })).items
    const [epic] = (await app.create({ title: 'An epic', type: 'epic' })).items
    const [task] = (await app.create({ title: 'Its task', parent: epic?.id as string })).items
    const [milestone] = (await app.create({ title: 'Release 1', type: 'milestone' })).items
    const [note] = (await app.create({ title: 'A design note', type: 'artifact' })).items
    const briefing = await app.briefing({ agent: 'alpha' })
    expect(briefing.ready.items.map((row) => row.id).sort()).toEqual([task?.id, note?.id].sort())
    expect(briefing.ready.total).toBe(2)
    expect(briefing.text).toContain('2 ready')
    const section = briefing.text.split('Ready, most urgent first (2):\n')[1]?.split(/\n(?!- )/)[0]
    expect(section?.split('\n').sort()).toEqual([`- ${note?.id} A design note`, `- ${task?.id} Its task`].sort())
    expect([empty?.id, epic?.id, milestone?.id].filter((id) => section?.includes(id as string))).toEqual([])
    app.close()
  })

  it('says there is no backlog yet, and refuses a budget too small to say anything', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir)
    const briefing = await app.briefing({ agent: 'alpha' })
    expect(briefing.no_backlog).toBe(true)
    expect(briefing.text).toContain('No backlog in this repository yet')
    await expect(app.briefing({ max_bytes: 100 })).rejects.toThrow(/max_bytes must be at least 256/)
    app.close()
  })
})
