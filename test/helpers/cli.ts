/** The built `git-backlog` bin as a separate process, as a person's shell (or git) runs it. */

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { BIN, GIT_ENV } from './repo.js'

const run = promisify(execFile)

export interface Outcome {
  code: number
  stdout: string
  stderr: string
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
  const running = run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...GIT_ENV, ...env } })
  running.child.stdin?.end(input)
  try {
    const { stdout, stderr } = await running
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}
