/**
 * Where the doc tests run a page's commands: a temp git repository with the built bin on PATH as `git-backlog` (so
 * `git backlog ...` runs as a user's shell runs it), a fixed identity and clock zone, and no setting of the machine.
 */

import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BIN, GIT_ENV } from '../helpers/repo.js'
import { ROOT } from './markdown.js'

export const EXAMPLE_BACKLOG = join(ROOT, '.backlog.example')

export interface DocRepo {
  /** The temp folder holding the repository (`repo/`), the bin folder and HOME; removed by `remove()`. */
  root: string
  /** The repository the commands run in. */
  dir: string
  env: Record<string, string>
  /** Runs a bash script in the repository: one process for the whole script. */
  bash(script: string, env?: Record<string, string>): ShellOutcome
  remove(): void
}

export interface ShellOutcome {
  code: number
  stdout: string
  stderr: string
}

/**
 * A new repository with one commit (a README); with `example`, also the example backlog of `.backlog.example/`
 * as `.backlog/`, committed and set up as `git backlog init` would (merge attributes, driver).
 */
export function createDocRepo(options: { example?: boolean } = {}): DocRepo {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` before the doc tests`)
  const root = mkdtempSync(join(tmpdir(), 'git-backlog-docs-'))
  const dir = join(root, 'repo')
  const bin = join(root, 'bin')
  const home = join(root, 'home')
  for (const folder of [dir, bin, home]) mkdirSync(folder)
  symlinkSync(BIN, join(bin, 'git-backlog'))
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    ...GIT_ENV,
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    COLUMNS: '100',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    EDITOR: 'true',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  }
  const bash = (script: string, extra: Record<string, string> = {}): ShellOutcome => {
    const result = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
      cwd: dir,
      env: { ...env, ...extra },
      encoding: 'utf8',
      timeout: 60_000,
    })
    if (result.error) throw result.error
    return { code: result.status ?? 128, stdout: result.stdout, stderr: result.stderr }
  }
  const repo: DocRepo = { root, dir, env, bash, remove: () => rmSync(root, { recursive: true, force: true }) }
  writeFileSync(join(dir, 'README.md'), '# project\n')
  const setup = [
    'set -e',
    'git init -q -b main',
    'git add README.md',
    'git commit -qm "initial"',
    ...(options.example
      ? ['git add .backlog', 'git commit -qm "example backlog"', 'git backlog doctor --fix >/dev/null']
      : []),
  ]
  if (options.example) cpSync(EXAMPLE_BACKLOG, join(dir, '.backlog'), { recursive: true })
  const done = bash(setup.join('\n'))
  if (done.code !== 0) throw new Error(`setting up ${dir} failed:\n${done.stderr}`)
  return repo
}
