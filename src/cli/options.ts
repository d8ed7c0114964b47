/** Shared pieces of the command line: schema parsing, repeatable flags, the item field flags, stdin, filter words. */

import { readFileSync } from 'node:fs'
import { type Command, Option } from 'commander'
import type { z } from 'zod'
import { BacklogError } from '../core/errors.js'
import { LIST_KINDS, SETTABLE_FIELDS } from '../core/fields.js'
import { describeIssues } from '../core/inputs.js'
import { ITEM_TYPES } from '../core/item.js'
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

/** The field flags (core/fields.ts): each field that create and update take, with commander's name for its value. */
const FIELD_FLAGS = SETTABLE_FIELDS.map((field) => {
  const [flags, help] = field.flag
  const repeated = LIST_KINDS.has(field.kind)
  return { field, flags, help, repeated, key: new Option(flags).attributeName() }
})

/** Flags shared by add, did and update, named as on the MCP tools (with dashes), in file order. */
export function withFieldOptions(command: Command): Command {
  for (const { field, flags, help, repeated } of FIELD_FLAGS) {
    const option = new Option(flags, help)
    if (field.kind === 'type') option.choices(ITEM_TYPES)
    if (repeated) option.argParser(collect)
    command.addOption(option)
  }
  return command.option('--set <key=value>', 'a user-defined field (repeat for more; empty value removes it)', collect)
}

/** What the field flags give, by commander's name (`--depends-on` is dependsOn); repeated flags give lists. */
export type FieldOptions = { [key: string]: string | string[] | boolean | undefined } & {
  description?: string
  status?: string
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
  const fields: Record<string, unknown> = {}
  for (const { field, key } of FIELD_FLAGS) fields[field.name] = options[key]
  if (options.description === '-') fields.description = await stdin('--description')
  return given({ ...fields, attributes })
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
