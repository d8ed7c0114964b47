/** The MCP tools: names, descriptions, annotations and schemas (the contract), each a thin call into the app. */

import type { z } from 'zod'
import type { App } from '../app/index.js'
import {
  archiveInput,
  contextInput,
  createInput,
  deleteInput,
  getInput,
  historyInput,
  listInput,
  restoreInput,
  searchInput,
  unarchiveInput,
  undoInput,
  updateInput,
  writeResourceInput,
} from '../core/inputs.js'
import { fitHistory, HISTORY_PAGE_BYTES, renderHistory } from '../render/history.js'
import { fitReviewMarkdown } from '../render/review.js'
import { renderContext, renderDetail, renderList, renderMutation, renderSearch } from './render.js'
import {
  archiveOutput,
  contextOutput,
  getOutput,
  historyOutput,
  listOutput,
  mutationOutput,
  searchOutput,
  undoOutput,
} from './schemas.js'

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
  /** Trims the listed input schema where the generic rules of listing.ts do not reach (see backlog_create). */
  leanInput?(schema: { [key: string]: unknown }): { [key: string]: unknown }
  run(app: App, input: z.output<I>): Promise<{ data: z.input<O>; text: string }>
}

function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool
}

const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }

/** Said once per writing tool: agents should know their changes are reviewed like code. */
const COMMITS = 'One git commit.'

const WRITE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
}

