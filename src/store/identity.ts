/** Who a commit is by, and whether it must be signed: the git settings of the person or machine running the tool. */

import { type GitConfig, readGitConfig } from './git/config.js'
import { discoverRepo, repoConfig } from './repo.js'

export interface Identity {
  name: string
  email: string
}

export interface CommitSettings extends Identity {
  /** `commit.gpgsign`: commits must be signed, which git itself does for us (see commit.ts). */
  sign: boolean
}

export const FALLBACK_IDENTITY: Identity = { name: 'git-backlog', email: 'git-backlog@localhost' }

/** git's own reading of a boolean setting: a bare key (no value at all), true/yes/on or a non-zero number. */
function isTrue(value: string | undefined): boolean {
  if (value === undefined) return true
  const text = value.trim().toLowerCase()
  return (
    text === '' || text === 'true' || text === 'yes' || text === 'on' || (/^-?\d+$/.test(text) && Number(text) !== 0)
  )
}

function configAt(worktree: string): GitConfig {
  try {
    return repoConfig(discoverRepo(worktree))
  } catch {
    // not a repository: the global and system settings still count
    return readGitConfig(worktree)
  }
}

/**
 * The author of backlog commits (`GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, then `user.name`/`user.email`, then a fallback
 * so a machine without a configured identity can still commit) and whether `commit.gpgsign` asks for signatures.
 */
export async function resolveCommitSettings(
  worktree: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommitSettings> {
  // The same config the repository's other settings are read from: git's own answer (git/config.ts).
  const config = configAt(worktree)
  const name = env.GIT_AUTHOR_NAME?.trim() || config.get('user.name')?.trim()
  const email = env.GIT_AUTHOR_EMAIL?.trim() || config.get('user.email')?.trim()
  const sign = config.get('commit.gpgsign')
  return {
    name: name || FALLBACK_IDENTITY.name,
    email: email || FALLBACK_IDENTITY.email,
    sign: sign !== undefined && isTrue(sign),
  }
}
