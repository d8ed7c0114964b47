/**
 * The issue-3 tool surface, driven as an agent drives it: plan a feature in one call, find what is ready, work it,
 * note progress, search, pull context and archive, each step one commit or none, checked with the real git.
 */

import { describe, expect, it } from 'vitest'
import { callError, callOk, connectInProcess, initializedClient, type TestClient } from '../helpers/mcp.js'
import { tempRepo } from '../helpers/repo.js'

interface Row {
  id: string
  title: string
  status: string
  blocked?: boolean
  urgency?: number
  archived?: boolean
  parent?: string
  depends_on?: string[]
}

const setup = initializedClient

function ok<T = { items: Row[] }>(client: TestClient, tool: string, args: Record<string, unknown>): Promise<T> {
  return callOk<T>(client, tool, args)
}

const failure = callError

const ids = (rows: Row[]) => rows.map((row) => row.id)

describe('an agent planning and working a feature', () => {
  it('plans an epic with dependent tasks in one call, works the ready ones, searches, pulls context, archives', async () => {
    const { repo, client, commits } = await setup()
    const before = commits()

    // Plan: one call, one commit; "#N" names items of the same call.
    const plan = await ok(client, 'backlog_create', {
      items: [
        { title: 'Passwordless login', type: 'epic', description: 'Let people sign in with a magic link.' },
        { title: 'Magic link API endpoint', parent: '#1', priority: 'high', tags: ['api'] },
        { title: 'Email template for the magic link', parent: '#1', depends_on: ['#2'] },
        { title: 'Login page: request a link', parent: '#1', depends_on: ['#2', '#3'], tags: ['ui'] },
      ],
    })
    expect(commits()).toBe(before + 1)
    const [epic, api, email, page] = ids(plan.items) as [string, string, string, string]
    expect(plan.items[2]).toMatchObject({ parent: epic, depends_on: [api], blocked: true })
    expect(repo.git('log', '-1', '--format=%B')).toMatch(/^add 4 items: .*\n\nBacklog-Op: create\n/)

    // What is ready: only the API task; not the blocked ones, nor the epic while its tasks are open.
    const ready = await ok(client, 'backlog_list', { filter: '+READY' })
    expect(ids(ready.items)).toEqual([api])
    // The epic's items, joined to it by parent as the plan made them.
    expect(ids((await ok(client, 'backlog_list', { epic })).items).sort()).toEqual([api, email, page].sort())
    // The API blocks both others; the email template blocks the page.
    expect(ids((await ok(client, 'backlog_list', { filter: '+BLOCKING' })).items).sort()).toEqual([api, email].sort())

    // Work it: start, note progress, finish; one commit each.
    await ok(client, 'backlog_update', { id: api, status: 'in_progress' })
    await ok(client, 'backlog_update', { id: api, note: 'Token signing uses the existing HMAC key rotation' })
    expect(ids((await ok(client, 'backlog_list', { filter: '+ACTIVE' })).items)).toEqual([api])
    await ok(client, 'backlog_update', { id: api, status: 'done', add_evidence: ['PR #42 merged'] })
    expect(commits()).toBe(before + 4)
    const nowReady = ids((await ok(client, 'backlog_list', { filter: '+READY' })).items)
    expect(nowReady).toContain(email)
    expect(nowReady).not.toContain(page)

    // Search finds text that lives only in a note; context pulls the neighbourhood.
    const found = await ok<{ items: Array<Row & { matched_fields: string[] }> }>(client, 'backlog_search', {
      query: 'HMAC rotation',
    })
    expect(found.items[0]?.id).toBe(api)
    expect(found.items[0]?.matched_fields).toContain('notes')
    const context = await ok<{
      focal: { id: string }
      parent_chain: Row[]
      depends_on: Row[]
      dependents: Row[]
      siblings: Row[]
      activity: Array<{ subject: string }>
      metadata: { token_estimate: number; max_tokens: number }
    }>(client, 'backlog_context', { id: email })
    expect(context.focal.id).toBe(email)
    expect(ids(context.parent_chain)).toEqual([epic])
    expect(ids(context.depends_on)).toEqual([api])
    expect(ids(context.dependents)).toEqual([page])
    expect(context.activity.length).toBeGreaterThan(0)
    expect(context.metadata.token_estimate).toBeLessThanOrEqual(context.metadata.max_tokens)

    // Archive the finished work: one commit; gone from lists, still found by get and by asking.
    const dry = await ok<{ items: Row[]; dry_run: boolean }>(client, 'backlog_archive', {
      older_than_days: 0,
      dry_run: true,
    })
    expect(ids(dry.items)).toEqual([api])
    expect(commits()).toBe(before + 4)
    await ok(client, 'backlog_archive', { older_than_days: 0 })
    expect(commits()).toBe(before + 5)
    expect(repo.git('ls-files', '.backlog/archive')).toContain(`${api}.md`)
    expect(ids((await ok(client, 'backlog_list', { status: 'all' })).items)).not.toContain(api)
    expect(
      (await ok(client, 'backlog_list', { status: 'all', archived: true })).items.find((row) => row.id === api),
    ).toMatchObject({ archived: true })
    expect((await ok(client, 'backlog_get', { id: api })).items[0]).toMatchObject({ archived: true })
    // Dependencies on an archived item stay satisfied.
    expect(ids((await ok(client, 'backlog_list', { filter: '+READY' })).items)).toContain(email)
    await ok(client, 'backlog_unarchive', { id: api })
    expect(repo.git('ls-files', '.backlog/archive')).toBe('')
    expect(commits()).toBe(before + 6)
    expect(repo.git('status', '--porcelain')).toBe('')
    repo.git('fsck', '--strict')
  })
})

