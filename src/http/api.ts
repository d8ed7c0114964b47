/**
 * The web viewer's JSON API under `/api/` and its live updates (`/api/events`, Server-Sent Events): each route parses
 * its input with the use-case's zod schema, calls the app, and answers JSON; a BacklogError becomes a status once,
 * here. Writes are the person's (their git identity, no agent) and need a JSON body, which a cross-site form cannot
 * send.
 */

import type { IncomingMessage, ServerResponse } from 'node:http'
import * as z from 'zod'
import { burstOf, changedRecords, type RecordSnapshot, snapshotOf } from '../app/changes.js'
import type { App, ItemRecord } from '../app/index.js'
import type * as Contract from '../contract/viewer-api.js'
import { BacklogError, type BacklogErrorCode, isBacklogError } from '../core/errors.js'
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
import { idFromPath } from '../core/layout.js'
import { VERSION } from '../package-files.js'

/** Largest request body read: a description at its limit, with room to spare. */
const MAX_BODY_BYTES = 2 * 1024 * 1024
/** A comment every so often keeps proxies and the browser from closing an idle event stream. */
const HEARTBEAT_MS = 15_000
/** File events come in bursts (a write is a temporary file, a rename, the index): one event per burst. */
const SETTLE_MS = 100
/** ...but a stream of writes that never settles is still told this often. */
const MAX_WAIT_MS = 400
/** Event streams open at once; each holds a socket and a place in every broadcast. */
const MAX_EVENT_STREAMS = 64
/** Bytes waiting for a client that does not read: past this, its stream is ended, and its browser reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024

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
  /** Event streams open at once (default 64); one more is answered 503. */
  maxEventStreams?: number
  /** Bytes an event stream may have waiting for its client (default 1 MiB) before it is ended. */
  maxBufferedBytes?: number
}

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

function sendJson(response: ServerResponse, status: number, body: unknown, headers = {}): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
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

/**
 * Bytes of a body over the limit read and thrown away before the 413 is sent. A client sends its whole body before it
 * reads the answer: a server that stops reading and closes leaves data unread, the kernel answers it with a reset, and
 * the client sees that instead of the 413. Past this much, the server answers and closes anyway.
 */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024

/** The body, read to its end; one over MAX_BODY_BYTES is read on and discarded, then refused with a 413. */
function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const tooLarge = (close: boolean) =>
      new HttpError(413, 'TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`, close)
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
      else if (size > MAX_BODY_BYTES + MAX_DISCARD_BYTES) {
        // Not reading on: the answer goes out with `connection: close`, and whatever reaches the client reaches it.
        request.off('data', onData)
        request.pause()
        reject(tooLarge(true))
      }
    }
    request.on('data', onData)
    request.once('end', () => (size > MAX_BODY_BYTES ? reject(tooLarge(false)) : resolve(Buffer.concat(chunks))))
    request.once('error', reject)
  })
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as JSON, with Content-Type: application/json')
  }
  let body: unknown
  const text = (await readBody(request)).toString('utf8')
  try {
    body = JSON.parse(text || '{}')
  } catch {
    throw new BacklogError('INVALID_INPUT', 'the body is not valid JSON')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BacklogError('INVALID_INPUT', 'the body must be a JSON object')
  }
  return body as Record<string, unknown>
}

/** A refusal of the HTTP layer itself (media type, size), which no use-case knows; `close` ends the connection. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly close = false,
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

/**
 * The API over `app`.
 *
 * @example
 * const api = createApi(app, { log: console.error })
 * if (url.pathname.startsWith('/api/')) return api.handle(request, response, url)
 */
