/** Finds the repository around a directory and tells whether it can be written safely right now. */

import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { BacklogError } from '../core/errors.js'
import { type GitConfig, parseConfigText, readGitConfig } from './git/config.js'

export interface Repo {
  /** The working tree root: `.backlog/` lives here. */
  worktree: string
  /** Per-worktree git dir: HEAD, index, MERGE_HEAD, rebase state. */
  gitdir: string
  /** Shared git dir: objects, refs, packed-refs, config. Equal to gitdir outside linked worktrees. */
  commondir: string
}

function readGitFile(dotGit: string): string {
  const text = readFileSync(dotGit, 'utf8').trim()
  const match = /^gitdir:\s*(.+)$/m.exec(text)
  if (!match?.[1]) throw new BacklogError('NOT_A_REPO', `${dotGit} is a file but does not say "gitdir: <path>"`)
  return resolve(dirname(dotGit), match[1].trim())
}

/**
 * Walks up from `cwd` to the nearest working tree, following `.git` files (linked worktrees, submodules) and
 * `commondir`, as git does.
 *
 * @example
 * discoverRepo('/home/me/project/src') // { worktree: '/home/me/project', gitdir: '/home/me/project/.git', ... }
 */
export function discoverRepo(cwd: string): Repo {
  let dir = resolve(cwd)
  for (;;) {
    const dotGit = join(dir, '.git')
    if (existsSync(dotGit)) {
      const gitdir = statSync(dotGit).isDirectory() ? dotGit : readGitFile(dotGit)
      const commondirFile = join(gitdir, 'commondir')
      const commondir = existsSync(commondirFile)
        ? (() => {
            const relative = readFileSync(commondirFile, 'utf8').trim()
            return isAbsolute(relative) ? relative : resolve(gitdir, relative)
          })()
        : gitdir
      if (!existsSync(join(commondir, 'objects'))) {
        throw new BacklogError('NOT_A_REPO', `${gitdir} does not look like a git directory (no objects folder)`)
      }
      return { worktree: dir, gitdir, commondir }
    }
    if (isGitDir(dir)) {
      const bare = readConfigValue(readGitConfig(dir, [dir]), 'core', 'bare') === 'true'
      throw new BacklogError(
        'NOT_A_REPO',
        bare
          ? `${dir} is a bare repository: it has no working tree, and git-backlog keeps items as files in one. Clone it (\`git clone ${dir} <folder>\`) or add a worktree (\`git -C ${dir} worktree add <folder>\`), then run git-backlog there.`
          : `${dir} is a git directory, not a working tree. Run git-backlog in the folder that holds it (${dirname(dir)}).`,
      )
    }
    const parent = dirname(dir)
    if (parent === dir) {
      throw new BacklogError(
        'NOT_A_REPO',
        `${resolve(cwd)} is not inside a git repository. Run \`git init\` first (the first item added then starts the backlog).`,
      )
    }
    dir = parent
  }
}

/** A folder that is itself a git directory (a bare repository, or the `.git` folder of one): HEAD, objects and refs. */
function isGitDir(dir: string): boolean {
  return existsSync(join(dir, 'HEAD')) && existsSync(join(dir, 'objects')) && existsSync(join(dir, 'refs'))
}

const BUSY_STATES: Array<[string, string, string]> = [
  ['MERGE_HEAD', 'a merge', 'finish it with `git commit` or abort it with `git merge --abort`'],
  ['rebase-merge', 'a rebase', 'finish it with `git rebase --continue` or abort it with `git rebase --abort`'],
  [
    'rebase-apply',
    'a rebase or `git am`',
    'finish it with `git rebase --continue` or abort it with `git rebase --abort`',
  ],
  ['CHERRY_PICK_HEAD', 'a cherry-pick', 'finish it with `git cherry-pick --continue` or `--abort`'],
  ['REVERT_HEAD', 'a revert', 'finish it with `git revert --continue` or `--abort`'],
  ['sequencer', 'a cherry-pick or revert sequence', 'finish it with `--continue` or `--abort`'],
  ['BISECT_LOG', 'a bisect', 'end it with `git bisect reset`'],
]

/** Refuses with REPO_BUSY while git is in the middle of an operation whose index and HEAD we must not move. */
export function assertNotBusy(repo: Repo): void {
  for (const [file, what, next] of BUSY_STATES) {
    if (existsSync(join(repo.gitdir, file))) {
      throw new BacklogError(
        'REPO_BUSY',
        `The repository is in the middle of ${what}; nothing was written. ${next[0]?.toUpperCase()}${next.slice(1)}, then try again.`,
        { state: file },
      )
    }
  }
}

/**
 * The value of `section.key` (or `section.subsection.key`, the subsection matched exactly) as git reads it: the last
 * one, a bare key as 'true'. From a config git read (`repoConfig`), or from the text of a config file, which git parses
 * (`git config --file -`): one parser for every config we read, git's own.
 *
 * @example
 * readConfigValue(repoConfig(repo), 'branch', 'remote', 'main') // 'origin'
 */
export function readConfigValue(
  config: GitConfig | string,
  section: string,
  key: string,
  subsection?: string,
): string | undefined {
  const read = typeof config === 'string' ? parseConfigText(config) : config
  return read.get(subsection === undefined ? `${section}.${key}` : `${section}.${subsection}.${key}`)
}

/**
 * The config git uses in this repository (docs/adr/0016-one-git-reader.md): every scope, includes followed, asked of
 * git once and again only when its files change. The same answer the commit identity is read from.
 */
export function repoConfig(repo: Repo): GitConfig {
  return readGitConfig(repo.worktree, [repo.gitdir, repo.commondir])
}

/** The text of the repository's own config file (in the common dir), or '' when it has none. */
export function readRepoConfig(repo: Repo): string {
  try {
    return readFileSync(join(repo.commondir, 'config'), 'utf8')
  } catch {
    return ''
  }
}

/**
 * Refuses repository formats whose objects or refs we cannot write correctly: SHA-256 object ids and the reftable
 * ref store. (Index formats are checked when the index is read.)
 */
export function assertSupportedFormat(repo: Repo): void {
  const config = repoConfig(repo)
  const objectFormat = readConfigValue(config, 'extensions', 'objectformat')
  if (objectFormat && objectFormat.toLowerCase() !== 'sha1') {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      `This repository uses ${objectFormat} object ids; git-backlog can only commit to SHA-1 repositories. Nothing was written.`,
    )
  }
  const refStorage = readConfigValue(config, 'extensions', 'refstorage')
  if (refStorage && refStorage.toLowerCase() !== 'files') {
    throw new BacklogError(
      'REPO_UNSUPPORTED',
      `This repository stores refs as ${refStorage}; git-backlog can only move refs stored as files. Nothing was written.`,
    )
  }
}
