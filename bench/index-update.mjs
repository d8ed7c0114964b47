// Times what every backlog commit does to .git/index: parse it, stage 1-3 `.backlog/` paths, serialize it.
// Indexes of 10,000 and 100,000 entries are built by git itself, as git's defaults leave them (v2 with a cache tree)
// and as feature.manyFiles does (v4 with a cache tree and an untracked cache); each run parses the same bytes and
// applies one typical change. p50/p95 are of the runs after WARMUP, once the JIT has optimized the code (a long-running
// MCP server); the first run is shown apart (a CLI process, which commits once). Run `npm run build` first.
// Usage: node bench/index-update.mjs [path/to/git-index.js]   (defaults to dist/store/git/index-file.js)

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const modulePath = resolve(process.argv[2] ?? new URL('../dist/store/git/index-file.js', import.meta.url).pathname)
const { entryFromStats, parseIndex, serializeIndex, updateIndexEntries } = await import(pathToFileURL(modulePath).href)

const SIZES = [10_000, 100_000]
const PROFILES = [
  { name: 'v2, cache tree', version: 2, untrackedCache: false },
  { name: 'v4, cache tree, untracked cache', version: 4, untrackedCache: true },
]
const WARMUP = 30
const RUNS = 50
const BACKLOG_TASKS = 200

const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

function git(repo, args, input) {
  return execFileSync('git', args, { cwd: repo, env, input, maxBuffer: 1 << 30 }).toString('utf8')
}

/** Paths shaped like a real tree: about 20 files per folder under two levels of folders, plus a backlog. */
function syntheticPaths(count) {
  const paths = []
  for (let i = 0; paths.length < count - BACKLOG_TASKS; i++) {
    const folder = Math.floor(i / 20)
    paths.push(`packages/pkg${folder % 50}/src/mod${Math.floor(folder / 50)}/file${i}.ts`)
  }
  for (let i = 0; i < BACKLOG_TASKS; i++) paths.push(`.backlog/tasks/task-${String(i).padStart(4, '0')}.md`)
  return paths
}

function buildIndex(count, { version, untrackedCache }) {
  const repo = mkdtempSync(join(tmpdir(), 'bench-index-'))
  try {
    git(repo, ['init', '-q'])
    const blob = git(repo, ['hash-object', '-w', '--stdin'], 'content\n').trim()
    const paths = syntheticPaths(count)
    git(repo, ['update-index', '--index-info'], paths.map((path) => `100644 ${blob}\t${path}\n`).join(''))
    git(repo, ['write-tree'])
    git(repo, ['update-index', '--index-version', String(version)])
    if (untrackedCache) {
      // The cache holds the folders git status reads, so they have to exist; the files need not.
      for (const path of paths) mkdirSync(join(repo, path, '..'), { recursive: true })
      git(repo, ['config', 'core.untrackedCache', 'true'])
      git(repo, ['status', '--porcelain'])
    }
    return readFileSync(join(repo, '.git', 'index'))
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}

/** One commit's worth of changes, varied per run: edit a task, add one, and sometimes delete one. */
function changesFor(run, oid, stats) {
  const task = (i) => `.backlog/tasks/task-${String(i).padStart(4, '0')}.md`
  const edited = task(run % BACKLOG_TASKS)
  const changes = [
    { path: edited, entry: entryFromStats(edited, oid, 0o100644, stats) },
    { path: task(BACKLOG_TASKS + run), entry: entryFromStats(task(BACKLOG_TASKS + run), oid, 0o100644, stats) },
  ]
  if (run % 2 === 1) changes.push({ path: task((run * 7 + 3) % BACKLOG_TASKS), entry: null })
  return changes
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]
}

function time(action) {
  const start = process.hrtime.bigint()
  const result = action()
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 }
}

function format(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return `p50 ${percentile(sorted, 0.5).toFixed(2).padStart(7)} ms  p95 ${percentile(sorted, 0.95).toFixed(2).padStart(7)} ms`
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-stat-'))
writeFileSync(join(scratch, 'stat-source'), 'x\n')
const stats = lstatSync(join(scratch, 'stat-source'), { bigint: true })
rmSync(scratch, { recursive: true, force: true })
const oid = createHash('sha1').update('blob 2\0x\n').digest('hex')
console.log(`module: ${modulePath}`)
for (const count of SIZES) {
  for (const profile of PROFILES) {
    const bytes = buildIndex(count, profile)
    const totals = []
    const parts = { parse: [], update: [], serialize: [] }
    let first = 0
    for (let run = 0; run < WARMUP + RUNS; run++) {
      const changes = changesFor(run, oid, stats)
      const parsed = time(() => parseIndex(bytes))
      const updated = time(() => updateIndexEntries(parsed.result, changes))
      const written = time(() => serializeIndex(updated.result))
      if (written.result.length < bytes.length / 2) throw new Error('the update lost entries')
      // A CLI process commits once, before the JIT has warmed up; the MCP server commits many times.
      if (run === 0) first = parsed.ms + updated.ms + written.ms
      if (run < WARMUP) continue
      parts.parse.push(parsed.ms)
      parts.update.push(updated.ms)
      parts.serialize.push(written.ms)
      totals.push(parsed.ms + updated.ms + written.ms)
    }
    const sha1 = time(() => createHash('sha1').update(bytes).digest()).ms
    const extensions = parseIndex(bytes)
      .extensions.map((extension) => extension.signature)
      .join(' ')
    const size = `${(bytes.length / 1e6).toFixed(1)} MB`
    console.log(`\n${count.toLocaleString('en')} entries, ${profile.name} (${extensions}), ${size}`)
    console.log(`  one SHA-1 of the file          ${sha1.toFixed(2).padStart(7)} ms`)
    console.log(`  first run, cold                ${first.toFixed(2).padStart(7)} ms`)
    console.log(`  parse+update+serialize  ${format(totals)}`)
    for (const [name, values] of Object.entries(parts)) console.log(`    ${name.padEnd(21)}${format(values)}`)
  }
}
