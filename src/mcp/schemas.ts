/** Output schemas of the MCP tools: what `structuredContent` holds, checked by clients against each result. */

import * as z from 'zod'

const row = z.object({
  id: z.string(),
  title: z.string(),
  type: z.string(),
  status: z.string(),
  priority: z.string().optional(),
  assignee: z.string().optional(),
  parent: z.string().optional(),
  epic: z.string().optional(),
  tags: z.array(z.string()).optional(),
  depends_on: z.array(z.string()).optional(),
  due: z.string().optional(),
  blocked: z.boolean().optional().describe('True while a dependency is not done'),
  urgency: z.number().optional().describe('The urgency score lists are ordered by (see the README)'),
  archived: z.boolean().optional().describe('True for items moved out of the working set into .backlog/archive/'),
  updated: z
    .string()
    .optional()
    .describe('When the item last changed, from git history (or the file time of an edit not yet committed)'),
})

const tally = z.record(z.string(), z.number())

const problem = z.object({
  path: z.string(),
  line: z.number().optional(),
  reason: z.string(),
  fix: z.string(),
})

const item = row.omit({ blocked: true, urgency: true }).extend({
  tags: z.array(z.string()),
  depends_on: z.array(z.string()),
  scheduled: z.string().optional(),
  wait: z.string().optional(),
  recur: z.string().optional(),
  until: z.string().optional(),
  references: z.array(z.object({ url: z.string(), title: z.string().optional() })),
  evidence: z.array(z.string()),
  blocked_reason: z.array(z.string()),
  created: z.string().optional(),
  started: z.string().optional(),
  closed: z.string().optional(),
  notes: z.array(z.object({ at: z.string(), by: z.string().optional(), text: z.string() })),
  attributes: z.record(z.string(), z.unknown()),
  description: z.string(),
  path: z.string(),
  archived: z.boolean(),
})

export const mutationOutput = z.object({
  items: z.array(row).describe('The items written (the first 100 of a larger bulk change)'),
  total: z.number().optional().describe('How many items were written, when more than the rows returned'),
  commit: z.string().optional().describe('The git commit that recorded the change'),
  changed: z.boolean(),
})

export const getOutput = z.object({ items: z.array(item) })

export const listOutput = z.object({
  items: z.array(row),
  total: z.number(),
  truncated: z.boolean(),
  counts: z
    .object({
      by_status: tally,
      by_type: tally,
      by_priority: tally,
      by_assignee: tally,
      by_tag: tally,
      by_field: z.record(z.string(), tally).optional(),
    })
    .optional()
    .describe('Counts of all matching items (not only the rows returned)'),
  problems: z.array(problem).optional().describe('Files under .backlog/ that could not be read, with how to fix them'),
  upstream: z
    .object({ branch: z.string(), upstream: z.string(), remote: z.string(), behind: z.number(), ahead: z.number() })
    .optional()
    .describe('Set when the branch is behind its upstream as last fetched: `git backlog sync` brings the rest in'),
})

export const archiveOutput = mutationOutput.extend({
  dry_run: z.boolean().describe('True when nothing was moved: the items are what would be archived'),
  too_recent: z.number().optional().describe('Closed items left in place because they closed too recently'),
})

export const searchOutput = z.object({
  items: z.array(
    row.extend({
      score: z.number(),
      matched_fields: z.array(z.string()).describe('Where the words were found: title, description, notes, ...'),
      snippet: z.string(),
    }),
  ),
  total: z.number().describe('How many items matched before limit'),
})

/** A backlog commit as context activity and history show it. */
const backlogCommit = z.object({
  commit: z.string(),
  date: z.string(),
  author: z.string(),
  agent: z.string().optional(),
  op: z.string().optional(),
  subject: z.string(),
})

const contextRow = row
  .pick({ id: true, title: true, type: true, status: true, priority: true, assignee: true, due: true })
  .extend({ under: z.string().optional().describe('In children below the first level: the child this one is under') })

export const contextOutput = z.object({
  focal: item,
  parent_chain: z.array(contextRow),
  children: z.array(contextRow),
  siblings: z.array(contextRow),
  depends_on: z.array(contextRow),
  dependents: z.array(contextRow),
  references: z.array(z.object({ url: z.string(), title: z.string().optional() })),
  referenced_by: z.array(contextRow),
  related: z.array(contextRow),
  activity: z.array(backlogCommit.extend({ ids: z.array(z.string()) })),
  missing: z.array(z.string()).optional(),
  metadata: z.object({
    token_estimate: z.number(),
    max_tokens: z.number(),
    truncated: z.boolean(),
    trimmed: z.array(z.object({ section: z.string(), dropped: z.number() })),
    focal_resolved_from: z.enum(['id', 'query']),
  }),
})

export const undoOutput = mutationOutput.extend({
  reverted: z
    .object({ commit: z.string(), subject: z.string(), op: z.string().optional(), agent: z.string().optional() })
    .describe('The commit taken back'),
})

export const historyOutput = z.object({
  entries: z.array(
    backlogCommit.extend({
      items: z.array(
        z.object({
          id: z.string(),
          path: z.string(),
          from: z.string().optional(),
          changes: z.array(z.object({ field: z.string(), old: z.unknown().optional(), new: z.unknown().optional() })),
        }),
      ),
    }),
  ),
  next: z.string().optional().describe('Pass as after for the next page'),
  shallow: z.string().optional().describe('History ends at this commit, the edge of a shallow clone'),
})
