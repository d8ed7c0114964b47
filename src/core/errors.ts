/** The one error type of git-backlog: a stable code for machines, a message written for the reader who must act. */

export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_ID',
  'NOT_FOUND',
  'MALFORMED_ITEM',
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
 * An expected failure: bad input, an unknown id, a repository that cannot be written right now.
 * Every edge maps it once (MCP `isError`, CLI exit 1); anything else is a bug.
 *
 * @example
 * throw new BacklogError('NOT_FOUND', 'No item bl-x9k2. Call backlog_list to see ids.', { id: 'bl-x9k2' })
 */
export class BacklogError extends Error {
  override readonly name = 'BacklogError'
  constructor(
    readonly code: BacklogErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

export function isBacklogError(error: unknown): error is BacklogError {
  return error instanceof BacklogError
}