describe('batch and bulk changes', () => {
  it('writes nothing when one item of a batch is invalid, and names it', async () => {
    const { client, commits } = await setup()
    const before = commits()
    const text = await failure(client, 'backlog_create', {
      items: [{ title: 'Fine' }, { title: 'Also fine' }, { title: 'Broken', depends_on: ['#9'] }],
    })
    expect(text).toMatch(/^INVALID_INPUT: items\[2\] \("Broken"\): .*#9.*3 items/)
    const text2 = await failure(client, 'backlog_create', {
      items: [{ title: 'Fine' }, { title: 'Bad date', due: 'someday soon' }],
    })
    expect(text2).toMatch(/items\[1\]\.due/)
    expect(commits()).toBe(before)
    expect((await ok(client, 'backlog_list', {})).items).toEqual([])
  })

  it('refuses dependency cycles, within a batch and through an update', async () => {
    const { client } = await setup()
    const text = await failure(client, 'backlog_create', {
      items: [
        { title: 'A', depends_on: ['#2'] },
        { title: 'B', depends_on: ['#1'] },
      ],
    })
    // Named as the caller wrote them: the ids drawn for the failed call were never written.
    expect(text).toMatch(/^INVALID_INPUT: items\[0\] \("A"\): depends_on: .*cycle \(#1 → #2 → #1\)/)
    const loop = await failure(client, 'backlog_create', {
      items: [
        { title: 'A', parent: '#2' },
        { title: 'B', parent: '#1' },
      ],
    })
    expect(loop).toMatch(/^INVALID_INPUT: items\[0\] \("A"\): parent: #2 is inside #1, so this would make a loop/)
    const made = await ok(client, 'backlog_create', { items: [{ title: 'A' }, { title: 'B', depends_on: ['#1'] }] })
    const [a, b] = ids(made.items) as [string, string]
    expect(await failure(client, 'backlog_update', { id: a, add_depends_on: [b] })).toMatch(
      new RegExp(`cycle \\(${a} → ${b} → ${a}\\)`),
    )
  })

  it('updates every item a filter matches in one commit, and refuses an empty filter unless all is said', async () => {
    const { repo, client, commits } = await setup()
    await ok(client, 'backlog_create', {
      items: [
        { title: 'Old flaky test', tags: ['cleanup'] },
        { title: 'Dead code in auth', tags: ['cleanup'] },
        { title: 'New feature' },
      ],
    })
    const before = commits()
    const result = await ok(client, 'backlog_update', { filter: '+cleanup', priority: 'low', note: 'triaged' })
    expect(result.items).toHaveLength(2)
    expect(commits()).toBe(before + 1)
    expect(repo.git('show', '--stat', '--format=%s', 'HEAD')).toMatch(/^update 2 items/)
    expect(await failure(client, 'backlog_update', { filter: '', priority: 'high' })).toMatch(/all: true/)
    expect(await failure(client, 'backlog_update', { priority: 'high' })).toMatch(/id is required/)
    const all = await ok(client, 'backlog_update', { filter: '', all: true, add_tags: ['q4'] })
    expect(all.items).toHaveLength(3)
    expect(commits()).toBe(before + 2)
  })

  it('duplicates an item and logs one already done', async () => {
    const { client } = await setup()
    const [source] = ids(
      (
        await ok(client, 'backlog_create', {
          title: 'Rotate keys',
          tags: ['ops'],
          priority: 'high',
          description: 'Steps...',
          attributes: { team: 'infra' },
        })
      ).items,
    ) as [string]
    await ok(client, 'backlog_update', { id: source, status: 'done', note: 'done once' })
    const copy = (await ok(client, 'backlog_create', { duplicate_of: source, title: 'Rotate keys (Q1)' })).items[0]!
    const detail = (await ok<{ items: Array<Record<string, unknown>> }>(client, 'backlog_get', { id: copy.id }))
      .items[0]!
    expect(detail).toMatchObject({
      title: 'Rotate keys (Q1)',
      status: 'open',
      tags: ['ops'],
      priority: 'high',
      description: 'Steps...\n',
      attributes: { team: 'infra' },
      notes: [],
    })
    const logged = (await ok(client, 'backlog_create', { title: 'Fixed typo in docs', status: 'done' })).items[0]!
    const loggedDetail = (await ok<{ items: Array<Record<string, unknown>> }>(client, 'backlog_get', { id: logged.id }))
      .items[0]!
    expect(loggedDetail.closed).toBeTruthy()
  })

  it('completing a recurring item adds the next occurrence in the same commit', async () => {
    const { repo, client, commits } = await setup()
    const [weekly] = ids(
      (await ok(client, 'backlog_create', { title: 'Dependency updates', recur: 'weekly', due: '2026-11-23' })).items,
    ) as [string]
    const before = commits()
    const done = await ok(client, 'backlog_update', { id: weekly, status: 'done' })
    expect(commits()).toBe(before + 1)
    expect(done.items).toHaveLength(2)
    const next = done.items[1]!
    expect(next).toMatchObject({ title: 'Dependency updates', status: 'open', due: '2026-11-30' })
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toHaveLength(2)
  })
})

describe('notes, evidence, references and the body', () => {
  it('adds and removes notes, evidence, blocked reasons and references', async () => {
    const { client } = await setup()
    const [id] = ids((await ok(client, 'backlog_create', { title: 'Investigate' })).items) as [string]
    await ok(client, 'backlog_update', { id, note: 'first look' })
    await ok(client, 'backlog_update', { id, note: 'second look' })
    await ok(client, 'backlog_update', {
      id,
      status: 'blocked',
      add_blocked_reason: ['waiting for logs'],
      add_references: [{ url: 'https://example.com/log', title: 'Log' }],
    })
    await ok(client, 'backlog_update', { id, remove_note: 'first look', add_evidence: 'trace attached' })
    const item = (
      await ok<{ items: Array<{ notes: Array<{ text: string; by: string }>; [key: string]: unknown }> }>(
        client,
        'backlog_get',
        { id },
      )
    ).items[0]!
    expect(item.notes.map((note) => note.text)).toEqual(['second look'])
    expect(item.notes[0]!.by).toBe('test-agent')
    expect(item).toMatchObject({
      blocked_reason: ['waiting for logs'],
      evidence: ['trace attached'],
      references: [{ url: 'https://example.com/log', title: 'Log' }],
    })
    expect(await failure(client, 'backlog_update', { id, remove_note: 'never written' })).toMatch(
      /^NO_MATCH: .*second look/,
    )
    await ok(client, 'backlog_update', { id, remove_references: ['https://example.com/log'] })
    expect(
      (await ok<{ items: Array<{ references: unknown[] }> }>(client, 'backlog_get', { id })).items[0]!.references,
    ).toEqual([])
  })

  it('edits the body with write_resource, and a mismatch shows the real text', async () => {
    const { repo, client, commits } = await setup()
    const [id] = ids(
      (await ok(client, 'backlog_create', { title: 'Spec', description: '## Goal\n\nShip it.\n\n## Steps\n1. one\n' }))
        .items,
    ) as [string]
    await ok(client, 'write_resource', {
      id,
      operation: { type: 'str_replace', old_str: 'Ship it.', new_str: 'Ship it well.' },
    })
    await ok(client, 'write_resource', { id, operation: { type: 'append', new_str: '2. two\n' } })
    await ok(client, 'write_resource', { id, operation: { type: 'insert', insert_line: 0, new_str: '> draft\n' } })
    const before = commits()
    const text = await failure(client, 'write_resource', {
      id,
      operation: { type: 'str_replace', old_str: 'Ship  it well.', new_str: 'x' },
    })
    expect(text).toMatch(/^NO_MATCH: /)
    expect(text).toMatch(/## Goal/)
    expect(commits()).toBe(before)
    const file = repo.read(`.backlog/tasks/${id.slice(-1)}/${id}.md`)
    expect(file).toMatch(/^---\nid: /)
    expect(file).toMatch(/\n---\n\n> draft\n## Goal\n\nShip it well\.\n\n## Steps\n1\. one\n2\. two\n$/)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/^edit /)
  })
})

describe('filters, dates and counts through backlog_list', () => {
  it('handles the cases a peer breaks on', async () => {
    const { client } = await setup()
    const made = await ok(client, 'backlog_create', {
      items: [
        { title: 'Auth token refresh', attributes: { project: 'web' } },
        { title: 'Auth for the CLI', attributes: { project: 'cli' } },
        { title: 'Fix the footer', description: 'fix: footer overlaps', attributes: { project: 'web' }, due: 'eow' },
        { title: 'Started thing', status: 'in_progress' },
        { title: 'Late thing', due: '2020-01-01' },
        { title: 'Blocked thing', depends_on: ['#1'] },
      ],
    })
    const [token, cli, footer, started, late, blocked] = ids(made.items) as string[]
    const list = async (filter: string) => ids((await ok(client, 'backlog_list', { filter })).items).sort()
    expect(await list('project:web auth')).toEqual([token])
    expect(await list('+ACTIVE or +OVERDUE')).toEqual([started, late].sort())
    expect(await list('-BLOCKED')).not.toContain(blocked)
    expect((await list('-BLOCKED')).length).toBe(5)
    expect(await list('due.by:eow')).toEqual([footer, late].sort())
    expect(await list('description.startswith:fix')).toEqual([footer])
    expect(await list('due.before:"next friday"')).toEqual(expect.arrayContaining([late]))
    expect(await list('project.not:web')).not.toContain(token)
    expect(await list('(project:cli or project:web) -BLOCKED auth')).toEqual([token, cli].sort())
    const error = await failure(client, 'backlog_list', { filter: 'status:open and (' })
    expect(error).toMatch(/^INVALID_INPUT: filter: .*column/)
  })

  it('resolves date words on write and hides waiting items from the default list', async () => {
    const { client } = await setup()
    const [soon, later] = ids(
      (
        await ok(client, 'backlog_create', {
          items: [
            { title: 'Soon', due: 'tomorrow' },
            { title: 'Later', wait: 'in 3 days' },
          ],
        })
      ).items,
    ) as [string, string]
    const items = (
      await ok<{ items: Array<{ id: string; due?: string; wait?: string }> }>(client, 'backlog_get', {
        id: [soon, later],
      })
    ).items
    expect(items[0]!.due).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(items[1]!.wait).toMatch(/^\d{4}-\d{2}-\d{2}/)
    expect(ids((await ok(client, 'backlog_list', {})).items)).toEqual([soon])
    expect(ids((await ok(client, 'backlog_list', { filter: '+WAITING' })).items)).toEqual([later])
    expect(await failure(client, 'backlog_create', { title: 'x', due: 'the day after' })).toMatch(
      /^INVALID_INPUT: due: "the day after" is not a date/,
    )
  })

  it('orders active lists by urgency and counts by every field asked', async () => {
    const { client } = await setup()
    await ok(client, 'backlog_create', {
      items: [
        { title: 'Low', priority: 'low', tags: ['a'] },
        { title: 'Urgent', priority: 'urgent', tags: ['a', 'b'], attributes: { estimate: 3 } },
        { title: 'Overdue', due: '2020-01-01', attributes: { estimate: 5 } },
      ],
    })
    const list = await ok<{ items: Row[]; counts: Record<string, Record<string, unknown>> }>(client, 'backlog_list', {
      counts: true,
      count_by: 'estimate',
    })
    expect(list.items.map((row) => row.title)).toEqual(['Overdue', 'Urgent', 'Low'])
    expect(list.items[0]!.urgency).toBeGreaterThan(list.items[2]!.urgency!)
    expect(list.counts.by_tag).toEqual({ a: 2, b: 1 })
    expect(list.counts.by_priority).toEqual({ low: 1, urgent: 1, none: 1 })
    expect(list.counts.by_field).toEqual({ estimate: { '3': 1, '5': 1, none: 1 } })
  })
})

describe('MCP resources', () => {
  it('serves items and the config, completes ids, and notifies on changes, hand edits included', async () => {
    const { repo, client } = await setup()
    const [id] = ids((await ok(client, 'backlog_create', { title: 'Resource me' })).items) as [string]
    const { resourceTemplates } = await client.client.listResourceTemplates()
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(['backlog://items/{id}'])
    const { resources } = await client.client.listResources()
    expect(resources.map((resource) => resource.uri)).toEqual([
      'backlog://config',
      'backlog://briefing',
      `backlog://items/${id}`,
    ])
    const read = await client.client.readResource({ uri: `backlog://items/${id}` })
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/markdown' })
    expect((read.contents[0] as { text: string }).text).toMatch(/^---\nid: /)
    const config = await client.client.readResource({ uri: 'backlog://config' })
    expect((config.contents[0] as { text: string }).text).toMatch(/prefix: bl/)
    const completion = await client.client.complete({
      ref: { type: 'ref/resource', uri: 'backlog://items/{id}' },
      argument: { name: 'id', value: id.slice(0, 4).toUpperCase() },
    })
    expect(completion.completion.values).toContain(id)

    const { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } = await import(
      '@modelcontextprotocol/sdk/types.js'
    )
    const updated: string[] = []
    let listChanged = 0
    client.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => {
      updated.push(note.params.uri)
    })
    client.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      listChanged++
    })
    await client.client.subscribeResource({ uri: `backlog://items/${id}` })
    await ok(client, 'backlog_create', { title: 'Another' })
    await expect.poll(() => listChanged, { timeout: 3000 }).toBeGreaterThan(0)
    const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`
    repo.write(path, repo.read(path).replace('title: Resource me', 'title: Edited by hand'))
    await expect.poll(() => updated, { timeout: 3000 }).toContain(`backlog://items/${id}`)
  })

  it('answers a resource that is not there as a tool answers an error: CODE and what to do next', async () => {
    const { client } = await setup()
    await expect(client.client.readResource({ uri: 'backlog://items/bl-nothere' })).rejects.toThrow(
      /NOT_FOUND: No item at backlog:\/\/items\/bl-nothere\. .*backlog_list shows ids/,
    )
    const bare = await connectInProcess(tempRepo().dir)
    await expect(bare.client.readResource({ uri: 'backlog://config' })).rejects.toThrow(
      /NOT_INITIALIZED: No backlog here yet/,
    )
  })
})

describe('what a review and a tester found', () => {
  it('archives an item named twice once, and leaves the working tree clean', async () => {
    const { repo, client, commits } = await setup()
    const [id] = ids((await ok(client, 'backlog_create', { title: 'Shipped', status: 'done' })).items) as [string]
    const before = commits()
    await ok(client, 'backlog_archive', { id: [id, id.toUpperCase()] })
    expect(commits()).toBe(before + 1)
    expect(repo.git('status', '--porcelain')).toBe('')
    await ok(client, 'backlog_unarchive', { id: [id, id] })
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('selects for a bulk update by exact words only: no typos, no stop words, no closed items by an id-like word', async () => {
    const { client, commits } = await setup()
    const made = await ok(client, 'backlog_create', {
      items: [
        { title: 'Each loop is slow' },
        { title: 'Add caching to the API' },
        { title: 'Write the follow-up email', status: 'done' },
        { title: 'The login page for mobile' },
      ],
    })
    const [each, caching, followUp, loginPage] = ids(made.items) as [string, string, string, string]
    const before = commits()
    expect((await ok(client, 'backlog_update', { filter: 'the', add_tags: 'x' })).items).toEqual([])
    expect(commits()).toBe(before)
    expect(ids((await ok(client, 'backlog_update', { filter: 'caching', add_tags: 'perf' })).items)).toEqual([caching])
    expect((await ok(client, 'backlog_update', { filter: 'follow-up', status: 'cancelled' })).items).toEqual([])
    expect(ids((await ok(client, 'backlog_list', { filter: 'follow-up', status: 'all' })).items)).toEqual([followUp])
    // A quoted phrase keeps its word order.
    expect(ids((await ok(client, 'backlog_list', { filter: '"login page"' })).items)).toEqual([loginPage])
    expect((await ok(client, 'backlog_list', { filter: '"page login"' })).items).toEqual([])
    expect(await failure(client, 'backlog_update', { filter: '+perf', title: 'Same for all' })).toMatch(
      /title can only be set on one item/,
    )
    expect(ids((await ok(client, 'backlog_list', {})).items)).toContain(each)
  })

  it('adds one next occurrence however often a recurring item is closed and reopened', async () => {
    const { client } = await setup()
    const [id] = ids(
      (await ok(client, 'backlog_create', { title: 'Rotate logs', recur: 'daily', due: '2026-11-23' })).items,
    ) as [string]
    await ok(client, 'backlog_update', { id, status: 'done' })
    await ok(client, 'backlog_update', { id, status: 'open' })
    const again = await ok(client, 'backlog_update', { id, status: 'done' })
    expect(again.items).toHaveLength(1)
    const all = await ok(client, 'backlog_list', { filter: 'title:"Rotate logs"', status: 'all' })
    expect(all.items).toHaveLength(2)
  })

  it('keeps commas in evidence and removes evidence and blocked reasons by their text', async () => {
    const { client } = await setup()
    const [id] = ids((await ok(client, 'backlog_create', { title: 'Tests' })).items) as [string]
    await ok(client, 'backlog_update', {
      id,
      add_evidence: '42 passed, 0 failed',
      add_blocked_reason: 'waiting on API, and on design',
    })
    const get = async () =>
      (await ok<{ items: Array<{ evidence: string[]; blocked_reason: string[] }> }>(client, 'backlog_get', { id }))
        .items[0]!
    expect(await get()).toMatchObject({
      evidence: ['42 passed, 0 failed'],
      blocked_reason: ['waiting on API, and on design'],
    })
    expect(await failure(client, 'backlog_update', { id, remove_evidence: 'nope' })).toMatch(/^NO_MATCH: .*42 passed/)
    await ok(client, 'backlog_update', { id, remove_blocked_reason: 'waiting on API, and on design' })
    expect((await get()).blocked_reason).toEqual([])
  })
})

describe('resource notifications after a restart', () => {
  it('tells a subscriber about a hand edit of an item the server read from its parse cache', async () => {
    const repo = tempRepo()
    const { createApp } = await import('../../src/app/index.js')
    const { createInput } = await import('../../src/core/inputs.js')
    const writer = createApp({ cwd: repo.dir })
    await writer.init({})
    const { items } = await writer.create(createInput.parse({ title: 'Cached' }))
    writer.close()
    const reader = createApp({ cwd: repo.dir })
    await reader.list({})
    reader.close() // leaves .git/backlog/items-cache.json
    expect(repo.read('.git/backlog/items-cache.json')).toContain('Cached')
    const id = items[0]!.id
    const client = await connectInProcess(repo.dir)
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js')
    const updated: string[] = []
    client.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => {
      updated.push(note.params.uri)
    })
    await client.client.subscribeResource({ uri: `backlog://items/${id}` })
    const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`
    repo.write(path, repo.read(path).replace('title: Cached', 'title: Edited'))
    await expect.poll(() => updated, { timeout: 3000 }).toContain(`backlog://items/${id}`)
  })
})
