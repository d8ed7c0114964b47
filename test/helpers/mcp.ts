/** MCP clients for tests: in process over the SDK's in-memory transport, or over stdio against the built bin. */

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { expect, onTestFinished } from 'vitest'
import { type AppOptions, createApp } from '../../src/app/index.js'
import { createMcpServer } from '../../src/mcp/server.js'
import { BIN, GIT_ENV, seededRandom, steppingClock, type TempRepo, tempRepo } from './repo.js'

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

/** An SDK client connected in process to a server over the repository at `dir`, which validates every result. */
export async function connectInProcess(
  dir: string,
  options: Partial<AppOptions> & { clientName?: string } = {},
): Promise<TestClient> {
  const app = createApp({ cwd: dir, watch: true, ...options })
  const server = createMcpServer(app)
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: options.clientName ?? 'test-agent', version: '1.0.0' })
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)])
  // The SDK client checks structuredContent against a tool's output schema only once it has listed the tools: every
  // call of every in-process test is then also a check of the schema against a real result.
  await client.listTools()
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
): Promise<TestClient & { stderr(): string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    cwd: dir,
    env: { ...(process.env as Record<string, string>), ...GIT_ENV, ...env },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const client = new Client({ name: 'stdio-test-agent', version: '1.0.0' })
  await client.connect(transport)
  onTestFinished(() => client.close())
  return { ...wrap(client), stderr: () => stderr }
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n')
}

/**
 * A temp repository with an initialized backlog and an in-process client on a stepping clock and seeded ids;
 * `commits()` counts the commits on HEAD, for "one commit or none" checks.
 */
export async function initializedClient(): Promise<{ repo: TempRepo; client: TestClient; commits: () => number }> {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  const client = await connectInProcess(repo.dir, { now: steppingClock(), random: seededRandom() })
  return { repo, client, commits: () => Number(repo.git('rev-list', '--count', 'HEAD')) }
}

/** Calls a tool that must succeed and returns its structured content. */
export async function callOk<T>(client: TestClient, tool: string, args: Record<string, unknown>): Promise<T> {
  const result = await client.call(tool, args)
  expect(result.isError, textOf(result)).toBeFalsy()
  return result.structuredContent as T
}

/** Calls a tool that must fail and returns its error text. */
export async function callError(client: TestClient, tool: string, args: Record<string, unknown>): Promise<string> {
  const result = await client.call(tool, args)
  expect(result.isError, textOf(result)).toBe(true)
  return textOf(result)
}
