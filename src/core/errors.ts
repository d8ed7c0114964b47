/** The one error type of git-backlog: a stable code for machines, a message written for the reader who must act. */

export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_ID',
  'NOT_FOUND',
  'MALFORMED_ITEM',
  /** A workflow prompt file (`.backlog/prompts/<name>.md`) that cannot be read: its path, line and reason. */
  'MALFORMED_PROMPT',
  'NOT_A_REPO',
  'NOT_INITIALIZED',
  'REPO_BUSY',
  'REPO_LOCKED',
  'REPO_UNSUPPORTED',
  'INDEX_CORRUPT',
  'CONFLICT',
  'NO_MATCH',
  'AMBIGUOUS',
  'PATH_OUTSIDE_BACKLOG',
  /** commit.gpgsign asks for signed commits and git could not sign: nothing was written. */
  'SIGNING_FAILED',
  /** The file system refused a write (full disk, no permission, a folder in the way): nothing was committed. */
  'WRITE_FAILED',
  /** A remote could not be reached (sync): nothing changed locally. */
  'OFFLINE',
] as const

export type BacklogErrorCode = (typeof ERROR_CODES)[number]

/**
 * Words each edge says its own way: the next step a message suggests (a whole sentence naming an MCP tool to call,
 * or a CLI command to run) and the names of an operation's inputs (an MCP argument, a CLI flag). These are the MCP
 * tools' words, which an error's `message` uses; another edge renders the same message with its own `Words`.
 */
export const TOOL_WORDS = {
  list: 'Call backlog_list to see ids.',
  browse: 'Try other words, or backlog_list to browse.',
  history: 'backlog_history lists the changes.',
  undo: 'Use backlog_undo to take back a change.',
  update: "Change the item's fields with backlog_update.",
  old_str: 'old_str',
  new_str: 'new_str',
  insert_line: 'insert_line',
  insert: 'insert (with insert_line)',
  append: 'append',
  remove_depends_on: 'remove_depends_on',
  remove_note: 'remove_note',
  remove_evidence: 'remove_evidence',
  remove_blocked_reason: 'remove_blocked_reason',
  release: 'assignee: ""',
  ready: 'filter "+READY"',
  unlink: 'parent or epic set to another id or to "", depends_on without it',
} as const

export type Term = keyof typeof TOOL_WORDS
/** An edge's words for every term: a new term does not compile until each edge has said how it names it. */
export type Words = Readonly<Record<Term, string>>

export interface Slot {
  readonly term: Term
}
/** Message text with slots for terms, rendered by `say` in one edge's words. */
export interface Phrase {
  readonly parts: ReadonlyArray<string | Slot>
}

/** A slot for a term in a `phrase`. */
export function slot(term: Term): Slot {
  return { term }
}

/**
 * A message with slots, written as a template: values become text as in a template string, except slots (and
 * phrases, which are spliced in).
 *
 * @example
 * phrase`No item ${id}. ${slot('list')}` // say(...) → 'No item bl-x9. Call backlog_list to see ids.'
 */
export function phrase(
  strings: TemplateStringsArray,
  ...values: Array<string | number | undefined | Slot | Phrase>
): Phrase {
  const parts: Array<string | Slot> = []
  const push = (part: string | Slot) => {
    const last = parts[parts.length - 1]
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part
    else if (part !== '') parts.push(part)
  }
  strings.forEach((text, index) => {
    push(text)
    if (index >= values.length) return
    const value = values[index]
    if (typeof value === 'object' && 'parts' in value) for (const part of value.parts) push(part)
    else push(typeof value === 'object' ? value : String(value))
  })
  return { parts }
}

/** Messages, with or without slots, joined by `separator` into one phrase. */
export function joinPhrases(messages: ReadonlyArray<string | Phrase>, separator: string): Phrase {
  return messages.reduce<Phrase>(
    (joined, message, index) => (index ? phrase`${joined}${separator}${message}` : phrase`${message}`),
    { parts: [] },
  )
}

/** The message in the given words (the MCP tools' by default). */
export function say(message: string | Phrase, words: Words = TOOL_WORDS): string {
  if (typeof message === 'string') return message
  return message.parts.map((part) => (typeof part === 'string' ? part : words[part.term])).join('')
}

/**
 * The phrase ending in one full stop, to go inside a longer message. A next step is a sentence in every edge's
 * words, so a phrase ending in one is left as it is.
 */
export function sentence(message: Phrase): Phrase {
  const last = message.parts[message.parts.length - 1]
  if (last === undefined) return message
  if (typeof last !== 'string') return TOOL_WORDS[last.term].endsWith('.') ? message : phrase`${message}.`
  return { parts: [...message.parts.slice(0, -1), `${last.replace(/\.$/, '')}.`] }
}

/**
 * An expected failure: bad input, an unknown id, a repository that cannot be written right now.
 * Every edge maps it once (MCP `isError`, CLI exit 1); anything else is a bug. The message may hold slots for what
 * each edge names its own way (see `TOOL_WORDS`): `message` says them in the MCP tools' words, `say(words)` in others.
 *
 * @example
 * throw new BacklogError('NOT_FOUND', phrase`No item bl-x9k2. ${slot('list')}`, { id: 'bl-x9k2' })
 * // message: 'No item bl-x9k2. Call backlog_list to see ids.'; at the CLI: 'Run `git backlog list` to see ids.'
 */
export class BacklogError extends Error {
  override readonly name = 'BacklogError'
  /** The message with its slots, for an edge that says them in its own words. */
  readonly phrase: Phrase
  constructor(
    readonly code: BacklogErrorCode,
    message: string | Phrase,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(say(message), options)
    this.phrase = typeof message === 'string' ? { parts: [message] } : message
  }

  /** The message in an edge's words. */
  say(words: Words): string {
    return say(this.phrase, words)
  }
}

export function isBacklogError(error: unknown): error is BacklogError {
  return error instanceof BacklogError
}
