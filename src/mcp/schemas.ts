/**
 * Output schemas of the MCP tools: what `structuredContent` holds, checked by clients against each result. They go
 * out with every tool list but are rarely shown to a model, so they give the shape once and leave the meaning to the
 * tool descriptions and the README.
 */

import * as z from 'zod'
import { identityShape, itemOutputShape, referenceSchema, rowSchema } from '../core/fields.js'

/** What every row and item has: id, title, type, status. */
const core = identityShape

/**
 * A row as the other tools return it: its fields are those of backlog_list's rows (id, title, type, status always),
 * listed there once rather than in every tool's schema.
 */
const leanRow = z.object({ id: z.string() })

/** A row as lists show it (core/fields.ts). */
const row = rowSchema

// Used five times in one list result: written once under $defs.
const tally = z.record(z.string(), z.number()).meta({ id: 'tally' })

const problem = z.object({
  path: z.string(),
  line: z.number().optional(),
  reason: z.string(),
  fix: z.string(),
})

/** An item in full: the fields it always has (core/fields.ts), where it is, and whether archived. */
const item = z.object({ ...itemOutputShape, path: z.string(), archived: z.boolean() })

/** The rows written (the first 100 of a bulk change; total then says how many), the commit, and started_backlog
 * when the call made .backlog/ too. */
export const mutationOutput = z.object({
  items: z.array(leanRow),
  total: z.number().optional(),
  commit: z.string().optional(),
  changed: z.boolean(),
  started_backlog: z.boolean().optional(),
})

/** The items found, and the ids asked for that name no item (only when some were found: else NOT_FOUND). */
export const getOutput = z.object({ items: z.array(item), missing: z.array(z.string()).optional() })

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
    .optional(),
  problems: z.array(problem).optional(),
  upstream: z
    .object({ branch: z.string(), upstream: z.string(), remote: z.string(), behind: z.number(), ahead: z.number() })
    .optional(),
  no_backlog: z.boolean().optional(),
})

export const archiveOutput = mutationOutput.extend({ dry_run: z.boolean(), too_recent: z.number().optional() })

export const searchOutput = z.object({
  items: z.array(leanRow.extend({ score: z.number(), matched_fields: z.array(z.string()), snippet: z.string() })),
  total: z.number(),
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

// Seven sections of one bundle are lists of these rows: written once under $defs.
const contextRows = z.array(leanRow.extend({ under: z.string().optional() })).meta({ id: 'rows' })

export const contextOutput = z.object({
  // The item in full, as backlog_get's schema lists it.
  focal: z.object({ ...core, description: z.string(), path: z.string() }),
  parent_chain: contextRows,
  children: contextRows,
  siblings: contextRows,
  depends_on: contextRows,
  dependents: contextRows,
  references: z.array(referenceSchema),
  referenced_by: contextRows,
  related: contextRows,
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
  reverted: z.object({
    commit: z.string(),
    subject: z.string(),
    op: z.string().optional(),
    agent: z.string().optional(),
  }),
})

export const historyOutput = z.object({
  entries: z
    .array(
      backlogCommit.extend({
        items: z.array(
          z.object({
            id: z.string(),
            path: z.string(),
            from: z.string().optional(),
            changes: z.array(z.object({ field: z.string(), old: z.unknown().optional(), new: z.unknown().optional() })),
          }),
        ),
        /** Items of a commit left out of the page to keep it small (a bulk change); backlog_history with id has each. */
        more_items: z.number().optional(),
      }),
    )
    .optional(),
  next: z.string().optional(),
  shallow: z.string().optional(),
  /** With range: the review (core/review.ts; docs/tools.md shows it whole), and no entries. */
  review: z
    .object({
      history: z.string(),
      counts: z.record(z.string(), z.number()),
      items: z.array(z.object({ id: z.string(), kinds: z.array(z.string()) })),
    })
    .optional(),
})
