/** Who a commit is by: the git identity of the person or machine running the tool, as git itself would pick it. */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Identity {
  name: string
  email: string
}

export const FALLBACK_IDENTITY: Identity = { name: 'git-backlog', email: 'git-backlog@localhost' }

async function gitConfig(cwd: string, key: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', ['config', '--get', key], { cwd, timeout: 5_000 })
    return stdout.trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * The author of backlog commits: `GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, then `user.name`/`user.email` from the
 * repository, global and system config (asked of git once, so includes and conditional includes count), then a
 * fallback so a machine without a configured identity can still commit.
 */
export async function resolveIdentity(worktree: string, env: NodeJS.ProcessEnv = process.env): Promise<Identity> {
  const [name, email] = await Promise.all([
    env.GIT_AUTHOR_NAME?.trim() || gitConfig(worktree, 'user.name'),
    env.GIT_AUTHOR_EMAIL?.trim() || gitConfig(worktree, 'user.email'),
  ])
  return { name: name || FALLBACK_IDENTITY.name, email: email || FALLBACK_IDENTITY.email }
}
