/**
 * MCP prompts: the workflow prompts (plan a feature, pick the next task, hand off…), built in or the repository's own
 * from `.backlog/prompts/`. A prompt file that cannot be read is listed with what is wrong with it; asking for it
 * is an error saying the same, and the server goes on serving everything else.
 */

import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { GetPromptRequestSchema, ListPromptsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import type { App } from '../app/index.js'
import { asProtocolError } from './errors.js'

/** Registers `prompts/list` and `prompts/get` on `server`. */
export function registerPrompts(server: Server, appFor: () => Promise<App>): void {
  server.setRequestHandler(ListPromptsRequestSchema, () =>
    asProtocolError(async () => ({
      prompts: (await (await appFor()).prompts()).map((entry) => ({
        name: entry.name,
        description: entry.description,
        arguments: entry.arguments.map((arg) => ({
          name: arg.name,
          ...(arg.description ? { description: arg.description } : {}),
          required: arg.required === true,
        })),
      })),
    })),
  )
  server.setRequestHandler(GetPromptRequestSchema, (request) =>
    asProtocolError(async () => {
      const { name, arguments: args } = request.params
      const rendered = await (await appFor()).prompt({ name, ...(args ? { arguments: args } : {}) })
      return {
        description: rendered.description,
        messages: [{ role: 'user' as const, content: { type: 'text' as const, text: rendered.text } }],
      }
    }),
  )
}
