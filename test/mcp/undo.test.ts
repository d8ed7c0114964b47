/** Undo, redo, restore and history through the MCP tools, on real repositories checked with git. */

import { describe, expect, it } from 'vitest'
import { callError, callOk, initializedClient, type TestClient, textOf } from '../helpers/mcp.js'

const setup = initializedClient

function ok<T = { items: Array<{ id: string; title: string; status: string }> }>(
  client: TestClient,
  tool: string,
  args: Record<string, unknown>,
): Promise<T> {
  return callOk<T>(client, tool, args)
}

const failure = callError

const item = async (client: TestClient, id: string) =>
  (await ok<{ items: Array<Record<string, unknown>> }>(client, 'backlog_get', { id })).items[0]!

describe('undo', () => {
  it("takes back the caller's own change and keeps another agent's later change to other fields", async () => {
    const { repo, client, commits } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'Original', agent: 'ann' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, title: 'Renamed by Ann', agent: 'ann' })
    await ok(client, 'backlog_update', { id, status: 'in_progress', agent: 'bob' })
    // A person's commit outside the backlog in between.
    repo.write('src/app.ts', 'export {}\n')
    repo.git('add', 'src/app.ts')
    repo.git('commit', '-qm', 'code')
    const before = commits()
    const undone = await ok<{ reverted: { subject: string }; commit: string }>(client, 'backlog_undo', { agent: 'ann' })
    expect(undone.reverted.subject).toMatch(/Renamed by Ann/)
    expect(commits()).toBe(before + 1)
    expect(await item(client, id!)).toMatchObject({ title: 'Original', status: 'in_progress' })
    const message = repo.git('log', '-1', '--format=%B')
    expect(message).toMatch(/^undo /)
    expect(message).toMatch(/Backlog-Op: undo\nBacklog-Id: /)
    expect(message).toMatch(/Backlog-Reverts: [0-9a-f]{40}/)
    expect(repo.git('show', 'HEAD~1:src/app.ts')).toBe('export {}\n')
    expect(repo.git('status', '--porcelain')).toBe('')
    repo.git('fsck', '--strict')

    // Again: walks further back to Ann's create, which Bob changed since: refused, nothing written.
    const refused = await failure(client, 'backlog_undo', { agent: 'ann' })
    expect(refused).toMatch(/^CONFLICT: Cannot undo [0-9a-f]{7} \(add .*\): .* \(changed since by [0-9a-f]{7}\)/)
    expect(commits()).toBe(before + 1)

    // Redo brings Ann's rename back.
    await ok(client, 'backlog_undo', { agent: 'ann', redo: true })
    expect(await item(client, id!)).toMatchObject({ title: 'Renamed by Ann', status: 'in_progress' })
    expect(await failure(client, 'backlog_undo', { agent: 'ann', redo: true })).toMatch(/^NOT_FOUND: Nothing to redo/)
  })

  it('refuses an undo whose field was changed again later, naming that commit, and writes nothing', async () => {
    const { repo, client, commits } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'T', agent: 'bob' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, priority: 'high', agent: 'ann' })
    await ok(client, 'backlog_update', { id, priority: 'low', agent: 'bob' })
    const later = repo.git('rev-parse', '--short=7', 'HEAD').trim()
    const before = commits()
    const text = await failure(client, 'backlog_undo', { agent: 'ann' })
    expect(text).toContain(`priority changed again later (changed since by ${later})`)
    expect(commits()).toBe(before)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('undoes a whole batch in one commit, restores a deleted item by undo or by restore', async () => {
    const { repo, client, commits } = await setup()
    const batch = await ok(client, 'backlog_create', { items: [{ title: 'One' }, { title: 'Two' }] })
    await ok(client, 'backlog_undo', {})
    expect((await ok(client, 'backlog_list', { status: 'all' })).items).toEqual([])
    expect(repo.git('show', '--no-renames', '--name-status', '--format=', 'HEAD').trim().split('\n')).toHaveLength(2)

    const [kept] = (await ok(client, 'backlog_create', { title: 'Keep me' })).items.map((row) => row.id)
    await ok(client, 'backlog_delete', { id: kept })
    await ok(client, 'backlog_undo', {})
    expect(await item(client, kept!)).toMatchObject({ title: 'Keep me' })

    await ok(client, 'backlog_delete', { id: kept })
    await ok(client, 'backlog_create', { title: 'Something else' })
    const before = commits()
    await ok(client, 'backlog_restore', { id: kept })
    expect(commits()).toBe(before + 1)
    expect(await item(client, kept!)).toMatchObject({ title: 'Keep me' })
    expect(await failure(client, 'backlog_restore', { id: kept })).toMatch(/^CONFLICT: /)
    expect(batch.items).toHaveLength(2)
  })
})

