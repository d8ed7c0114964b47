/**
 * The workflow prompts: the built-in ones of `templates/prompts/`, each replaced by a file of the same name in the
 * repository's `.backlog/prompts/`. A file that cannot be read is listed with what is wrong, never dropped, and never
 * silently replaced by the built-in it was meant to override.
 */

import { BacklogError, isBacklogError } from '../../core/errors.js'
import { type PromptArgument, type PromptTemplate, parsePromptFile, renderPrompt } from '../../core/prompts.js'
import { listPackageFiles, readPackageFile } from '../../package-files.js'
import { readPromptFiles } from '../../store/prompt-files.js'
import type { AppCore } from '../shared.js'

export interface PromptEntry {
  name: string
  description: string
  arguments: PromptArgument[]
  /** `built-in`, or the repository file it comes from. */
  source: string
  /** Set when the repository's file cannot be read: where and why, and what to do. */
  problem?: string
}

export interface PromptInput {
  name: string
  arguments?: Record<string, string>
}

export interface RenderedPrompt {
  name: string
  description: string
  source: string
  text: string
}

const BUILT_IN_DIR = 'templates/prompts'
let builtIns: PromptTemplate[] | undefined

/** The prompts that come with git-backlog, read once. */
export function builtInPrompts(): PromptTemplate[] {
  builtIns ??= listPackageFiles(BUILT_IN_DIR)
    .filter((file) => file.endsWith('.md'))
    .map((file) => parsePromptFile(readPackageFile(`${BUILT_IN_DIR}/${file}`), file.slice(0, -3)))
  return builtIns
}

type Resolved = { template: PromptTemplate; source: string } | { name: string; source: string; problem: string }

function resolveAll(core: AppCore): Map<string, Resolved> {
  const all = new Map<string, Resolved>()
  for (const template of builtInPrompts()) all.set(template.name, { template, source: 'built-in' })
  for (const file of readPromptFiles(core.store.repo)) {
    try {
      all.set(file.name, { template: parsePromptFile(file.text, file.name), source: file.path })
    } catch (error) {
      if (!isBacklogError(error)) throw error
      const fallback = all.has(file.name) ? ', or delete it to use the built-in prompt' : ''
      all.set(file.name, {
        name: file.name,
        source: file.path,
        problem: `${file.path} cannot be read: ${error.message}. Fix the file${fallback}.`,
      })
    }
  }
  return all
}

/**
 * Every workflow prompt, by name.
 *
 * @example
 * (await prompts(core)).map((entry) => entry.name) // ['hand-off', 'next-task', 'plan-feature', …]
 */
export async function prompts(core: AppCore): Promise<PromptEntry[]> {
  return [...resolveAll(core).values()]
    .map(
      (entry): PromptEntry =>
        'template' in entry
          ? {
              name: entry.template.name,
              description: entry.template.description,
              arguments: entry.template.arguments,
              source: entry.source,
            }
          : {
              name: entry.name,
              description: `Unusable: ${entry.problem}`,
              arguments: [],
              source: entry.source,
              problem: entry.problem,
            },
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/**
 * One workflow prompt with its arguments filled in. NOT_FOUND names the prompts there are; a repository file that
 * cannot be read is MALFORMED_PROMPT saying where and why.
 *
 * @example
 * const { text } = await prompt(core, { name: 'refine-item', arguments: { id: 'bl-x9' } })
 */
export async function prompt(core: AppCore, input: PromptInput): Promise<RenderedPrompt> {
  const all = resolveAll(core)
  const found = all.get(input.name)
  if (!found) {
    throw new BacklogError('NOT_FOUND', `No prompt ${input.name}. Prompts: ${[...all.keys()].sort().join(', ')}.`)
  }
  if (!('template' in found)) throw new BacklogError('MALFORMED_PROMPT', found.problem, { path: found.source })
  return {
    name: found.template.name,
    description: found.template.description,
    source: found.source,
    text: renderPrompt(found.template, input.arguments ?? {}),
  }
}
