/**
 * The web viewer's JSON API and live updates in `git backlog serve`: real temp repositories, the real server on a
 * free port, `fetch` as the browser would call it, and the real git CLI to check what was committed.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Duplex } from 'node:stream'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { createApi } from '../../src/http/api.js'
import { startHttpServer } from '../../src/http/server.js'
import { assetFile } from '../../src/http/static.js'
import { tempRepo } from '../helpers/repo.js'

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, which the assertions check
type Json = any
/** A response whose JSON the test reads freely. */
type Answer = Omit<Response, 'json'> & { json(): Promise<Json> }

const PERSON = { name: 'Pat Person', email: 'pat@example.com' }

async function served(options: { webRoot?: string; heartbeatMs?: number; maxEventStreams?: number } = {}) {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, watch: true, identity: PERSON })
  onTestFinished(() => app.close())
  await app.init({})
  const epic = await app.create({ title: 'Viewer', type: 'epic' })
  const epicId = epic.items[0]?.id as string
  const made = await app.create({
    items: [
      { title: 'JSON API', parent: epicId, tags: ['web'] },
      { title: 'Browser UI', parent: epicId, depends_on: ['#1'] },
    ],
  })
  const [apiId, uiId] = made.items.map((row) => row.id) as [string, string]
  const server = await startHttpServer({
    app,
    port: 0,
    log: () => {},
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.maxEventStreams ? { maxEventStreams: options.maxEventStreams } : {}),
  })
  onTestFinished(() => server.close())
  const call = (path: string, init?: RequestInit): Promise<Answer> => fetch(`${server.url}${path}`, init)
  const json = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { repo, app, server, call, json, epicId, apiId, uiId }
}

/** Reads `change` events off an SSE response as they come. */
function eventReader(response: Answer) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const events: Array<{ version: number; ids?: string[]; links?: string[] }> = []
  let waiting: (() => void) | undefined
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }))
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (/^event: change$/m.test(block)) {
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '{}'
          events.push(JSON.parse(data))
          waiting?.()
        }
        end = buffer.indexOf('\n\n')
      }
    }
  })()
  return {
    events,
    /** The next change event naming `id`, within `ms`. */
    async next(id: string, ms = 1500): Promise<{ version: number; ids?: string[]; links?: string[] }> {
      const from = events.length
      const deadline = Date.now() + ms
      for (;;) {
        const found = events.slice(from).find((event) => event.ids?.includes(id))
        if (found) return found
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`no change event for ${id} within ${ms} ms (got ${JSON.stringify(events)})`)
        await new Promise<void>((resolve) => {
          waiting = resolve
          setTimeout(resolve, left)
        })
      }
    },
    cancel: () => reader.cancel(),
  }
}

