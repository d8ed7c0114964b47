/**
 * What `tools/list` answers: each tool's name, title, description, annotations and JSON schemas, converted from its
 * zod schemas. The built executable has this computed at build time (scripts/build.mjs), so a server answers the
 * listing without loading zod's converter, the schemas or the app (docs/adr/0013-fast-start.md).
 */

import * as z from 'zod'
import type { Tool } from './tools.js'

export interface ToolListing {
  name: string
  title: string
  description: string
  inputSchema: { type: 'object' }
  outputSchema: { type: 'object' }
  annotations: Record<string, unknown>
}

/**
 * @example
 * listTools(TOOLS)[0].inputSchema // { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', ... }
 */
export function listTools(tools: readonly Tool[]): ToolListing[] {
  return tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: z.toJSONSchema(tool.input, { io: 'input', target: 'draft-7' }) as { type: 'object' },
    outputSchema: z.toJSONSchema(tool.output, { io: 'output', target: 'draft-7' }) as { type: 'object' },
    annotations: { title: tool.title, ...tool.annotations },
  }))
}