export const TOOLS: Tool[] = [
  defineTool({
    name: 'backlog_list',
    title: 'List backlog items',
    description:
      'List items as compact rows, most urgent first; by default the work at hand (not done, cancelled, waiting or ' +
      'archived). filter "+READY": what can be started now (then claim it with backlog_update). counts:true tallies ' +
      'the matches; with status "all" and limit 1, the tags and values in use. Unreadable files are listed under problems.',
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
      'Items in full: fields, body, notes, references; archived too. Unknown ids among several are listed under ' +
      'missing; if none exists: NOT_FOUND.',
    annotations: READ,
    input: getInput,
    output: getOutput,
    async run(app, input) {
      const result = await app.get(input)
      const details = result.items.map(renderDetail).join('\n\n---\n\n')
      // First, where it cannot be missed.
      const missing = result.missing
        ? `Not found: ${result.missing.join(', ')} (no such items; backlog_list shows ids).\n\n`
        : ''
      return { data: result, text: `${missing}${details}` }
    },
  }),
  defineTool({
    name: 'backlog_search',
    title: 'Search the backlog',
    description:
      'Full-text search: titles first, then descriptions, notes, evidence, tags, references; forgives typos and word ' +
      'forms; an id finds that item. Every status unless status is given. Rows with a snippet and the matched fields.',
    annotations: READ,
    input: searchInput,
    output: searchOutput,
    async run(app, input) {
      const result = await app.search(input)
      return { data: result, text: renderSearch(result) }
    },
  }),
  defineTool({
    name: 'backlog_context',
    title: 'Gather context for an item',
    description:
      'Everything around one item before working on it: the item, parent chain, children, siblings, dependencies both ' +
      'ways, references, mentions, related items, recent commits; within max_tokens (metadata.trimmed says what was cut).',
    annotations: READ,
    input: contextInput,
    output: contextOutput,
    async run(app, input) {
      const result = await app.context(input)
      return { data: result, text: renderContext(result) }
    },
  }),
  defineTool({
    name: 'backlog_create',
    title: 'Create backlog items',
    description:
      'Create an item; only title is required. Dates: YYYY-MM-DD or words (friday, eow, "in 3 days"). To plan several, ' +
      'pass items; "#1", "#2"... name items of the same call: [{title:"Epic", type:"epic"}, {title:"API", parent:"#1"}, ' +
      '{title:"UI", parent:"#1", depends_on:["#2"]}]. One invalid item: nothing written. Links must exist, without ' +
      `cycles. status "done" records finished work. Returns the new ids. ${COMMITS}`,
    annotations: WRITE,
    input: createInput,
    output: mutationOutput,
    // A batch item takes the fields of a single create, which the listing already shows beside items: listed again
    // they would double the size of this schema. The server checks every batch item in full.
    leanInput(schema) {
      const items = (schema.properties as Record<string, { items?: unknown }>).items
      if (items) items.items = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] }
      return schema
    },
    async run(app, input) {
      const result = await app.create(input)
      return { data: result, text: renderMutation('Created', result) }
    },
  }),
  defineTool({
    name: 'backlog_update',
    title: 'Update backlog items',
    description:
      'Change one item (id), several (id: [...]) or all a filter matches, in one commit; if one change is invalid ' +
      'nothing is written, if nothing changes no commit. Fields as in backlog_create; omitted ones stay, "" clears one. ' +
      'claim:true before you start work. status in_progress stamps started; done/cancelled stamps closed (and adds a ' +
      "recurring item's next one). add_*/remove_* edit lists (remove_* by exact text or URL); description replaces the " +
      'body (write_resource edits part).',
    // Not idempotent: a note is appended again on every call.
    annotations: WRITE,
    input: updateInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.update(input)
      return { data: result, text: renderMutation('Updated', result) }
    },
  }),
  defineTool({
    name: 'write_resource',
    title: "Edit an item's description",
    description:
      "Edit part of an item's markdown body: operation str_replace (old_str must occur once; a mismatch error shows " +
      `the real text), insert (after insert_line) or append. ${COMMITS}`,
    annotations: WRITE,
    input: writeResourceInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.writeBody(input)
      return { data: result, text: renderMutation('Edited', result) }
    },
  }),
  defineTool({
    name: 'backlog_archive',
    title: 'Archive finished items',
    description:
      'Move done and cancelled items closed at least older_than_days ago, or the closed items named by id, to ' +
      '.backlog/archive/ in one commit. backlog_get still finds them, list and search with archived:true; ' +
      'backlog_unarchive brings them back.',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: archiveInput,
    output: archiveOutput,
    async run(app, input) {
      const result = await app.archive(input)
      const recent = result.too_recent
        ? ` ${result.too_recent} closed item${result.too_recent === 1 ? ' is' : 's are'} newer than ${input.older_than_days ?? 30} days; older_than_days: 0 takes them too.`
        : ''
      const text = result.dry_run
        ? result.items.length
          ? `Would archive ${result.items.length}:\n${renderList({ items: result.items, total: result.items.length, truncated: false })}${recent ? `\n${recent.trim()}` : ''}`
          : `Nothing to archive.${recent}`
        : result.changed
          ? renderMutation('Archived', result)
          : `Nothing to archive.${recent}`
      return { data: result, text }
    },
  }),
  defineTool({
    name: 'backlog_unarchive',
    title: 'Unarchive items',
    description:
      'Bring archived items back into the working set, unchanged, in one commit (none when none is archived).',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: unarchiveInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.unarchive(input)
      return {
        data: result,
        text: result.changed
          ? renderMutation('Unarchived', result)
          : 'None of these items is archived; nothing changed.',
      }
    },
  }),
  defineTool({
    name: 'backlog_delete',
    title: 'Delete backlog items',
    description:
      'Delete items made by mistake (dropped work: status cancelled; finished: backlog_archive). Refused while other ' +
      `items link to them; backlog_restore brings one back. ${COMMITS}`,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: deleteInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.remove(input)
      return { data: result, text: renderMutation('Deleted', result) }
    },
  }),
  defineTool({
    name: 'backlog_undo',
    title: 'Undo a backlog change',
    description:
      'Take back your latest change not yet undone (all one call did); call again to go further back, redo:true to ' +
      "take back your latest undo. Another agent's change only when named: id (the item's latest change) or commit. " +
      'Later changes to other fields stay; if one touched the same field, nothing is written and the error names it.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    input: undoInput,
    output: undoOutput,
    async run(app, input) {
      const result = await app.undo(input)
      const what = `${result.reverted.commit.slice(0, 7)} (${result.reverted.subject})`
      return {
        data: result,
        text: result.changed
          ? `${input.redo ? 'Redid' : 'Undid'} ${what}${result.commit ? ` in commit ${result.commit.slice(0, 7)}` : ''}.`
          : `Nothing changed: ${what} is already taken back.`,
      }
    },
  }),
  defineTool({
    name: 'backlog_history',
    title: 'History of the backlog',
    description:
      'Who changed what, from git: commits newest first with agent, op and field changes (old → new). id: one item; ' +
      "agent: one agent's. A page holds limit commits (default 20) and, unless limit is given, about 4 KB of text; " +
      'pass next as after for more. range: review a branch, item by item (as for its pull request).',
    annotations: READ,
    input: historyInput,
    output: historyOutput,
    async run(app, input) {
      if (input.range !== undefined) {
        const review = await app.review({ range: input.range })
        // About 4 KB, as a history page: the most important items, and how many more there are.
        const { text, shown } = fitReviewMarkdown(review, HISTORY_PAGE_BYTES)
        const omitted = review.items.length - shown
        const fitted = omitted ? { ...review, items: review.items.slice(0, shown), omitted } : review
        return { data: { review: fitted }, text }
      }
      const result = await app.history(input)
      // An agent that names no limit gets a page of about 4 KB; one that does gets the commits it asked for.
      const page = input.limit === undefined ? fitHistory(result) : result
      return { data: page, text: renderHistory(page) }
    },
  }),
  defineTool({
    name: 'backlog_restore',
    title: 'Restore a deleted item',
    description: `Bring back a deleted item from git history, as it last was, however long ago. ${COMMITS}`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: restoreInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.restore(input)
      return { data: result, text: renderMutation('Restored', result) }
    },
  }),
]
