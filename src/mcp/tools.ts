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
import { renderContext, renderDetail, renderHistory, renderList, renderMutation, renderSearch } from './render.js'
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
  run(app: App, input: z.output<I>): Promise<{ data: z.input<O>; text: string }>
}

function defineTool<I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool {
  return tool as unknown as Tool
}

const READ: ToolAnnotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false }

const COMMITS = 'Each call is one git commit in this repository (the Backlog-Agent trailer names you).'

const WRITE: ToolAnnotations = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
}

const FILTER_HELP =
  'filter is a query like "status:open +bug priority.above:low", "assignee:"Ann Lee" due.before:friday", ' +
  '"+READY", "(+ACTIVE or +OVERDUE) -BLOCKED", "project:web auth" (bare words search the text). Virtual tags: ' +
  'READY (can be started now: open, not started, no open dependency or open child, not waiting), BLOCKED, UNBLOCKED, BLOCKING, ACTIVE, ' +
  'OVERDUE, WAITING, DUE (within 7 days), TODAY, TOMORROW, WEEK, SCHEDULED, TAGGED, ANNOTATED, OPEN, PENDING, CLOSED, COMPLETED. ' +
  'Modifiers: field.before/after/by/is/not/contains/startswith/endswith/in/exists/regex:value; dates like today, friday, eow, now-7d. ' +
  'Any other field name is a user attribute (project:web, estimate.gt:3).'

