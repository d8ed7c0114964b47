/**
 * Helpers for the concurrency tests: the built CLI as a child process, a stdio server whose pid is known (so a test can
 * freeze or kill it in the middle of a commit), history read back with `git log`, and leftovers of crashed writers.
 */

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { onTestFinished } from 'vitest'
import { type Outcome, runBin } from '../helpers/cli.js'
import { type TestClient, textOf } from '../helpers/mcp.js'
import { BIN, GIT_ENV } from '../helpers/repo.js'

/** One mutation a writer was told succeeded: which item, in which commit, with the token that marks its change. */
export interface Ack {
  agent: string
  op: 'create' | 'update'
  id: string
  commit: string
  /** The title of a create, the note text of an update: unique in the whole run. */
  token: string
}

/** Runs the built bin in `cwd` as a separate process, as a person's shell would. */
export const runCli = (cwd: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> =>
  runBin(cwd, args, env)

/** The item and commit of a mutation's result (MCP structured content or CLI `--json`). */
export function mutationOf(result: unknown): { id: string; commit: string } {
  const { items, commit } = result as { items?: Array<{ id: string }>; commit?: string }
  const id = items?.[0]?.id
  if (!id || !commit) throw new Error(`not a committed mutation: ${JSON.stringify(result)}`)
  return { id, commit }
}

/** The result of a tool call that must have succeeded, or an error carrying its text. */
export function structuredOf(result: CallToolResult): unknown {
  if (result.isError) throw new Error(textOf(result))
  return result.structuredContent
}

export interface LoggedCommit {
  commit: string
  subject: string
  op?: string
  agent?: string
  ids: string[]
}

/** Every commit reachable from HEAD with its backlog trailers, read with the real `git log`. */
export function readHistory(git: (...args: string[]) => string): LoggedCommit[] {
  const format = [
    '%H',
    '%s',
    '%(trailers:key=Backlog-Op,valueonly,separator=%x2c)',
    '%(trailers:key=Backlog-Agent,valueonly,separator=%x2c)',
    '%(trailers:key=Backlog-Id,valueonly,separator=%x2c)',
  ].join('%x1f')
  return git('log', `--format=${format}%x1e`)
    .split('\x1e')
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [commit = '', subject = '', op = '', agent = '', ids = ''] = record
        .split('\x1f')
        .map((field) => field.trim())
      return {
        commit,
        subject,
        ...(op ? { op } : {}),
        ...(agent ? { agent } : {}),
        ids: ids ? ids.split(',') : [],
      }
    })
}

/**
 * Files a crashed or careless writer would leave behind: `*.lock`, moved-aside dead locks, temporary files and
 * quarantine folders, a commit journal.
 */
export function strayFiles(root: string): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (/^tmp_obj|git-backlog-\d+-|^commit-journal/.test(entry.name)) found.push(path)
      else if (entry.isDirectory()) walk(path)
      else if (/\.lock$|\.lock\.dead-|\.tmp$/.test(entry.name)) found.push(path)
    }
  }
  walk(root)
  return found
}

/** A stdio server of the built bin whose process the test may freeze (SIGSTOP) or kill. */
export async function startServer(dir: string, agent: string): Promise<{ client: TestClient; pid: number }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    cwd: dir,
    env: { ...(process.env as Record<string, string>), ...GIT_ENV, BACKLOG_AGENT: agent },
    stderr: 'pipe',
  })
  const client = new Client({ name: agent, version: '1.0.0' })
  await client.connect(transport)
  const pid = transport.pid
  if (pid === null) throw new Error('the server has no process id')
  onTestFinished(async () => {
    signal(pid, 'SIGCONT')
    await client.close()
  })
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult
  return { client: { client, call }, pid }
}

/** Sends a signal, ignoring a process that is gone already. */
export function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** The process state letter from /proc (R running, S sleeping, T stopped, Z zombie), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  return /^\d+ \(.*\) (\S)/.exec(readOrEmpty(`/proc/${pid}/stat`))?.[1]
}

/**
 * Watches until `holds()` is true, then stops `pid` with SIGSTOP right there: a writer frozen at that point of its
 * commit. If the stop lands just after the moment passed, it is resumed and caught on a later commit. The caller
 * keeps it busy committing.
 */
export async function freezeWhen(pid: number, holds: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (holds()) {
      process.kill(pid, 'SIGSTOP')
      // The signal takes effect when the kernel next schedules the process: wait until it really is stopped.
      while (processState(pid) !== 'T' && processState(pid) !== undefined) await sleep(1)
      if (holds()) return
      process.kill(pid, 'SIGCONT')
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error(`process ${pid} was never caught ${what}`)
}

/** Freezes `pid` while it holds every one of these lock files: in the middle of its commit's critical section. */
export function freezeHolding(pid: number, locks: string[], timeoutMs = 30_000): Promise<void> {
  const owner = `git-backlog lock pid=${pid} `
  return freezeWhen(
    pid,
    () => locks.every((path) => readOrEmpty(path).startsWith(owner)),
    `holding ${locks.join(' and ')}`,
    timeoutMs,
  )
}

/** Waits until `pid` no longer exists (killed and reaped): a dead owner, as the lock recovery sees it. */
export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (processState(pid) !== undefined) {
    if (Date.now() > deadline) throw new Error(`process ${pid} did not go away`)
    await sleep(5)
  }
}
