/** Files under `.backlog/` that git left in conflict: the stages it keeps in the index while a merge is unfinished. */

import { BACKLOG_DIR } from '../../core/layout.js'
import type { Repo } from '../repo.js'
import { runGit } from './cli.js'

/** The unmerged paths under `.backlog/` and the blob git holds for each stage (1 base, 2 ours, 3 theirs). */
export function unmergedBacklogFiles(repo: Repo): Map<string, Map<number, string>> {
  const listed = runGit(repo, ['ls-files', '-u', '-z', '--', BACKLOG_DIR])
  const files = new Map<string, Map<number, string>>()
  if (listed.status !== 0) return files
  for (const entry of listed.stdout.split('\0')) {
    // <mode> <oid> <stage>\t<path>
    const match = /^\d+ ([0-9a-f]+) ([123])\t(.+)$/s.exec(entry)
    if (!match) continue
    const stages = files.get(match[3] as string) ?? new Map<number, string>()
    stages.set(Number(match[2]), match[1] as string)
    files.set(match[3] as string, stages)
  }
  return files
}
