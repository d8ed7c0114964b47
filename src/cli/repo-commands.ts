/** Commands about the repository around the backlog: the merge driver git calls, and its installation. */

import type { Command } from 'commander'
import { readConfigAt, runMergeDriver } from '../merge/driver.js'
import { discoverRepo } from '../store/repo.js'
import type { CliContext } from './program.js'

export function registerRepoCommands(program: Command, cli: CliContext): void {
  program
    .command('merge-driver')
    .description(
      'merge one task file field by field (git runs this: merge.backlog.driver = git backlog merge-driver %O %A %B %L %P)',
    )
    .argument('<base>', '%O: the common ancestor version (empty when both sides added the file)')
    .argument('<ours>', '%A: our version; the result is written here')
    .argument('<theirs>', '%B: their version')
    .argument('[marker-size]', '%L: conflict marker size', '7')
    .argument('[path]', '%P: the path of the file in the repository')
    .action((base: string, ours: string, theirs: string, markerSize: string, path: string | undefined) => {
      let worktree = cli.io.cwd
      try {
        worktree = discoverRepo(cli.io.cwd).worktree
      } catch {
        // outside a repository (a test, a script): the default statuses
      }
      const outcome = runMergeDriver(
        {
          base,
          ours,
          theirs,
          markerSize: Number.parseInt(markerSize, 10) || 7,
          ...(path ? { path } : {}),
        },
        { config: readConfigAt(worktree), now: new Date() },
      )
      for (const message of outcome.messages) cli.io.err(`git-backlog merge: ${message}`)
      cli.exit(outcome.exitCode)
    })
}
