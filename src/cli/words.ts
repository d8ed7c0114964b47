/**
 * What the command line calls the things error messages name (the command to run next, the flags of an edit), and
 * the CLI's one mapping of a BacklogError to what it prints.
 */

import type { BacklogError, Words } from '../core/errors.js'

/**
 * The CLI's words for the terms of error messages (see TOOL_WORDS for the MCP tools' words of the same terms).
 *
 * @example
 * error.say(CLI_WORDS) // 'No item bl-x9k2. Run `git backlog list` to see ids.'
 */
export const CLI_WORDS: Words = {
  list: 'Run `git backlog list` to see ids.',
  browse: 'Try other words, or `git backlog list` to browse.',
  history: '`git backlog log` lists the changes.',
  undo: 'Use `git backlog undo` to take back a change.',
  update: "Change the item's fields with `git backlog update`.",
  old_str: 'the --replace text',
  new_str: 'the new text',
  insert_line: '--insert-after',
  insert: '--insert-after <line> --text <text>',
  append: '--append',
  remove_depends_on: '`git backlog update <id> --remove-dep <dependency>`',
  remove_note: '--remove-note',
  remove_evidence: '--remove-evidence',
  remove_blocked_reason: '--remove-blocked-reason',
  release: '`git backlog update <id> --assignee ""`',
  ready: '`git backlog ls +READY`',
  unlink: '--parent or --epic set to another id or to "", --remove-dep',
}

/**
 * A BacklogError as the CLI prints it on stderr, in its words: `error: <message>`, or for a script that asked for
 * JSON, `{"error": {"code", "message"}}` with the stable code.
 *
 * @example
 * errorLine(new BacklogError('NOT_FOUND', phrase`No item bl-x9. ${slot('list')}`), false)
 * // 'error: No item bl-x9. Run `git backlog list` to see ids.'
 */
export function errorLine(error: BacklogError, json: boolean): string {
  return json
    ? JSON.stringify({ error: { code: error.code, message: error.say(CLI_WORDS) } })
    : `error: ${error.say(CLI_WORDS)}`
}
