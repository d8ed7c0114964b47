/** Shared pieces of the command line: schema parsing, repeatable flags, the item field flags, stdin, filter words. */

import { readFileSync } from 'node:fs'
import { type Command, Option } from 'commander'
import type { z } from 'zod'
import { BacklogError } from '../core/errors.js'
import { describeIssues } from '../core/inputs.js'
import { CLI_WORDS } from './words.js'

/** Checks raw CLI values against a shared input schema; a failure is a user error naming each bad field. */
export function parse<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw)
  if (!result.success) throw new BacklogError('INVALID_INPUT', describeIssues(result.error, CLI_WORDS))
  return result.data
}

/** Commander reducer for a flag that may be repeated: `--tag a --tag b` gives `['a', 'b']`. */
export const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Drops options the user did not give, so "not given" never overwrites a field. */
export function given(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}

/** Reads standard input to its end, at most once per run (a second `-` would get nothing). */
export function createStdinReader(read: () => Promise<string>): (flag: string) => Promise<string> {
  let usedBy: string | undefined
  return async (flag) => {
    if (usedBy !== undefined) {
      throw new BacklogError('INVALID_INPUT', `${usedBy} already reads standard input; give ${flag} as text`)
    }
    usedBy = flag
    return read()
  }
}

/** The whole of process.stdin as text. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Text of a file, or of standard input for `-`, with a user error (not a stack) when the file cannot be read. */
export async function readFileOrStdin(path: string, flag: string, stdin: (flag: string) => Promise<string>) {
  if (path === '-') return stdin(flag)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${flag} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code})`,
    )
  }
}

const DATE_HELP = 'YYYY-MM-DD or words: today, tomorrow, friday, eow, eom, "in 3 days"'

/** Flags shared by add, log and update, named as on the MCP tools (with dashes). */
export function withFieldOptions(command: Command): Command {
  return command
    .option('-d, --description <text>', 'markdown body (use - to read it from standard input)')
    .addOption(
      new Option('-t, --type <type>', 'item type').choices(['task', 'epic', 'folder', 'artifact', 'milestone']),
    )
    .option('-s, --status <status>', 'workflow status (open, in_progress, blocked, done, cancelled)')
    .option('-p, --priority <priority>', 'urgent, high, medium, low (or H, M, L)')
    .option('--tag <tag>', 'a tag (repeat for more); replaces the tags on update', collect)
    .option('--parent <id>', 'parent item (epic, folder, milestone or task)')
    .option('--epic <id>', 'epic this item belongs to')
    .option('-a, --assignee <who>', 'agent or person working on it')
    .option('--depends-on <id>', 'an item that must be done first (repeat for more)', collect)
    .option('--due <date>', `due date: ${DATE_HELP}`)
    .option('--scheduled <date>', `scheduled start: ${DATE_HELP}`)
    .option('--wait <date>', `hide from default lists until: ${DATE_HELP}`)
    .option('--recur <rule>', 'repeat when done: daily, weekly, monthly, yearly, weekdays, "every 3 days", 2w')
    .option('--until <date>', `last date of the recurrence: ${DATE_HELP}`)
    .option('--ref <url>', 'a reference link (repeat for more)', collect)
    .option('--evidence <text>', 'evidence of completion (repeat for more)', collect)
    .option('--blocked-reason <text>', 'why it is blocked (repeat for more)', collect)
    .option('--set <key=value>', 'a user-defined field (repeat for more; empty value removes it)', collect)
}

export interface FieldOptions {
  description?: string
  type?: string
  status?: string
  priority?: string
  tag?: string[]
  parent?: string
  epic?: string
  assignee?: string
  dependsOn?: string[]
  due?: string
  scheduled?: string
  wait?: string
  recur?: string
  until?: string
  ref?: string[]
  evidence?: string[]
  blockedReason?: string[]
  set?: string[]
  json?: boolean
}

/** The field flags as schema input (snake_case keys), leaving out the ones not given. */
export async function fieldsFrom(
  options: FieldOptions,
  stdin: (flag: string) => Promise<string>,
): Promise<Record<string, unknown>> {
  const attributes = options.set?.length
    ? Object.fromEntries(
        options.set.map((pair) => {
          const eq = pair.indexOf('=')
          if (eq <= 0) throw new BacklogError('INVALID_INPUT', `--set ${pair}: write it as key=value`)
          const value = pair.slice(eq + 1)
          return [pair.slice(0, eq).trim(), value === '' ? null : value]
        }),
      )
    : undefined
  return given({
    description: options.description === '-' ? await stdin('--description') : options.description,
    type: options.type,
    status: options.status,
    priority: options.priority,
    tags: options.tag,
    parent: options.parent,
    epic: options.epic,
    assignee: options.assignee,
    depends_on: options.dependsOn,
    due: options.due,
    scheduled: options.scheduled,
    wait: options.wait,
    recur: options.recur,
    until: options.until,
    references: options.ref,
    evidence: options.evidence,
    blocked_reason: options.blockedReason,
    attributes,
  })
}

/**
 * Lets filter words that look like flags through commander: in `git backlog ls -BLOCKED +bug -s open`, `-BLOCKED`
 * is a filter term (not tagged), not an unknown option. A single-dash word longer than two characters is a filter
 * word; options keep their place (so `--bogus` is still refused) and every filter word moves, in order, behind `--`.
 * Option values are never touched: the word after an option that takes a value is that value.
 *
 * @example
 * withFilterWords(['-BLOCKED', '+bug', '-s', 'open'], listCommand) // ['-s', 'open', '--', '-BLOCKED', '+bug']
 */
export function withFilterWords(args: string[], command: Command): string[] {
  const takesValue = new Set<string>()
  for (const option of command.options) {
    if (!option.required && !option.optional) continue
    if (option.short) takesValue.add(option.short)
    if (option.long) takesValue.add(option.long)
  }
  const flags: string[] = []
  const words: string[] = []
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string
    if (arg === '--') {
      words.push(...args.slice(index + 1))
      break
    }
    if (arg.startsWith('--') || (arg.startsWith('-') && arg.length === 2)) {
      flags.push(arg)
      if (takesValue.has(arg) && index + 1 < args.length) flags.push(args[++index] as string)
    } else if (takesValue.has(arg.slice(0, 2)) && /^-[A-Za-z]\d+$/.test(arg)) {
      // `-n5` would be read as the tag filter "-n5" and quietly match everything.
      throw new BacklogError(
        'INVALID_INPUT',
        `write ${arg.slice(0, 2)} ${arg.slice(2)} with a space: ${arg} reads as a filter word here`,
      )
    } else {
      words.push(arg)
    }
  }
  return words.length ? [...flags, '--', ...words] : flags
}
