/**
 * Workflow prompts: markdown files with a small frontmatter (name, description, arguments) whose body says which
 * tools to call with which arguments, `{{argument}}` filled in when a client asks for the prompt. The same files are
 * the Claude Code plugin's skills (scripts/build-plugin.mjs).
 */

import jsYaml from 'js-yaml'
import { BacklogError } from './errors.js'

export interface PromptArgument {
  name: string
  description?: string
  required?: boolean
  /** What `{{name}}` becomes when the argument is not given (default: nothing). */
  default?: string
}

export interface PromptTemplate {
  name: string
  description: string
  arguments: PromptArgument[]
  body: string
}

const NAME = /^[a-z][a-z0-9-]{0,63}$/
const ARGUMENT_NAME = /^[a-z][a-z0-9_]{0,63}$/
const PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g
const FRONTMATTER = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/

/** What is wrong with a prompt file, and where: the message of the error `parsePromptFile` throws. */
function malformed(reason: string, line?: number): never {
  throw new BacklogError('MALFORMED_PROMPT', `${line ? `line ${line}: ` : ''}${reason}`, line ? { line } : undefined)
}

function text(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') malformed(`${what} must be text`)
  return value
}

/**
 * Reads a prompt file. `fileName` is its name without `.md`, which must be the prompt's name (an override in
 * `.backlog/prompts/` replaces the built-in prompt of the same name). Throws MALFORMED_PROMPT saying what is wrong.
 *
 * @example
 * parsePromptFile('---\nname: next-task\ndescription: Pick and claim\n---\nCall backlog_list.\n', 'next-task').name // 'next-task'
 */
export function parsePromptFile(source: string, fileName: string): PromptTemplate {
  const match = FRONTMATTER.exec(source)
  if (!match)
    malformed('a prompt file starts with a --- frontmatter block (name, description, arguments), closed by ---')
  let data: unknown
  try {
    data = jsYaml.load(match[1] as string, { schema: jsYaml.CORE_SCHEMA })
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark
    malformed(
      `the frontmatter is not YAML: ${(error as { reason?: string }).reason ?? 'unreadable'}`,
      mark?.line === undefined ? undefined : mark.line + 2,
    )
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) malformed('the frontmatter must be a mapping')
  const fields = data as Record<string, unknown>
  const unknown = Object.keys(fields).filter((key) => !['name', 'description', 'arguments'].includes(key))
  if (unknown.length) malformed(`unknown key ${unknown.join(', ')}: a prompt has name, description and arguments`)
  const name = text(fields.name, 'name') ?? fileName
  if (!NAME.test(name)) malformed(`name "${name}" must be lowercase letters, digits and dashes`)
  if (name !== fileName) malformed(`name "${name}" differs from the file name ${fileName}.md: they must be the same`)
  const description = text(fields.description, 'description')
  if (!description?.trim()) malformed('description is missing: one line saying what the prompt is for')
  const rawArguments = fields.arguments ?? []
  if (!Array.isArray(rawArguments)) malformed('arguments must be a list of {name, description, required, default}')
  const args = rawArguments.map((raw, index): PromptArgument => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      malformed(`arguments[${index}] must be a mapping`)
    const entry = raw as Record<string, unknown>
    const argName = text(entry.name, `arguments[${index}].name`)
    if (!argName || !ARGUMENT_NAME.test(argName)) {
      malformed(`arguments[${index}].name must be lowercase letters, digits and underscores`)
    }
    const extra = Object.keys(entry).filter((key) => !['name', 'description', 'required', 'default'].includes(key))
    if (extra.length) malformed(`arguments[${index}] (${argName}): unknown key ${extra.join(', ')}`)
    if (entry.required !== undefined && typeof entry.required !== 'boolean') {
      malformed(`arguments[${index}] (${argName}): required must be true or false`)
    }
    const argDescription = text(entry.description, `arguments[${index}].description`)
    const fallback = entry.default === undefined ? undefined : String(entry.default)
    return {
      name: argName,
      ...(argDescription ? { description: argDescription } : {}),
      ...(entry.required === true ? { required: true } : {}),
      ...(fallback !== undefined ? { default: fallback } : {}),
    }
  })
  const names = new Set(args.map((arg) => arg.name))
  if (names.size !== args.length) malformed('two arguments have the same name')
  const body = source.slice(match[0].length).replace(/\r\n/g, '\n')
  for (const [, used] of body.matchAll(PLACEHOLDER)) {
    if (!names.has(used as string))
      malformed(`{{${used}}} in the text is not one of its arguments (${[...names].join(', ') || 'none'})`)
  }
  if (!body.trim()) malformed('the prompt has no text after its frontmatter')
  return { name, description: (description as string).trim(), arguments: args, body }
}

/**
 * The prompt's text with `{{argument}}` filled in: the value given, else the argument's default, else nothing (and
 * then the space before it goes too).
 * A required argument left out, or an argument the prompt does not take, is INVALID_INPUT.
 *
 * @example
 * renderPrompt(template, { id: 'bl-x9' })
 */
export function renderPrompt(prompt: PromptTemplate, given: Record<string, string> = {}): string {
  const known = new Set(prompt.arguments.map((arg) => arg.name))
  const unknown = Object.keys(given).filter((key) => !known.has(key))
  if (unknown.length) {
    throw new BacklogError(
      'INVALID_INPUT',
      `prompt ${prompt.name} takes no argument ${unknown.join(', ')}; it takes ${[...known].join(', ') || 'none'}`,
    )
  }
  const values = new Map<string, string>()
  for (const arg of prompt.arguments) {
    const value = given[arg.name]?.trim()
    if (value) values.set(arg.name, value)
    else if (arg.required) {
      throw new BacklogError(
        'INVALID_INPUT',
        `prompt ${prompt.name} needs ${arg.name}: ${arg.description ?? 'a value'}`,
      )
    } else values.set(arg.name, arg.default ?? '')
  }
  // An argument left empty takes the space before it along: `"+READY {{focus}}"` becomes `"+READY"`, not `"+READY "`.
  const filled = new RegExp(` ?${PLACEHOLDER.source}`, 'g')
  return prompt.body
    .replace(filled, (match: string, name: string) => {
      const value = values.get(name)
      return value ? `${match.startsWith(' ') ? ' ' : ''}${value}` : ''
    })
    .trim()
}
