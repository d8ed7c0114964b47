// Benchmark of history and undo on a long history: a backlog of 10,000 items with 5,000 commits after it (made with
// `git fast-import`, as tool calls by three agents and hand edits), driven over stdio with the MCP SDK client.
// Usage: npm run build && node bench/history.mjs [items] [commits]

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { serializeItem } from '../dist/core/codec.js'
import { blankItem } from '../dist/core/item.js'
import { itemPath } from '../dist/core/layout.js'
import { BENCH_ENV, percentile } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const [items = 10_000, commits = 5_000] = process.argv.slice(2).map(Number)
const env = BENCH_ENV
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
const STATUSES = ['open', 'in_progress', 'blocked', 'done']

/** The fast-import stream of the whole history, and the ids. */
function history() {
  const ids = Array.from({ length: items }, (_, i) => `bl-${i.toString(32).padStart(6, '0')}${ALPHABET[i % 32]}`)
  const state = ids.map((id, i) => {
    const item = blankItem(id, `Item ${i} of the history bench`)
    item.created = '2026-01-01T00:00:00Z'
    item.description = `Why item ${i} matters.\n`
    return item
  })
  const chunks = []
  let mark = 0
  let time = 1_780_000_000
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`
  const commit = (message, files, author = 'Bench') => {
    time += 30
    chunks.push(`commit refs/heads/main\nmark :${++mark}\nauthor ${author} <bench@example.com> ${time} +0000\n`)
    chunks.push(`committer ${author} <bench@example.com> ${time} +0000\n${data(message)}`)
    if (mark > 1) chunks.push(`from :${mark - 1}\n`)
    for (const [path, text] of files) chunks.push(`M 100644 inline ${path}\n${data(text)}`)
  }
  const config = readFileSync(join(root, 'templates', 'config.yml'), 'utf8')
  commit('init backlog\n\nBacklog-Op: init\n', [['.backlog/config.yml', config]])
  commit(
    `add ${items} items\n\nBacklog-Op: create\n`,
    state.map((item) => [itemPath(item.id), serializeItem(item)]),
  )
  for (let i = 2; i < commits; i++) {
    const item = state[(i * 7919) % items]
    const change = i % 3
    if (change === 0) item.status = STATUSES[(STATUSES.indexOf(item.status) + 1) % STATUSES.length]
    else if (change === 1) item.priority = item.priority === 'high' ? 'low' : 'high'
    else item.notes = [...item.notes, { at: '2026-01-02T00:00:00Z', by: `agent-${i % 3}`, text: `note ${i}` }]
    const file = [[itemPath(item.id), serializeItem(item)]]
    if (i % 25 === 0) commit(`hand edit ${i}\n`, file, 'Person')
    else {
      commit(
        `update ${item.id}: ${item.title}\n\nBacklog-Op: update\nBacklog-Id: ${item.id}\nBacklog-Agent: agent-${i % 3}\n`,
        file,
      )
    }
  }
  return { stream: chunks.join(''), ids }
}

const dir = mkdtempSync(join(tmpdir(), 'git-backlog-history-bench-'))
const git = (...argv) => execFileSync('git', argv, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] })
git('init', '-q', '-b', 'main')
const built = performance.now()
const { stream, ids } = history()
execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: stream, maxBuffer: 1 << 30 })
git('reset', '-q', '--hard', 'main')
process.stderr.write(
  `built ${items} items and ${commits} commits in ${((performance.now() - built) / 1000).toFixed(1)} s\n`,
)

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [join(root, 'dist', 'bin', 'git-backlog.js'), 'mcp'],
  cwd: dir,
  env,
  stderr: 'inherit',
})
let client = new Client({ name: 'bench', version: '1.0.0' })
await client.connect(transport)
const call = async (name, args) => {
  const start = performance.now()
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
  return performance.now() - start
}
/** A new server process on the same repository, as the next session would start it. */
async function restart() {
  await client.close()
  client = new Client({ name: 'bench', version: '1.0.0' })
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(root, 'dist', 'bin', 'git-backlog.js'), 'mcp'],
      cwd: dir,
      env,
      stderr: 'inherit',
    }),
  )
}

const rows = []
rows.push(['history, whole backlog, first page (cold)', await call('backlog_history', { limit: 20 })])
rows.push([
  'history, one item (cold: walks all commits)',
  await call('backlog_history', { id: ids[(7919 * 5) % items] }),
])
const item = []
for (let i = 0; i < 50; i++)
  item.push(await call('backlog_history', { id: ids[(i * 7919 * 3 + 6) % items], limit: 10 }))
rows.push(
  ['history, one item (warm) p50', percentile(item, 50)],
  ['history, one item (warm) p95', percentile(item, 95)],
)
const undo = []
for (let i = 0; i < 30; i++) undo.push(await call('backlog_undo', { agent: `agent-${i % 3}` }))
rows.push(['undo p50', percentile(undo, 50)], ['undo p95', percentile(undo, 95)])

// Lists by last change: each write moves HEAD, and the next list walks only the commits made since.
const recent = []
for (let i = 0; i < 30; i++) {
  await call('backlog_update', { id: ids[(i * 104729) % items], note: `touched ${i}` })
  recent.push(await call('backlog_list', { sort: 'updated', limit: 20 }))
}
rows.push(
  ['list sorted by updated, after a write, p50', percentile(recent, 50)],
  ['list sorted by updated, after a write, p95', percentile(recent, 95)],
)
await restart()
rows.push(['list sorted by updated, next process (dates kept)', await call('backlog_list', { sort: 'updated' })])
rmSync(join(dir, '.git', 'backlog', 'updated-cache.json'), { force: true })
await restart()
rows.push([
  'list sorted by updated, no dates kept (walks all commits)',
  await call('backlog_list', { sort: 'updated' }),
])
await client.close()
const fsck = execFileSync('git', ['fsck', '--no-dangling'], { cwd: dir, encoding: 'utf8' }).trim()
rmSync(dir, { recursive: true, force: true })

console.log(`${items} items, ${commits} commits\n`)
for (const [name, ms] of rows) console.log(`${name.padEnd(60)}${ms.toFixed(1)} ms`)
console.log(`git fsck ${fsck === '' ? 'clean' : fsck}`)
