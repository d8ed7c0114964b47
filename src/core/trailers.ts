/**
 * The trailers that make a commit one of the backlog's (`Backlog-Op`, `Backlog-Id`, `Backlog-Agent`,
 * `Backlog-Reverts`): written here and read here, so the format has one home. `git log --grep` and
 * `git log --format=%(trailers)` answer from them (docs/adr/0008-undo-and-history.md).
 */

/** What a backlog commit did: the value of its `Backlog-Op` trailer. */
export type Operation =
  | 'init'
  | 'create'
  | 'update'
  | 'delete'
  | 'archive'
  | 'unarchive'
  | 'undo'
  | 'redo'
  | 'restore'
  /** A repair of the backlog's setup (`git backlog doctor --fix`). */
  | 'doctor'

/** The trailers of one backlog commit, as written and as read back. */
export interface Trailers {
  /** `Backlog-Op`; read back as it is written in the message, which a hand may have changed. */
  op?: string
  /** `Backlog-Agent`: the agent that made the change. */
  agent?: string
  /** `Backlog-Reverts`: the commit an undo or redo took back. */
  reverts?: string
  /** `Backlog-Id`, one per item the commit changed. */
  ids: string[]
}

const TRAILER = /^Backlog-(Op|Id|Agent|Reverts):[ \t]*(.*?)\s*$/i
const OP_TRAILER = /^Backlog-Op:/gim

/**
 * The trailer lines of a commit, in the order they are written: the operation, each item, the agent, the commit
 * reverted.
 *
 * @example
 * formatTrailers({ op: 'update', ids: ['bl-7k3m'], agent: 'claude' })
 * // ['Backlog-Op: update', 'Backlog-Id: bl-7k3m', 'Backlog-Agent: claude']
 */
export function formatTrailers({ op, ids, agent, reverts }: Trailers & { op: Operation }): string[] {
  const lines = [`Backlog-Op: ${op}`, ...ids.map((id) => `Backlog-Id: ${id}`)]
  if (agent) lines.push(`Backlog-Agent: ${agent.replace(/\s+/g, ' ').trim()}`)
  if (reverts) lines.push(`Backlog-Reverts: ${reverts}`)
  return lines
}

/**
 * `Backlog-*` trailers of the message's last paragraph; undefined when it has none, or when the message holds the
 * messages of several operations (a squash merge pastes them one after another): such a commit is read as a hand
 * commit, by the files it changed, since no one set of trailers speaks for all of it.
 *
 * @example
 * parseTrailers('done bl-7k3m: Fix auth\n\nBacklog-Op: update\nBacklog-Id: bl-7k3m\n')
 * // { op: 'update', ids: ['bl-7k3m'] }
 */
export function parseTrailers(message: string): Trailers | undefined {
  const paragraphs = message.trimEnd().split(/\n[ \t]*\n/)
  if (paragraphs.length < 2) return undefined
  if ((message.match(OP_TRAILER)?.length ?? 0) > 1) return undefined
  const last = paragraphs[paragraphs.length - 1] ?? ''
  let found = false
  const trailers: Trailers = { ids: [] }
  for (const line of last.split('\n')) {
    const match = TRAILER.exec(line)
    if (!match) continue
    found = true
    const key = (match[1] as string).toLowerCase()
    const value = match[2] as string
    if (key === 'id') {
      if (value) trailers.ids.push(value)
    } else if (value) trailers[key as 'op' | 'agent' | 'reverts'] = value
  }
  return found ? trailers : undefined
}

/**
 * True when the message names a backlog operation anywhere (a `Backlog-Op` line): a commit the backlog made, read
 * back from history without its plan.
 *
 * @example
 * namesOperation('add bl-7k3m: Fix auth\n\nBacklog-Op: create\n') // true
 */
export function namesOperation(message: string): boolean {
  return /^Backlog-Op:/m.test(message)
}
