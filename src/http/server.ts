/**
 * `git backlog serve`: one HTTP server for a repository's backlog. Today it carries the MCP Streamable HTTP transport
 * at `/mcp` (one MCP session per client, all over one app), the web viewer's JSON API and live updates under
 * `/api/` (http/api.ts) and the viewer's page and assets (http/static.ts). Every request is checked before anything runs: the Host header (a DNS-rebinding page reaches 127.0.0.1 under
 * its own name), the Origin of browser requests, and a bearer token when the server listens beyond this machine.
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
  /** Required as `Authorization: Bearer <token>` on every request when set. */
  token?: string
  mcp?: McpServerOptions
  log?: (message: string) => void
  /** Close a session after this long without a request (default 30 minutes). */
  sessionIdleMs?: number
  /** The built web viewer (index.html and assets/); default the package's dist/web. */
  webRoot?: string
  /** A `: ping` comment on every event stream this often (default 15 s), so nothing between closes an idle one. */
  heartbeatMs?: number
}

export interface RunningServer {
  /** `http://host:port`, as a client would connect to it. */
  url: string
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

/** A JSON-RPC error body, which MCP clients show to their user. */
function refuse(response: ServerResponse, status: number, message: string): void {
  send(response, status, { jsonrpc: '2.0', error: { code: -32000, message }, id: null })
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

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
  const api = createApi(options.app, { log, ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}) })
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
    if (typeof id === 'string') return refuse(response, 404, 'Session not found; initialize again.')
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
        'The web viewer is not here yet: connect an MCP client, or run `git backlog` in the repository.',
      ].join('\n'),
    )
  }

  const server: NodeServer = createServer((request, response) => {
    const run = async () => {
      if (!hostAllowed(request.headers.host)) return refuse(response, 403, 'Host not allowed.')
      if (!originAllowed(request.headers.origin)) return refuse(response, 403, 'Origin not allowed.')
      if (token) {
        const given = /^bearer +(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() ?? ''
        if (!sameSecret(given, token)) return refuse(response, 401, 'Missing or wrong token (Authorization: Bearer).')
      }
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
      if (isBacklogError(error) && !response.headersSent) return refuse(response, statusOf(error.code), error.message)
      log(`git-backlog serve: ${(error as Error).stack ?? String(error)}`)
      if (!response.headersSent) refuse(response, 500, 'Internal error; the server logged the details.')
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
  return {
    url: `http://${shown}:${port}`,
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
