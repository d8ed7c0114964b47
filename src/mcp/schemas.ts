/** Output schemas of the MCP tools: what `structuredContent` holds, checked by clients against each result. */

import { z } from 'zod'

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
  archived: z.boolean().optional().describe('True for items moved out of the working set into .backlog/archive/'),
})

const problem = z.object({
  path: z.string(),
  line: z.number().optional(),
  reason: z.string(),
  fix: z.string(),
})

const item = row.extend({
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
  items: z.array(row),
  commit: z.string().optional().describe('The git commit that recorded the change'),
  changed: z.boolean(),
})

export const getOutput = z.object({ items: z.array(item) })

export const listOutput = z.object({
  items: z.array(row),
  total: z.number(),
  truncated: z.boolean(),
  counts: z
    .object({ by_status: z.record(z.string(), z.number()), by_type: z.record(z.string(), z.number()) })
    .optional(),
  problems: z.array(problem).optional().describe('Files under .backlog/ that could not be read, with how to fix them'),
})
