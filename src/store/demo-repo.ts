/**
 * The demo repository `npm start` serves: a git repository of its own (never inside the checkout's history), made
 * once from the package's `.backlog.example/` in one commit, then reused as the person left it.
 */

import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT } from '../core/layout.js'
import { packagePath } from '../package-files.js'
import { runGitAt } from './git/cli.js'

const README = `# git-backlog demo

A repository made by \`npm start\` in a git-backlog checkout, so there is a backlog to look at and to change.
Its items are the markdown files under \`.backlog/tasks/\`; every change an agent or \`git backlog\` makes is one
commit here (\`git log\` shows them). Delete this folder to start again from the example.
`

/** The identity of the one seed commit; the person's own changes carry their identity. */
const SEED_ENV = {
  GIT_AUTHOR_NAME: 'git-backlog demo',
  GIT_AUTHOR_EMAIL: 'demo@git-backlog.invalid',
  GIT_COMMITTER_NAME: 'git-backlog demo',
  GIT_COMMITTER_EMAIL: 'demo@git-backlog.invalid',
}

function git(cwd: string, args: string[]): void {
  // The person's global hooks and signing settings are for their own repositories, not this seed commit.
  const result = runGitAt(cwd, ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgsign=false', ...args], {
    env: SEED_ENV,
  })
  if (result.error || result.status !== 0) {
    throw new BacklogError(
      'WRITE_FAILED',
      `could not make the demo repository: git ${args[0]} failed: ${(result.error?.message ?? result.stderr).trim()}`,
    )
  }
}

/**
 * Makes the demo repository at `dir` unless it is there already. It is built beside `dir` and renamed into place,
 * so an interrupted start never leaves half a demo. A folder at `dir` that is not a demo backlog is left alone.
 *
 * @example
 * ensureDemoRepository('/home/ann/.local/state/git-backlog/demo') // { created: true }
 */
export function ensureDemoRepository(dir: string): { created: boolean } {
  if (existsSync(join(dir, '.git')) && existsSync(join(dir, '.backlog', 'config.yml'))) return { created: false }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new BacklogError(
      'INVALID_INPUT',
      `${dir} exists but holds no demo backlog; remove it, or give another folder with --dir`,
    )
  }
  const building = `${dir}.building-${process.pid}`
  rmSync(building, { recursive: true, force: true })
  mkdirSync(building, { recursive: true })
  try {
    cpSync(packagePath('.backlog.example'), join(building, '.backlog'), { recursive: true })
    writeFileSync(join(building, ATTRIBUTES_PATH), ATTRIBUTES_TEXT)
    writeFileSync(join(building, 'README.md'), README)
    git(building, ['init', '--quiet', '--initial-branch', 'main'])
    git(building, ['add', '--all'])
    git(building, ['commit', '--quiet', '--message', "Demo backlog from git-backlog's example"])
    mkdirSync(dirname(dir), { recursive: true })
    try {
      // Only ever an empty folder (rmdir refuses any other), and the rename fails if another start got there first.
      if (existsSync(dir)) rmdirSync(dir)
      renameSync(building, dir)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(dir, '.backlog', 'config.yml'))) {
        rmSync(building, { recursive: true, force: true })
        return { created: false }
      }
      throw error
    }
  } catch (error) {
    rmSync(building, { recursive: true, force: true })
    throw error
  }
  return { created: true }
}
