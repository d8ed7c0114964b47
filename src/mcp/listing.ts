/**
 * The `tools/list` answer: each tool's JSON Schemas derived from its zod schemas, kept lean because every client
 * sends the whole list to its model on every turn (≤ 16 KB model-visible, ≤ 24 KB in all: docs/adr/0014-a-lean-tool-list.md).
 */

import type { Tool as ListedTool } from '@modelcontextprotocol/sdk/types.js'
import * as z from 'zod'
import type { Tool } from './tools.js'

type JsonSchema = { [key: string]: unknown }

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * `additionalProperties` says nothing worth its bytes here: `{}` allows anything, as leaving it out does, and the
 * server names an unknown field (and the field meant) itself.
 */
function noConstraint(key: string, value: unknown): boolean {
  return key === 'additionalProperties' && (value === false || (isSchema(value) && Object.keys(value).length === 0))
}

/**
 * The schema as a model should read it. Inputs accept what clients really send (a list as comma-separated text, a
 * boolean as "true", a number as "3"); zod says so as `anyOf: [canonical, {type: "string"}]`, which doubles the size
 * of most properties and teaches nothing. The listing shows the canonical branch alone (numbers we take are whole
 * numbers); the server still accepts the text forms. Only `id` keeps both: one id is its usual form, an array of
 * ids the other. Keys are always strings, so `propertyNames` goes too.
 */
function canonical(schema: JsonSchema, name?: string): JsonSchema {
  let node = schema
  const branches = node.anyOf
  if (Array.isArray(branches) && name !== 'id') {
    const kept = branches.filter((branch) => !isSchema(branch) || branch.type !== 'string')
    if (kept.length === 1 && kept.length < branches.length && isSchema(kept[0])) {
      const { anyOf: _anyOf, ...rest } = node
      const branch = kept[0]
      node = { ...rest, ...branch, ...(branch.type === 'number' ? { type: 'integer' } : {}) }
    }
  }
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'propertyNames' || key === '$schema' || noConstraint(key, value)) continue
    if (key === 'properties' && isSchema(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([property, inner]) => [
          property,
          isSchema(inner) ? canonical(inner, property) : inner,
        ]),
      )
    } else if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      out[key] = value.map((inner) => (isSchema(inner) ? canonical(inner) : inner))
    } else if ((key === 'items' || key === 'additionalProperties') && isSchema(value)) {
      out[key] = canonical(value)
    } else {
      out[key] = value
    }
  }
  return out
}

function inputSchema(tool: Tool): JsonSchema {
  const schema = canonical(z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12' }) as JsonSchema)
  return tool.leanInput ? tool.leanInput(schema) : schema
}

/**
 * An output schema without `$schema` and `propertyNames`: clients validate `structuredContent` against it (the SDK
 * client with ajv), and a schema used twice in one tool's result (a row, a count table) is written once under
 * `$defs`.
 */
function outputSchema(schema: z.ZodType): JsonSchema {
  return strip(z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) as JsonSchema)
}

function strip(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'propertyNames' || key === '$schema' || noConstraint(key, value)) continue
    if (isSchema(value)) out[key] = strip(value)
    else if (Array.isArray(value)) out[key] = value.map((entry) => (isSchema(entry) ? strip(entry) : entry))
    else out[key] = value
  }
  return out
}

/**
 * The listing of the tools.
 *
 * @example
 * toolListing(TOOLS).find((tool) => tool.name === 'backlog_list')?.inputSchema.properties?.limit // { type: 'integer', ... }
 */
export function toolListing(tools: readonly Tool[]): ListedTool[] {
  return tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: inputSchema(tool) as ListedTool['inputSchema'],
    outputSchema: outputSchema(tool.output) as ListedTool['outputSchema'],
    // The title is said once, where MCP 2025-06-18 put it; annotations.title is its older place.
    annotations: tool.annotations,
  }))
}

/** One tool as `tools/list` answers it. */
export type ToolListing = ReturnType<typeof toolListing>[number]
