/**
 * The outline of a context bundle as text, which both edges render (the MCP tool's text and `git backlog context`):
 * its sections in reading order and the line that says what was trimmed to fit. Each edge draws a row its own way.
 */

import type { ContextBundle, ContextRow } from '../context/context.js'

/** A section of neighbours (rows), or of plain lines (the references). */
export type ContextSection = { title: string; rows: ContextRow[] } | { title: string; lines: string[] }

/**
 * The sections that have something in them, in the order a reader wants them.
 *
 * @example
 * contextSections(bundle).map((section) => section.title) // ['Parent chain (nearest first)', 'Children', 'Related']
 */
export function contextSections(bundle: ContextBundle): ContextSection[] {
  const sections: ContextSection[] = [
    { title: 'Parent chain (nearest first)', rows: bundle.parent_chain },
    { title: 'Children', rows: bundle.children },
    { title: 'Siblings', rows: bundle.siblings },
    { title: 'Depends on', rows: bundle.depends_on },
    { title: 'Needed by', rows: bundle.dependents },
    { title: 'References', lines: bundle.references.map((ref) => (ref.title ? `${ref.title} <${ref.url}>` : ref.url)) },
    { title: 'Referenced by', rows: bundle.referenced_by },
    { title: 'Related', rows: bundle.related },
  ]
  return sections.filter((section) => ('rows' in section ? section.rows : section.lines).length > 0)
}

/** The closing line: the estimated size against the budget, and what was trimmed to fit it. */
export function contextBudgetLine(metadata: ContextBundle['metadata']): string {
  const cut = metadata.trimmed.map(
    ({ section, dropped }) => `${section} −${dropped}${section === 'description' ? ' characters' : ''}`,
  )
  return `(~${metadata.token_estimate} of ${metadata.max_tokens} tokens${cut.length ? `; trimmed to fit: ${cut.join(', ')}` : ''})`
}