describe('the JSON API', () => {
  it('answers the read routes', async () => {
    const { call, epicId, apiId, uiId } = await served()

    const summary = await (await call('/api/summary')).json()
    expect(summary).toMatchObject({ initialized: true, items: 3, branch: 'main', identity: PERSON })
    expect(summary.version).toMatch(/^\d+\.\d+/)

    const list = await (await call('/api/items?tags=web&counts=1&limit=10&sort=id')).json()
    expect(list.items.map((row: { id: string }) => row.id)).toEqual([apiId])
    expect(list.total).toBe(1)
    expect(list.counts).toBeDefined()
    const filtered = await (await call(`/api/items?filter=${encodeURIComponent('title.contains:browser')}`)).json()
    expect(filtered.items.map((row: { id: string }) => row.id)).toEqual([uiId])
    const bad = await call('/api/items?limit=lots')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('INVALID_INPUT')

    const board = await (await call('/api/board')).json()
    expect(board.columns.map((column: { status: string }) => column.status)).toContain('open')
    // The viewer asks for a page of cards per column: the rest is counted, not sent; WIP counts them all.
    type Column = { status: string; total: number; wip: number; items: unknown[] }
    const cut = (await (await call('/api/board?limit=1')).json()).columns as Column[]
    const open = cut.find((column) => column.status === 'open')!
    const whole = (board.columns as Column[]).find((column) => column.status === 'open')!
    expect(open.items).toHaveLength(1)
    expect(open.total).toBe(whole.total)
    expect(open.total).toBeGreaterThan(1)
    expect(open.wip).toBe(whole.wip)
    // Each card carries the version of its item, which a move sends as `expect` without reading the item first.
    for (const column of board.columns as Array<{ items: Array<{ id: string; version: string }> }>) {
      for (const row of column.items) {
        expect(row.version, row.id).toBe((await (await call(`/api/items/${row.id}`)).json()).version)
      }
    }

    const view = await (await call(`/api/items/${uiId}`)).json()
    expect(view.item).toMatchObject({ id: uiId, title: 'Browser UI', parent: epicId })
    expect(typeof view.version).toBe('string')
    expect(view.parents.map((row: { id: string }) => row.id)).toEqual([epicId])
    expect(view.depends_on.map((row: { id: string }) => row.id)).toEqual([apiId])
    expect(view.children).toEqual([])
    const epic = await (await call(`/api/items/${epicId}`)).json()
    expect(epic.children.map((row: { id: string }) => row.id).sort()).toEqual([apiId, uiId].sort())
    const api = await (await call(`/api/items/${apiId}`)).json()
    expect(api.dependents.map((row: { id: string }) => row.id)).toEqual([uiId])

    const history = await (await call(`/api/items/${uiId}/history`)).json()
    expect(history.entries[0]).toMatchObject({ op: 'create' })
    const activity = await (await call('/api/activity?limit=2')).json()
    expect(activity.entries).toHaveLength(2)

    const search = await (await call('/api/search?q=browser')).json()
    expect(search.items[0].id).toBe(uiId)

    const review = await call('/api/review?range=HEAD~1..HEAD')
    expect(review.status).toBe(200)
    expect((await review.json()).items).toBeDefined()
  })

  it('answers 404 for an unknown id and refuses a path that is no id', async () => {
    const { call } = await served()
    const missing = await call('/api/items/bl-zzzzzz')
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe('NOT_FOUND')
    for (const path of ['/api/items/..%2F..%2Fx', '/api/items/%2e%2e%2fREADME.md', '/api/items/bad%20id']) {
      const refused = await call(path)
      expect([400, 404]).toContain(refused.status)
      expect((await refused.json()).error.code).toMatch(/INVALID_INPUT|NOT_FOUND/)
    }
    expect((await call('/api/nothing')).status).toBe(404)
  })

  it('answers an edit of an unreadable item 422, not the 409 that means "changed meanwhile"', async () => {
    const { repo, call, json, apiId } = await served()
    const path = `.backlog/tasks/${apiId.slice(-1)}/${apiId}.md`
    repo.write(path, '---\nid: [unclosed\n---\n')
    const answer = await call(`/api/items/${apiId}`, json('PATCH', { status: 'done' }))
    expect(answer.status).toBe(422)
    expect((await answer.json()).error.code).toBe('MALFORMED_ITEM')
  })

  it('writes an edit in one commit as the person, and refuses a stale version without writing', async () => {
    const { repo, call, json, uiId } = await served()
    const { version } = await (await call(`/api/items/${uiId}`)).json()
    const commits = () => repo.git('rev-list', '--count', 'HEAD').trim()
    const before = commits()

    const patched = await call(
      `/api/items/${uiId}`,
      json('PATCH', { expect: version, status: 'in_progress', priority: 'high' }),
    )
    expect(patched.status).toBe(200)
    const result = await patched.json()
    expect(result.item).toMatchObject({ status: 'in_progress', priority: 'high' })
    expect(result.version).not.toBe(version)
    expect(result.commit).toBe(repo.git('rev-parse', 'HEAD').trim())
    expect(commits()).toBe(String(Number(before) + 1))
    expect(repo.git('log', '-1', '--format=%an <%ae>%n%B')).toContain('Pat Person <pat@example.com>')
    expect(repo.git('log', '-1', '--format=%B')).not.toMatch(/Agent:/i)

    const stale = await call(`/api/items/${uiId}`, json('PATCH', { expect: version, title: 'Lost' }))
    expect(stale.status).toBe(409)
    const conflict = await stale.json()
    expect(conflict.error.code).toBe('CONFLICT')
    expect(conflict.item.title).toBe('Browser UI')
    expect(conflict.version).toBe(result.version)
    expect(commits()).toBe(String(Number(before) + 1))
    expect(repo.git('status', '--porcelain')).toBe('')

    const noted = await call(`/api/items/${uiId}/notes`, json('POST', { text: 'Looks good', expect: result.version }))
    expect(noted.status).toBe(200)
    const afterNote = await noted.json()
    expect(JSON.stringify(afterNote.item.notes)).toContain('Looks good')

    const described = await call(
      `/api/items/${uiId}/description`,
      json('PUT', { description: 'The viewer in the browser.', expect: afterNote.version }),
    )
    expect(described.status).toBe(200)
    expect((await described.json()).item.description).toContain('The viewer in the browser.')
    expect(commits()).toBe(String(Number(before) + 3))

    const invalid = await call(`/api/items/${uiId}`, json('PATCH', { priority: 'whenever' }))
    expect(invalid.status).toBe(400)
  })

  it('refuses a write without a JSON content type, and one from a foreign origin', async () => {
    const { repo, call, json, uiId } = await served()
    const head = repo.git('rev-parse', 'HEAD')
    const form = await call(`/api/items/${uiId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'title=Hacked',
    })
    expect(form.status).toBe(415)
    const plain = await call(`/api/items/${uiId}/notes`, { method: 'POST', body: '{"text":"x"}' })
    expect(plain.status).toBe(415)
    const foreign = await call(
      `/api/items/${uiId}`,
      json('PATCH', { title: 'Hacked' }, { origin: 'https://evil.example' }),
    )
    expect(foreign.status).toBe(403)
    expect((await foreign.json()).error).toEqual({ code: 'FORBIDDEN', message: 'Origin not allowed.' })
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
  })
  it('answers a body over the limit 413, which the client receives instead of a reset connection', async () => {
    const { repo, server, uiId } = await served()
    const head = repo.git('rev-parse', 'HEAD')
    // 3 MB sent as a browser would: the server refuses after 2 MiB, and the answer must still reach the sender.
    const body = JSON.stringify({ description: 'x'.repeat(3 * 1024 * 1024) })
    const upload = () =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const sent = request(
          `${server.url}/api/items/${uiId}/description`,
          { method: 'PUT', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (response) => {
            let text = ''
            response.setEncoding('utf8').on('data', (chunk: string) => {
              text += chunk
            })
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }))
          },
        )
        sent.on('error', reject)
        sent.end(body)
      })
    // A reset races the answer: without the fix some of these fail, so several are sent.
    for (let round = 0; round < 6; round++) {
      const answer = await upload()
      expect(answer.status).toBe(413)
      expect(JSON.parse(answer.text).error.code).toBe('TOO_LARGE')
      // The same through fetch, the browser's way.
      const fetched = await fetch(`${server.url}/api/items/${uiId}/description`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(fetched.status).toBe(413)
    }
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
  })
  it('lists the first 50 items of a bulk commit in the activity feed and counts the rest; item history keeps each', async () => {
    const { app, call } = await served()
    const made = await app.create({ items: Array.from({ length: 60 }, (_, n) => ({ title: `Imported ${n}` })) })
    const ids = made.items.map((row) => row.id)
    expect(made.total ?? ids.length).toBe(60)
    const activity = await (await call('/api/activity?limit=1')).json()
    const [bulk] = activity.entries
    expect(bulk.items).toHaveLength(50)
    expect(bulk.more_items).toBe(10)
    const listed = new Set(bulk.items.map((item: { id: string }) => item.id))
    const all = (await app.list({ filter: 'title.contains:Imported', limit: 100 })).items.map((row) => row.id)
    const left = all.find((id) => !listed.has(id)) as string
    const history = await (await call(`/api/items/${left}/history`)).json()
    expect(history.entries[0].commit).toBe(bulk.commit)
    expect(history.entries[0].items.map((item: { id: string }) => item.id)).toEqual([left])
    expect(history.entries[0].more_items).toBeUndefined()
  })
})

describe('live updates', () => {
  it('sends a change event for the API, another process and a hand edit', async () => {
    const { repo, call, json, apiId, uiId, epicId } = await served()
    const response = await call('/api/events', { headers: { accept: 'text/event-stream' } })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const stream = eventReader(response)
    onTestFinished(() => stream.cancel())

    await call(`/api/items/${uiId}`, json('PATCH', { priority: 'low' }))
    const first = await stream.next(uiId)
    // The items it points at are named apart: their pages list it (as a child, as a dependent).
    expect(first.links?.sort()).toEqual([apiId, epicId].sort())

    const other = createApp({ cwd: repo.dir, identity: { name: 'Other', email: 'other@example.com' } })
    await other.update({ id: [apiId], status: 'in_progress' })
    other.close()
    const second = await stream.next(apiId)
    expect(second.version).toBeGreaterThan(first.version)

    const { item } = await (await call(`/api/items/${epicId}`)).json()
    const path = join(repo.dir, item.path)
    writeFileSync(path, readFileSync(path, 'utf8').replace('title: Viewer', 'title: Web viewer'))
    const third = await stream.next(epicId)
    expect(third.version).toBeGreaterThan(second.version)

    // git puts the file back (as a checkout or a pull would write it): that is a change too.
    repo.git('checkout', '--', item.path)
    const fourth = await stream.next(epicId)
    expect(fourth.version).toBeGreaterThan(third.version)
  })

  it('sends a change event for an agent over /mcp and for a git pull', async () => {
    const { repo, server, call, apiId, uiId } = await served()
    const stream = eventReader(await call('/api/events'))
    onTestFinished(() => stream.cancel())

    const agent = new Client({ name: 'agent', version: '1.0.0' })
    await agent.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)))
    onTestFinished(() => agent.close())
    const result = await agent.callTool({ name: 'backlog_update', arguments: { id: apiId, status: 'in_progress' } })
    expect(result.isError).toBeFalsy()
    await stream.next(apiId)

    // Another clone changes an item and pushes; a pull here rewrites the file.
    const remote = mkdtempSync(join(tmpdir(), 'backlog-remote-'))
    onTestFinished(() => rmSync(remote, { recursive: true, force: true }))
    repo.git('init', '-q', '--bare', '-b', 'main', remote)
    repo.git('remote', 'add', 'origin', remote)
    repo.git('push', '-q', 'origin', 'HEAD:main')
    const clone = mkdtempSync(join(tmpdir(), 'backlog-clone-'))
    onTestFinished(() => rmSync(clone, { recursive: true, force: true }))
    repo.git('clone', '-q', remote, clone)
    const elsewhere = createApp({ cwd: clone, identity: { name: 'Far', email: 'far@example.com' } })
    await elsewhere.update({ id: [uiId], note: 'from the other clone' })
    elsewhere.close()
    repo.git('-C', clone, 'push', '-q', 'origin', 'HEAD:main')
    repo.git('pull', '-q', '--no-rebase', 'origin', 'main')
    await stream.next(uiId, 3000)
  })

  it('tells a stream of writes that never settles at least every half second', async () => {
    const { repo, call, epicId } = await served()
    const stream = eventReader(await call('/api/events'))
    onTestFinished(() => stream.cancel())
    const { item } = await (await call(`/api/items/${epicId}`)).json()
    const path = join(repo.dir, item.path)
    const original = readFileSync(path, 'utf8')
    // A hand edit every 40 ms for 1.6 s: file events never 100 ms apart.
    const started = Date.now()
    for (let n = 0; Date.now() - started < 1600; n++) {
      writeFileSync(path, original.replace('title: Viewer', `title: Viewer ${n}`))
      await new Promise((resolve) => setTimeout(resolve, 40))
    }
    const during = stream.events.filter((event) => event.ids?.includes(epicId)).length
    expect(during).toBeGreaterThanOrEqual(2)
  })

  it('keeps an idle stream alive with a comment', async () => {
    const { call } = await served({ heartbeatMs: 50 })
    const response = await call('/api/events')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    onTestFinished(() => reader.cancel())
    let text = ''
    while (!text.includes(': ping\n\n')) text += new TextDecoder().decode((await reader.read()).value)
    expect(text).toMatch(/^retry: 1000\n/)
  })

  it('shares one watcher among clients and lets go of it when they leave', async () => {
    const { call, json, uiId } = await served()
    const a = eventReader(await call('/api/events'))
    const b = eventReader(await call('/api/events'))
    await call(`/api/items/${uiId}`, json('PATCH', { priority: 'low' }))
    const [fromA, fromB] = await Promise.all([a.next(uiId), b.next(uiId)])
    expect(fromA.version).toBe(fromB.version)
    await a.cancel()
    await b.cancel()
    // After every client left, a new one starts watching afresh and still hears of changes.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const c = eventReader(await call('/api/events'))
    onTestFinished(() => c.cancel())
    await call(`/api/items/${uiId}`, json('PATCH', { priority: 'high' }))
    await c.next(uiId)
  })
  it('sends a change event for an item file that cannot be read, and for its repair', async () => {
    const { repo, call, apiId } = await served()
    const stream = eventReader(await call('/api/events'))
    onTestFinished(() => stream.cancel())
    await new Promise((resolve) => setTimeout(resolve, 100))
    const { item } = await (await call(`/api/items/${apiId}`)).json()
    const path = join(repo.dir, item.path)
    const text = readFileSync(path, 'utf8')
    writeFileSync(path, '---\nid: [unclosed\n---\n')
    const broken = await stream.next(apiId)
    // A new file that cannot be read, named after its file name.
    repo.write('.backlog/tasks/q/bl-qqqq.md', 'title: [no front matter\n')
    const added = await stream.next('bl-qqqq')
    expect(added.version).toBeGreaterThan(broken.version)
    writeFileSync(path, text)
    await stream.next(apiId)
  })

  it('answers 503 past its limit of event streams, and lets the next one in once one leaves', async () => {
    const { call } = await served({ maxEventStreams: 2 })
    const a = await call('/api/events')
    const b = await call('/api/events')
    expect([a.status, b.status]).toEqual([200, 200])
    const third = await call('/api/events')
    expect(third.status).toBe(503)
    const refused = await third.json()
    expect(refused.error.code).toBe('TOO_MANY_STREAMS')
    expect(refused.error.message).toMatch(/2 live-update streams/)
    await a.body?.cancel()
    await b.body?.cancel()
    await expect
      .poll(async () => {
        const next = await call('/api/events')
        await next.body?.cancel()
        return next.status
      })
      .toBe(200)
  })

  it('ends the stream of a client that reads nothing once its bytes pile up', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir, watch: true, identity: PERSON })
    onTestFinished(() => app.close())
    await app.init({})
    const logged: string[] = []
    const api = createApi(app, { log: (line) => logged.push(line), heartbeatMs: 5, maxBufferedBytes: 2048 })
    onTestFinished(() => api.close())
    const server = createServer((req, res) => void api.handle(req, res, new URL(req.url ?? '/', 'http://localhost')))
    // A connection whose reader stopped: the server's first bytes are taken, then nothing, as a full socket does.
    let taken = ''
    const stuck = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        if (taken.length < 400) {
          taken += chunk.toString()
          done()
        }
      },
    })
    Object.assign(stuck, { setTimeout: () => stuck, setNoDelay: () => stuck, setKeepAlive: () => stuck })
    server.emit('connection', stuck)
    stuck.push('GET /api/events HTTP/1.1\r\nHost: localhost\r\n\r\n')
    await expect.poll(() => taken).toMatch(/^HTTP\/1.1 200/)
    // Pings pile up behind it until the bound is passed: then its stream is ended.
    await expect.poll(() => stuck.destroyed, { timeout: 3000 }).toBe(true)
    expect(logged.join('\n')).toMatch(/read nothing/)
  })
})

describe('the viewer page', () => {
  function webRoot(): string {
    const root = mkdtempSync(join(tmpdir(), 'git-backlog-web-'))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    mkdirSync(join(root, 'assets'))
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>viewer</title>')
    writeFileSync(join(root, 'assets', 'app-1.js'), 'console.log(1)')
    writeFileSync(join(root, 'secret.txt'), 'not an asset')
    return root
  }

  it('serves index.html for the viewer routes, with its security headers, and assets by type', async () => {
    const { call } = await served({ webRoot: webRoot() })
    for (const path of ['/', '/board', '/items/bl-x9']) {
      const page = await call(path, { headers: { accept: 'text/html' } })
      expect(page.status).toBe(200)
      expect(page.headers.get('content-type')).toMatch(/^text\/html/)
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
      expect(page.headers.get('x-content-type-options')).toBe('nosniff')
      expect(await page.text()).toContain('viewer')
    }
    const script = await call('/assets/app-1.js')
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toBe('console.log(1)')
    expect((await call('/assets/none.js')).status).toBe(404)
    expect((await call('/favicon.ico', { headers: { accept: 'image/*' } })).status).toBe(404)
  })

  it('refuses paths out of the assets folder', async () => {
    const root = webRoot()
    const { server } = await served({ webRoot: root })
    for (const path of [
      '/assets/../secret.txt',
      '/assets/%2e%2e/secret.txt',
      '/assets/%2E%2E%2Fsecret.txt',
      '/assets/..%5csecret.txt',
    ]) {
      // fetch would normalize `..` away: send the path as written.
      const status = await new Promise<number>((resolve, reject) => {
        const sent = request(`${server.url}${path}`, (response) => {
          response.resume()
          resolve(response.statusCode ?? 0)
        })
        sent.on('error', reject)
        sent.end()
      })
      expect(status, path).toBe(404)
    }
    expect(assetFile(root, '/assets/%2e%2e/secret.txt')).toBeUndefined()
    expect(assetFile(root, '/assets/app-1.js')).toBe(join(root, 'assets', 'app-1.js'))
  })

  it('keeps the status page while the viewer is not built', async () => {
    const root = mkdtempSync(join(tmpdir(), 'git-backlog-web-'))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    const { call } = await served({ webRoot: root })
    const page = await call('/', { headers: { accept: 'text/html' } })
    expect(await page.text()).toContain('MCP (Streamable HTTP)')
  })
})
