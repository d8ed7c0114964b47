/** Where things live under `.backlog/`: the one place that turns ids into paths. */

import { idKey } from './ids.js'

export const BACKLOG_DIR = '.backlog'
export const CONFIG_PATH = `${BACKLOG_DIR}/config.yml`
export const TASKS_DIR = `${BACKLOG_DIR}/tasks`
export const ARCHIVE_DIR = `${BACKLOG_DIR}/archive`

/**
 * The bucket folder of an id: its last character. Random suffixes spread items evenly over 32 folders, so a commit
 * rewrites two small trees instead of one with 10,000 entries (see docs/adr/0001-item-layout.md).
 *
 * @example
 * itemPath('bl-k3m9x2') // '.backlog/tasks/2/bl-k3m9x2.md'
 */
export function itemPath(id: string, root: string = TASKS_DIR): string {
  const key = idKey(id)
  return `${root}/${key.slice(-1)}/${id}.md`
}

/** The id a file names, from its path: the file name without `.md`. */
export function idFromPath(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1)
  return name.endsWith('.md') ? name.slice(0, -3) : undefined
}

/** True for repository paths the store may write: inside `.backlog/`, no `..`, no empty or dot segments. */
export function isBacklogPath(path: string): boolean {
  if (!path.startsWith(`${BACKLOG_DIR}/`)) return false
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
}

/** The attributes file, committed by `init` (and by `doctor --fix` in a backlog made before it existed). */
export const ATTRIBUTES_PATH = `${BACKLOG_DIR}/.gitattributes`
/** Patterns in a folder's `.gitattributes` are relative to that folder: every `.md` file under `.backlog/`. */
export const ATTRIBUTES_TEXT =
  '# Task files are merged field by field by `git backlog merge-driver` (see the README).\n*.md merge=backlog\n'
