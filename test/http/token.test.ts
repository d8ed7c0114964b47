/**
 * `git backlog serve --token`: a browser gets in through the viewer's URL with `?token=` (a cookie, then a redirect
 * without it), tools with the bearer header; every other request gets a 401 that says how to get in. Real temp
 * repositories, the real server on a free port, `fetch` as a browser or a script would call it.
 */

import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { cookieValues, startHttpServer, withoutToken } from '../../src/http/server.js'
import { tempRepo } from '../helpers/repo.js'

const TOKEN = 's3cret+token/with=signs'

async function served() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, watch: true, identity: { name: 'Pat Person', email: 'pat@example.com' } })
  onTestFinished(() => app.close())
  await app.init({})
  const id = (await app.create({ title: 'Let the browser in' })).items[0]?.id as string
  const server = await startHttpServer({ app, port: 0, token: TOKEN, log: () => {}, heartbeatMs: 50 })
  onTestFinished(() => server.close())
  const call = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { redirect: 'manual', ...init })
  return { repo, server, call, id }
}

/** The cookie a browser got from the token URL, as it sends it back. */
async function cookieFrom(call: (path: string) => Promise<Response>): Promise<string> {
  const answer = await call(`/?token=${encodeURIComponent(TOKEN)}`)
  const [cookie] = answer.headers.getSetCookie()
  return (cookie ?? '').split(';')[0] as string
}

describe('the token handshake for browsers', () => {
  it('names the token in the viewer URL it hands out', async () => {
    const { server } = await served()
    expect(server.viewerUrl).toBe(`${server.url}/?token=${encodeURIComponent(TOKEN)}`)
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    onTestFinished(() => app.close())
    const open = await startHttpServer({ app, port: 0, log: () => {} })
    onTestFinished(() => open.close())
    expect(open.viewerUrl).toBe(`${open.url}/`)
  })

  it('gives a browser opening the token URL a strict cookie and sends it on without the token', async () => {
    const { call } = await served()
    const answer = await call(`/board?filter=%2Bweb&token=${encodeURIComponent(TOKEN)}&x=1`, {
      headers: { accept: 'text/html' },
    })
    expect(answer.status).toBe(303)
    expect(answer.headers.get('location')).toBe('/board?filter=%2Bweb&x=1')
    const [cookie] = answer.headers.getSetCookie()
    expect(cookie).toMatch(/^git-backlog-token-\d+=[^;]+; /)
    expect(cookie).toMatch(/; HttpOnly(;|$)/)
    expect(cookie).toMatch(/; SameSite=Strict(;|$)/)
    expect(cookie).toMatch(/; Path=\/(;|$)/)
    expect(answer.headers.get('cache-control')).toBe('no-store')
  })

  it('lets in the cookie or the bearer header, and nothing else', async () => {
    const { call } = await served()
    const cookie = await cookieFrom(call)
    const summary = await call('/api/summary', { headers: { cookie } })
    expect(summary.status).toBe(200)
    expect(((await summary.json()) as { items: number }).items).toBe(1)
    // Beside other cookies of the same host, as a browser sends them.
    expect((await call('/api/summary', { headers: { cookie: `theme=dark; ${cookie}; other=1` } })).status).toBe(200)
    expect((await call('/api/summary', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200)

    const name = cookie.split('=')[0]
    const wrong: Array<Record<string, string>> = [
      {},
      { cookie: `${name}=wrong` },
      { cookie: `git-backlog-token-1=${encodeURIComponent(TOKEN)}` },
      { authorization: 'Bearer wrong' },
    ]
    for (const headers of wrong) {
      const refused = await call('/api/summary', { headers })
      expect(refused.status, JSON.stringify(headers)).toBe(401)
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/)
      const body = (await refused.json()) as { error: { code: string; message: string } }
      // The API's own error shape (docs/viewer.md), not MCP's JSON-RPC one.
      expect(body.error.code).toBe('UNAUTHORIZED')
      expect(body.error.message).toMatch(/Authorization: Bearer.*\?token=/)
    }
  })

  it('refuses a wrong token in the URL without a cookie, and tells a browser how to get in', async () => {
    const { call } = await served()
    for (const path of ['/?token=wrong', '/?token=', '/board']) {
      const refused = await call(path, { headers: { accept: 'text/html,application/xhtml+xml' } })
      expect(refused.status, path).toBe(401)
      expect(refused.headers.getSetCookie()).toEqual([])
      expect(refused.headers.get('content-type')).toMatch(/^text\/html/)
      const page = await refused.text()
      expect(page).toContain('needs its token')
      expect(page).toContain('git backlog serve')
      expect(page).toContain('?token=')
    }
    // The token lets in reads only: a write sent to the token URL is no way in.
    const posted = await call(`/api/items?token=${encodeURIComponent(TOKEN)}`, { method: 'POST' })
    expect(posted.status).toBe(401)
    expect(posted.headers.getSetCookie()).toEqual([])
  })

  it('opens the event stream with the cookie, which an EventSource cannot add a header to', async () => {
    const { call } = await served()
    const cookie = await cookieFrom(call)
    const events = await call('/api/events', { headers: { cookie, accept: 'text/event-stream' } })
    expect(events.status).toBe(200)
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = (events.body as ReadableStream<Uint8Array>).getReader()
    onTestFinished(() => reader.cancel())
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^retry: 1000\n/)
    expect((await call('/api/events')).status).toBe(401)
  })

  it('still checks the Origin and the JSON type of a write that the cookie lets in', async () => {
    const { repo, server, call, id } = await served()
    const cookie = await cookieFrom(call)
    const head = repo.git('rev-parse', 'HEAD')
    const patch = (headers: Record<string, string>, body = '{"priority":"high"}') =>
      call(`/api/items/${id}`, { method: 'PATCH', headers: { cookie, ...headers }, body })
    expect((await patch({ 'content-type': 'application/json', origin: 'https://evil.example' })).status).toBe(403)
    expect((await patch({ 'content-type': 'text/plain', origin: server.url }, 'priority=high')).status).toBe(415)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    const written = await patch({ 'content-type': 'application/json', origin: server.url })
    expect(written.status).toBe(200)
    expect(((await written.json()) as { item: { priority: string } }).item.priority).toBe('high')
    expect(repo.git('rev-parse', 'HEAD')).not.toBe(head)
  })
})

describe('the pieces of the handshake', () => {
  it('takes only the token out of a request target', () => {
    expect(withoutToken('/?token=abc')).toBe('/')
    expect(withoutToken('/board?token=abc&filter=a%20b')).toBe('/board?filter=a%20b')
    expect(withoutToken('/list?tokens=1&token=x&token=y')).toBe('/list?tokens=1')
    expect(withoutToken('/items/bl-x9')).toBe('/items/bl-x9')
    expect(withoutToken('/?%74oken=abc&a=%26')).toBe('/?a=%26')
  })

  it('reads every value of a cookie name', () => {
    expect(cookieValues('a=1; b=2;b=3 ; c', 'b')).toEqual(['2', '3'])
    expect(cookieValues(undefined, 'b')).toEqual([])
    expect(cookieValues('ab=1', 'b')).toEqual([])
  })
})
