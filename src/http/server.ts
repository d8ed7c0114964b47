/**
 * `git backlog serve`: one HTTP server for a repository's backlog. It carries the MCP Streamable HTTP transport at
 * `/mcp` (one MCP session per client, all over one app), the web viewer's JSON API and live updates under `/api/`
 * (http/api.ts) and the viewer's page and assets (http/static.ts). Every request is checked before anything runs: the
 * Host header (a DNS-rebinding page reaches 127.0.0.1 under its own name), the Origin of browser requests, and the
 * token (a bearer header, or the cookie a browser gets from the viewer's URL) when the server has one.
 */

import { randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server as NodeServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { App } from '../app/index.js'
import { BacklogError, isBacklogError } from '../core/errors.js'
import { createMcpServer, type McpServerOptions } from '../mcp/server.js'
import { packagePath, VERSION } from '../package-files.js'
import { createApi, statusOf } from './api.js'
import { createStaticFiles } from './static.js'

export interface HttpServerOptions {
  app: App
  /** The address to listen on; default 127.0.0.1. Anything but a loopback address needs `token`. */
  host?: string
  /** Default 7373; 0 picks a free port. */
  port?: number
  /**
   * Required on every request when set: as `Authorization: Bearer <token>`, or as the cookie a browser gets by opening
   * the viewer's URL with `?token=<token>` once ({@link RunningServer.viewerUrl}).
   */
  token?: string
  mcp?: McpServerOptions
  log?: (message: string) => void
  /** Close a session after this long without a request (default 30 minutes). */
  sessionIdleMs?: number
  /** The built web viewer (index.html and assets/); default the package's dist/web. */
  webRoot?: string
  /** A `: ping` comment on every event stream this often (default 15 s), so nothing between closes an idle one. */
  heartbeatMs?: number
  /** Live-update streams open at once (default 64); one more is answered 503. */
  maxEventStreams?: number
}

export interface RunningServer {
  /** `http://host:port`, as a client would connect to it. */
  url: string
  /** The web viewer's URL to open in a browser: with `?token=<token>` when the server has a token. */
  viewerUrl: string
  port: number
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
/** Sessions a client left without saying goodbye (most do) are closed after this long without a request. */
const SESSION_IDLE_MS = 30 * 60_000

/** A Host header's name (lower case, IPv6 without brackets) and port (80 when left out). */
export function parseHost(header: string): { name: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(header.trim())
  if (!match?.[1]) return undefined
  return { name: match[1].replace(/^\[|\]$/g, '').toLowerCase(), port: Number(match[2] ?? 80) }
}

/** Whether `host` names this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2)
  response.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'cache-control': 'no-store',
  })
  response.end(`${text}\n`)
}

/** The code an API client reads for a refusal of the server itself (docs/viewer.md). */
const REFUSAL_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  500: 'INTERNAL',
}

/**
 * A refusal in the words of whoever asked: under `/api/` the API's `{ error: { code, message } }`, elsewhere a
 * JSON-RPC error body, which MCP clients show to their user.
 */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  const path = (request.url ?? '/').split('?')[0] ?? '/'
  const api = path === '/api' || path.startsWith('/api/')
  send(
    response,
    status,
    api
      ? { error: { code: REFUSAL_CODES[status] ?? 'ERROR', message } }
      : { jsonrpc: '2.0', error: { code: -32000, message }, id: null },
  )
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * The cookie that carries the token for a browser, which cannot send a header on a page load or an EventSource. Named
 * after the port: cookies are shared by every port of a host, and two servers on one machine have their own tokens.
 */
function cookieName(port: number): string {
  return `git-backlog-token-${port}`
}

/** The values of the cookies named `name` in a Cookie header (a browser may send the same name more than once). */
export function cookieValues(header: string | undefined, name: string): string[] {
  const values: string[] = []
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) values.push(part.slice(at + 1).trim())
  }
  return values
}

