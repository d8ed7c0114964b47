// What holds the memory of a server at N items: builds a backlog, then measures process.memoryUsage() (after a full
// GC) as each part is built in this process from the built modules: the read model, the search index, the
// selector's derived state (graph, flat arrays, scores), then an app's session (creates, searches, filtered lists,
// contexts, lists by `updated`, which reads history). Prints the V8 heap and external deltas of each part.
// Usage: npm run bench:memory  (or: node --expose-gc bench/memory.mjs 10000 [--rounds 60])

import { rmSync } from 'node:fs'
import { buildBacklog } from './backlog.mjs'

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc')
  process.exit(1)
}
const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 60
const count = Number(args.find((arg, index) => /^\d+$/.test(arg) && index !== roundsAt + 1) ?? 10000)

const { openStore } = await import('../dist/store/store.js')
const { createSearchIndex } = await import('../dist/search/search-index.js')
const { createSelector } = await import('../dist/query/select.js')
const { createApp } = await import('../dist/app/index.js')

const MiB = 1024 * 1024
function usage() {
  globalThis.gc()
  globalThis.gc()
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, heapTotal, external: external + arrayBuffers }
}
const rows = []
let last = usage()
const start = last
function mark(label) {
  const now = usage()
  rows.push({
    label,
    heap: now.heapUsed - last.heapUsed,
    external: now.external - last.external,
    rss: now.rss,
    heapTotal: now.heapTotal,
  })
  last = now
}

const { dir, ids } = buildBacklog(count)
mark('(bench: backlog built)')
const held = []
{
  const store = openStore({ cwd: dir, watch: true })
  await store.refresh()
  mark('read model (all items parsed)')
  const index = createSearchIndex()
  index.sync(store.all())
  mark('search index (MiniSearch)')
  const selector = createSelector({ now: () => new Date() })
  selector.select(store.all(), store.config(), { filter: '+READY', limit: 20 })
  selector.select(store.all(), store.config(), { sort: 'title', limit: 20 })
  mark('selector (graph, flat arrays, scores, keys)')
  held.push(store, index, selector)
}
const app = createApp({ cwd: dir, watch: true })
await app.list({ limit: 20 })
await app.search({ query: 'payment webhook' })
mark('app: store, index, selector of its own')
for (let i = 0; i < rounds; i++) {
  await app.create({ title: `Session item ${i}`, tags: ['bench'] })
  await app.update({ id: [ids[(i * 7919) % ids.length]], note: `round ${i}` })
  await app.search({ query: ['payment webhook', 'login', 'dashbord'][i % 3] })
  await app.list({ filter: ['+READY priority.above:low', 'status:open +web', 'login'][i % 3], limit: 20 })
}
mark(`app: ${rounds} rounds of create, update, search, list`)
for (let i = 0; i < rounds; i++) await app.context({ id: ids[(i * 7919 + 10) % ids.length] })
mark(`app: ${rounds} contexts (activity from the backlog log)`)
await app.list({ sort: 'updated', limit: 20 })
mark('app: a list by updated (history: updated times)')
for (let i = 0; i < Math.min(rounds, 20); i++) await app.history({ id: ids[(i * 7919) % ids.length], limit: 10 })
mark('app: histories of items (item history)')

const pad = (text, width) => String(text).padEnd(width)
const mb = (bytes) => `${(bytes / MiB).toFixed(1)} MiB`
console.log(`${count} items, node ${process.version}; deltas after a full GC\n`)
console.log(`${pad('part', 52)}${pad('V8 heap', 12)}${pad('external', 12)}${pad('RSS after', 12)}heap committed`)
for (const row of rows)
  console.log(
    `${pad(row.label, 52)}${pad(mb(row.heap), 12)}${pad(mb(row.external), 12)}${pad(mb(row.rss), 12)}${mb(row.heapTotal)}`,
  )
console.log(
  `${pad('in all', 52)}${pad(mb(last.heapUsed - start.heapUsed), 12)}${pad(mb(last.external - start.external), 12)}${mb(last.rss)}`,
)
app.close()
for (const part of held) part.close?.()
rmSync(dir, { recursive: true, force: true })
