// Benchmark of the viewer's JSON API beside MCP: builds a backlog of N items (default 10,000) in one commit, starts the
// built `git backlog serve` and the built `git backlog mcp` (stdio, the SDK's client, as bench/run.mjs drives it) on
// it, and times, warm, the same list with the same filters both ways (GET /api/items?filter=… against backlog_list),
// then GET /api/board as the viewer asks for it (100 cards a column) and GET /api/activity, whose first entry is the
// commit that wrote every item (a bulk import). Prints p50/p95 per request and the bytes of each answer. The HTTP
// times are the client's (fetch from this process, the JSON parsed), as are the MCP ones (the SDK's callTool).
// Figures only: no budget is asserted here.
// Usage: npm run build && node bench/api.mjs [10000] [--rounds 100]

import { rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServe } from '../scripts/serve-child.mjs'
import { buildBacklog } from './backlog.mjs'
import { BENCH_ENV, connectServer, percentile } from './common.mjs'

const bin = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'bin', 'git-backlog.js')
const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const rounds = Number(option('--rounds', 100))
const count = Number(args.find((arg, index) => /^\d+$/.test(arg) && !args[index - 1]?.startsWith('--')) ?? 10_000)

/** The filters of bench/run.mjs's `list (expression)`, taken in turn. */
const FILTERS = [
  '+READY priority.above:low',
  'status:open +web due.before:eom',
  '(+ACTIVE or +OVERDUE) -BLOCKED',
  'assignee:claude +api',
]

/** Runs `request` `rounds` times after two warm-up calls; the times (ms) and the bytes of the largest answer. */
async function measure(request) {
  for (let i = 0; i < 2; i++) await request(i)
  const times = []
  let bytes = 0
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    bytes = Math.max(bytes, await request(i))
    times.push(performance.now() - started)
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), bytes }
}

async function main() {
  const building = performance.now()
  const { dir } = buildBacklog(count)
  console.log(`built a backlog of ${count} items in ${((performance.now() - building) / 1000).toFixed(1)} s: ${dir}`)
  const server = await startServe({ cwd: dir, env: BENCH_ENV })
  const { client, transport } = await connectServer(bin, dir, { stderr: 'ignore' })
  try {
    const get = async (path) => {
      const response = await fetch(`${server.url}${path}`)
      const text = await response.text()
      if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`)
      JSON.parse(text)
      return Buffer.byteLength(text)
    }
    const tool = async (name, args_) => {
      const result = await client.callTool({ name, arguments: args_ })
      if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
      return Buffer.byteLength(JSON.stringify(result))
    }
    // Both read everything once first, as a server that has been up a while has.
    await get('/api/items?limit=1')
    await tool('backlog_list', { limit: 1 })

    const rows = [
      [
        'GET /api/items?filter=… (limit 50)',
        await measure((i) => get(`/api/items?filter=${encodeURIComponent(FILTERS[i % 4])}`)),
      ],
      [
        'MCP backlog_list { filter } (limit 50)',
        await measure((i) => tool('backlog_list', { filter: FILTERS[i % 4] })),
      ],
      [
        'GET /api/items?filter=…&limit=500',
        await measure((i) => get(`/api/items?limit=500&filter=${encodeURIComponent(FILTERS[i % 4])}`)),
      ],
      [
        'MCP backlog_list { filter, limit: 500 }',
        await measure((i) => tool('backlog_list', { filter: FILTERS[i % 4], limit: 500 })),
      ],
      ['GET /api/board?limit=100', await measure(() => get('/api/board?limit=100'))],
      ['GET /api/board?filter=+web&limit=100', await measure(() => get('/api/board?filter=%2Bweb&limit=100'))],
      ['GET /api/activity?limit=20', await measure(() => get('/api/activity?limit=20'))],
      ['MCP backlog_history {}', await measure(() => tool('backlog_history', {}))],
      ['MCP backlog_history { limit: 20 }', await measure(() => tool('backlog_history', { limit: 20 }))],
    ]
    console.log(`\nthe viewer's API and MCP, ${count} items, ${rounds} requests each (warm), client-side times`)
    console.log(`${'request'.padEnd(42)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'answer'.padStart(12)}`)
    for (const [name, { p50, p95, bytes }] of rows) {
      const size = bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`
      console.log(
        `${name.padEnd(42)}${`${p50.toFixed(1)} ms`.padStart(10)}${`${p95.toFixed(1)} ms`.padStart(10)}${size.padStart(12)}`,
      )
    }
  } finally {
    await client.close()
    await transport.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
