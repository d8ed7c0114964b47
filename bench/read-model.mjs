// Benchmark of the read model as the backlog grows: drives the built `git-backlog mcp` over stdio at each size and
// prints the cold first list, a list and a search right after a write (p50/p95), and the server's RSS after a long
// session of creates, searches, filtered lists and contexts (and its peak). The ratio of the largest size to the
// smallest is what to read: a list after a write at 50,000 items should cost at most twice the same at 10,000.
// Usage: npm run bench:read-model  (or: node bench/read-model.mjs 10000 50000 --rounds 60 [--bin path/to/git-backlog.js])

import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildBacklog } from './backlog.mjs'
import { connectServer, percentile, rssOf, timed } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const rounds = Number(option('--rounds', 60))
// Another build of the executable, to compare two in one run (a copy of dist/bin made before a change).
const bin = option('--bin', join(root, 'dist', 'bin', 'git-backlog.js'))
const sizes = args.filter((arg, index) => /^\d+$/.test(arg) && !args[index - 1]?.startsWith('--')).map(Number)

async function call(client, name, arguments_) {
  const result = await client.callTool({ name, arguments: arguments_ })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
  return result
}

async function benchmark(count) {
  const { dir, ids } = buildBacklog(count)
  const { client, transport } = await connectServer(bin, dir, { name: 'bench-read-model' })
  const cold = performance.now()
  await call(client, 'backlog_list', { limit: 20 })
  const coldListMs = performance.now() - cold
  const coldSearch = performance.now()
  await call(client, 'backlog_search', { query: 'payment webhook' })
  const coldSearchMs = performance.now() - coldSearch
  // Each read after a write is asked again at once: the difference is what the write cost the read.
  const samples = {
    'list after a write': [],
    'list again': [],
    'filtered list after a write': [],
    'search after a write': [],
    'search again': [],
    create: [],
    context: [],
  }
  const filters = ['+READY priority.above:low', 'status:open +web', '(+ACTIVE or +OVERDUE) -BLOCKED', 'login']
  const queries = ['payment webhook', 'login', 'migration timeout', 'dashbord', 'refactor the db module', 'onboard']
  for (let i = 0; i < rounds; i++) {
    await timed(samples.create, () =>
      call(client, 'backlog_create', {
        title: `Session item ${i}`,
        tags: ['bench'],
        ...(i % 3 === 0 ? { depends_on: [ids[(i * 7919) % ids.length]] } : {}),
      }),
    )
    await timed(samples['list after a write'], () => call(client, 'backlog_list', {}))
    await timed(samples['list again'], () => call(client, 'backlog_list', {}))
    await call(client, 'backlog_update', { id: ids[(i * 104729 + 3) % ids.length], note: `round ${i}` })
    await timed(samples['search after a write'], () =>
      call(client, 'backlog_search', { query: queries[i % queries.length] }),
    )
    await timed(samples['search again'], () => call(client, 'backlog_search', { query: queries[i % queries.length] }))
    await call(client, 'backlog_update', { id: ids[(i * 7919 + 5) % ids.length], status: 'in_progress' })
    await timed(samples['filtered list after a write'], () =>
      call(client, 'backlog_list', { filter: filters[i % filters.length], limit: 20 }),
    )
    await timed(samples.context, () => call(client, 'backlog_context', { id: ids[(i * 7919 + 10) % ids.length] }))
  }
  const memory = rssOf(transport.pid)
  await client.close()
  rmSync(dir, { recursive: true, force: true })
  return { count, coldListMs, coldSearchMs, samples, memory }
}

const results = []
for (const count of sizes.length ? sizes : [10000, 50000]) {
  process.stderr.write(`building a backlog of ${count} items and driving ${rounds} rounds...\n`)
  results.push(await benchmark(count))
}

const pad = (text, width) => String(text).padEnd(width)
const ms = (value) => `${value.toFixed(1)} ms`
console.log(
  `git-backlog ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}, ${rounds} rounds\n`,
)
console.log(`${pad('items', 8)}${pad('operation', 30)}${pad('p50', 12)}${pad('p95', 12)}`)
for (const result of results) {
  console.log(`${pad(result.count, 8)}${pad('first list (cold)', 30)}${pad(ms(result.coldListMs), 12)}`)
  console.log(`${pad(result.count, 8)}${pad('first search (index)', 30)}${pad(ms(result.coldSearchMs), 12)}`)
  for (const [name, values] of Object.entries(result.samples)) {
    console.log(
      `${pad(result.count, 8)}${pad(name, 30)}${pad(ms(percentile(values, 50)), 12)}${pad(ms(percentile(values, 95)), 12)}`,
    )
  }
  console.log(
    `${pad(result.count, 8)}${pad('server memory after session', 30)}RSS ${result.memory.rss.toFixed(0)} MiB, peak ${result.memory.peak.toFixed(0)} MiB\n`,
  )
}
if (results.length > 1) {
  const [small, large] = [results[0], results[results.length - 1]]
  for (const name of Object.keys(small.samples)) {
    const ratio = percentile(large.samples[name], 50) / percentile(small.samples[name], 50)
    console.log(`${name}: p50 at ${large.count} / p50 at ${small.count} = ${ratio.toFixed(2)}×`)
  }
}
