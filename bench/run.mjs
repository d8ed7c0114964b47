// Benchmark: builds backlogs of 1,000 and 10,000 items in temp repositories and drives the built `git-backlog mcp`
// over stdio with the MCP SDK client, printing p50/p95 per operation, the time to the first responses, the RSS and the
// size of the tools/list answer (in all, and the part models read: everything but the output schemas); then the
// start-up beside a bare `node -e 0` (bench/startup.mjs, fewer repetitions than `npm run bench:startup`).
// Usage: npm run bench  (or: node bench/run.mjs 1000 10000 --ops 200 [--no-startup])

import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildBacklog } from './backlog.mjs'
import { BENCH_ENV, connectServer, percentile, rssOf, timed } from './common.mjs'
import { benchStartup } from './startup.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const bin = join(root, 'dist', 'bin', 'git-backlog.js')
const args = process.argv.slice(2)
const opsIndex = args.indexOf('--ops')
const ops = opsIndex >= 0 ? Number(args[opsIndex + 1]) : 200
const sizes = args.filter((arg, index) => /^\d+$/.test(arg) && args[index - 1] !== '--ops').map(Number)
const env = BENCH_ENV

/** Bytes of the tools/list answer as JSON, and of what a client shows its model (≤ 24 KB, ≤ 16 KB: docs/adr/0014-a-lean-tool-list.md). */
function toolListSize(tools) {
  const bytes = (value) => Buffer.byteLength(JSON.stringify(value))
  return { total: bytes(tools), visible: bytes(tools.map(({ outputSchema: _, ...rest }) => rest)) }
}

async function benchmark(count) {
  const built = performance.now()
  const { dir, ids } = buildBacklog(count)
  const buildMs = performance.now() - built
  const { client, transport, ms: initializeMs } = await connectServer(bin, dir, { env })
  const toolList = toolListSize((await client.listTools()).tools)
  const firstList = performance.now()
  const first = await client.callTool({ name: 'backlog_list', arguments: { limit: 20 } })
  const firstListMs = performance.now() - firstList
  if (first.isError) throw new Error(JSON.stringify(first.content))

  const samples = {
    create: [],
    update: [],
    get: [],
    'list (filter)': [],
    'list (default)': [],
    'list (expression)': [],
    'list after a write': [],
    'list (sort updated)': [],
    search: [],
    context: [],
    'history (one item)': [],
    undo: [],
  }
  const created = []
  for (let i = 0; i < ops; i++) {
    const result = await timed(samples.create, () =>
      client.callTool({
        name: 'backlog_create',
        arguments: { title: `Bench item ${i}`, tags: ['bench'], priority: 'high' },
      }),
    )
    created.push(result.structuredContent.items[0].id)
  }
  for (let i = 0; i < ops; i++) {
    const id = ids[(i * 7919) % ids.length]
    await timed(samples.update, () =>
      client.callTool({
        name: 'backlog_update',
        arguments: { id, note: `progress ${i}`, add_tags: [`round${i % 3}`] },
      }),
    )
  }
  for (let i = 0; i < ops; i++) {
    await timed(samples.get, () =>
      client.callTool({ name: 'backlog_get', arguments: { id: ids[(i * 104729) % ids.length] } }),
    )
  }
  for (let i = 0; i < ops; i++) {
    const arguments_ = [
      { status: 'in_progress', tags: 'web' },
      { type: 'task', assignee: 'nobody' },
      { tags: ['bench'], limit: 10 },
    ][i % 3]
    await timed(samples['list (filter)'], () => client.callTool({ name: 'backlog_list', arguments: arguments_ }))
  }
  for (let i = 0; i < Math.min(ops, 50); i++) {
    await timed(samples['list (default)'], () => client.callTool({ name: 'backlog_list', arguments: {} }))
  }
  for (let i = 0; i < ops; i++) {
    const filter = [
      '+READY priority.above:low',
      'status:open +web due.before:eom',
      '(+ACTIVE or +OVERDUE) -BLOCKED',
      'assignee:claude +api',
    ][i % 4]
    await timed(samples['list (expression)'], () => client.callTool({ name: 'backlog_list', arguments: { filter } }))
  }
  // Agents list right after they write: the first list of a new version of the backlog.
  for (let i = 0; i < Math.min(ops, 100); i++) {
    await client.callTool({
      name: 'backlog_update',
      arguments: { id: ids[(i * 104729 + 3) % ids.length], note: `between lists ${i}` },
    })
    await timed(samples['list after a write'], () => client.callTool({ name: 'backlog_list', arguments: {} }))
    await timed(samples['list (sort updated)'], () =>
      client.callTool({ name: 'backlog_list', arguments: { sort: 'updated', limit: 20 } }),
    )
  }
  const firstSearch = performance.now()
  await client.callTool({ name: 'backlog_search', arguments: { query: 'payment webhook' } })
  const firstSearchMs = performance.now() - firstSearch
  for (let i = 0; i < ops; i++) {
    const query = ['payment webhook', 'login', 'migration timeout', 'dashbord', 'refactor the db module', 'onboard'][
      i % 6
    ]
    await timed(samples.search, () => client.callTool({ name: 'backlog_search', arguments: { query } }))
  }
  for (let i = 0; i < Math.min(ops, 100); i++) {
    await timed(samples.context, () =>
      client.callTool({ name: 'backlog_context', arguments: { id: ids[(i * 7919 + 10) % ids.length] } }),
    )
  }
  for (let i = 0; i < Math.min(ops, 50); i++) {
    await timed(samples['history (one item)'], () =>
      client.callTool({ name: 'backlog_history', arguments: { id: ids[(i * 7919) % ids.length], limit: 10 } }),
    )
  }
  // Undo takes back this client's own latest changes, one after another (the notes added above).
  for (let i = 0; i < Math.min(ops, 50); i++) {
    await timed(samples.undo, () => client.callTool({ name: 'backlog_undo', arguments: {} }))
  }
  const memory = rssOf(transport.pid)
  await client.close()

  // A second start finds the parse cache the first one left in .git/backlog/.
  const { client: second, ms: restartInitializeMs } = await connectServer(bin, dir, { env })
  const secondList = performance.now()
  await second.callTool({ name: 'backlog_list', arguments: { limit: 20 } })
  const restartListMs = performance.now() - secondList
  await second.close()
  const commits = execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()
  const fsck = execFileSync('git', ['fsck', '--no-dangling'], { cwd: dir, encoding: 'utf8' }).trim()
  rmSync(dir, { recursive: true, force: true })
  return {
    count,
    buildMs,
    toolList,
    initializeMs,
    firstListMs,
    firstSearchMs,
    restartInitializeMs,
    restartListMs,
    samples,
    memory,
    commits,
    fsck,
  }
}

