/** Answers an agent can act on: claims that refuse work not ready to start, batch gets that name what is missing. */

import { describe, expect, it } from 'vitest'
import { callError, callOk, initializedClient, type TestClient, textOf } from '../helpers/mcp.js'

interface Rows {
  items: Array<{ id: string; title: string; status: string; assignee?: string }>
}

async function created(client: TestClient, items: Array<Record<string, unknown>>): Promise<string[]> {
  return (await callOk<Rows>(client, 'backlog_create', { items })).items.map((row) => row.id)
}

async function item(client: TestClient, id: string) {
  return (await callOk<Rows>(client, 'backlog_get', { id })).items[0]!
}

describe('claim', () => {
  it('refuses an item with an open dependency, naming it and what to do, and writes nothing', async () => {
    const { client, commits } = await initializedClient()
    const [schema, api] = await created(client, [
      { title: 'Design the schema' },
      { title: 'Build the API', depends_on: ['#1'] },
    ])
    const before = commits()
    const error = await callError(client, 'backlog_update', { id: api, claim: true, agent: 'claude' })
    expect(error).toMatch(
      new RegExp(`^CONFLICT: ${api} depends on open work: ${schema} \\(open, "Design the schema"\\)`),
    )
    expect(error).toMatch(/Finish those first \(or claim one of them\).*remove_depends_on.*Nothing was written\.$/)
    expect(commits()).toBe(before)
    const untouched = await item(client, api!)
    expect(untouched.status).toBe('open')
    expect(untouched.assignee).toBeUndefined()

    // The dependency is ready: claiming it works, and once it is done the item can be claimed.
    await callOk(client, 'backlog_update', { id: schema, claim: true, agent: 'claude' })
    await callOk(client, 'backlog_update', { id: schema, status: 'done', agent: 'claude' })
    const claimed = await callOk<Rows>(client, 'backlog_update', { id: api, claim: true, agent: 'claude' })
    expect(claimed.items[0]).toMatchObject({ id: api })
    expect(await item(client, api!)).toMatchObject({ status: 'in_progress', assignee: 'claude' })
  })

  it('refuses a parent with open children and takes it once they are closed', async () => {
    const { client, commits } = await initializedClient()
    const [epic, done, open] = await created(client, [
      { title: 'Passkeys', type: 'epic' },
      { title: 'Store credentials', parent: '#1', status: 'done' },
      { title: 'Login UI', parent: '#1' },
    ])
    const before = commits()
    const error = await callError(client, 'backlog_update', { id: epic, claim: true, agent: 'claude' })
    expect(error).toMatch(new RegExp(`^CONFLICT: ${epic} has open children: ${open} \\(open, "Login UI"\\)`))
    expect(error).toMatch(/Claim one of them instead/)
    expect(error).not.toContain(done!)
    expect(commits()).toBe(before)
    await callOk(client, 'backlog_update', { id: open, status: 'cancelled' })
    await callOk(client, 'backlog_update', { id: epic, claim: true, agent: 'claude' })
    expect(await item(client, epic!)).toMatchObject({ status: 'in_progress', assignee: 'claude' })
  })

  it('checks each item of a claim on several, naming every one refused, and claims none of them', async () => {
    const { client, commits } = await initializedClient()
    const [ready, first, second, other] = await created(client, [
      { title: 'Ready to go' },
      { title: 'Waits for the first', depends_on: ['#1'] },
      { title: 'Waits for the fourth', depends_on: ['#4'] },
      { title: 'Held by Ann', assignee: 'ann' },
    ])
    const before = commits()
    const error = await callError(client, 'backlog_update', {
      id: [ready, first, second, other],
      claim: true,
      agent: 'claude',
    })
    expect(error).toMatch(/^CONFLICT: /)
    expect(error).toContain(`${first} depends on open work: ${ready}`)
    expect(error).toContain(`${second} depends on open work: ${other}`)
    expect(error).toContain(`${other} is claimed by ann`)
    expect(error).not.toContain(`${ready} depends`)
    expect(commits()).toBe(before)
    expect(await item(client, ready!)).toMatchObject({ status: 'open' })

    // The ready one alone is claimed; claiming it again changes nothing.
    await callOk(client, 'backlog_update', { id: ready, claim: true, agent: 'claude' })
    const again = await client.call('backlog_update', { id: ready, claim: true, agent: 'claude' })
    expect(textOf(again)).toMatch(/^No change/)
  })

  it('takes an item whose dependencies are done, cancelled or archived', async () => {
    const { client } = await initializedClient()
    const [done, cancelled, task] = await created(client, [
      { title: 'Done long ago', status: 'done' },
      { title: 'Dropped' },
      { title: 'The work', depends_on: ['#1', '#2'] },
    ])
    await callOk(client, 'backlog_update', { id: cancelled, status: 'cancelled' })
    await callOk(client, 'backlog_archive', { id: done })
    await callOk(client, 'backlog_update', { id: task, claim: true, agent: 'claude' })
    expect(await item(client, task!)).toMatchObject({ status: 'in_progress', assignee: 'claude' })
  })
})

