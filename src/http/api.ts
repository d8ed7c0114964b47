/**
 * The web viewer's JSON API under `/api/` and its live updates (`/api/events`, Server-Sent Events): each route parses
 * its input with the use-case's zod schema, calls the app, and answers JSON; a BacklogError becomes a status once,
 * here. Writes are the person's (their git identity, no agent) and need a JSON body, which a cross-site form cannot
 * send.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import * as z from 'zod'
import type { App, ItemRecord, ItemRow } from '../app/index.js'
import { toRow } from '../app/index.js'
import { BacklogError, type BacklogErrorCode, isBacklogError } from '../core/errors.js'
import { idKey } from '../core/ids.js'
import { flexibleBoolean, positiveInt } from '../core/input-values.js'
import {
  describeIssues,
  getInput,
  historyInput,
  listInput,
  reviewInput,
  searchInput,
  updateInput,
} from '../core/inputs.js'
import { VERSION } from '../package-files.js'

/** Largest request body read: a description at its limit, with room to spare. */
const MAX_BODY_BYTES = 2 * 1024 * 1024
/** A comment every so often keeps proxies and the browser from closing an idle event stream. */
const HEARTBEAT_MS = 15_000
/** File events come in bursts (a write is a temporary file, a rename, the index): one event per burst. */
const SETTLE_MS = 100

export interface Api {
  /** Answers a request under `/api/`. */
  handle(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void>
  /** Tells the event streams the backlog changed (the server's own writes, before the file events arrive). */
  changed(): void
  /** Ends the event streams and stops watching. */
  close(): void
}

export interface ApiOptions {
  log: (message: string) => void
  heartbeatMs?: number
}

/** The HTTP status of an expected failure: the caller's doing, or the repository's state. */
/** The HTTP status of each error code: the caller's doing (4xx), or what the server could not do (5xx). */
const STATUS: Record<BacklogErrorCode, number> = {
  INVALID_INPUT: 400,
  INVALID_ID: 400,
  AMBIGUOUS: 400,
  PATH_OUTSIDE_BACKLOG: 400,
  NOT_FOUND: 404,
  NO_MATCH: 404,
  CONFLICT: 409,
  MALFORMED_ITEM: 422,
  MALFORMED_PROMPT: 422,
  NOT_INITIALIZED: 409,
  REPO_BUSY: 423,
  REPO_LOCKED: 423,
  NOT_A_REPO: 500,
  REPO_UNSUPPORTED: 501,
  INDEX_CORRUPT: 500,
  SIGNING_FAILED: 500,
  WRITE_FAILED: 503,
  OFFLINE: 503,
}

/**
 * The HTTP status of an expected failure. Only CONFLICT is a 409, so a client can tell "changed meanwhile" from an
 * item file that cannot be read (422) or a repository that cannot be written (5xx).
 *
 * @example
 * statusOf('MALFORMED_ITEM') // 422
 */
export function statusOf(code: string): number {
  return STATUS[code as BacklogErrorCode] ?? 500
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  response.end(JSON.stringify(body))
}

function sendError(response: ServerResponse, status: number, code: string, message: string, extra = {}): void {
  sendJson(response, status, { error: { code, message }, ...extra })
}

/** Parses with a use-case's schema; a bad value is INVALID_INPUT saying which. */
function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw)
  if (!result.success) throw new BacklogError('INVALID_INPUT', describeIssues(result.error))
  return result.data
}

