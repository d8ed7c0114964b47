/**
 * `git log` as a stream of commits: git walks and path-limits the history (it compares trees without inflating them
 * into objects for us), and only the commits that touch the given paths come back. Faster than a walk of our own
 * once a repository holds much history outside those paths (docs/adr/0016-one-git-reader.md).
 */

import { spawnGitAt } from './cli.js'

export interface LoggedCommit {
  oid: string
  tree: string
  /** The parents the commit names (none at a shallow clone's boundary, where git grafts them away). */
  parents: string[]
  /** The author's name and time, in seconds. */
  author: string
  authored: number
  /** The committer's time, in seconds: the order of the walk. */
  committed: number
  /** As the object reader gives it: no carriage returns, no leading blank lines, one newline at the end. */
  message: string
  /**
   * With `paths`: the files under them that the commit changed against its first parent (against nothing for a root
   * or a shallow boundary), as `git log --name-only` lists them. Absent for a merge, which git lists no files for.
   */
  files?: string[]
}

export interface LogOptions {
  /** The commit the walk starts from. */
  from: string
  /** Leave out this commit and every commit it reaches (`git log <since>..<from>`). */
  since?: string
  /** Only commits that changed something under these paths, as `git log -- <paths>` (every parent followed). */
  paths?: readonly string[]
}

const FIELDS = 7
const COMMIT_ID = /^[0-9a-f]{40}$/
const FORMAT = ['%H', '%T', '%P', '%an', '%at', '%ct', '%B'].join('%x00')

/** A message as the object reader normalizes it, so both ways of reading a commit agree. */
export function normalizeMessage(text: string): string {
  return `${text.replace(/\r/g, '').replace(/^\n+/, '').replace(/\n+$/, '')}\n`
}

function toCommit(fields: readonly string[]): LoggedCommit {
  const [oid, tree, parents, author, authored, committed, message] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    oid,
    tree,
    parents: parents ? parents.split(' ') : [],
    author,
    authored: Number(authored),
    committed: Number(committed),
    message: normalizeMessage(message),
  }
}

/**
 * git started for its output: read `stdout`, then `end()` (which throws with git's own words when it failed); `stop()`
 * in a `finally` ends it early when the reader stopped reading.
 */
function startGit(gitdir: string, args: readonly string[], what: string) {
  const child = spawnGitAt(gitdir, args)
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve(code))
  })
  let finished = false
  return {
    stdout: child.stdout,
    async end(): Promise<void> {
      const code = await exited
      finished = true
      if (code !== 0) throw new Error(`git ${what} failed (exit ${code}): ${stderr.trim()}`)
    },
    async stop(): Promise<void> {
      if (finished) return
      child.kill()
      await exited.catch(() => undefined)
    },
  }
}

/**
 * The commits `git log` shows, newest first by committer date (the order of git's own walk), read as git writes them:
 * leave the loop and git is stopped. `--full-history` keeps every parent of a merge in the walk (git's default would
 * follow only the one the paths came from, and miss the history of the other side).
 *
 * @example
 * for await (const commit of logCommits(repo.commondir, { from: head, paths: ['.backlog'] })) console.log(commit.oid)
 */
export async function* logCommits(gitdir: string, options: LogOptions): AsyncGenerator<LoggedCommit> {
  const range = options.since ? [options.from, `^${options.since}`] : [options.from]
  const args = [
    '--no-replace-objects',
    `--git-dir=${gitdir}`,
    'log',
    '-z',
    '--encoding=UTF-8',
    '--no-show-signature',
    '--no-color',
    `--format=${FORMAT}`,
    ...(options.paths ? ['--full-history', '--name-only', '--no-renames'] : []),
    ...range,
    '--',
    ...(options.paths ?? []),
  ]
  const git = startGit(gitdir, args, 'log')
  try {
    let pending: Buffer = Buffer.alloc(0)
    let fields: string[] = []
    /** The last commit read, held until the names after it (`--name-only`) are all in. */
    let last: LoggedCommit | undefined
    for await (const chunk of git.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      let start = 0
      for (let nul = pending.indexOf(0, start); nul >= 0; nul = pending.indexOf(0, start)) {
        const token = pending.toString('utf8', start, nul)
        start = nul + 1
        // A file name follows its commit's fields: the first after a newline, and none looks like a commit id.
        if (fields.length === 0 && last && (token.startsWith('\n') || (last.files && !COMMIT_ID.test(token)))) {
          const name = token.startsWith('\n') ? token.slice(1) : token
          if (name) {
            last.files ??= []
            last.files.push(name)
          }
          continue
        }
        if (last) {
          yield last
          last = undefined
        }
        fields.push(token)
        if (fields.length === FIELDS) {
          last = toCommit(fields)
          fields = []
        }
      }
      pending = pending.subarray(start)
    }
    // The last record may have no separator after it.
    if (fields.length === FIELDS - 1) {
      fields.push(pending.toString('utf8'))
      last = toCommit(fields)
    }
    if (last) yield last
    await git.end()
  } finally {
    await git.stop()
  }
}

/**
 * The ids of every commit of the same walk as `logCommits` without paths, in its order (`git rev-list`), a batch at a
 * time: what a path-limited log passed over on its way, for readers that count the commits walked.
 *
 * @example
 * for await (const batch of listCommits(repo.commondir, { from: head })) walked += batch.length
 */
export async function* listCommits(gitdir: string, options: Omit<LogOptions, 'paths'>): AsyncGenerator<string[]> {
  const range = options.since ? [options.from, `^${options.since}`] : [options.from]
  const git = startGit(gitdir, ['--no-replace-objects', `--git-dir=${gitdir}`, 'rev-list', ...range, '--'], 'rev-list')
  try {
    let pending = ''
    for await (const chunk of git.stdout.setEncoding('latin1') as AsyncIterable<string>) {
      // A chunk's ids at once: tens of thousands of them are counted without an await each.
      const lines = (pending + chunk).split('\n')
      pending = lines.pop() ?? ''
      if (lines.length) yield lines.filter(Boolean)
    }
    if (pending) yield [pending]
    await git.end()
  } finally {
    await git.stop()
  }
}
