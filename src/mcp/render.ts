/**
 * Compact text renderings of tool results for agents: one line per item, bodies only when asked for. What the CLI
 * prints the same way (history, the outline of a context bundle) lives in src/render/, which neither edge owns.
 */

import type { ItemDetail, ItemRow, ListResult, MutationResult, SearchResult } from '../app/index.js'
import type { ContextBundle } from '../context/context.js'
import { SCALAR_FIELDS } from '../core/item.js'
import { contextBudgetLine, contextSections } from '../render/context.js'

export function renderRow(row: ItemRow): string {
  const facts = [row.type === 'task' ? '' : row.type, row.priority ?? '', row.assignee ? `@${row.assignee}` : '']
  const tags = row.tags?.length ? ` ${row.tags.map((tag) => `#${tag}`).join(' ')}` : ''
  const parent = row.parent ? ` (in ${row.parent})` : ''
  const needs = row.depends_on?.length ? ` (${row.blocked ? 'blocked by' : 'after'} ${row.depends_on.join(', ')})` : ''
  const due = row.due ? ` due ${row.due}` : ''
  const updated = row.updated ? ` (updated ${row.updated})` : ''
  return `${row.id} [${row.status}${row.archived ? ', archived' : ''}] ${facts.filter(Boolean).join(' ')}${facts.some(Boolean) ? ' ' : ''}${row.title}${tags}${due}${parent}${needs}${updated}`
}

export function renderList(result: Pick<ListResult, 'items' | 'total' | 'truncated'> & Partial<ListResult>): string {
  const lines = result.items.map(renderRow)
  if (result.no_backlog) lines.push('No backlog in this repository yet: backlog_create starts it with the first item.')
  else if (result.items.length === 0) lines.push('No matching items.')
  if (result.truncated) lines.push(`… ${result.total - result.items.length} more; raise limit or narrow the filter.`)
  if (result.counts) {
    const format = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([key, count]) => `${key} ${count}`)
        .join(', ')
    const { by_field, ...tables } = result.counts
    for (const [name, counts] of [
      ...Object.entries(tables),
      ...Object.entries(by_field ?? {}).map(([field, counts]) => [`by_${field}`, counts] as const),
    ]) {
      if (Object.keys(counts).length) lines.push(`${name.replace('by_', 'By ')}: ${format(counts)}.`)
    }
  }
  if (result.upstream) {
    const { branch, upstream, behind } = result.upstream
    lines.push(
      `Note: ${branch} is ${behind} commit${behind === 1 ? '' : 's'} behind ${upstream} (as last fetched); \`git backlog sync\` brings them in.`,
    )
  }
  for (const problem of result.problems ?? []) {
    lines.push(`UNREADABLE ${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`)
  }
  return lines.join('\n')
}

export function renderDetail(item: ItemDetail): string {
  const lines = [`# ${item.id}: ${item.title}`, `type: ${item.type} · status: ${item.status}`]
  const facts = SCALAR_FIELDS.filter((key) => item[key]).map((key) => `${key}: ${item[key]}`)
  if (facts.length) lines.push(facts.join(' · '))
  if (item.updated) lines.push(`updated: ${item.updated}`)
  if (item.tags.length) lines.push(`tags: ${item.tags.join(', ')}`)
  if (item.depends_on.length) lines.push(`depends_on: ${item.depends_on.join(', ')}`)
  for (const ref of item.references) lines.push(`reference: ${ref.title ? `${ref.title} <${ref.url}>` : ref.url}`)
  for (const entry of item.evidence) lines.push(`evidence: ${entry}`)
  for (const reason of item.blocked_reason) lines.push(`blocked: ${reason}`)
  for (const [key, value] of Object.entries(item.attributes)) lines.push(`${key}: ${JSON.stringify(value)}`)
  if (item.description.trim()) lines.push('', item.description.trimEnd())
  if (item.notes.length) {
    lines.push('', 'Notes:')
    for (const note of item.notes) lines.push(`- ${note.at}${note.by ? ` ${note.by}` : ''}: ${note.text.trimEnd()}`)
  }
  return lines.join('\n')
}

export function renderMutation(verb: string, result: MutationResult): string {
  if (!result.changed && result.items.length === 0) return 'No item matched; nothing changed.'
  if (!result.changed) return `No change: ${result.items.map((row) => row.id).join(', ')} already as asked.`
  const commit = result.commit ? ` (commit ${result.commit.slice(0, 7)})` : ' (not committed: auto_commit is off)'
  const more =
    result.total && result.total > result.items.length ? `\n… and ${result.total - result.items.length} more` : ''
  const started = result.started_backlog
    ? '\nStarted the backlog in .backlog/ (config and merge attributes) with it.'
    : ''
  return `${verb} ${result.items.map(renderRow).join('\n')}${more}${commit}${started}`
}

export function renderSearch(result: SearchResult): string {
  if (result.items.length === 0) return 'No matching items.'
  const lines = result.items.map((hit) => `${renderRow(hit)}\n    ${hit.matched_fields.join(', ')}: ${hit.snippet}`)
  if (result.total > result.items.length) lines.push(`… ${result.total - result.items.length} more; raise limit.`)
  return lines.join('\n')
}

/**
 * The context bundle as text: the item in full as backlog_get shows it, then a line per neighbour, section by
 * section. The bundle itself goes once, as structuredContent; its JSON size is what max_tokens counts.
 */
export function renderContext(bundle: ContextBundle): string {
  const lines = [renderDetail(bundle.focal)]
  for (const section of contextSections(bundle)) {
    lines.push('', `${section.title}:`)
    if ('lines' in section) lines.push(...section.lines.map((line) => `  ${line}`))
    else for (const row of section.rows) lines.push(`  ${renderRow(row)}${row.under ? ` (under ${row.under})` : ''}`)
  }
  if (bundle.activity.length) {
    lines.push('', 'Recent commits:')
    for (const entry of bundle.activity) {
      lines.push(
        `  ${entry.commit.slice(0, 7)} ${entry.date.slice(0, 10)} ${entry.agent ?? entry.author}: ${entry.subject}`,
      )
    }
  }
  if (bundle.missing?.length) lines.push('', `Linked but missing: ${bundle.missing.join(', ')}`)
  lines.push('', contextBudgetLine(bundle.metadata))
  return lines.join('\n')
}
