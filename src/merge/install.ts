/**
 * Where git learns about the driver: `.backlog/.gitattributes` (committed, so every clone routes task files to it)
 * and `[merge "backlog"]` in the repository's own config (local to each clone, so it is installed again wherever the
 * server or the CLI runs). The attributes live inside `.backlog/` because nothing in the working tree outside it is ever written.
 */

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ATTRIBUTES_PATH, TASKS_DIR } from '../core/layout.js'
import { packagePath, selfLaunch } from '../package-files.js'
import { runGit } from '../store/git/cli.js'
import { type Repo, readConfigValue, repoConfig } from '../store/repo.js'

const DRIVER_NAME = 'git-backlog: merges task files field by field'

export interface DriverCheck {
  /** `.backlog/.gitattributes` routes task files to the driver. */
  attributes: boolean
  /** The command in the repository's config, if any. */
  command?: string
  /** The config names a command that can run (its files exist). */
  configured: boolean
  /**
   * The merge attribute git applies to a task file, every attributes file counted (`.git/info/attributes` wins over
   * `.backlog/.gitattributes`): `backlog` when the driver is used; undefined when git could not say.
   */
  effective?: string
}

/** Double-quoted for the shell git runs the driver with. */
function shellQuote(text: string): string {
  return `"${text.replace(/(["\\$`])/g, '\\$1')}"`
}

/**
 * The command git should run: this installation (see `selfLaunch`) with the driver's arguments, quoted for the shell.
 *
 * @example
 * driverCommand() // '"/usr/bin/node" "/usr/lib/node_modules/git-backlog/dist/bin/git-backlog.js" merge-driver %O %A %B %L %P'
 */
export function driverCommand(): string {
  const { command, args } = selfLaunch()
  const driver = 'merge-driver %O %A %B %L %P'
  if (command === 'npx') return `npx ${args.join(' ')} ${driver}`
  return `${[command, ...args].map(shellQuote).join(' ')} ${driver}`
}

/** The files a configured command names (its quoted words); a command that names a missing one is stale. */
function runnable(command: string): boolean {
  const quoted = [...command.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    (match[1] as string).replace(/\\(.)/g, '$1'),
  )
  return quoted.every((path) => !path.startsWith('/') || existsSync(path))
}

function gitConfig(repo: Repo, ...args: string[]) {
  return runGit(repo, ['config', '--file', join(repo.commondir, 'config'), ...args])
}

/** What is installed now. */
export function checkDriver(repo: Repo): DriverCheck {
  let attributes = false
  try {
    attributes = /^\*\.md\s+merge=backlog\s*$/m.test(readFileSync(join(repo.worktree, ATTRIBUTES_PATH), 'utf8'))
  } catch {
    // no attributes file yet
  }
  const got = gitConfig(repo, '--get', 'merge.backlog.driver')
  const command = got.status === 0 ? got.stdout.trim() : undefined
  const asked = runGit(repo, ['check-attr', 'merge', '--', `${TASKS_DIR}/0/probe.md`])
  const effective = asked.status === 0 ? /: merge: (.*)$/m.exec(asked.stdout)?.[1]?.trim() : undefined
  return {
    attributes,
    ...(command ? { command } : {}),
    configured: command !== undefined && runnable(command),
    ...(effective !== undefined ? { effective } : {}),
  }
}

/**
 * Writes the driver into the repository's config when it is missing or names files that are gone; leaves a working
 * one alone (a person may have set their own). Returns whether it wrote. Cheap when there is nothing to do: the
 * config git read is kept while its files are unchanged (store/git/config.ts), and git is run again to write.
 */
export function installDriver(repo: Repo): boolean {
  const value = readConfigValue(repoConfig(repo), 'merge', 'driver', 'backlog')
  if (value && runnable(value)) return false
  // Without a built executable (a source checkout never built) there is nothing git could run: doctor says so.
  if (!existsSync(packagePath('dist/bin/git-backlog.js'))) return false
  const wrote = [
    gitConfig(repo, 'merge.backlog.name', DRIVER_NAME),
    gitConfig(repo, 'merge.backlog.driver', driverCommand()),
  ]
  return wrote.every((result) => result.status === 0)
}

/** `installDriver` for the paths where a failure must not fail the call (a read-only config, no git on PATH). */
export function installDriverQuietly(repo: Repo): void {
  try {
    installDriver(repo)
  } catch {
    // `git backlog doctor` reports what is missing
  }
}
