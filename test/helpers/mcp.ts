/** MCP clients for tests: in process over the SDK's in-memory transport, or over stdio against the built bin. */

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { onTestFinished } from 'vitest'
import { type AppOptions, createApp } from '../../src/app.js'
import { createMcpServer } from '../../src/mcp/server.js'
import { BIN, GIT_ENV } from './repo.js'

export interface TestClient {
  client: Client
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>
}

function wrap(client: Client): TestClient {
  return {
    client,
    call: async (name, args = {}) => (await client.callTool({ name, arguments: args })) as CallToolResult,
  }
}

/** An SDK client connected in process to a server over the repository at `dir`. */
export async function connectInProcess(
  dir: string,
  options: Partial<AppOptions> & { clientName?: string } = {},
): Promise<TestClient> {
  const app = createApp({ cwd: dir, watch: true, ...options })
  const server = createMcpServer(app)
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: options.clientName ?? 'test-agent', version: '1.0.0' })
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)])
  onTestFinished(async () => {
    await client.close()
    app.close()
  })
  return wrap(client)
}

/** An SDK client that spawns the built `git-backlog mcp` in `dir` over stdio. */
export async function connectStdio(
  dir: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<TestClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    cwd: dir,
    env: { ...(process.env as Record<string, string>), ...GIT_ENV, ...env },
    stderr: 'pipe',
  })
  const client = new Client({ name: 'stdio-test-agent', version: '1.0.0' })
  await client.connect(transport)
  onTestFinished(() => client.close())
  return wrap(client)
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')
}