describe('backlog_get with ids that do not exist', () => {
  it('returns the items that exist and lists the missing ids, in the data and in the text', async () => {
    const { client } = await initializedClient()
    const [id] = await created(client, [{ title: 'Here' }])
    const result = await client.call('backlog_get', { id: [id, 'bl-zzzzzz'] })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ items: [{ id, title: 'Here' }], missing: ['bl-zzzzzz'] })
    expect(textOf(result)).toMatch(/^Not found: bl-zzzzzz \(no such items; backlog_list shows ids\)\.\n\n# /)
    expect(textOf(result)).toContain(`# ${id}: Here`)
    const found = await client.call('backlog_get', { id })
    expect(found.structuredContent).not.toHaveProperty('missing')
  })

  it('answers NOT_FOUND when none exists, and INVALID_INPUT for what is not an id', async () => {
    const { client } = await initializedClient()
    expect(await callError(client, 'backlog_get', { id: ['bl-zzzzzz', 'bl-yyyyyy'] })).toMatch(
      /^NOT_FOUND: No items bl-zzzzzz, bl-yyyyyy\. Call backlog_list/,
    )
    expect(await callError(client, 'backlog_get', { id: 'bl-zzzzzz' })).toMatch(/^NOT_FOUND: No item bl-zzzzzz\./)
    const [id] = await created(client, [{ title: 'Here' }])
    expect(await callError(client, 'backlog_get', { id: [id, '../../x'] })).toMatch(/^INVALID_INPUT: id: /)
  })
})

interface Page {
  entries: Array<{ commit: string; op?: string; items: Array<{ id: string }>; more_items?: number }>
  next?: string
}

