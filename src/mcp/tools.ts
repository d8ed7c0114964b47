/** The MCP tools: names, descriptions, annotations and schemas (the contract), each a thin call into the app. */

import type { z } from 'zod'
import type { App } from '../app.js'
import { createInput, deleteInput, getInput, listInput, updateInput } from '../core/inputs.js'
import { renderDetail, renderList, renderMutation } from './render.js'
import { getOutput, listOutput, mutationOutput } from './schemas.js'

export interface ToolAnnotations {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: false
}

export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string
  title: string
  description: string
  annotations: ToolAnnotations
  input: I
  output: O
  run(app: App, input: z.output<I>): Promise<{ data: z.input<O>; text: string }>
}

function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool
}

const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }

const COMMITS = 'Each call is one git commit in this repository (the Backlog-Agent trailer names you).'

export const TOOLS: Tool[] = [
  defineTool({
    name: 'backlog_list',
    title: 'List backlog items',
    description:
      "List items of this repository's backlog as compact rows (no bodies). By default only active items: not done, not cancelled. " +
      'Filter by status (or "all"), type, parent, epic, tags (all must match) and assignee; limit defaults to 50. ' +
      'counts:true adds counts by status and type. Files that cannot be read are listed under problems. Use backlog_get for full items.',
    annotations: READ,
    input: listInput,
    output: listOutput,
    async run(app, input) {
      const result = await app.list(input)
      return { data: result, text: renderList(result) }
    },
  }),
  defineTool({
    name: 'backlog_get',
    title: 'Get backlog items',
    description:
      'Get one or more items in full: every field, the markdown description, notes, references. ' +
      'id is one id (e.g. "bl-k3m9x2") or an array of ids; ids are case-insensitive.',
    annotations: READ,
    input: getInput,
    output: getOutput,
    async run(app, input) {
      const result = await app.get(input)
      return { data: result, text: result.items.map(renderDetail).join('\n\n---\n\n') }
    },
  }),
  defineTool({
    name: 'backlog_create',
    title: 'Create a backlog item',
    description:
      `Create an item (task, epic, folder, artifact or milestone). Only title is required; description is the markdown body ` +
      `(spec, acceptance criteria). parent/epic/depends_on must be existing ids. Returns the new id. ${COMMITS}`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: createInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.create(input)
      return { data: result, text: renderMutation('Created', result) }
    },
  }),
  defineTool({
    name: 'backlog_update',
    title: 'Update a backlog item',
    description:
      'Change some fields of one item; fields left out stay as they are, and an empty string clears a field. ' +
      'status in_progress stamps started, done or cancelled stamps closed. add_tags/remove_tags edit tags without replacing them; ' +
      `note appends a timestamped note signed with your name. description replaces the whole body. ${COMMITS} A call that changes nothing makes no commit.`,
    // Not idempotent: a note is appended again on every call.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: updateInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.update(input)
      return { data: result, text: renderMutation('Updated', result) }
    },
  }),
  defineTool({
    name: 'backlog_delete',
    title: 'Delete backlog items',
    description:
      'Delete one item or several (id: an id or an array). Prefer status cancelled for work that was dropped; delete is for mistakes. ' +
      `All in one commit, so the item stays in git history and can be restored from it. ${COMMITS}`,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: deleteInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.remove(input)
      return { data: result, text: renderMutation('Deleted', result) }
    },
  }),
]
