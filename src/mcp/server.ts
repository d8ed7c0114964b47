/** The MCP server: tool listing and calls over the SDK's low-level server, errors mapped once, stdio transport. */

import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { type App, createApp, plural } from '../app/index.js'
import { isBacklogError } from '../core/errors.js'
import { describeIssues } from '../core/inputs.js'
import { VERSION } from '../package-files.js'
import { toolListing } from './listing.js'
import { registerResources } from './resources.js'
import { createStdioTransport } from './stdio.js'
import { TOOLS } from './tools.js'

const INSTRUCTIONS =
  'This server is the task backlog of the current git repository (files under .backlog/). Call backlog_list to see what is open, backlog_get for details, backlog_create to plan work, and backlog_update to claim (claim: true), note progress on and finish items. Every change is one git commit, so it is reviewed like code, backlog_undo takes back your last change, and backlog_history tells who changed what. When a list says the branch is behind its upstream, ask for `git backlog sync` (or git pull) before picking work.'

/** The stable error text: `CODE: what failed and what to do next`. */
function errorResult(code: string, message: string): CallToolResult {
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true }
}

export interface McpServerOptions {
  /** The agent name for commit trailers when a call names none (`--agent` or `BACKLOG_AGENT`); else the client's name. */
  agent?: string
  log?: (message: string) => void
  /** Log one line once the client is set up: the repository, branch, item count and agent. */
  announce?: boolean
}

/**
 * The MCP server over an app. Tool inputs are checked here with the shared zod schemas, so a bad argument comes back
 * as `INVALID_INPUT: ...` like every other error rather than as a protocol error.
 */
export function createMcpServer(app: App | (() => App), options: McpServerOptions = {}): Server {
  const appFor = typeof app === 'function' ? app : () => app
  const server = new Server(
    { name: 'git-backlog', version: VERSION },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: true },
        completions: {},
      },
      instructions: INSTRUCTIONS,
    },
  )
  const resources = registerResources(server, appFor)
  // Once the client is set up, read the backlog in the background so its first call finds everything loaded, and
  // start telling it about changes.
  server.oninitialized = () =>
    setImmediate(() => {
      void resources.start().then(() => (options.announce ? announce() : undefined))
    })
  server.onclose = () => resources.close()
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  /** One line on stderr, which clients keep in their server log: what is served to whom. */
  async function announce(): Promise<void> {
    try {
      const summary = await appFor().summary()
      const client = server.getClientVersion()?.name ?? 'an MCP client'
      const agent = options.agent ?? client
      const backlog = summary.initialized
        ? `${plural(summary.items, 'item')}${summary.problems ? `, ${summary.problems} unreadable` : ''}`
        : 'no backlog yet: the first backlog_create starts it'
      log(
        `git-backlog ${VERSION}: serving ${summary.repository} (branch ${summary.branch}, ${backlog}) to ${client}; commits name the agent "${agent}"`,
      )
    } catch {
      // outside a repository serveStdio has warned already, and every call says why
    }
  }
  const tools = new Map(TOOLS.map((tool) => [tool.name, tool]))
  const listing = toolListing(TOOLS)

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }))
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = tools.get(request.params.name)
    if (!tool) {
      return errorResult('NOT_FOUND', `No tool ${request.params.name}. Tools: ${[...tools.keys()].join(', ')}.`)
    }
    const parsed = tool.input.safeParse(request.params.arguments ?? {})
    if (!parsed.success) {
      return errorResult(
        'INVALID_INPUT',
        `${describeIssues(parsed.error)}. Fix the arguments and call ${tool.name} again.`,
      )
    }
    const input = parsed.data as { agent?: string }
    if (!tool.annotations.readOnlyHint) {
      input.agent ??= options.agent || server.getClientVersion()?.name || 'mcp-client'
    }
    try {
      const { data, text } = await tool.run(appFor(), input)
      if (!tool.annotations.readOnlyHint) resources.changed()
      return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> }
    } catch (error) {
      if (isBacklogError(error)) {
        const next = error.code === 'INVALID_INPUT' ? ` Fix the arguments and call ${tool.name} again.` : ''
        const message = next && !error.message.endsWith('.') ? `${error.message}.` : error.message
        return errorResult(error.code, `${message}${next}`)
      }
      log(`git-backlog: ${tool.name} failed: ${(error as Error).stack ?? String(error)}`)
      return errorResult(
        'INTERNAL',
        `${tool.name} failed unexpectedly (${(error as Error).message}); the server logged the details. Nothing more was written.`,
      )
    }
  })
  return server
}

/** Runs the server for the repository around `cwd` on stdin/stdout until the client hangs up. */
export async function serveStdio(cwd: string, options: McpServerOptions = {}): Promise<void> {
  // Outside a repository the server still starts, so the agent reads NOT_A_REPO from its first call instead of a
  // closed connection.
  let app: App | undefined
  let failure: unknown
  try {
    app = createApp({ cwd, watch: true })
  } catch (error) {
    if (!isBacklogError(error)) throw error
    failure = error
    ;(options.log ?? ((message: string) => process.stderr.write(`${message}\n`)))(
      `git-backlog ${VERSION}: warning: ${error.message.replace(/\.$/, '')}. Every call will fail until the server is started in a git repository (the client's working folder, or -C <path>).`,
    )
  }
  const agent = options.agent || process.env.BACKLOG_AGENT?.trim() || undefined
  const server = createMcpServer(
    () => {
      if (!app) throw failure
      return app
    },
    { announce: true, ...options, ...(agent ? { agent } : {}) },
  )
  const transport = createStdioTransport()
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve()
  })
  await server.connect(transport)
  await closed
  app?.close()
  await server.close()
}
