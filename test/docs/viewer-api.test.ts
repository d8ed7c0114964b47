/**
 * The JSON API table of docs/viewer.md, called route by route, as written, on a server over the example backlog: each
 * route answers 2xx, a JSON answer holds every key its row names in backticks, and each write is one commit.
 */

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { type RunningServer, startHttpServer } from '../../src/http/server.js'
import { createDocRepo, type DocRepo } from './doc-repo.js'
import { readPage } from './markdown.js'

const PAGE = 'docs/viewer.md'

interface Route {
  method: string
  path: string
  body?: Record<string, unknown>
  /** Keys the row says the answer has. */
  keys: string[]
  line: number
}

/** Keys a row names that only some answers carry: a next page, items cut from a large commit. */
const SOMETIMES = new Set(['next', 'more_items'])

function routes(): Route[] {
  const page = readPage(PAGE)
  const found: Route[] = []
  page.lines.forEach((line, index) => {
    const row = /^\| (GET|PATCH|POST|PUT|DELETE) \| `([^`]+)`(?: `(\{.*\})`)? \| (.*) \|$/.exec(line)
    if (!row) return
    const [, method = '', path = '', body, answers = ''] = row
    const keys = [...answers.matchAll(/`([a-z_]+)`/g)]
      .map((match) => match[1] as string)
      .filter((key) => !key.startsWith('backlog_') && !['id', 'filter', 'agent', 'claim', 'wip_limits'].includes(key))
    found.push({ method, path, keys, line: index + 1, ...(body ? { body: JSON.parse(body) } : {}) })
  })
  return found
}

/** Every key anywhere in a JSON value. */
function keysIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const entry of value) keysIn(entry, into)
  else if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      into.add(key)
      keysIn(entry, into)
    }
  }
  return into
}

describe(`the API table of ${PAGE}`, () => {
  let repo: DocRepo
  let server: RunningServer
  let close: () => void

  beforeAll(async () => {
    repo = createDocRepo({ example: true })
    // A limit, so the board's answer carries one as the table says.
    writeFileSync(join(repo.dir, '.backlog/config.yml'), 'wip_limits:\n  in_progress: 3\n', { flag: 'a' })
    repo.bash('git commit -qam "wip limit"')
    const app = createApp({ cwd: repo.dir, watch: true, identity: { name: 'Pat', email: 'pat@example.com' } })
    server = await startHttpServer({ app, port: 0, log: () => {} })
    close = () => app.close()
  })
  afterAll(async () => {
    await server?.close()
    close?.()
    repo?.remove()
  })

  it('lists the routes the viewer uses', () => {
    const listed = routes().map((route) => `${route.method} ${route.path.replace(/\?.*/, '')}`)
    expect(listed).toEqual(
      expect.arrayContaining([
        'GET /api/summary',
        'GET /api/items',
        'GET /api/board',
        'GET /api/activity',
        'GET /api/search',
        'GET /api/review',
        'GET /api/events',
        'PATCH /api/items/bl-f1aky9',
        'POST /api/items/bl-f1aky9/notes',
        'PUT /api/items/bl-f1aky9/description',
      ]),
    )
  })

  it('answers each route as its row says, and each write is one commit', async () => {
    for (const route of routes()) {
      const where = `${PAGE}:${route.line} ${route.method} ${route.path}`
      const before = repo.bash('git rev-list --count HEAD').stdout.trim()
      const controller = new AbortController()
      const response = await fetch(`${server.url}${route.path}`, {
        method: route.method,
        signal: controller.signal,
        ...(route.body
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(route.body) }
          : { headers: { accept: 'application/json' } }),
      })
      expect(response.status, where).toBeLessThan(300)
      if (route.path === '/api/events') {
        expect(response.headers.get('content-type'), where).toMatch(/^text\/event-stream/)
        controller.abort()
        continue
      }
      const body = await response.json()
      const keys = keysIn(body)
      for (const key of route.keys) if (!SOMETIMES.has(key)) expect(keys.has(key), `${where}: ${key}`).toBe(true)
      const after = repo.bash('git rev-list --count HEAD').stdout.trim()
      expect(Number(after) - Number(before), where).toBe(route.method === 'GET' ? 0 : 1)
    }
    expect(repo.bash('git status --porcelain').stdout).toBe('')
  })
})
