/**
 * The importers: one pure reader per peer (files in, drafts out) and the mapping onto this repository's items.
 * Reading the files from disk is the caller's (the CLI); writing the items is the import use-case's.
 */

import { BacklogError } from '../core/errors.js'
import { readBacklogMcp } from './backlog-mcp.js'
import { readBacklogMd } from './backlog-md.js'
import { readBackloghq } from './backloghq.js'
import { readBeads } from './beads.js'
import type { SourceFile, SourceRead } from './draft.js'
import { readGitBacklog } from './git-backlog.js'
import { GH_COMMAND, readGithub } from './github.js'
import { readTaskwarrior } from './taskwarrior.js'

export type { Draft, SourceFile, SourceRead } from './draft.js'
export { GH_COMMAND } from './github.js'
export { type ItemReport, type Mapped, type MappedItem, mapDrafts } from './map.js'

/** How a source is given: a folder of markdown files, or one file (or standard input) of JSON. */
export type SourceForm = 'folder' | 'file'

export interface ImportSource {
  name: string
  aliases: readonly string[]
  /** What it is, for help. */
  about: string
  form: SourceForm
  read(files: SourceFile[]): SourceRead
}

export const IMPORT_SOURCES: readonly ImportSource[] = [
  {
    name: 'backlog.md',
    aliases: ['backlog-md', 'backlogmd'],
    about: "Backlog.md's folder (backlog/) or the project holding it",
    form: 'folder',
    read: readBacklogMd,
  },
  {
    name: 'backlog-mcp',
    aliases: [],
    about: "backlog-mcp's folder of TASK-0001.md files",
    form: 'folder',
    read: readBacklogMcp,
  },
  {
    name: 'backloghq',
    aliases: ['backlog'],
    about: "backloghq/backlog's tasks as JSON (what task_list returns)",
    form: 'file',
    read: readBackloghq,
  },
  {
    name: 'beads',
    aliases: ['bd'],
    about: '.beads/issues.jsonl, the .beads folder or the project holding it',
    form: 'file',
    read: readBeads,
  },
  {
    name: 'git-backlog',
    aliases: ['export'],
    about: 'the JSON of `git backlog export --all --archived` in another repository: ids and every field kept',
    form: 'file',
    read: readGitBacklog,
  },
  {
    name: 'github',
    aliases: ['gh'],
    about: `the JSON of \`${GH_COMMAND}\``,
    form: 'file',
    read: readGithub,
  },
  {
    name: 'taskwarrior',
    aliases: ['task', 'tw'],
    about: 'the JSON of `task export`',
    form: 'file',
    read: readTaskwarrior,
  },
]

/** The source of a name or alias (any case), or INVALID_INPUT naming the sources there are. */
export function importSource(name: string): ImportSource {
  const key = name.trim().toLowerCase()
  const found = IMPORT_SOURCES.find((source) => source.name === key || source.aliases.includes(key))
  if (!found) {
    throw new BacklogError(
      'INVALID_INPUT',
      `"${name}" is not a source to import from; use one of ${IMPORT_SOURCES.map((source) => source.name).join(', ')}`,
    )
  }
  return found
}
