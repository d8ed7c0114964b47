/** What every bench script shares: a fixed git identity for the repositories it builds, and the values it spreads. */

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'

export const BENCH_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
}

/** Statuses in the proportions of a lived-in backlog. */
export const STATUSES = ['open', 'open', 'open', 'in_progress', 'blocked', 'done', 'done', 'cancelled']
export const TAGS = ['auth', 'web', 'api', 'db', 'docs', 'ops', 'ui', 'perf']

/**
 * A new repository for a bench: git initialized, a file of code, and `.backlog/config.yml` from the template; the
 * caller adds items. `git(...)` runs the real git in it.
 */
export function newBenchRepo(label) {
  const dir = mkdtempSync(join(tmpdir(), `git-backlog-bench-${label}-`))
  const git = (...argv) => execFileSync('git', argv, { cwd: dir, env: BENCH_ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  git('init', '-q', '-b', 'main')
  mkdirSync(join(dir, 'src'))
  writeFileSync(join(dir, 'src', 'index.ts'), 'export {}\n')
  mkdirSync(join(dir, '.backlog'), { recursive: true })
  const root = dirname(dirname(fileURLToPath(import.meta.url)))
  writeFileSync(join(dir, '.backlog', 'config.yml'), readFileSync(join(root, 'templates', 'config.yml')))
  return { dir, git }
}

/** The p-th percentile of the samples (nearest rank). */
export function percentile(samples, p) {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/** The resident memory of a process and its peak (VmHWM), in MiB, from /proc. */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024
  return { rss: field('VmRSS'), peak: field('VmHWM') }
}

/**
 * Spawns the built `git-backlog mcp` (`bin`) in `dir` and connects the MCP SDK's client, as agents start it; `ms` is
 * the time to the answer to `initialize`.
 */
export async function connectServer(bin, dir, { env = BENCH_ENV, name = 'bench', stderr = 'inherit' } = {}) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], cwd: dir, env, stderr })
  const client = new Client({ name, version: '1.0.0' })
  const started = performance.now()
  await client.connect(transport)
  return { client, transport, ms: performance.now() - started }
}

/** Runs `action`, adds its time to `samples`, and fails the bench on a tool error. */
export async function timed(samples, action) {
  const start = performance.now()
  const result = await action()
  samples.push(performance.now() - start)
  if (result?.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`)
  return result
}