describe('undo across archive moves', () => {
  it('takes back a change made before the item was archived, and leaves it archived', async () => {
    const { repo, client } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'Ship it', agent: 'ann' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, priority: 'high', agent: 'ann' })
    await ok(client, 'backlog_update', { id, status: 'done', agent: 'bob' })
    await ok(client, 'backlog_archive', { id, agent: 'bob' })

    const undone = await ok<{ reverted: { subject: string } }>(client, 'backlog_undo', { agent: 'ann' })
    expect(undone.reverted.subject).toMatch(/Ship it/)
    const now = await item(client, id!)
    expect(now).toMatchObject({ archived: true, status: 'done' })
    expect(now.priority).toBeUndefined()
    expect(repo.git('show', '--stat', '--format=', 'HEAD').trim()).toMatch(/^\.backlog\/archive\/.*\| 2 \+-/)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('takes back an archive as a move, keeping an edit made to the archived item since', async () => {
    const { repo, client, commits } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'Old work', status: 'done', agent: 'ann' })).items.map(
      (row) => row.id,
    )
    await ok(client, 'backlog_archive', { id, agent: 'bob' })
    await ok(client, 'backlog_update', { id, note: 'kept for the audit', agent: 'carol' })
    const before = commits()

    await ok(client, 'backlog_undo', { agent: 'bob' })
    expect(commits()).toBe(before + 1)
    const now = await item(client, id!)
    expect(now).toMatchObject({ archived: false, status: 'done' })
    expect((now.notes as Array<{ text: string }>).map((note) => note.text)).toEqual(['kept for the audit'])
    const moved = repo.git('show', '--no-renames', '--name-status', '--format=', 'HEAD').trim().split('\n').sort()
    expect(moved).toHaveLength(2)
    expect(moved[0]).toMatch(/^A\t\.backlog\/tasks\//)
    expect(moved[1]).toMatch(/^D\t\.backlog\/archive\//)
    repo.git('fsck', '--strict')

    // and redo archives it again, note and all
    await ok(client, 'backlog_undo', { agent: 'bob', redo: true })
    expect(await item(client, id!)).toMatchObject({ archived: true, notes: [expect.objectContaining({ by: 'carol' })] })
    expect(repo.git('status', '--porcelain')).toBe('')
  })
})

describe('history', () => {
  it('lists field changes old → new for an item edited by tools and by hand, and pages', async () => {
    const { repo, client } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'First', agent: 'ann' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, status: 'done', agent: 'bob' })
    const path = `.backlog/tasks/${id!.slice(-1)}/${id}.md`
    repo.write(path, repo.read(path).replace('title: First', 'title: By hand'))
    repo.git('commit', '-qam', 'fix the title')
    const { entries, next } = await ok<{
      entries: Array<{ op?: string; agent?: string; items: Array<{ changes: Array<{ field: string }> }> }>
      next?: string
    }>(client, 'backlog_history', { id, limit: 2 })
    expect(entries.map((entry) => entry.op)).toEqual(['edit', 'update'])
    expect(entries[0]!.items[0]!.changes).toEqual([{ field: 'title', old: 'First', new: 'By hand' }])
    expect(entries[1]).toMatchObject({ agent: 'bob' })
    expect(entries[1]!.items[0]!.changes.map((change) => change.field)).toEqual(['status', 'closed'])
    const rest = await ok<{ entries: Array<{ op?: string }> }>(client, 'backlog_history', { id, after: next })
    expect(rest.entries.map((entry) => entry.op)).toEqual(['create'])
    const byAnn = await ok<{ entries: unknown[] }>(client, 'backlog_history', { agent: 'ann' })
    expect(byAnn.entries).toHaveLength(1)
    const text = textOf(await client.call('backlog_history', { id }))
    expect(text).toMatch(/title: First → By hand/)
  })
})

