/**
 * The git command line, for what only git itself should do: merges, fetch and push, config writes (git locks the
 * config file), reading the index's conflict stages. Reads and backlog commits go through the object store and the
 * commit protocol instead; this is the one place that starts git.
 */

import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import type { Repo } from './repo.js'

export interface GitOptions {
  /** Text for git's standard input. */
  input?: string | Buffer
  /** Kill git after this long (network calls). */
  timeoutMs?: number
  /** Variables added to git's environment. */
  env?: NodeJS.ProcessEnv
}

/** The environment of every git run: never wait for a password or host-key prompt, as no one is there to answer. */
function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes',
    ...extra,
  }
}

/**
 * Runs git in the worktree and returns its output as text.
 *
 * @example
 * runGit(repo, ['rev-parse', 'HEAD']).stdout.trim()
 */
export function runGit(repo: Repo, args: readonly string[], options: GitOptions = {}): SpawnSyncReturns<string> {
  return spawnSync('git', args, {
    cwd: repo.worktree,
    encoding: 'utf8',
    env: gitEnv(options.env),
    maxBuffer: 256 * 1024 * 1024,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  })
}

/** The same, with the output as bytes (blob contents of any size and encoding). */
export function runGitBytes(repo: Repo, args: readonly string[], options: GitOptions = {}): SpawnSyncReturns<Buffer> {
  return spawnSync('git', args, {
    cwd: repo.worktree,
    env: gitEnv(options.env),
    maxBuffer: 1024 * 1024 * 1024,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  })
}
