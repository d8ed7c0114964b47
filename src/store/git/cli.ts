/**
 * The git command line, for what only git itself should do: merges, fetch and push, config writes (git locks the
 * config file), reading the index's conflict stages. Reads and backlog commits go through the object store and the
 * commit protocol instead; this is the one place that starts git.
 */

import {
  type ChildProcessByStdio,
  type SpawnSyncOptionsWithBufferEncoding,
  type SpawnSyncReturns,
  spawn,
  spawnSync,
} from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import type { Repo } from '../repo.js'

export interface GitOptions {
  /** Text for git's standard input. */
  input?: string | Buffer
  /** Kill git after this long (network calls). */
  timeoutMs?: number
  /** Variables added to git's environment. */
  env?: NodeJS.ProcessEnv
  /**
   * Wait, with backoff for up to this long, while another process holds `index.lock` (often a backlog commit, which
   * lets go in milliseconds), before running git: git gives up at once on a held lock, and a merge that meets one
   * half-way is left in progress. After the wait git runs anyway, and says what it found.
   */
  waitForLocksMs?: number
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

/** Waits synchronously: these git runs are synchronous, and their callers hold nothing another process needs. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/**
 * Runs git in the worktree and returns its output as text.
 *
 * @example
 * runGit(repo, ['rev-parse', 'HEAD']).stdout.trim()
 */
export function runGit(repo: Repo, args: readonly string[], options: GitOptions = {}): SpawnSyncReturns<string> {
  if (options.waitForLocksMs) {
    const lock = join(repo.gitdir, 'index.lock')
    const deadline = Date.now() + options.waitForLocksMs
    for (let delay = 2; existsSync(lock) && Date.now() < deadline; delay = Math.min(delay * 2, 100)) pause(delay)
  }
  return runGitAt(repo.worktree, args, options)
}

/** spawnSync's options for git in `cwd`: standard input only when there is some, output kept up to `maxBuffer`. */
function syncOptions(cwd: string, options: GitOptions, maxBuffer: number): SpawnSyncOptionsWithBufferEncoding {
  return {
    cwd,
    env: gitEnv(options.env),
    maxBuffer,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  }
}

/** Runs git in `cwd`, which need not be a repository yet (`git init`), and returns its output as text. */
export function runGitAt(cwd: string, args: readonly string[], options: GitOptions = {}): SpawnSyncReturns<string> {
  return spawnSync('git', args, { ...syncOptions(cwd, options, 256 * 1024 * 1024), encoding: 'utf8' })
}

/** Runs git in `cwd` (a git directory, for reads that need no working tree) and returns its output as bytes. */
export function runGitBytesAt(
  cwd: string,
  args: readonly string[],
  options: GitOptions = {},
): SpawnSyncReturns<Buffer> {
  return spawnSync('git', args, syncOptions(cwd, options, 1024 * 1024 * 1024))
}

/**
 * Runs git without blocking the event loop, for what may take long (signing can wait on an agent or a hardware key):
 * a server goes on answering meanwhile.
 */
export function runGitAsync(
  repo: Repo,
  args: readonly string[],
  options: GitOptions = {},
): Promise<{ status: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: repo.worktree,
      env: gitEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.on('error', (error) => resolve({ status: null, stdout, stderr, error }))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Starts git in `cwd` and hands back its output streams, for reads that come in as git writes them (`git log`): the
 * caller reads stdout and kills git when it has what it needs.
 */
export function spawnGitAt(cwd: string, args: readonly string[]): ChildProcessByStdio<null, Readable, Readable> {
  return spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
}