export function createApi(app: App, options: ApiOptions): Api {
  const { log } = options
  const events = createEventHub(app, {
    log,
    heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
    maxStreams: options.maxEventStreams ?? MAX_EVENT_STREAMS,
    maxBufferedBytes: options.maxBufferedBytes ?? MAX_BUFFERED_BYTES,
  })

  /** The id of a path segment, checked as any id is: `../../x` is refused before anything is read. */
  function idOf(segment: string): string {
    let text: string
    try {
      text = decodeURIComponent(segment)
    } catch {
      throw new BacklogError('INVALID_INPUT', 'the id in the path is not valid URL encoding')
    }
    const ids = parse(getInput, { id: text }).id
    if (ids.length !== 1 || !ids[0]) throw new BacklogError('INVALID_INPUT', 'one id per path')
    return ids[0]
  }

  /** One edit of one item, refused as CONFLICT (with the item as it is now) when `expect` is not its version. */
  async function write(response: ServerResponse, id: string, input: Record<string, unknown>, expect?: string) {
    const parsed = parse(updateInput, { ...input, id })
    let commit: string | undefined
    try {
      commit = (await app.update(parsed, expect === undefined ? {} : { expect })).commit
    } catch (error) {
      if (isBacklogError(error) && error.code === 'CONFLICT' && error.details?.version !== undefined) {
        const now = (await app.itemView(id)) satisfies Omit<Contract.ConflictBody, 'error'>
        return sendError(response, 409, error.code, error.message, now)
      }
      throw error
    }
    events.changed()
    const view = await app.itemView(id)
    sendJson(response, 200, { ...view, ...(commit ? { commit } : {}) } satisfies Contract.WrittenBody)
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
        return sendJson(response, 200, { ...summary, version: VERSION, identity } satisfies Contract.SummaryBody)
      }
      if (first === 'items') {
        return sendJson(
          response,
          200,
          (await app.list(parse(listInput, queryOf(url, LIST)))) satisfies Contract.ListBody,
        )
      }
      if (first === 'board') {
        const input = parse(boardInput, queryOf(url, ['filter', 'all', 'limit']))
        return sendJson(
          response,
          200,
          (await app.board({
            ...(input.filter ? { filter: input.filter } : {}),
            ...(input.limit ? { limit: input.limit } : {}),
            ...(input.all ? { all: input.all } : {}),
          })) satisfies Contract.BoardBody,
        )
      }
      if (first === 'activity') {
        return sendJson(
          response,
          200,
          (await app.history(
            parse(historyInput, queryOf(url, ['after', 'agent', 'limit'])),
          )) satisfies Contract.HistoryBody,
        )
      }
      if (first === 'search') {
        const { q, ...raw } = queryOf(url, ['q', 'limit', 'status', 'type', 'tags', 'filter', 'archived', 'sort'])
        const found = await app.search(parse(searchInput, { query: q, ...raw }))
        return sendJson(response, 200, found satisfies Contract.SearchBody)
      }
      if (first === 'review')
        return sendJson(
          response,
          200,
          (await app.review(parse(reviewInput, queryOf(url, ['range'])))) satisfies Contract.ReviewBody,
        )
      if (first === 'events') return events.connect(request, response)
    }

    if (first === 'items' && id !== undefined && rest.length === 0) {
      const itemId = idOf(id)
      if (sub === undefined && reading) {
        queryOf(url, [])
        return sendJson(response, 200, (await app.itemView(itemId)) satisfies Contract.ItemPageBody)
      }
      if (sub === 'history' && reading) {
        const raw = queryOf(url, ['after', 'limit'])
        const history = await app.history(parse(historyInput, { ...raw, id: itemId }))
        return sendJson(response, 200, history satisfies Contract.HistoryBody)
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
        if (error instanceof HttpError) {
          const { status, code, message } = error
          return sendJson(response, status, { error: { code, message } }, error.close ? { connection: 'close' } : {})
        }
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

/** What the event hub compares from one burst of file events to the next: every record, and every unreadable file. */
interface Snapshot {
  records: RecordSnapshot
  /** By path: where it is, and why it cannot be read. */
  problems: Map<string, string>
}

/**
 * The event streams of all clients, over one watcher of the backlog (started by the first client, stopped with the
 * last): a burst of file events becomes one `change` event naming the items whose files changed, by whoever changed
 * them (this server, another process, a hand edit, a checkout). At most `maxStreams` are open at once, and a client
 * that stops reading is let go before its stream fills the server's memory.
 */
function createEventHub(
  app: App,
  options: { log: (message: string) => void; heartbeatMs: number; maxStreams: number; maxBufferedBytes: number },
) {
  const { log, heartbeatMs, maxStreams, maxBufferedBytes } = options
  /** Every client connected, and those whose stream is open (headers sent) to write events to. */
  const members = new Set<ServerResponse>()
  const clients = new Set<ServerResponse>()
  let generation = 0
  let version = 0
  let snapshot: Snapshot | undefined
  let starting: Promise<void> | undefined
  let unsubscribe: (() => void) | undefined
  let heardWhileStarting = false
  let heartbeat: NodeJS.Timeout | undefined
  let publishing: Promise<void> = Promise.resolve()

  async function read(): Promise<Snapshot> {
    const { records, problems } = await app.recordsAndProblems()
    return {
      records: snapshotOf(records),
      problems: new Map(problems.map((problem) => [problem.path, `${problem.line ?? ''}:${problem.reason}`])),
    }
  }

  /** Writes to one client; one whose socket has not taken the last `maxBufferedBytes` is ended (its browser reconnects). */
  function send(client: ServerResponse, text: string): void {
    client.write(text)
    if (client.writableLength > maxBufferedBytes) {
      log(`git-backlog serve: events: a client read nothing of its last ${client.writableLength} bytes; ended it`)
      client.destroy()
    }
  }

  function broadcast(text: string): void {
    for (const client of clients) send(client, text)
  }

  async function publish(): Promise<void> {
    if (!snapshot) return
    const next = await read()
    const ids = new Set<string>()
    /** Items a changed item points at, before or after: a page showing one of them lists it as a child or dependent. */
    const links = new Set<string>()
    const linked = (record: ItemRecord | undefined) => {
      const { parent, epic, depends_on } = record?.item ?? {}
      for (const id of [parent, epic, ...(depends_on ?? [])]) if (id) links.add(id)
    }
    for (const { id, before, after } of changedRecords(snapshot.records, next.records)) {
      ids.add(id)
      linked(before)
      linked(after)
    }
    // A file that cannot be read has no record: it is named by its file name (or its path, when that names no id).
    for (const [path, why] of next.problems) if (snapshot.problems.get(path) !== why) ids.add(idFromPath(path) ?? path)
    for (const path of snapshot.problems.keys()) if (!next.problems.has(path)) ids.add(idFromPath(path) ?? path)
    snapshot = next
    if (!ids.size) return
    version++
    for (const id of ids) links.delete(id)
    broadcast(`event: change\ndata: ${JSON.stringify({ version, ids: [...ids], links: [...links] })}\n\n`)
  }

  // A burst of file events becomes one event, once it settles or when it has lasted MAX_WAIT_MS.
  const burst = burstOf(
    () => {
      publishing = publishing
        .then(publish)
        .catch((error: unknown) => log(`git-backlog serve: events: ${(error as Error).message}`))
    },
    SETTLE_MS,
    MAX_WAIT_MS,
  )

  /** A file event (or the server's own write). */
  function changed(): void {
    if (!snapshot) {
      heardWhileStarting = true
      return
    }
    burst.poke()
  }

  async function start(): Promise<void> {
    const started = generation
    // Watching first, then reading: a change made meanwhile is in the read or comes as an event after it.
    heardWhileStarting = false
    const stopWatching = await app.watch(changed)
    const first = await read()
    // Every client left while this started (and `stop` ran): nobody needs this watcher.
    if (started !== generation) {
      stopWatching()
      return
    }
    snapshot = first
    unsubscribe = stopWatching
    heartbeat = setInterval(() => broadcast(': ping\n\n'), heartbeatMs)
    heartbeat.unref()
    // An event heard during the read may be of a change the read missed: compare once more.
    if (heardWhileStarting) changed()
  }

  function stop(): void {
    generation++
    burst.cancel()
    clearInterval(heartbeat)
    unsubscribe?.()
    unsubscribe = undefined
    snapshot = undefined
    starting = undefined
  }

  return {
    changed,
    async connect(request: IncomingMessage, response: ServerResponse): Promise<void> {
      if (members.size >= maxStreams) {
        throw new HttpError(
          503,
          'TOO_MANY_STREAMS',
          `this server already has ${maxStreams} live-update streams open, its limit; close viewer tabs you no longer need, then reload`,
        )
      }
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
      send(response, `retry: 1000\n: connected, version ${version}\n\n`)
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