/** Query parameters as a use-case takes them: text, and a list where a name repeats; empty ones are left out. */
function queryOf(url: URL, names: readonly string[]): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {}
  for (const name of new Set(url.searchParams.keys())) {
    if (!names.includes(name)) throw new BacklogError('INVALID_INPUT', `unknown parameter "${name}"`)
    const values = url.searchParams.getAll(name).filter((value) => value !== '')
    if (values.length === 1) raw[name] = values[0] as string
    else if (values.length > 1) raw[name] = values
  }
  return raw
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON, with Content-Type: application/json')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
  } catch {
    throw new BacklogError('INVALID_INPUT', 'the body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BacklogError('INVALID_INPUT', 'the body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** A refusal of the HTTP layer itself (media type, size), which no use-case knows. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Fields a viewer's edit must not carry: the item is the one in the path, and the person is no agent. */
const NOT_IN_BODY = ['id', 'filter', 'all', 'agent', 'claim']

function expectOf(body: Record<string, unknown>): string | undefined {
  const { expect } = body
  if (expect === undefined || expect === null) return undefined
  if (typeof expect !== 'string' || !expect) throw new BacklogError('INVALID_INPUT', 'expect must be a version string')
  return expect
}

/** The links around one item, from every record: parent chain (nearest first), children, dependencies both ways. */
function linksOf(all: readonly ItemRecord[], record: ItemRecord) {
  const byKey = new Map(all.map((one) => [idKey(one.item.id), one]))
  const key = idKey(record.item.id)
  const parents: ItemRow[] = []
  const seen = new Set([key])
  for (let up = record.item.parent ?? record.item.epic; up; ) {
    const found = byKey.get(idKey(up))
    if (!found || seen.has(idKey(found.item.id))) break
    seen.add(idKey(found.item.id))
    parents.push(toRow(found))
    up = found.item.parent ?? found.item.epic
  }
  const linksTo = (one: ItemRecord) =>
    (one.item.parent && idKey(one.item.parent) === key) || (one.item.epic && idKey(one.item.epic) === key)
  const children = all.filter((one) => one !== record && linksTo(one)).map(toRow)
  const dependsOn = (record.item.depends_on ?? []).flatMap((id) => {
    const found = byKey.get(idKey(id))
    return found ? [toRow(found)] : []
  })
  const dependents = all.filter((one) => (one.item.depends_on ?? []).some((id) => idKey(id) === key)).map(toRow)
  return { parents, children, depends_on: dependsOn, dependents }
}

/**
 * The API over `app`.
 *
 * @example
 * const api = createApi(app, { log: console.error })
 * if (url.pathname.startsWith('/api/')) return api.handle(request, response, url)
 */
export function createApi(app: App, options: ApiOptions): Api {
  const { log } = options
  const events = createEventHub(app, log, options.heartbeatMs ?? HEARTBEAT_MS)

  /** The id of a path segment, checked as any id is: `../../x` is refused before anything is read. */
  function idOf(segment: string): string {
    let text: string
    try {
      text = decodeURIComponent(segment)
    } catch {
      throw new BacklogError('INVALID_INPUT', 'the id in the path is not valid URL encoding')
    }
    const [id] = parse(getInput, { id: text }).id
    if (!id || parse(getInput, { id: text }).id.length !== 1) throw new BacklogError('INVALID_INPUT', 'one id per path')
    return id
  }

  async function itemView(id: string) {
    const { items } = await app.get({ id: [id] })
    const current = await app.versioned(id)
    if (!current || !items[0]) throw new BacklogError('NOT_FOUND', `No item ${id}.`)
    return { item: items[0], version: current.version, record: current.record }
  }

  /** One edit of one item, refused as CONFLICT (with the item as it is now) when `expect` is not its version. */
  async function write(response: ServerResponse, id: string, input: Record<string, unknown>, expect?: string) {
    const parsed = parse(updateInput, { ...input, id })
    let commit: string | undefined
    try {
      commit = (await app.update(parsed, expect === undefined ? {} : { expect })).commit
    } catch (error) {
      if (isBacklogError(error) && error.code === 'CONFLICT' && error.details?.version !== undefined) {
        const now = await itemView(id)
        return sendError(response, 409, error.code, error.message, { item: now.item, version: now.version })
      }
      throw error
    }
    events.changed()
    const { item, version } = await itemView(id)
    sendJson(response, 200, { item, version, ...(commit ? { commit } : {}) })
  }

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').slice(2) // ['', 'api', ...]
    const method = request.method ?? 'GET'
    const [first, id, sub, ...rest] = parts
    const reading = method === 'GET' || method === 'HEAD'

    if (parts.length === 1 && reading) {
      if (first === 'summary') {
        queryOf(url, [])
        const [summary, identity] = await Promise.all([app.summary(), app.identity()])
        return sendJson(response, 200, { ...summary, version: VERSION, identity })
      }
      if (first === 'items') return sendJson(response, 200, await app.list(parse(listInput, queryOf(url, LIST))))
      if (first === 'board') {
        const input = parse(boardInput, queryOf(url, ['filter', 'all', 'limit']))
        return sendJson(
          response,
          200,
          await app.board({
            ...(input.filter ? { filter: input.filter } : {}),
            ...(input.limit ? { limit: input.limit } : {}),
            ...(input.all ? { all: input.all } : {}),
          }),
        )
      }
      if (first === 'activity') {
        return sendJson(
          response,
          200,
          await app.history(parse(historyInput, queryOf(url, ['after', 'agent', 'limit']))),
        )
      }
      if (first === 'search') {
        const { q, ...raw } = queryOf(url, ['q', 'limit', 'status', 'type', 'tags', 'filter', 'archived', 'sort'])
        return sendJson(response, 200, await app.search(parse(searchInput, { query: q, ...raw })))
      }
      if (first === 'review')
        return sendJson(response, 200, await app.review(parse(reviewInput, queryOf(url, ['range']))))
      if (first === 'events') return events.connect(request, response)
    }

    if (first === 'items' && id !== undefined && rest.length === 0) {
      const itemId = idOf(id)
      if (sub === undefined && reading) {
        queryOf(url, [])
        const view = await itemView(itemId)
        const links = linksOf(await app.records(), view.record)
        return sendJson(response, 200, { item: view.item, version: view.version, ...links })
      }
      if (sub === 'history' && reading) {
        const raw = queryOf(url, ['after', 'limit'])
        return sendJson(response, 200, await app.history(parse(historyInput, { ...raw, id: itemId })))
      }
      if (sub === undefined && method === 'PATCH') {
        const body = await readJson(request)
        const { expect: _expect, ...fields } = body
        const refused = NOT_IN_BODY.filter((name) => name in fields)
        if (refused.length) {
          throw new BacklogError('INVALID_INPUT', `${refused.join(', ')}: not here (the item is the one in the path)`)
        }
        return write(response, itemId, fields, expectOf(body))
      }
      if (sub === 'notes' && method === 'POST') {
        const body = await readJson(request)
        const { text, expect: _expect, ...others } = body
        if (Object.keys(others).length) throw new BacklogError('INVALID_INPUT', 'a note takes text (and expect)')
        if (typeof text !== 'string') throw new BacklogError('INVALID_INPUT', 'text: the note, as text, is required')
        return write(response, itemId, { note: text }, expectOf(body))
      }
      if (sub === 'description' && method === 'PUT') {
        const body = await readJson(request)
        const { description, expect: _expect, ...others } = body
        if (Object.keys(others).length) {
          throw new BacklogError('INVALID_INPUT', 'the description takes description (and expect)')
        }
        if (typeof description !== 'string') throw new BacklogError('INVALID_INPUT', 'description (text) is required')
        return write(response, itemId, { description }, expectOf(body))
      }
    }
    sendError(response, 404, 'NOT_FOUND', `No route ${method} ${url.pathname}.`)
  }

  return {
    async handle(request, response, url) {
      try {
        await route(request, response, url)
      } catch (error) {
        if (response.headersSent) {
          response.end()
          return
        }
        if (error instanceof HttpError) return sendError(response, error.status, error.code, error.message)
        if (isBacklogError(error)) return sendError(response, statusOf(error.code), error.code, error.message)
        log(`git-backlog serve: ${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`)
        sendError(response, 500, 'INTERNAL', 'Internal error; the server logged the details.')
      }
    },
    changed: () => events.changed(),
    close: () => events.close(),
  }
}

const LIST = Object.keys(listInput.shape)

/** The board's options as `git backlog board` takes them; the filter is the list's. */
const boardInput = z.strictObject({
  filter: listInput.shape.filter,
  all: flexibleBoolean.optional(),
  limit: positiveInt.optional(),
})

/**
 * The event streams of all clients, over one watcher of the backlog (started by the first client, stopped with the
 * last): a burst of file events becomes one `change` event naming the items whose files changed, by whoever changed
 * them (this server, another process, a hand edit, a checkout).
 */
function createEventHub(app: App, log: (message: string) => void, heartbeatMs: number) {
  /** Every client connected, and those whose stream is open (headers sent) to write events to. */
  const members = new Set<ServerResponse>()
  const clients = new Set<ServerResponse>()
  let generation = 0
  let version = 0
  let snapshot: Map<string, ItemRecord> | undefined
  let starting: Promise<void> | undefined
  let unsubscribe: (() => void) | undefined
  let timer: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let publishing: Promise<void> = Promise.resolve()

  const indexed = (all: readonly ItemRecord[]) => new Map(all.map((record) => [idKey(record.item.id), record]))

  function broadcast(text: string): void {
    for (const client of clients) client.write(text)
  }

  async function publish(): Promise<void> {
    if (!snapshot) return
    const next = indexed(await app.records())
    const ids: string[] = []
    // A new record whenever a file changed (as MCP resource subscriptions tell): identity says which changed.
    for (const [key, record] of next) if (snapshot.get(key) !== record) ids.push(record.item.id)
    for (const [key, record] of snapshot) if (!next.has(key)) ids.push(record.item.id)
    snapshot = next
    if (!ids.length) return
    version++
    broadcast(`event: change\ndata: ${JSON.stringify({ version, ids })}\n\n`)
  }

  function changed(): void {
    if (!snapshot) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      publishing = publishing
        .then(publish)
        .catch((error: unknown) => log(`git-backlog serve: events: ${(error as Error).message}`))
    }, SETTLE_MS)
    timer.unref()
  }

  async function start(): Promise<void> {
    const started = generation
    const first = indexed(await app.records())
    const stopWatching = await app.watch(changed)
    // Every client left while this started (and `stop` ran): nobody needs this watcher.
    if (started !== generation) {
      stopWatching()
      return
    }
    snapshot = first
    unsubscribe = stopWatching
    heartbeat = setInterval(() => broadcast(': ping\n\n'), heartbeatMs)
    heartbeat.unref()
  }

  function stop(): void {
    generation++
    clearTimeout(timer)
    clearInterval(heartbeat)
    unsubscribe?.()
    unsubscribe = undefined
    snapshot = undefined
    starting = undefined
  }

  return {
    changed,
    async connect(request: IncomingMessage, response: ServerResponse): Promise<void> {
      // Counted from the start, so a client that leaves while the watcher starts is not left holding it.
      members.add(response)
      const leave = () => {
        clients.delete(response)
        if (members.delete(response) && members.size === 0) stop()
      }
      request.on('close', leave)
      response.on('close', leave)
      try {
        starting ??= start()
        await starting
      } catch (error) {
        leave()
        throw error
      }
      if (!members.has(response)) return
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        'x-accel-buffering': 'no',
      })
      response.write(`retry: 1000\n: connected, version ${version}\n\n`)
      request.socket.setTimeout(0)
      clients.add(response)
    },
    close(): void {
      for (const client of members) client.end()
      members.clear()
      clients.clear()
      stop()
    },
  }
}
