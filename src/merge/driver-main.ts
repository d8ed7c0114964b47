/**
 * The merge driver's own entry: git starts one process per file it needs merged, so this path loads only the merge
 * (no command-line parser, no MCP, no schemas). `main.ts` hands `merge-driver` here before anything else is imported.
 */

import { discoverRepo } from '../store/repo.js'
import { readConfigAt, runMergeDriver } from './driver.js'

/**
 * Runs `merge-driver <base> <ours> <theirs> [marker-size] [path]` and returns the exit code for git.
 *
 * @example
 * process.exitCode = mergeDriverMain(['.merge_file_a', '.merge_file_b', '.merge_file_c', '7', '.backlog/tasks/2/bl-k3m9x2.md'], process.cwd(), console.error)
 */
export function mergeDriverMain(args: readonly string[], cwd: string, err: (line: string) => void): number {
  const [base, ours, theirs, markerSize, path] = args
  if (!base || !ours || !theirs) {
    err('usage: git-backlog merge-driver <base> <ours> <theirs> [marker-size] [path]  (git runs this: %O %A %B %L %P)')
    return 2
  }
  let worktree = cwd
  try {
    worktree = discoverRepo(cwd).worktree
  } catch {
    // outside a repository (a test, a script): the default statuses
  }
  const outcome = runMergeDriver(
    { base, ours, theirs, markerSize: Number.parseInt(markerSize ?? '', 10) || 7, ...(path ? { path } : {}) },
    { config: readConfigAt(worktree), now: new Date() },
  )
  for (const message of outcome.messages) err(`git-backlog merge: ${message}`)
  return outcome.exitCode
}