describe('undo edge cases found in review', () => {
  it('redoes several undos in turn, and passes over a change already taken back by hand', async () => {
    const { repo, client } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'v0', agent: 'ann' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, title: 'v1', agent: 'ann' })
    await ok(client, 'backlog_update', { id, title: 'v2', agent: 'ann' })
    await ok(client, 'backlog_undo', { agent: 'ann' })
    await ok(client, 'backlog_undo', { agent: 'ann' })
    expect(await item(client, id!)).toMatchObject({ title: 'v0' })
    await ok(client, 'backlog_undo', { agent: 'ann', redo: true })
    await ok(client, 'backlog_undo', { agent: 'ann', redo: true })
    expect(await item(client, id!)).toMatchObject({ title: 'v2' })

    // A person reverts Ann's last change with git; Ann's undo then takes back the change before it.
    await ok(client, 'backlog_update', { id, priority: 'high', agent: 'ann' })
    repo.git('revert', '--no-edit', 'HEAD')
    const undone = await ok<{ reverted: { subject: string } }>(client, 'backlog_undo', { agent: 'ann' })
    expect(undone.reverted.subject).toMatch(/^redo /)
    expect(await item(client, id!)).toMatchObject({ title: 'v1' })
  })

  it('refuses to undo a merge, which would take back a whole branch', async () => {
    const { repo, client } = await setup()
    const [a] = (await ok(client, 'backlog_create', { title: 'Shared' })).items.map((row) => row.id)
    repo.git('checkout', '-q', '-b', 'feature')
    await ok(client, 'backlog_create', { title: 'Made on the branch' })
    await ok(client, 'backlog_update', { id: a, status: 'in_progress' })
    repo.git('checkout', '-q', 'main')
    await ok(client, 'backlog_update', { id: a, priority: 'high' })
    const path = `.backlog/tasks/${a!.slice(-1)}/${a}.md`
    // git's own line merge, as without the driver: the two edits are lines apart, so it merges (ADR 0018)
    repo.write('.git/info/attributes', '*.md merge=text\n')
    repo.git('merge', '-q', '--no-edit', 'feature')
    expect(repo.git('show', `HEAD:${path}`)).toMatch(/status: in_progress\n[\s\S]*priority: high\n/)
    const before = repo.git('rev-parse', 'HEAD')
    expect(await failure(client, 'backlog_undo', { id: a })).toMatch(
      /^CONFLICT: Cannot undo [0-9a-f]{7} .*it is a merge/,
    )
    expect(repo.git('rev-parse', 'HEAD')).toBe(before)
  })

  it('does not restore over a file a person broke by hand', async () => {
    const { repo, client } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'Precious' })).items.map((row) => row.id)
    const path = `.backlog/tasks/${id!.slice(-1)}/${id}.md`
    repo.write(path, `${repo.read(path).replace('title: Precious', 'title: [broken')}my precious notes\n`)
    expect(await failure(client, 'backlog_restore', { id })).toMatch(/^MALFORMED_ITEM: /)
    expect(repo.read(path)).toContain('my precious notes')
  })
})

describe('history across a delete and a restore', () => {
  it('keeps the entries from before the item was deleted and brought back', async () => {
    const { client } = await setup()
    const [id] = (await ok(client, 'backlog_create', { title: 'Phoenix' })).items.map((row) => row.id)
    await ok(client, 'backlog_update', { id, priority: 'high' })
    await ok(client, 'backlog_delete', { id })
    await ok(client, 'backlog_restore', { id })
    const { entries } = await ok<{ entries: Array<{ op?: string }> }>(client, 'backlog_history', { id })
    expect(entries.map((entry) => entry.op)).toEqual(['restore', 'delete', 'update', 'create'])
  })
})
