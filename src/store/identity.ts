/** Who a commit is by, and whether it must be signed: the git settings of the person or machine running the tool. */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Identity {
  name: string
  email: string
}

export interface CommitSettings extends Identity {
  /** `commit.gpgsign`: commits must be signed, which git itself does for us (see commit.ts). */
  sign: boolean
}

export const FALLBACK_IDENTITY: Identity = { name: 'git-backlog', email: 'git-backlog@localhost' }

const SETTINGS = /^(?:user\.name|user\.email|commit\.gpgsign)$/

/** git's own reading of a boolean setting: a bare key (no value at all), true/yes/on or a non-zero number. */
function isTrue(value: string | undefined): boolean {
  if (value === undefined) return true
  const text = value.trim().toLowerCase()
  return (
    text === '' || text === 'true' || text === 'yes' || text === 'on' || (/^-?\d+$/.test(text) && Number(text) !== 0)
  )
}

/**
 * The settings as git resolves them (repository, global and system config, includes and conditional includes), asked
 * of git once: the last value of each key wins, as in git.
 */
async function readSettings(cwd: string): Promise<Map<string, string | undefined>> {
  const settings = new Map<string, string | undefined>()
  try {
    const { stdout } = await run(
      'git',
      ['config', '--null', '--get-regexp', '^(user\\.(name|email)|commit\\.gpgsign)$'],
      {
        cwd,
        timeout: 5_000,
      },
    )
    for (const record of stdout.split('\0')) {
      if (!record) continue
      const newline = record.indexOf('\n')
      const key = (newline < 0 ? record : record.slice(0, newline)).toLowerCase()
      if (SETTINGS.test(key)) settings.set(key, newline < 0 ? undefined : record.slice(newline + 1))
    }
  } catch {
    // no such keys (git exits 1), or no git config at all: defaults
  }
  return settings
}

/**
 * The author of backlog commits (`GIT_AUTHOR_NAME`/`GIT_AUTHOR_EMAIL`, then `user.name`/`user.email`, then a fallback
 * so a machine without a configured identity can still commit) and whether `commit.gpgsign` asks for signatures.
 */
export async function resolveCommitSettings(
  worktree: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommitSettings> {
  const settings = await readSettings(worktree)
  const name = env.GIT_AUTHOR_NAME?.trim() || settings.get('user.name')?.trim()
  const email = env.GIT_AUTHOR_EMAIL?.trim() || settings.get('user.email')?.trim()
  return {
    name: name || FALLBACK_IDENTITY.name,
    email: email || FALLBACK_IDENTITY.email,
    sign: settings.has('commit.gpgsign') && isTrue(settings.get('commit.gpgsign')),
  }
}
