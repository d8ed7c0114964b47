import { describe, expect, it } from 'vitest'
import { connectInProcess, type TestClient, textOf } from '../helpers/mcp.js'
import { seededRandom, steppingClock, tempRepo } from '../helpers/repo.js'

async function setup(files?: Record<string, string>) {
  const repo = tempRepo(files)
  const client = await connectInProcess(repo.dir, { now: steppingClock(), random: seededRandom() })
  return { repo, client }
}

async function initialized() {
  const { repo, client } = await setup()
  const { createApp } = await import('../../src/app/index.js')
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  return { repo, client }
}

async function create(client: TestClient, args: Record<string, unknown>): Promise<string> {
  const result = await client.call('backlog_create', args)
  expect(result.isError, textOf(result)).toBeFalsy()
  return (result.structuredContent as { items: Array<{ id: string }> }).items[0]!.id
}

describe('the MCP tool surface', () => {
  it('lists the tools, each with a title, description, all annotations and both schemas', async () => {
    const { client } = await setup()
    const { tools } = await client.client.listTools()
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'backlog_archive',
      'backlog_context',
      'backlog_create',
      'backlog_delete',
      'backlog_get',
      'backlog_history',
      'backlog_list',
      'backlog_restore',
      'backlog_search',
      'backlog_unarchive',
      'backlog_undo',
      'backlog_update',
      'write_resource',
    ])
    for (const tool of tools) {
      expect(tool.title).toBeTruthy()
      expect(tool.description!.length).toBeGreaterThan(80)
      expect(tool.inputSchema.type).toBe('object')
      expect(tool.outputSchema?.type).toBe('object')
      expect(tool.annotations).toMatchObject({ openWorldHint: false })
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint'] as const) {
        expect(typeof tool.annotations?.[hint]).toBe('boolean')
      }
    }
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    expect(byName.get('backlog_list')!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(byName.get('backlog_get')!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    expect(byName.get('backlog_delete')!.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true })
    for (const name of ['backlog_search', 'backlog_context', 'backlog_history']) {
      expect(byName.get(name)!.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false })
    }
    expect(byName.get('write_resource')!.inputSchema.required).toEqual(['id', 'operation'])
    expect(byName.get('backlog_search')!.inputSchema.required).toEqual(['query'])
  })

  it('starts from nothing: reads see an empty backlog, the first create makes it in the same commit', async () => {
    const { repo, client } = await setup()
    const listed = await client.call('backlog_list')
    expect(listed.isError).toBeFalsy()
    expect(listed.structuredContent).toMatchObject({ items: [], total: 0, no_backlog: true })
    expect(textOf(listed)).toMatch(/^No backlog in this repository yet: backlog_create starts it/)
    const undo = await client.call('backlog_undo')
    expect(textOf(undo)).toMatch(/^NOT_INITIALIZED: No backlog in .* yet: creating the first item starts one/)
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('1')

    const created = await client.call('backlog_create', {
      items: [
        { title: 'Plan the launch', type: 'epic' },
        { title: 'Write the README', parent: '#1' },
      ],
    })
    expect(created.isError, textOf(created)).toBeFalsy()
    expect(created.structuredContent).toMatchObject({ started_backlog: true, changed: true })
    expect(textOf(created)).toContain('Started the backlog in .backlog/')
    // One commit holds the config, the merge attributes and both items; nothing else in the repository changed.
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2')
    const files = repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n').sort()
    expect(files).toHaveLength(4)
    expect(files.slice(0, 2)).toEqual(['.backlog/.gitattributes', '.backlog/config.yml'])
    expect(files.slice(2).every((path) => path.startsWith('.backlog/tasks/'))).toBe(true)
    expect(repo.git('status', '--porcelain').trim()).toBe('')
    expect(repo.git('config', '--get', 'merge.backlog.driver').trim()).toContain('merge-driver')
    expect(repo.git('check-attr', 'merge', '--', files[2] as string).trim()).toContain('merge: backlog')

    const next = await client.call('backlog_create', { title: 'Second item' })
    expect(next.structuredContent).not.toHaveProperty('started_backlog')
    expect(repo.git('show', '--name-only', '--format=', 'HEAD').trim().split('\n')).toHaveLength(1)
    expect((await client.call('backlog_list')).structuredContent).not.toHaveProperty('no_backlog')
  })

  it('creates an item as one commit whose trailers name the agent from clientInfo', async () => {
    const { repo, client } = await initialized()
    const result = await client.call('backlog_create', {
      title: 'Fix the login flow',
      description: 'Users are logged out on refresh.',
      priority: 'H',
      tags: 'auth, web',
      references: ['https://example.com/issue/1', { url: 'https://example.com/spec', title: 'Spec' }],
      due: '2026-12-01',
      attributes: { estimate: 3 },
    })
    expect(result.isError).toBeFalsy()
    const data = result.structuredContent as {
      items: Array<{ id: string; priority: string; tags: string[] }>
      commit: string
    }
    expect(data.items[0]).toMatchObject({ priority: 'high', tags: ['auth', 'web'], status: 'open', type: 'task' })
    expect(textOf(result)).toMatch(
      /^Created bl-\w{6} \[open\] high Fix the login flow #auth #web due 2026-12-01 \(commit [0-9a-f]{7}\)$/,
    )
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(data.commit)
    expect(repo.git('log', '-1', '--format=%B')).toBe(
      `add ${data.items[0]!.id}: Fix the login flow\n\nBacklog-Op: create\nBacklog-Id: ${data.items[0]!.id}\nBacklog-Agent: test-agent\n\n`,
    )
    const file = repo.read(`.backlog/tasks/${data.items[0]!.id.slice(-1)}/${data.items[0]!.id}.md`)
    expect(file).toContain('estimate: 3\n')
    expect(file).toContain('  - url: https://example.com/spec\n    title: Spec\n')
    expect(file.endsWith('---\n\nUsers are logged out on refresh.\n')).toBe(true)
  })

  it('takes an agent named in the call over the client name', async () => {
    const { repo, client } = await initialized()
    await create(client, { title: 'Named', agent: 'claude-code' })
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('claude-code')
  })

  it('gets one item or many, case-insensitively, in full', async () => {
    const { client } = await initialized()
    const a = await create(client, { title: 'First', description: 'Body A' })
    const b = await create(client, { title: 'Second' })
    const one = await client.call('backlog_get', { id: a.toUpperCase() })
    expect((one.structuredContent as { items: Array<{ id: string; description: string }> }).items).toMatchObject([
      { id: a, description: 'Body A\n' },
    ])
    expect(textOf(one)).toContain(`# ${a}: First`)
    const many = await client.call('backlog_get', { id: [a, b] })
    expect((many.structuredContent as { items: unknown[] }).items).toHaveLength(2)
  })

  it('lists active items by default, filters, limits and counts', async () => {
    const { client } = await initialized()
    const epic = await create(client, { title: 'Auth epic', type: 'epic' })
    const a = await create(client, { title: 'Login', parent: epic, tags: ['web'], priority: 'low' })
    const b = await create(client, {
      title: 'Logout',
      parent: epic,
      tags: ['web', 'urgent-fix'],
      priority: 'urgent',
      assignee: 'ann',
    })
    const c = await create(client, { title: 'Old thing' })
    await client.call('backlog_update', { id: c, status: 'done' })

    const all = (await client.call('backlog_list')).structuredContent as { items: Array<{ id: string }>; total: number }
    expect(all.items.map((row) => row.id)).toEqual([b, a, epic])
    const done = (await client.call('backlog_list', { status: 'done' })).structuredContent as {
      items: Array<{ id: string }>
    }
    expect(done.items.map((row) => row.id)).toEqual([c])
    const every = (await client.call('backlog_list', { status: ['all'], counts: 'true' })).structuredContent as {
      total: number
      counts: { by_status: Record<string, number>; by_type: Record<string, number> }
    }
    expect(every.total).toBe(4)
    expect(every.counts).toMatchObject({ by_status: { open: 3, done: 1 }, by_type: { epic: 1, task: 3 } })
    const children = (await client.call('backlog_list', { parent: epic.toUpperCase(), tags: 'web', assignee: 'ANN' }))
      .structuredContent as { items: Array<{ id: string }> }
    expect(children.items.map((row) => row.id)).toEqual([b])
    const limited = await client.call('backlog_list', { limit: '1' })
    expect(limited.structuredContent).toMatchObject({ total: 3, truncated: true })
    expect(textOf(limited)).toMatch(/2 more; raise limit/)
    const tasks = (await client.call('backlog_list', { type: 'epic' })).structuredContent as {
      items: Array<{ id: string }>
    }
    expect(tasks.items.map((row) => row.id)).toEqual([epic])
  })

  it('updates part of an item: status stamps, tags added and removed, notes signed, fields cleared', async () => {
    const { repo, client } = await initialized()
    const id = await create(client, { title: 'Work', tags: ['a', 'b'], assignee: 'ann' })
    const started = await client.call('backlog_update', {
      id,
      status: 'in_progress',
      add_tags: ['c'],
      remove_tags: 'A',
    })
    expect(started.structuredContent).toMatchObject({
      changed: true,
      items: [{ status: 'in_progress', tags: ['b', 'c'] }],
    })
    expect(repo.git('log', '-1', '--format=%s')).toBe(`start ${id}: Work\n`)
    await client.call('backlog_update', { id, note: 'Found the cause', assignee: '' })
    await client.call('backlog_update', { id, status: 'done' })
    const item = (
      (await client.call('backlog_get', { id })).structuredContent as { items: Array<Record<string, unknown>> }
    ).items[0]!
    expect(item).toMatchObject({
      status: 'done',
      started: '2026-11-23T12:00:01Z',
      closed: '2026-11-23T12:00:03Z',
      notes: [{ at: '2026-11-23T12:00:02Z', by: 'test-agent', text: 'Found the cause' }],
    })
    expect(item.assignee).toBeUndefined()
    expect(repo.git('log', '-1', '--format=%s')).toBe(`done ${id}: Work\n`)
    const reopened = await client.call('backlog_update', { id, status: 'open' })
    expect(reopened.structuredContent).toMatchObject({ items: [{ status: 'open' }] })
    expect(repo.git('log', '-1', '--format=%s')).toBe(`reopen ${id}: Work\n`)
  })

  it('makes no commit for an update that changes nothing', async () => {
    const { repo, client } = await initialized()
    const id = await create(client, { title: 'Same', priority: 'high' })
    const head = repo.git('rev-parse', 'HEAD')
    const result = await client.call('backlog_update', { id, priority: 'high', title: 'Same' })
    expect(result.structuredContent).toMatchObject({ changed: false })
    expect(textOf(result)).toMatch(/^No change/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
  })

  it('deletes items in one commit', async () => {
    const { repo, client } = await initialized()
    const a = await create(client, { title: 'A' })
    const b = await create(client, { title: 'B' })
    const result = await client.call('backlog_delete', { id: [a, b] })
    expect(result.isError).toBeFalsy()
    expect(repo.git('log', '-1', '--format=%B')).toBe(
      `rm 2 items: ${a}, ${b}\n\nBacklog-Op: delete\nBacklog-Id: ${a}\nBacklog-Id: ${b}\nBacklog-Agent: test-agent\n\n`,
    )
    expect(repo.git('ls-files', '.backlog/tasks')).toBe('')
    expect(((await client.call('backlog_list')).structuredContent as { total: number }).total).toBe(0)
  })

  it('answers bad input with a stable code, a next step, and no write', async () => {
    const { repo, client } = await initialized()
    const id = await create(client, { title: 'Real' })
    const head = repo.git('rev-parse', 'HEAD')
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['backlog_create', {}, /^INVALID_INPUT: title: .*call backlog_create again/],
      ['backlog_create', { title: '   ' }, /^INVALID_INPUT: title: title is required/],
      [
        'backlog_create',
        { title: 'x', priority: 'soonish' },
        /^INVALID_INPUT: priority: priority "soonish" is not one of/,
      ],
      [
        'backlog_create',
        { title: 'x', status: 'doing' },
        /^INVALID_INPUT: status "doing" is not one of open, in_progress/,
      ],
      ['backlog_create', { title: 'x', due: '2026-02-30' }, /^INVALID_INPUT: due: "2026-02-30" is not a date/],
      ['backlog_create', { title: 'x', parent: 'bl-nope00' }, /^NOT_FOUND: parent: no item bl-nope00/],
      ['backlog_create', { title: 'x', depends_on: [id, 'bl-gone00'] }, /^NOT_FOUND: depends_on: no item bl-gone00/],
      ['backlog_get', { id: '../../etc/passwd' }, /^INVALID_INPUT: id: "..\/..\/etc\/passwd" is not an item id/],
      ['backlog_get', { id: 'bl-zzzzzz' }, /^NOT_FOUND: No item bl-zzzzzz\. Call backlog_list/],
      ['backlog_update', { id: 'bl-zzzzzz', status: 'done' }, /^NOT_FOUND: No item bl-zzzzzz/],
      ['backlog_update', { id, parent: id }, /^INVALID_INPUT: parent: an item cannot be its own parent/],
      ['backlog_update', { id, depends_on: id }, /^INVALID_INPUT: depends_on: an item cannot depend on itself/],
      ['backlog_delete', { id: [id, 'bl-zzzzzz'] }, /^NOT_FOUND: No item bl-zzzzzz/],
      ['backlog_list', { limit: 'ten' }, /^INVALID_INPUT: limit/],
      ['backlog_nope', {}, /^NOT_FOUND: No tool backlog_nope/],
    ]
    for (const [tool, args, expected] of cases) {
      const result = await client.call(tool, args)
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true)
      expect(textOf(result)).toMatch(expected)
      expect(result.structuredContent).toBeUndefined()
    }
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('refuses a parent loop', async () => {
    const { client } = await initialized()
    const a = await create(client, { title: 'A' })
    const b = await create(client, { title: 'B', parent: a })
    const result = await client.call('backlog_update', { id: a, parent: b })
    expect(textOf(result)).toMatch(/^INVALID_INPUT: parent: .* would make a loop/)
  })

  it('sees hand edits on the next call and reports unreadable files without failing', async () => {
    const { repo, client } = await initialized()
    const id = await create(client, { title: 'Before' })
    const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`
    repo.write(path, repo.read(path).replace('title: Before', 'title: Edited by hand'))
    const got = (await client.call('backlog_get', { id })).structuredContent as { items: Array<{ title: string }> }
    expect(got.items[0]!.title).toBe('Edited by hand')

    repo.write('.backlog/tasks/x/bl-broken.md', '---\nid: bl-broken\ntitle: [oops\n---\n')
    repo.write(
      '.backlog/tasks/y/bl-merge1.md',
      '---\nid: bl-merge1\n<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> theirs\n---\n',
    )
    const listed = await client.call('backlog_list')
    expect(listed.isError).toBeFalsy()
    const data = listed.structuredContent as {
      items: Array<{ id: string }>
      problems: Array<{ path: string; line?: number; reason: string }>
    }
    expect(data.items.map((row) => row.id)).toEqual([id])
    expect(data.problems).toMatchObject([
      { path: '.backlog/tasks/x/bl-broken.md', reason: expect.stringMatching(/invalid YAML/) },
      { path: '.backlog/tasks/y/bl-merge1.md', line: 3, reason: expect.stringMatching(/conflict markers/) },
    ])
    expect(textOf(listed)).toMatch(/UNREADABLE \.backlog\/tasks\/y\/bl-merge1\.md:3: git conflict markers/)
    // An edit to a readable item still works and commits its hand edit with it.
    const updated = await client.call('backlog_update', { id, status: 'in_progress' })
    expect(updated.isError).toBeFalsy()
    expect(repo.git('show', `HEAD:${path}`)).toContain('title: Edited by hand')
    expect(repo.git('show', '--stat', '--format=', 'HEAD').trim().split('\n')).toHaveLength(2)
  })

  it('sees items added and removed by hand', async () => {
    const { repo, client } = await initialized()
    await create(client, { title: 'Tool made' })
    repo.write(
      '.backlog/tasks/1/TASK-0001.md',
      '---\ntitle: Imported by hand\nstatus: open\n---\nFrom the old tracker.\n',
    )
    const listed = (await client.call('backlog_list')).structuredContent as {
      items: Array<{ id: string; title: string }>
    }
    expect(listed.items.map((row) => row.id)).toContain('TASK-0001')
    const got = (await client.call('backlog_get', { id: 'task-0001' })).structuredContent as {
      items: Array<{ description: string }>
    }
    expect(got.items[0]!.description).toBe('From the old tracker.\n')
    const { rmSync } = await import('node:fs')
    rmSync(`${repo.dir}/.backlog/tasks/1/TASK-0001.md`)
    const after = (await client.call('backlog_list')).structuredContent as { items: Array<{ id: string }> }
    expect(after.items.map((row) => row.id)).not.toContain('TASK-0001')
  })
})

describe('what a first user ran into', () => {
  it('refuses item fields passed as attributes, and names the field to use for unknown arguments', async () => {
    const { repo, client } = await initialized()
    const head = repo.git('rev-parse', 'HEAD')
    for (const attributes of [{ id: 'zz' }, { status: 'done' }, { tags: 'a' }, { 'bad key': 1 }]) {
      const result = await client.call('backlog_create', { title: 'x', attributes })
      expect(result.isError, JSON.stringify(attributes)).toBe(true)
      expect(textOf(result)).toMatch(/^INVALID_INPUT: attributes: /)
    }
    const unknown = await client.call('backlog_create', { title: 'x', labels: ['a'], parentTaskId: 'bl-1' })
    expect(textOf(unknown)).toMatch(
      /^INVALID_INPUT: unknown field "labels" \(use "tags"\); unknown field "parentTaskId" \(use "parent"\)/,
    )
    const multiline = await client.call('backlog_create', { title: 'two\nlines' })
    expect(textOf(multiline)).toMatch(/^INVALID_INPUT: title: title must be one line/)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    const accepted = await client.call('backlog_create', {
      title: 'JSON attributes',
      attributes: '{"estimate": 5}',
      references: 'https://a.example, https://b.example',
      type: 'Task',
    })
    expect(accepted.isError, textOf(accepted)).toBeFalsy()
  })

  it('refuses to delete what others point at, unless they go in the same call', async () => {
    const { repo, client } = await initialized()
    const epic = await create(client, { title: 'Epic', type: 'epic' })
    const dependency = await create(client, { title: 'First' })
    const task = await create(client, { title: 'Second', parent: epic, depends_on: dependency })
    const head = repo.git('rev-parse', 'HEAD')
    const refused = await client.call('backlog_delete', { id: dependency })
    expect(textOf(refused)).toMatch(
      new RegExp(`^CONFLICT: Other items point at what you are deleting: ${task} \\(depends_on ${dependency}\\)`),
    )
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    const together = await client.call('backlog_delete', { id: [epic, dependency, task] })
    expect(together.isError, textOf(together)).toBeFalsy()
  })

  it('lets an item whose parent vanished by hand still be edited', async () => {
    const { repo, client } = await initialized()
    const parent = await create(client, { title: 'Parent' })
    const child = await create(client, { title: 'Child', parent: parent.toUpperCase() })
    expect(repo.read(`.backlog/tasks/${child.slice(-1)}/${child}.md`)).toContain(`parent: ${parent}\n`)
    repo.git('rm', '-q', `.backlog/tasks/${parent.slice(-1)}/${parent}.md`)
    repo.git('commit', '-qm', 'removed by hand')
    const noted = await client.call('backlog_update', { id: child, note: 'still works' })
    expect(noted.isError, textOf(noted)).toBeFalsy()
    expect(repo.git('log', '-1', '--format=%b')).toMatch(/^Changed: note\n/)
  })

  it('hides waiting items from the default list, and says what an update changed', async () => {
    const { repo, client } = await initialized()
    const later = await create(client, { title: 'Later', wait: '2099-01-01' })
    const now = await create(client, { title: 'Now', wait: '2020-01-01' })
    const listed = (await client.call('backlog_list')).structuredContent as { items: Array<{ id: string }> }
    expect(listed.items.map((row) => row.id)).toEqual([now])
    const open = (await client.call('backlog_list', { status: 'open' })).structuredContent as {
      items: Array<{ id: string }>
    }
    expect(open.items.map((row) => row.id).sort()).toEqual([later, now].sort())
    await client.call('backlog_update', { id: now, priority: 'high', add_tags: 'x', description: 'More.' })
    expect(repo.git('log', '-1', '--format=%B')).toMatch(
      /^update bl-\w+: Now\n\nChanged: priority, tags, description\n\nBacklog-Op: update/,
    )
  })

  it('refuses unknown statuses and types in list filters', async () => {
    const { client } = await initialized()
    expect(textOf(await client.call('backlog_list', { status: 'bogus' }))).toMatch(
      /^INVALID_INPUT: status "bogus" is not one of .*Fix the arguments and call backlog_list again\.$/,
    )
    expect(textOf(await client.call('backlog_list', { type: 'story' }))).toMatch(
      /^INVALID_INPUT: type "story" is not one of/,
    )
  })

  it('says an item is unreadable, with its path and line, instead of not found', async () => {
    const { repo, client } = await initialized()
    repo.write(
      '.backlog/tasks/1/bl-brkn01.md',
      '---\nid: bl-brkn01\n<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> x\n---\n',
    )
    for (const [tool, args] of [
      ['backlog_get', { id: 'bl-brkn01' }],
      ['backlog_update', { id: 'bl-brkn01', status: 'done' }],
      ['backlog_create', { title: 'x', depends_on: 'bl-brkn01' }],
    ] as const) {
      const result = await client.call(tool, args)
      expect(textOf(result)).toMatch(
        /^MALFORMED_ITEM: .*bl-brkn01 is in \.backlog\/tasks\/1\/bl-brkn01\.md, which cannot be read: git conflict markers.* \(line 3\)/,
      )
    }
  })
})
