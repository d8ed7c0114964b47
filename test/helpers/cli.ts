/** The `git-backlog` command line as a person's shell (or git) runs it: the built bin in its own process, or in this one. */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { runCli } from '../../src/cli/program.js'
import { BIN, GIT_ENV } from './repo.js'

const run = promisify(execFile)

export interface Outcome {
  code: number
  stdout: string
  stderr: string
}

/** The environment of the tests without the colour settings it may carry (a CI's FORCE_COLOR): output stays plain. */
function plainEnv(): Record<string, string> {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...rest } = process.env as Record<string, string>
  return rest
}

/**
 * Runs the bin in `cwd` with the test identity; `input` is written to its standard input, which is closed either way.
 *
 * @example
 * const { code, stdout } = await runBin(repo.dir, ['add', 'Fix the login flow', '--json'], { BACKLOG_AGENT: 'cli' })
 */
export async function runBin(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  input = '',
): Promise<Outcome> {
  const running = run(process.execPath, [BIN, ...args], { cwd, env: { ...plainEnv(), ...GIT_ENV, ...env } })
  running.child.stdin?.end(input)
  try {
    const { stdout, stderr } = await running
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

export interface InProcessOptions {
  /** Standard input. */
  input?: string
  /** Whether standard output is a terminal (default: not, as in a pipe). */
  isTTY?: boolean
  /** Width of the terminal. */
  columns?: number
}

/**
 * Runs one command line in this process, through the same `runCli` as the bin: output as the bin would print it,
 * without the cost of a process. The app and the git it starts read git's identity and settings from this process's
 * environment, so the run puts the test identity there (as `runBin` gives it to the bin) and takes it away after.
 *
 * @example
 * const { code, stdout } = await runInProcess(repo.dir, ['list'], { FORCE_COLOR: '1' })
 */
export async function runInProcess(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  options: InProcessOptions = {},
): Promise<Outcome> {
  let stdout = ''
  let stderr = ''
  const restore = withEnv(GIT_ENV)
  try {
    const code = await runCli(args, {
      cwd,
      env: { ...plainEnv(), ...GIT_ENV, ...env },
      out: (text) => {
        stdout += `${text}\n`
      },
      err: (text) => {
        stderr += `${text}\n`
      },
      stdin: async () => options.input ?? '',
      isTTY: options.isTTY ?? false,
      ...(options.columns === undefined ? {} : { columns: options.columns }),
    })
    return { code, stdout, stderr }
  } finally {
    restore()
  }
}

/** Sets `vars` in process.env; the function returned puts back what was there. */
function withEnv(vars: Record<string, string>): () => void {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  Object.assign(process.env, vars)
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}
