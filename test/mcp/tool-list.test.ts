/** The size of the `tools/list` answer and the output schemas in it, as the SDK client reads and checks them. */

import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { toolListing } from '../../src/mcp/listing.js'
import { TOOLS } from '../../src/mcp/tools.js'
import { callOk, connectInProcess, initializedClient } from '../helpers/mcp.js'
import { tempRepo } from '../helpers/repo.js'

/** docs/adr/0014-a-lean-tool-list.md: what a client sends its model on every turn, and the whole answer. */
const MODEL_VISIBLE_BUDGET = 16 * 1024
const TOTAL_BUDGET = 24 * 1024

function bytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}

/** A client of a server that lists `tool` and answers every call with `structuredContent`. */
async function clientOf(tool: Tool, structuredContent: Record<string, unknown>): Promise<Client> {
  const server = new Server({ name: 'schema-check', version: '1.0.0' }, { capabilities: { tools: {} } })
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [tool] }))
  server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'x' }], structuredContent }))
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'test', version: '1.0.0' })
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)])
  onTestFinished(() => client.close())
  await client.listTools()
  return client
}

describe('the tool list', () => {
  it('stays within its budgets: 16 KB that models read, 24 KB in all', async () => {
    const { client } = await connectInProcess(tempRepo().dir)
    const { tools } = await client.listTools()
    expect(tools).toHaveLength(13)
    const total = bytes(tools)
    const visible = bytes(tools.map(({ outputSchema: _outputSchema, ...rest }) => rest))
    expect(visible, `model-visible part is ${visible} bytes`).toBeLessThanOrEqual(MODEL_VISIBLE_BUDGET)
    expect(total, `tools/list is ${total} bytes`).toBeLessThanOrEqual(TOTAL_BUDGET)
  })

  it('explains the filter language once, and teaches claim, READY, batches with #1 and undo', async () => {
    const { client } = await connectInProcess(tempRepo().dir)
    const { tools } = await client.listTools()
    const text = JSON.stringify(tools.map(({ outputSchema: _outputSchema, ...rest }) => rest))
    expect(text.match(/Virtual tags/g)).toHaveLength(1)
    const byName = new Map(tools.map((tool) => [tool.name, tool]))
    const property = (tool: string, name: string) =>
      (byName.get(tool)?.inputSchema.properties?.[name] as { description?: string } | undefined)?.description ?? ''
    expect(property('backlog_list', 'filter')).toMatch(/READY \(can start now/)
    expect(property('backlog_update', 'filter')).toMatch(/backlog_list filter/)
    expect(property('backlog_update', 'claim')).toMatch(/CONFLICT.*open dependencies or children/)
    expect(byName.get('backlog_list')?.description).toMatch(/\+READY/)
    expect(byName.get('backlog_create')?.description).toMatch(/parent:"#1"/)
    expect(byName.get('backlog_undo')?.description).toMatch(/redo:true/)
  })

  it('keeps every parameter of every tool, showing the canonical form of lenient ones', async () => {
    const { client } = await connectInProcess(tempRepo().dir)
    const { tools } = await client.listTools()
    for (const tool of TOOLS) {
      const listed = tools.find((one) => one.name === tool.name)
      const shape = (tool.input as unknown as { shape?: Record<string, unknown> }).shape
      const inner = shape ?? (tool.input as unknown as { def: { in: { shape: Record<string, unknown> } } }).def.in.shape
      expect(Object.keys(listed?.inputSchema.properties ?? {}).sort(), tool.name).toEqual(Object.keys(inner).sort())
    }
    const list = tools.find((tool) => tool.name === 'backlog_list')?.inputSchema.properties ?? {}
    expect(list.tags).toEqual({ description: expect.any(String), type: 'array', items: { type: 'string' } })
    expect(list.limit).toMatchObject({ type: 'integer' })
    expect(list.counts).toMatchObject({ type: 'boolean' })
    // One id or several: both forms are listed.
    const get = tools.find((tool) => tool.name === 'backlog_get')?.inputSchema.properties ?? {}
    expect(get.id).toEqual({ anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] })
  })
})

describe('output schemas with shared definitions', () => {
  it('are enforced by the SDK client through $ref: a context row without an id is refused', async () => {
    const tool = toolListing(TOOLS).find((one) => one.name === 'backlog_context') as Tool
    expect(JSON.stringify(tool.outputSchema)).toContain('"$ref":"#/$defs/rows"')
    const { client: real, repo } = await initializedClient()
    const { items } = await callOk<{ items: Array<{ id: string }> }>(real, 'backlog_create', {
      items: [
        { title: 'Epic', type: 'epic' },
        { title: 'Child', parent: '#1' },
      ],
    })
    // The real bundle passes the client's check (connectInProcess listed the tools, so the client checks every call).
    const bundle = await callOk<{ children: Array<{ id: string; title: string }> }>(real, 'backlog_context', {
      id: items[0]!.id,
    })
    expect(bundle.children.map((child) => child.title)).toEqual(['Child'])
    expect(repo.git('status', '--porcelain')).toBe('')

    const good = await clientOf(tool, bundle)
    await expect(good.callTool({ name: 'backlog_context', arguments: {} })).resolves.toMatchObject({
      structuredContent: bundle,
    })
    const broken = { ...bundle, children: [{ title: 'no id', type: 'task', status: 'open' }] }
    const bad = await clientOf(tool, broken)
    await expect(bad.callTool({ name: 'backlog_context', arguments: {} })).rejects.toThrow(
      /Structured content does not match the tool's output schema/,
    )
  })

  it('are enforced for list counts through $ref too', async () => {
    const tool = toolListing(TOOLS).find((one) => one.name === 'backlog_list') as Tool
    const counts = { by_status: { open: 1 }, by_type: {}, by_priority: {}, by_assignee: {}, by_tag: {} }
    const result = { items: [], total: 0, truncated: false, counts }
    const good = await clientOf(tool, result)
    await expect(good.callTool({ name: 'backlog_list', arguments: {} })).resolves.toBeTruthy()
    const bad = await clientOf(tool, { ...result, counts: { ...counts, by_status: { open: 'one' } } })
    await expect(bad.callTool({ name: 'backlog_list', arguments: {} })).rejects.toThrow(/output schema/)
  })
})
