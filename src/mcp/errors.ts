/**
 * The MCP edge's one error mapping (docs/adr/0006-mcp-tool-errors.md): a BacklogError becomes the text
 * `CODE: what failed and what to do next`, as an `isError` tool result or as a resource request's error; anything
 * else is logged to stderr and answered with a generic INTERNAL.
 */

import { type CallToolResult, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { isBacklogError } from '../core/errors.js'

/** The stable error text: `CODE: what failed and what to do next`. */
function errorText(code: string, message: string): string {
  return `${code}: ${message}`
}

/**
 * A tool result that reports an error (no structuredContent: SDK 1.x clients validate it even on errors).
 *
 * @example
 * toolError('NOT_FOUND', 'No tool backlog_x. Tools: backlog_list, …')
 */
export function toolError(code: string, message: string): CallToolResult {
  return { content: [{ type: 'text', text: errorText(code, message) }], isError: true }
}

/**
 * What a failed tool call answers: a BacklogError says its code and message (an invalid input adds how to go on);
 * anything else is logged and answered as INTERNAL.
 *
 * @example
 * return toolFailure(error, 'backlog_update', log)
 */
export function toolFailure(error: unknown, tool: string, log: (message: string) => void): CallToolResult {
  if (isBacklogError(error)) {
    const next = error.code === 'INVALID_INPUT' ? ` Fix the arguments and call ${tool} again.` : ''
    const message = next && !error.message.endsWith('.') ? `${error.message}.` : error.message
    return toolError(error.code, `${message}${next}`)
  }
  log(`git-backlog: ${tool} failed: ${(error as Error).stack ?? String(error)}`)
  return toolError(
    'INTERNAL',
    `${tool} failed unexpectedly (${(error as Error).message}); the server logged the details. Nothing more was written.`,
  )
}

/**
 * The protocol error a failed resource request answers with: invalid params, with the same `CODE: message` text as a
 * tool's error; anything but a BacklogError is thrown on as it is (the SDK answers it as an internal error).
 *
 * @example
 * throw resourceFailure(new BacklogError('NOT_FOUND', 'No item at backlog://items/bl-x9.'))
 */
export function resourceFailure(error: unknown): unknown {
  if (!isBacklogError(error)) return error
  return new McpError(ErrorCode.InvalidParams, errorText(error.code, error.message))
}

/**
 * Runs the work of a resource, prompt or completion request, its BacklogError thrown as {@link resourceFailure}.
 *
 * @example
 * server.setRequestHandler(ListPromptsRequestSchema, () => asProtocolError(async () => ({ prompts: [] })))
 */
export async function asProtocolError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw resourceFailure(error)
  }
}