describe('backlog_history as an agent reads it', () => {
  it('says a create in one line and a new note as the note added, not whole lists', async () => {
    const { client } = await initializedClient()
    const [epic] = await created(client, [{ title: 'Passkeys', type: 'epic' }])
    const [id] = (
      await callOk<Rows>(client, 'backlog_create', {
        title: 'Store credentials',
        priority: 'high',
        parent: epic,
        tags: ['auth', 'db'],
        description: 'Use the WebAuthn tables.',
        agent: 'claude',
      })
    ).items.map((row) => row.id)
    await callOk(client, 'backlog_update', { id, note: 'Schema drafted', agent: 'claude' })
    await callOk(client, 'backlog_update', { id, note: 'Migration written', agent: 'codex' })
    const text = textOf(await client.call('backlog_history', { id }))
    const lines = text.split('\n')
    expect(lines).toContain(`    ${id} note added: "Migration written"`)
    expect(lines).toContain(`    ${id} note added: "Schema drafted"`)
    expect(text.match(/Schema drafted/g)).toHaveLength(1)
    expect(lines).toContain(
      `    ${id} created task "Store credentials" (open, priority high, parent ${epic}, tags auth, db; description)`,
    )
    expect(text).not.toContain('(none) →')
    expect(lines[0]).toMatch(/^[0-9a-f]{7} \S+ codex update: /)
    // The data keeps every field of the create.
    const page = await callOk<{ entries: Array<{ items: Array<{ changes: Array<{ field: string }> }> }> }>(
      client,
      'backlog_history',
      { id },
    )
    expect(page.entries.at(-1)!.items[0]!.changes.map((change) => change.field)).toEqual(
      expect.arrayContaining(['title', 'type', 'status', 'priority', 'parent', 'tags', 'created', 'description']),
    )
  })

  it('bounds the default page to about 4 KB of text, with next to page through the rest', async () => {
    const { client } = await initializedClient()
    const [id] = await created(client, [{ title: 'Busy item' }])
    for (let round = 0; round < 15; round++) {
      const steps = Array.from({ length: 6 }, (_, step) => `- step ${step} of round ${round}: what was done and why`)
      await callOk(client, 'backlog_update', { id, description: steps.join('\n') })
    }
    const first = await client.call('backlog_history', { id })
    const page = first.structuredContent as unknown as Page
    expect(Buffer.byteLength(textOf(first))).toBeLessThanOrEqual(4096 + 200)
    expect(page.entries.length).toBeGreaterThan(1)
    expect(page.entries.length).toBeLessThan(16)
    expect(page.next).toBe(page.entries.at(-1)!.commit)
    expect(textOf(first)).toMatch(new RegExp(`… more: after ${page.next}$`))

    const seen = [...page.entries.map((entry) => entry.commit)]
    let next = page.next
    while (next) {
      const more = await callOk<Page>(client, 'backlog_history', { id, after: next })
      seen.push(...more.entries.map((entry) => entry.commit))
      next = more.next
    }
    expect(seen).toHaveLength(16)
    expect(new Set(seen).size).toBe(16)

    // An agent that names a limit gets that many commits, however long.
    const asked = await callOk<Page>(client, 'backlog_history', { id, limit: 16 })
    expect(asked.entries).toHaveLength(16)
    expect(asked.next).toBeUndefined()
  })

  it('cuts a bulk change too big for one page to its first items and says how many more', async () => {
    const { client } = await initializedClient()
    const ids = await created(
      client,
      Array.from({ length: 120 }, (_, n) => ({
        title: `Cleanup task number ${n} with a longer title`,
        tags: ['bulk'],
      })),
    )
    await callOk(client, 'backlog_update', { filter: '+bulk', priority: 'low' })
    const result = await client.call('backlog_history', {})
    const page = result.structuredContent as unknown as Page
    expect(Buffer.byteLength(textOf(result))).toBeLessThanOrEqual(4096 + 200)
    expect(page.entries).toHaveLength(1)
    const [bulk] = page.entries
    expect(bulk!.items.length + bulk!.more_items!).toBe(ids.length)
    expect(textOf(result)).toContain(`… and ${bulk!.more_items} more items; backlog_history with id shows each`)
    expect(page.next).toBe(bulk!.commit)
    // The next page goes on with the create before it, also cut.
    const more = await callOk<Page>(client, 'backlog_history', { after: page.next })
    expect(more.entries[0]).toMatchObject({ op: 'create' })
    // With a limit the page is not cut to 4 KB, but a bulk commit still lists its first 50 items, not every one.
    const asked = await client.call('backlog_history', { limit: 1 })
    const [first] = (asked.structuredContent as unknown as Page).entries
    expect(first!.items).toHaveLength(50)
    expect(first!.more_items).toBe(ids.length - 50)
    expect(textOf(asked)).toContain(`… and ${ids.length - 50} more items; backlog_history with id shows each`)
    // One item's history still has that commit, with the item in it.
    const one = await callOk<Page>(client, 'backlog_history', { id: ids[ids.length - 1], limit: 1 })
    expect(one.entries[0]!.items.map((item) => item.id)).toEqual([ids[ids.length - 1]])
  })
})

describe('backlog_context', () => {
  it('sends the bundle once, as structuredContent, with a compact text beside it', async () => {
    const { client } = await initializedClient()
    const [epic, api, ui] = await created(client, [
      { title: 'Passkeys', type: 'epic' },
      { title: 'Store credentials', parent: '#1', priority: 'high', description: 'Use the WebAuthn tables.' },
      { title: 'Login UI', parent: '#1', depends_on: ['#2'] },
    ])
    await callOk(client, 'backlog_update', { id: api, note: 'Schema drafted' })
    const result = await client.call('backlog_context', { id: api })
    expect(result.isError).toBeFalsy()
    const bundle = result.structuredContent as { focal: { id: string }; dependents: Array<{ id: string }> }
    expect(bundle.focal.id).toBe(api)
    expect(bundle.dependents.map((row) => row.id)).toEqual([ui])
    const text = textOf(result)
    expect(() => JSON.parse(text)).toThrow()
    expect(text).not.toContain('"focal"')
    const lines = text.split('\n')
    expect(lines[0]).toBe(`# ${api}: Store credentials`)
    expect(text).toContain('Use the WebAuthn tables.')
    expect(text).toContain(': Schema drafted')
    expect(text).toMatch(new RegExp(`Parent chain \\(nearest first\\):\\n  ${epic} \\[open\\] epic Passkeys`))
    expect(text).toMatch(new RegExp(`Needed by:\\n  ${ui} \\[open\\] Login UI`))
    expect(text).toMatch(/Recent commits:\n {2}[0-9a-f]{7} \d{4}-\d\d-\d\d test-agent: /)
    expect(lines.at(-1)).toMatch(/^\(~\d+ of 4000 tokens\)$/)
    expect(Buffer.byteLength(text)).toBeLessThan(Buffer.byteLength(JSON.stringify(bundle)))
  })
})