export const TOOLS: Tool[] = [
  defineTool({
    name: 'backlog_list',
    title: 'List backlog items',
    description:
      "List items of this repository's backlog as compact rows (no bodies), most urgent first. By default only the work at hand: " +
      'not done or cancelled, not waiting, not archived. Narrow with status (or "all"), type, parent, epic, tags, assignee, ' +
      `or a filter expression. ${FILTER_HELP} Use filter "+READY" to find what can be picked up next. ` +
      'counts:true counts the matches by status, type, priority, assignee and tag (count_by adds any field, e.g. a user attribute); ' +
      'with status "all" and limit 1 that lists the tags and values in use. Unreadable files are listed under problems. Use backlog_get for full items.',
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
      'id is one id (e.g. "bl-k3m9x2") or an array of ids; ids are case-insensitive. Archived items are found too.',
    annotations: READ,
    input: getInput,
    output: getOutput,
    async run(app, input) {
      const result = await app.get(input)
      return { data: result, text: result.items.map(renderDetail).join('\n\n---\n\n') }
    },
  }),
  defineTool({
    name: 'backlog_search',
    title: 'Search the backlog',
    description:
      'Full-text search over titles (weighted most), descriptions, notes, evidence, blocked reasons, tags and references, ' +
      'tolerant of typos, word forms and prefixes. An id as the query returns that item first. Every status is searched ' +
      'unless status is given; narrow with type, tags, parent or a filter expression; archived:true includes archived items. ' +
      'sort "recent" reorders the same results by latest activity. Results are rows with a snippet and the fields that matched.',
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
      'Everything around one item, to start work on it: the item itself, its parent chain, children, siblings, dependencies ' +
      'both ways, its references and the items that mention it, related items by text, and recent commits touching them. ' +
      'Give id, or query to use the best search match. The answer stays within max_tokens (default 4000); what was trimmed ' +
      'to fit is listed in metadata.trimmed.',
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
      'Create an item (task, epic, folder, artifact or milestone): only title is required; description is the markdown body ' +
      '(spec, acceptance criteria). parent/epic/depends_on must be existing ids; depends_on may not form a cycle. ' +
      'Dates (due, scheduled, wait, until) take YYYY-MM-DD or words like tomorrow, friday, eow, "in 3 days". ' +
      'recur (daily, weekly, monthly, every 2 weeks...) makes the next occurrence appear when this one is done. ' +
      'To plan several items at once pass items: [{title, ...}, ...]; inside it "#1", "#2"... name the first, second... item, ' +
      'e.g. [{title:"Epic", type:"epic"}, {title:"API", parent:"#1"}, {title:"UI", parent:"#1", depends_on:["#2"]}]. ' +
      'If any item is invalid nothing is written and the error names it. duplicate_of copies an item; status "done" logs ' +
      `work already finished. Returns the new ids. ${COMMITS}`,
    annotations: WRITE,
    input: createInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.create(input)
      return { data: result, text: renderMutation('Created', result) }
    },
  }),
  defineTool({
    name: 'backlog_update',
    title: 'Update backlog items',
    description:
      'Change fields of one item (id), several (id: [...]) or every item a filter matches (filter; an empty filter needs all:true); ' +
      'all in one commit, and if one change is invalid nothing is written. Fields left out stay; an empty string clears a field. ' +
      'status in_progress stamps started, done or cancelled stamps closed; marking a recurring item done adds its next occurrence. ' +
      'note appends a timestamped note signed with your name (remove_note removes the notes with exactly that text or timestamp). ' +
      'add_tags/remove_tags, add_depends_on/remove_depends_on, add_evidence/remove_evidence, add_blocked_reason/remove_blocked_reason, ' +
      'add_references/remove_references ' +
      'edit lists without replacing them. description replaces the whole body (use write_resource to edit part of it). ' +
      'claim:true takes an item before you work on it: assigns it to you and starts it, or fails with CONFLICT naming who has it (no two agents on this machine get the same item). ' +
      `${COMMITS} A call that changes nothing makes no commit. A filter selects what backlog_list with that filter shows.`,
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
      "Edit part of an item's markdown body without resending it: " +
      'operation {type:"str_replace", old_str, new_str} (old_str must occur exactly once; on a mismatch the error shows the ' +
      'real text to retry with), {type:"insert", insert_line, new_str} (after that line; 0 = top), or {type:"append", new_str}. ' +
      `The frontmatter fields cannot be changed this way (use backlog_update). ${COMMITS}`,
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
      'Move done and cancelled items closed at least older_than_days ago (default 30), or exactly the closed items named by id, ' +
      'out of the working set into .backlog/archive/, in one commit. dry_run:true only lists them. Archived items are still ' +
      `found by backlog_get, and by backlog_list/backlog_search with archived:true; backlog_unarchive brings them back. ` +
      'A call that moves items is one git commit; a dry run or a call with nothing to move makes none.',
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
      'Bring archived items (id: one or an array) back into the working set, unchanged, in one git commit ' +
      '(none when no item named is archived).',
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
      'Delete one item or several (id: an id or an array). Prefer status cancelled for work that was dropped, and backlog_archive ' +
      `for finished work; delete is for mistakes. All in one commit, so the item stays in git history and can be restored from it. ${COMMITS}`,
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
      'Take back your most recent backlog change that is not undone yet (the one commit a tool call made: a whole batch or bulk ' +
      "update at once); call again to go further back, redo:true to take back your latest undo. Another agent's work is not " +
      'undone unless you name it: id undoes the latest change to that item, commit exactly that commit. Changes made since to ' +
      'other fields of the same items are kept; if a later change touched the same field, nothing is written and the error names ' +
      'the later commit. The undo is one commit whose Backlog-Reverts trailer names what it took back.',
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
      "Who changed what and when, from git: commits newest first with author, agent, operation and each field's old → new " +
      "(the description as a short diff). id for one item (deleted ones too), agent for one agent's changes; limit per page " +
      '(default 20) and after: the next of the previous page.',
    annotations: READ,
    input: historyInput,
    output: historyOutput,
    async run(app, input) {
      const result = await app.history(input)
      return { data: result, text: renderHistory(result) }
    },
  }),
  defineTool({
    name: 'backlog_restore',
    title: 'Restore a deleted item',
    description: `Bring back a deleted item from git history, as it last was, at any later time. ${COMMITS}`,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: restoreInput,
    output: mutationOutput,
    async run(app, input) {
      const result = await app.restore(input)
      return { data: result, text: renderMutation('Restored', result) }
    },
  }),
]