/**
 * A request target without its `token` query parameter, every other byte as sent.
 *
 * @example
 * withoutToken('/board?token=s3cret&filter=%2Bweb') // '/board?filter=%2Bweb'
 */
export function withoutToken(target: string): string {
  const at = target.indexOf('?')
  if (at < 0) return target
  const kept = target
    .slice(at + 1)
    .split('&')
    // Names compared as decoded, as the check reads them: `%74oken=` left in would send the browser round in circles.
    .filter((part) => part !== '' && !new URLSearchParams(part).has('token'))
  return `${target.slice(0, at)}${kept.length ? `?${kept.join('&')}` : ''}`
}

/** What a browser shows when it came without the token: how a person gets in. */
const TOKEN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>git-backlog: token needed</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>This backlog server needs its token</h1>
<p>It was started with a token, so only someone who has the token can look at it.</p>
<p>Open the web viewer's address that <code>git backlog serve</code> printed when it started: it ends in
<code>?token=…</code>. Opening it once lets this browser in until it is closed or the server gets a new token.</p>
<p>Not the person who started it? Ask them for that address.</p>
</body></html>
`

/**
 * Starts serving `app` and resolves once it listens.
 *
 * @example
 * const server = await startHttpServer({ app: createApp({ cwd }), port: 0 })
 * // an MCP client connects to `${server.url}/mcp`
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token
  if (!isLoopback(host) && !token) {
    throw new BacklogError(
      'INVALID_INPUT',
      `listening on ${host} would let other machines change this backlog; give a token (--token or BACKLOG_TOKEN) that clients send as "Authorization: Bearer <token>", or listen on 127.0.0.1`,
    )
  }
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  const api = createApi(options.app, {
    log,
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.maxEventStreams ? { maxEventStreams: options.maxEventStreams } : {}),
  })
  const web = createStaticFiles(options.webRoot ?? packagePath('dist/web'))
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  const lastSeen = new Map<StreamableHTTPServerTransport, number>()
  // Each session watches the backlog for its client: one that went quiet is closed, so they do not pile up.
  const sweeper = setInterval(
    () => {
      const before = Date.now() - (options.sessionIdleMs ?? SESSION_IDLE_MS)
      for (const [transport, seen] of lastSeen) if (seen < before) void transport.close()
    },
    Math.min(options.sessionIdleMs ?? SESSION_IDLE_MS, 60_000),
  ).unref()
  let port = 0

  /** The names this server answers to: its own address, and this machine's names when it listens on loopback. */
  function hostAllowed(header: string | undefined): boolean {
    const parsed = header ? parseHost(header) : undefined
    if (!parsed || parsed.port !== port) return false
    if (isLoopback(host)) return isLoopback(parsed.name)
    if (host === '0.0.0.0' || host === '::') return true // listening everywhere, behind a token: any name reaches it
    return parsed.name === host.toLowerCase()
  }

  /** Browsers send Origin; a page from anywhere else must not drive this server. Tools without one pass. */
  function originAllowed(origin: string | undefined): boolean {
    if (!origin) return true
    try {
      const url = new URL(origin)
      return hostAllowed(url.host)
    } catch {
      return false
    }
  }

  async function handleMcp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const id = request.headers['mcp-session-id']
    const known = typeof id === 'string' ? sessions.get(id) : undefined
    if (known) {
      lastSeen.set(known, Date.now())
      return known.handleRequest(request, response)
    }
    if (typeof id === 'string') return refuse(request, response, 404, 'Session not found; initialize again.')
    // A new session: its own MCP server over the shared app, so each client has its own subscriptions.
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (session) => {
        sessions.set(session, transport)
        lastSeen.set(transport, Date.now())
      },
    })
    const server = createMcpServer(options.app, options.mcp ?? {})
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId)
      lastSeen.delete(transport)
      void server.close()
    }
    await server.connect(transport)
    await transport.handleRequest(request, response)
    // A request that did not initialize (or failed to) leaves a transport nobody can reach: let it go.
    if (!transport.sessionId) await server.close()
  }

  async function status(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const summary = await options.app.summary()
    send(
      response,
      200,
      [
        `git-backlog ${VERSION}`,
        `Serving the backlog of ${summary.repository} (branch ${summary.branch}, ${summary.items} items).`,
        `MCP (Streamable HTTP): http://${request.headers.host}/mcp`,
        'The web viewer is not built here (dist/web is missing: `npm run build` makes it); MCP clients connect as above.',
      ].join('\n'),
    )
  }

  /**
   * Whether a request carries the token: as a bearer header (MCP clients, scripts) or the cookie a browser was given.
   * A page load with `?token=` that matches gets the cookie and is sent on to the same URL without it (so the token
   * leaves the address bar and the history); anything else without the token gets a 401, which says to a browser how
   * to get in. Answers the request itself and returns false when it is not let in.
   */
  function admitted(request: IncomingMessage, response: ServerResponse, secret: string): boolean {
    const target = request.url ?? '/'
    const offered = new URL(target, 'http://localhost').searchParams.get('token')
    const reading = request.method === 'GET' || request.method === 'HEAD'
    if (offered !== null && reading && sameSecret(offered, secret)) {
      response.writeHead(303, {
        location: withoutToken(target),
        // HttpOnly: no script reads it; Strict: no other site's page or form sends it.
        'set-cookie': `${cookieName(port)}=${encodeURIComponent(secret)}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      })
      response.end()
      return false
    }
    const bearer = /^bearer +(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim()
    if (bearer !== undefined && sameSecret(bearer, secret)) return true
    const encoded = encodeURIComponent(secret)
    if (cookieValues(request.headers.cookie, cookieName(port)).some((value) => sameSecret(value, encoded))) return true
    if ((request.headers.accept ?? '').includes('text/html')) {
      response.writeHead(401, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'www-authenticate': 'Bearer realm="git-backlog"',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      })
      response.end(request.method === 'HEAD' ? undefined : TOKEN_PAGE)
      return false
    }
    response.setHeader('www-authenticate', 'Bearer realm="git-backlog"')
    refuse(
      request,
      response,
      401,
      'Missing or wrong token: send "Authorization: Bearer <token>", or in a browser open the viewer\'s URL `git backlog serve` printed (it ends in ?token=...).',
    )
    return false
  }

  const server: NodeServer = createServer((request, response) => {
    const run = async () => {
      if (!hostAllowed(request.headers.host)) return refuse(request, response, 403, 'Host not allowed.')
      if (!originAllowed(request.headers.origin)) return refuse(request, response, 403, 'Origin not allowed.')
      if (token && !admitted(request, response, token)) return
      const url = new URL(request.url ?? '/', 'http://localhost')
      const path = url.pathname
      if (path === '/mcp') return handleMcp(request, response)
      if (path === '/api' || path.startsWith('/api/')) return api.handle(request, response, url)
      if (web.serve(request, response, path)) return
      // Until the viewer is built, the page says what this server is and how to reach it.
      if (path === '/' && request.method === 'GET') return status(request, response)
      return send(response, 404, 'Not found.')
    }
    run().catch((error: unknown) => {
      if (isBacklogError(error) && !response.headersSent)
        return refuse(request, response, statusOf(error.code), error.message)
      log(`git-backlog serve: ${(error as Error).stack ?? String(error)}`)
      if (!response.headersSent) refuse(request, response, 500, 'Internal error; the server logged the details.')
      else response.end()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 7373, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  const url = `http://${shown}:${port}`
  return {
    url,
    viewerUrl: `${url}/${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    port,
    async close() {
      clearInterval(sweeper)
      api.close()
      await Promise.all([...sessions.values()].map((transport) => transport.close()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
