/**
 * The MCP server: tool listing and calls over the SDK's low-level server, errors mapped once, stdio transport.
 * It answers `initialize` and `tools/list` before loading anything else: the tool schemas, the app and the backlog
 * load on the first call, or in the background once the client has its tools (docs/adr/0015-fast-start.md).
 */

import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { App } from '../app/index.js'
import { isBacklogError } from '../core/errors.js'
import { VERSION } from '../package-files.js'
import { toolError, toolFailure } from './errors.js'
import type { ToolListing } from './listing.js'
import { registerPrompts } from './prompts.js'
import { registerResources } from './resources.js'
import { createStdioTransport } from './stdio.js'

/** The tool listing as JSON, put in by the build (scripts/build.mjs); absent when running from source or tsc output. */
declare const __TOOL_LISTING__: string | undefined

/** The listing: the one the build computed, else converted from the zod schemas now. */
async function listedTools(): Promise<ToolListing[]> {
  if (typeof __TOOL_LISTING__ === 'string') return JSON.parse(__TOOL_LISTING__) as ToolListing[]
  const [{ TOOLS }, { toolListing }] = await Promise.all([import('./tools.js'), import('./listing.js')])
  return toolListing(TOOLS)
}

/**
 * A client that never lists its tools still gets the backlog read ahead of its first call, this long after it has
 * initialized.
 */
const WARM_AFTER_MS = 1_000

const INSTRUCTIONS =
  'This server is the task backlog of the current git repository (files under .backlog/). Call backlog_list to see what is open, backlog_get for details, backlog_create to plan work, and backlog_update to claim (claim: true), note progress on and finish items. Every change is one git commit, so it is reviewed like code, backlog_undo takes back your last change, and backlog_history tells who changed what. When a list says the branch is behind its upstream, ask for `git backlog sync` (or git pull) before picking work. The backlog://briefing resource says what is in progress, ready, blocked and changed since your last change; the prompts (next-task, plan-feature, hand-off...) walk through common workflows.'

export interface McpServerOptions {
  /** The agent name for commit trailers when a call names none (`--agent` or `BACKLOG_AGENT`); else the client's name. */
  agent?: string
  log?: (message: string) => void
  /** Log one line once the client is set up: the repository, branch, item count and agent. */
  announce?: boolean
}

/** The tools' schemas and handlers, loaded by the first call (the listing needs neither). */
type ToolModule = typeof import('./tools.js') & { describeIssues: typeof import('../core/inputs.js').describeIssues }
let toolModule: Promise<ToolModule> | undefined
function loadTools(): Promise<ToolModule> {
  toolModule ??= Promise.all([import('./tools.js'), import('../core/inputs.js')]).then(([tools, inputs]) => ({
    ...tools,
    describeIssues: inputs.describeIssues,
  }))
  return toolModule
}

/**
 * The MCP server over an app, or over a function that opens one when a call first needs it. Tool inputs are checked
 * here with the shared zod schemas, so a bad argument comes back as `INVALID_INPUT: ...` like every other error rather
 * than as a protocol error.
 */
export function createMcpServer(app: App | (() => App | Promise<App>), options: McpServerOptions = {}): Server {
  const appFor = typeof app === 'function' ? async () => app() : async () => app
  const server = new Server(
    { name: 'git-backlog', version: VERSION },
    {
      capabilities: {
        tools: { listChanged: false },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: false },
        completions: {},
      },
      instructions: INSTRUCTIONS,
    },
  )
  const resources = registerResources(server, appFor, () => options.agent || server.getClientVersion()?.name)
  registerPrompts(server, appFor)
  // Once the client has its tools, read the backlog in the background so its first call finds everything loaded, and
  // start telling it about changes. Not earlier: reading 10,000 items keeps this thread busy for a second, and the
  // client waits for the listing before it does anything.
  let warming: NodeJS.Timeout | undefined
  let warmed = false
  const warm = () => {
    clearTimeout(warming)
    if (warmed) return
    warmed = true
    setImmediate(() => void resources.start().finally(() => (options.announce ? announce() : undefined)))
  }
  server.oninitialized = () => {
    warming = setTimeout(warm, WARM_AFTER_MS)
    warming.unref()
  }
  server.onclose = () => {
    clearTimeout(warming)
    resources.close()
  }
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`))
  let listing: Promise<ToolListing[]> | undefined
  /** One line on stderr, which clients keep in their server log: what is served to whom. */
  async function announce(): Promise<void> {
    try {
      const summary = await (await appFor()).summary()
      const client = server.getClientVersion()?.name ?? 'an MCP client'
      const agent = options.agent ?? client
      const backlog = summary.initialized
        ? `${summary.items} item${summary.items === 1 ? '' : 's'}${summary.problems ? `, ${summary.problems} unreadable` : ''}`
        : 'no backlog yet: the first backlog_create starts it'
      log(
        `git-backlog ${VERSION}: serving ${summary.repository} (branch ${summary.branch}, ${backlog}) to ${client}; commits name the agent "${agent}"`,
      )
    } catch (error) {
      // Outside a repository: say so once, plainly; every call will answer NOT_A_REPO.
      if (!isBacklogError(error)) {
        log(`git-backlog: reading the backlog failed: ${(error as Error).stack ?? String(error)}`)
        return
      }
      log(
        `git-backlog ${VERSION}: warning: ${error.message.replace(/\.$/, '')}. Every call will fail until the server is started in a git repository (the client's working folder, or -C <path>).`,
      )
    }
  }

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    listing ??= listedTools()
    const tools = await listing
    // The answer is sent in this turn of the event loop; the backlog is read in the next.
    warm()
    return { tools }
  })
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { TOOLS, describeIssues } = await loadTools()
    const tool = TOOLS.find((one) => one.name === request.params.name)
    if (!tool) {
      const names = TOOLS.map((one) => one.name).join(', ')
      return toolError('NOT_FOUND', `No tool ${request.params.name}. Tools: ${names}.`)
    }
    const parsed = tool.input.safeParse(request.params.arguments ?? {})
    if (!parsed.success) {
      return toolError(
        'INVALID_INPUT',
        `${describeIssues(parsed.error)}. Fix the arguments and call ${tool.name} again.`,
      )
    }
    const input = parsed.data as { agent?: string }
    if (!tool.annotations.readOnlyHint) {
      input.agent ??= options.agent || server.getClientVersion()?.name || 'mcp-client'
    }
    try {
      const { data, text } = await tool.run(await appFor(), input)
      if (!tool.annotations.readOnlyHint) resources.changed()
      return { content: [{ type: 'text', text }], structuredContent: data as Record<string, unknown> }
    } catch (error) {
      return toolFailure(error, tool.name, log)
    }
  })
  return server
}

/**
 * Runs the server for the repository around `cwd` on stdin/stdout until the client hangs up. The app (and with it the
 * repository) is opened when a call first needs it, so outside a repository the server still starts and the agent
 * reads NOT_A_REPO from its first call instead of a closed connection.
 */
export async function serveStdio(cwd: string, options: McpServerOptions = {}): Promise<void> {
  let opened: Promise<App> | undefined
  let app: App | undefined
  const agent = options.agent || process.env.BACKLOG_AGENT?.trim() || undefined
  const server = createMcpServer(
    () => {
      opened ??= import('../app/index.js').then(({ createApp }) => {
        app = createApp({ cwd, watch: true })
        return app
      })
      return opened
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
