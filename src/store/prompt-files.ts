/** The repository's own workflow prompts: `.backlog/prompts/<name>.md`, which replace the built-in ones of that name. */

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BACKLOG_DIR } from '../core/layout.js'
import type { Repo } from './repo.js'

export const PROMPTS_DIR = `${BACKLOG_DIR}/prompts`

export interface PromptFile {
  /** The repository path, e.g. `.backlog/prompts/next-task.md`. */
  path: string
  /** The file name without `.md`. */
  name: string
  text: string
}

/**
 * The `.md` files of `.backlog/prompts/`, sorted by name; none when the folder does not exist.
 *
 * @example
 * readPromptFiles(repo) // [{ path: '.backlog/prompts/next-task.md', name: 'next-task', text: '---\n…' }]
 */
export function readPromptFiles(repo: Repo): PromptFile[] {
  let names: string[]
  try {
    names = readdirSync(join(repo.worktree, PROMPTS_DIR))
  } catch {
    return []
  }
  return names
    .filter((name) => name.endsWith('.md'))
    .sort()
    .flatMap((file) => {
      try {
        const text = readFileSync(join(repo.worktree, PROMPTS_DIR, file), 'utf8')
        return [{ path: `${PROMPTS_DIR}/${file}`, name: file.slice(0, -3), text }]
      } catch {
        // A folder named x.md, or a file gone since the listing: not a prompt.
        return []
      }
    })
}
