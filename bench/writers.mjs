import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { serializeItem } from '../dist/core/codec.js'
import { blankItem } from '../dist/core/item.js'
import { itemPath } from '../dist/core/layout.js'
import { BENCH_ENV, newBenchRepo, percentile, STATUSES, TAGS } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const bin = join(root, 'dist', 'bin', 'git-backlog.js')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? args[index + 1] : fallback
}
const ops = Number(flag('ops', 50))
const writerCounts = flag('writers', '1,2,4,8').split(',').map(Number)
const itemCount = Number(flag('items', 1000))
const env = BENCH_ENV

/** A backlog of `count` items, written as files and committed with the real git in one commit. */
function buildBacklog(count) {
  const { dir, git } = newBenchRepo('writers')
  for (let i = 0; i < count; i++) {
    const id = `bl-${i.toString(32).padStart(6, '0')}${'0123456789abcdefghjkmnpqrstvwxyz'[i % 32]}`
    const item = blankItem(id, `Task ${i}: ${['fix', 'add', 'refactor', 'document'][i % 4]} the ${TAGS[i % 8]} module`)
    item.status = STATUSES[i % STATUSES.length]
    item.tags = [TAGS[i % 8], TAGS[(i * 3) % 8]].filter((tag, index, all) => all.indexOf(tag) === index)
    item.created = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')
    item.description = `Why: item ${i}.\n\n- [ ] first step\n- [ ] second step\n`
    const path = join(dir, itemPath(id))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, serializeItem(item))
  }
  git('add', '-A')
  git('commit', '-q', '-m', `bench: ${count} items`)
  // A background `git gc --auto` would compete for the disk mid-run.
  git('config', 'gc.auto', '0')
  return { dir, git }
}

/** Spawns the built server in `dir` and connects the SDK client. */
async function startServer(dir, agent) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, 'mcp'],
    cwd: dir,
    env: { ...env, BACKLOG_AGENT: agent },
    stderr: 'inherit',
  })
  const client = new Client({ name: agent, version: '1.0.0' })
  await client.connect(transport)
  return client
}

/** N creates, one after another, timing each call. */
async function drive(client, agent, samples) {
  for (let i = 0; i < ops; i++) {
    const start = performance.now()
    const result = await client.callTool({ name: 'backlog_create', arguments: { title: `${agent} item ${i}` } })
    samples.push(performance.now() - start)
    if (result.isError) throw new Error(`${agent}: ${JSON.stringify(result.content)}`)
  }
}

async function benchmark(writers) {
  const { dir, git } = buildBacklog(itemCount)
  const before = Number(git('rev-list', '--count', 'HEAD').toString())
  const agents = Array.from({ length: writers }, (_, n) => `writer-${n}`)
  const clients = await Promise.all(agents.map((agent) => startServer(dir, agent)))
  // The first call of each server reads the backlog; keep that out of the measured writes.
  await Promise.all(clients.map((client) => client.callTool({ name: 'backlog_list', arguments: { limit: 1 } })))
  const samples = []
  const started = performance.now()
  await Promise.all(clients.map((client, n) => drive(client, agents[n], samples)))
  const seconds = (performance.now() - started) / 1000
  await Promise.all(clients.map((client) => client.close()))
  const commits = Number(git('rev-list', '--count', 'HEAD').toString()) - before
  let fsck
  try {
    fsck = git('fsck', '--strict', '--no-dangling').toString().trim() || 'clean'
  } catch (error) {
    fsck = `FAILED: ${error.stderr?.toString().trim() || error.message}`
  }
  // A commit built on a tip that moved before it could take the locks is left unreferenced: one per lost race.
  const lost = git('fsck', '--dangling', '--no-progress')
    .toString()
    .split('\n')
    .filter((line) => line.startsWith('dangling commit')).length
  rmSync(dir, { recursive: true, force: true })
  return { writers, commits, seconds, samples, lost, fsck }
}

const results = []
for (const writers of writerCounts) {
  process.stderr.write(`${writers} writer(s) × ${ops} creates on a backlog of ${itemCount} items...\n`)
  results.push(await benchmark(writers))
}

const pad = (text, width) => String(text).padEnd(width)
console.log(
  `git-backlog ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}, ` +
    `${ops} creates per writer, backlog of ${itemCount} items\n`,
)
console.log(
  `${pad('writers', 9)}${pad('commits', 9)}${pad('seconds', 9)}${pad('commits/s', 11)}${pad('p50', 11)}${pad('p95', 11)}` +
    `${pad('lost races', 12)}git fsck`,
)
for (const result of results) {
  console.log(
    `${pad(result.writers, 9)}${pad(result.commits, 9)}${pad(result.seconds.toFixed(1), 9)}` +
      `${pad((result.commits / result.seconds).toFixed(1), 11)}${pad(`${percentile(result.samples, 50).toFixed(1)} ms`, 11)}` +
      `${pad(`${percentile(result.samples, 95).toFixed(1)} ms`, 11)}${pad(result.lost, 12)}${result.fsck}`,
  )
}
