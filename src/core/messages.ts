/** Commit messages of backlog operations: a short greppable subject and trailers that `git log` can answer from. */

import { formatTrailers, type Operation } from './trailers.js'

export type { Operation } from './trailers.js'

export interface MessageInput {
  op: Operation
  /** The verb a person reads first: add, start, done, update, rm, init. */
  verb: string
  items: Array<{ id: string; title: string }>
  agent?: string
  /** Field names an update changed, listed in the body so `git log` says what happened. */
  changed?: string[]
  /** The commit an undo or redo reverts. */
  reverts?: string
  /** A paragraph of the body before the trailers (an import names its source here). */
  about?: string
}

const MAX_SUBJECT = 72

/**
 * The verb of a commit that changes several items: the one they share when every item had the same change (`done`,
 * `close`, `start`...), so `git log --grep='^done '` finds bulk closes too; `fallback` when the changes differ.
 *
 * @example
 * sharedVerb(['done', 'done']) // 'done'
 * sharedVerb(['done', 'update']) // 'update'
 */
export function sharedVerb(verbs: readonly string[], fallback = 'update'): string {
  const [first, ...rest] = verbs
  return first !== undefined && rest.every((verb) => verb === first) ? first : fallback
}

/**
 * @example
 * commitMessage({ op: 'update', verb: 'done', items: [{ id: 'bl-7k3m', title: 'Fix auth' }], agent: 'claude' })
 * // 'done bl-7k3m: Fix auth\n\nBacklog-Op: update\nBacklog-Id: bl-7k3m\nBacklog-Agent: claude\n'
 */
export function commitMessage({ op, verb, items, agent, changed, reverts, about }: MessageInput): string {
  const first = items[0]
  let subject: string
  if (!first) subject = verb
  else if (items.length === 1) subject = `${verb} ${first.id}: ${first.title.replace(/\s+/g, ' ').trim()}`
  else subject = `${verb} ${items.length} items: ${items.map((item) => item.id).join(', ')}`
  if (subject.length > MAX_SUBJECT) subject = `${subject.slice(0, MAX_SUBJECT - 1).trimEnd()}…`
  const trailers = formatTrailers({
    op,
    ids: items.map((item) => item.id),
    ...(agent ? { agent } : {}),
    ...(reverts ? { reverts } : {}),
  })
  const body = `${about ? `${about.trim()}\n\n` : ''}${changed?.length ? `Changed: ${changed.join(', ')}\n\n` : ''}`
  return `${subject}\n\n${body}${trailers.join('\n')}\n`
}