const results = []
for (const count of sizes.length ? sizes : [1000, 10000]) {
  process.stderr.write(`building and driving a backlog of ${count} items (${ops} operations each)...\n`)
  results.push(await benchmark(count))
}

const pad = (text, width) => String(text).padEnd(width)
const ms = (value) => `${value.toFixed(1)} ms`
console.log(
  `git-backlog ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}, ${ops} operations each\n`,
)
const kb = (value) => `${(value / 1024).toFixed(1)} KB`
const { toolList } = results[0] ?? { toolList: { total: 0, visible: 0 } }
console.log(
  `tools/list: ${kb(toolList.total)} in all (budget 24 KB), ${kb(toolList.visible)} model-visible without output schemas (budget 16 KB)\n`,
)
console.log(`${pad('items', 8)}${pad('operation', 22)}${pad('p50', 12)}${pad('p95', 12)}`)
for (const result of results) {
  console.log(`${pad(result.count, 8)}${pad('start → initialize', 22)}${pad(ms(result.initializeMs), 12)}`)
  console.log(`${pad(result.count, 8)}${pad('first list (cold)', 22)}${pad(ms(result.firstListMs), 12)}`)
  console.log(`${pad(result.count, 8)}${pad('first search (index)', 22)}${pad(ms(result.firstSearchMs), 12)}`)
  console.log(`${pad(result.count, 8)}${pad('restart → initialize', 22)}${pad(ms(result.restartInitializeMs), 12)}`)
  console.log(`${pad(result.count, 8)}${pad('restart → first list', 22)}${pad(ms(result.restartListMs), 12)}`)
  for (const [name, values] of Object.entries(result.samples)) {
    console.log(
      `${pad(result.count, 8)}${pad(name, 22)}${pad(ms(percentile(values, 50)), 12)}${pad(ms(percentile(values, 95)), 12)}`,
    )
  }
  console.log(
    `${pad(result.count, 8)}${pad('server memory', 22)}RSS ${result.memory.rss.toFixed(0)} MiB, peak ${result.memory.peak.toFixed(0)} MiB; ` +
      `${result.commits} commits, git fsck ${result.fsck === '' ? 'clean' : result.fsck}\n`,
  )
}

if (!args.includes('--no-startup')) {
  process.stderr.write('measuring start-up beside node -e 0...\n')
  console.log((await benchStartup({ reps: 7, bin, sizes, cli: true, mcp: true })).join('\n'))
}
