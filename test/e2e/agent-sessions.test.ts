/**
 * Agents' sessions end to end, through the SDK client in process (test/helpers/mcp.ts): several sessions on one
 * repository, undo across them, a first plan in a repository without a backlog. Each agent is named by its client, as
 * a server without --agent or BACKLOG_AGENT names it; the names from those two, and the server as a process, are
 * tested over stdio against the built bin in mcp-stdio.test.ts.
 */

import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { runInProcess } from '../helpers/cli.js'
import { connectInProcess, textOf } from '../helpers/mcp.js'
import { tempRepo } from '../helpers/repo.js'

/** A temp repository with a backlog, made through the library. */
async function initializedRepo() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  return repo
}

type Rows = { items: Array<Record<string, unknown> & { id: string }> }

describe('agents taking turns on one backlog', () => {
  it('lets an agent take back exactly its own change in a later session, and a person read who did what', async () => {
    const repo = await initializedRepo()

    // Session one: claude makes a change it will regret; codex works on the same item meanwhile.
    const claude = await connectInProcess(repo.dir, { clientName: 'claude' })
    const codex = await connectInProcess(repo.dir, { clientName: 'codex' })
    const made = await claude.call('backlog_create', { title: 'Rotate the signing keys', priority: 'medium' })
    const id = (made.structuredContent as Rows).items[0]!.id
    await claude.call('backlog_update', { id, priority: 'low', tags: ['wrong'] })
    await codex.call('backlog_update', { id, status: 'in_progress', note: 'picked up' })
    await claude.client.close()
    // A person commits code in between.
    repo.write('src/keys.ts', 'export const rotate = () => {}\n')
    repo.git('add', 'src/keys.ts')
    repo.git('commit', '-qm', 'Add key rotation')
    await codex.call('backlog_update', { id, assignee: 'codex' })

    // Session two, a new server: one call takes back claude's own change, nothing of codex's.
    const again = await connectInProcess(repo.dir, { clientName: 'claude' })
    const undone = await again.call('backlog_undo', {})
    expect(undone.isError, textOf(undone)).toBeFalsy()
    expect(textOf(undone)).toMatch(/update .*Rotate the signing keys/)
    const item = ((await again.call('backlog_get', { id })).structuredContent as Rows).items[0]!
    expect(item).toMatchObject({ priority: 'medium', tags: [], status: 'in_progress', assignee: 'codex' })
    expect((item.notes as Array<{ text: string }>).map((note) => note.text)).toEqual(['picked up'])
    expect(repo.git('show', 'HEAD~2:src/keys.ts')).toContain('rotate')
    expect(repo.git('status', '--porcelain')).toBe('')
    repo.git('fsck', '--strict')

    // A person reads who changed what: from `git backlog log <id>`, and from git alone.
    const { code, stdout: log, stderr } = await runInProcess(repo.dir, ['log', id])
    expect(code, stderr).toBe(0)
    const lines = log.split('\n')
    expect(lines.find((line) => /undo/.test(line))).toMatch(/claude/)
    expect(log).toMatch(/priority: low → medium/)
    expect(log).toMatch(/codex/)
    const agents = repo.git(
      'log',
      '--format=%(trailers:key=Backlog-Agent,valueonly,separator=)',
      '--grep',
      `Backlog-Id: ${id}`,
    )
    expect(agents.trim().split('\n')).toEqual(['claude', 'codex', 'codex', 'claude', 'claude'])
  })
})

describe('an agent in a repository that has never seen git-backlog', () => {
  it('plans an epic with dependent tasks and claims the one that is ready, over MCP alone', async () => {
    const repo = tempRepo({ 'src/app.ts': 'export {}\n' })
    const client = await connectInProcess(repo.dir, { clientName: 'planner' })
    const first = await client.call('backlog_list', { filter: '+READY' })
    expect(first.structuredContent).toMatchObject({ items: [], no_backlog: true })

    const planned = await client.call('backlog_create', {
      items: [
        { title: 'Passkey sign-in', type: 'epic' },
        { title: 'Store credentials', parent: '#1', priority: 'high' },
        { title: 'Sign-in endpoint', parent: '#1', depends_on: ['#2'] },
      ],
    })
    expect(planned.isError, textOf(planned)).toBeFalsy()
    const [epic, store, endpoint] = (planned.structuredContent as Rows).items.map((row) => row.id)
    expect(planned.structuredContent).toMatchObject({ started_backlog: true })
    expect(repo.git('log', '--format=%s').trim().split('\n')).toHaveLength(2)

    const ready = (await client.call('backlog_list', { filter: '+READY' })).structuredContent as Rows
    expect(ready.items.map((row) => row.id)).toEqual([store])
    const refused = await client.call('backlog_update', { id: endpoint, claim: true })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toMatch(new RegExp(`^CONFLICT: .*${store}`))
    const epicClaim = await client.call('backlog_update', { id: epic, claim: true })
    expect(textOf(epicClaim)).toMatch(/^CONFLICT: .*open child/)

    const claimed = await client.call('backlog_update', { id: store, claim: true })
    expect(claimed.isError, textOf(claimed)).toBeFalsy()
    expect(claimed.structuredContent).toMatchObject({
      items: [{ id: store, status: 'in_progress', assignee: 'planner' }],
    })
    expect(repo.git('status', '--porcelain').trim()).toBe('')
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('planner')
  })
})
