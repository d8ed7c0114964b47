// Benchmark of the merge driver. Per file: `mergeItemTexts` in process for four typical changes made on both sides,
// and one driver process as git runs it (node start + bundle load + merge). Per merge: a backlog of 1,000 + 4,000
// items in a temp repository (made with `git fast-import`), two branches that changed the same 1,000 items in ways a
// line merge cannot settle, and `git merge` timed end to end with the driver and with git's own text merge.
// Usage: node bench/merge.mjs [touched] [untouched] [--runs N]   (dist/ must be built: npm run build)

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseItemFile, serializeItem } from '../dist/core/codec.js'
import { DEFAULT_CONFIG } from '../dist/core/config.js'
import { blankItem } from '../dist/core/item.js'
import { ATTRIBUTES_TEXT, itemPath } from '../dist/core/layout.js'
import { mergeItemTexts } from '../dist/core/merge.js'
import { driverCommand } from '../dist/merge/install.js'
import { resolveConflicts } from '../dist/merge/resolve.js'
import { discoverRepo } from '../dist/store/repo.js'
import { percentile } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const bin = join(root, 'dist', 'bin', 'git-backlog.js')
const args = process.argv.slice(2)
const runsIndex = args.indexOf('--runs')
const mergeRuns = runsIndex >= 0 ? Number(args[runsIndex + 1]) : 1
const [touched = 1000, untouched = 4000] = args
  .filter((arg, index) => /^\d+$/.test(arg) && args[index - 1] !== '--runs')
  .map(Number)
const IN_PROCESS_RUNS = 2000
const IN_PROCESS_WARMUP = 200
const PROCESS_RUNS = 30
// Neither the user's git config (a global merge driver, rerere) nor GIT_* variables of a calling hook reach the repos.
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
}
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
const TAGS = ['auth', 'web', 'api', 'db', 'docs', 'ops', 'ui', 'perf']
const config = readFileSync(join(root, 'templates', 'config.yml'), 'utf8')

const idOf = (i) => `bl-${i.toString(32).padStart(6, '0')}${ALPHABET[i % 32]}`

/** A typical item: a few fields set, two tags, two notes and a short body with a checklist. */
function typicalItem(i) {
  const item = blankItem(idOf(i), `Task ${i}: fix the ${TAGS[i % 8]} module`)
  item.status = 'open'
  item.priority = 'medium'
  item.assignee = ['ann', 'bob', 'claude', 'codex'][i % 4]
  item.tags = [TAGS[i % 8], TAGS[(i + 3) % 8]]
  item.created = '2026-01-01T00:00:00Z'
  item.notes = [
    { at: '2026-01-02T09:00:00Z', by: 'ann', text: `Seen in production for item ${i}.` },
    { at: '2026-01-03T10:30:00Z', by: 'claude', text: 'Reproduced locally; the cache key misses the tenant.' },
  ]
  item.description = [
    `Why: the ${TAGS[i % 8]} module drops requests under load (item ${i}).`,
    '',
    '## Steps',
    '',
    '- [ ] reproduce with the load test',
    '- [ ] fix the cache key',
    '- [ ] add a regression test',
    '',
    'Links: see the incident notes.',
    '',
  ].join('\n')
  return item
}

/** One side's change: a copy of the item, changed by `edit`, serialized as git-backlog writes it. */
function changed(item, edit) {
  const copy = structuredClone(item)
  edit(copy)
  return serializeItem(copy)
}

const note = (text, at) => (item) => {
  item.notes.push({ at, by: 'agent', text })
}

/** The four per-file cases: [name, ours edit, theirs edit]. Both sides change the file, so the driver must merge. */
const CASES = [
  [
    'different fields (status / priority)',
    (item) => {
      item.status = 'in_progress'
      item.started = '2026-02-01T08:00:00Z'
    },
    (item) => {
      item.priority = 'urgent'
    },
  ],
  [
    'same field (priority, settled by rule)',
    (item) => {
      item.priority = 'urgent'
    },
    (item) => {
      item.priority = 'low'
    },
  ],
  [
    'tags added on both sides',
    (item) => {
      item.tags.push('regression')
    },
    (item) => {
      item.tags.push('customer')
    },
  ],
  [
    'body edit / status change',
    (item) => {
      item.description = item.description.replace('- [ ] reproduce', '- [x] reproduce')
    },
    (item) => {
      item.status = 'done'
      item.closed = '2026-02-02T17:00:00Z'
    },
  ],
]

const ms = (value) => `${value.toFixed(1)} ms`
const us = (value) => `${(value * 1000).toFixed(0)} µs`
const pad = (text, width) => String(text).padEnd(width)
console.log(
  `git-backlog ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}, node ${process.version}, ` +
    `${execFileSync('git', ['--version'], { encoding: 'utf8' }).trim()}\n`,
)

// 1. Per file, in process.
const item = typicalItem(7)
const base = serializeItem(item)
const options = { mode: 'resolve', config: DEFAULT_CONFIG, now: '2026-02-03T00:00:00Z', path: itemPath(item.id) }
const texts = CASES.map(([name, ours, theirs]) => ({ name, ours: changed(item, ours), theirs: changed(item, theirs) }))
console.log(
  `Per file: mergeItemTexts in process (first: the first call of the case, cold for the first case only, as in a driver process; ` +
    `p50/p95 of ${IN_PROCESS_RUNS} runs each after ${IN_PROCESS_WARMUP} warm-up)`,
)
console.log(`${pad('case', 42)}${pad('first', 10)}${pad('p50', 10)}${pad('p95', 10)}conflicts settled`)
for (const { name, ours, theirs } of texts) {
  const samples = []
  let result
  let first = 0
  for (let run = 0; run < IN_PROCESS_WARMUP + IN_PROCESS_RUNS; run++) {
    const start = performance.now()
    result = mergeItemTexts(base, ours, theirs, options)
    if (run === 0) first = performance.now() - start
    if (run >= IN_PROCESS_WARMUP) samples.push(performance.now() - start)
  }
  if (result.text === ours || result.text === theirs) throw new Error(`${name}: the merge took one side whole`)
  const settled = result.conflicts.map((conflict) => conflict.field).join(', ') || '-'
  console.log(
    `${pad(name, 42)}${pad(us(first), 10)}${pad(us(percentile(samples, 50)), 10)}${pad(us(percentile(samples, 95)), 10)}${settled}`,
  )
}

// 1b. Per file, one process as git runs it: in the worktree root, on three temp files, with %L and %P.
const small = mkdtempSync(join(tmpdir(), 'git-backlog-merge-bench-file-'))
execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: small, env })
mkdirSync(join(small, '.backlog'))
writeFileSync(join(small, '.backlog', 'config.yml'), config)
/** Times `PROCESS_RUNS` spawns of `argv` in the small repo; `before` runs untimed before each (rewrites %A). */
function timeProcess(argv, before = () => {}, check = () => {}) {
  const samples = []
  for (let run = 0; run < PROCESS_RUNS; run++) {
    before()
    const start = performance.now()
    const result = spawnSync(process.execPath, argv, { cwd: small, env, encoding: 'utf8' })
    samples.push(performance.now() - start)
    check(result)
  }
  return samples
}
const processRows = [
  ['node -e 0 (node start alone)', timeProcess(['-e', '0'])],
  ['git-backlog --version (start + bundle)', timeProcess([bin, '--version'])],
]
const [oFile, aFile, bFile] = ['.merge_file_O', '.merge_file_A', '.merge_file_B'].map((name) => join(small, name))
writeFileSync(oFile, base)
/** Times one driver command on a case: %A rewritten before each run, the merged %A checked after. */
function timeDriver({ name, ours, theirs }, argv) {
  writeFileSync(bFile, theirs)
  return timeProcess(
    [...argv, oFile, aFile, bFile, '7', itemPath(item.id)],
    () => writeFileSync(aFile, ours),
    (result) => {
      const merged = readFileSync(aFile, 'utf8')
      if (result.status !== 0 || merged === ours)
        throw new Error(`driver on ${name}: exit ${result.status}\n${result.stderr}`)
      parseItemFile(merged)
    },
  )
}
for (const merge of texts) processRows.push([`driver: ${merge.name}`, timeDriver(merge, [bin, 'merge-driver'])])
// For comparison, not what git runs: the same driver from the tsc output, without the CLI bundle around it.
const lean = `const { readConfigAt, runMergeDriver } = await import(${JSON.stringify(new URL('../dist/merge/driver.js', import.meta.url).href)})
const [base, ours, theirs, size, path] = process.argv.slice(1)
const files = { base, ours, theirs, markerSize: Number(size), path }
process.exitCode = runMergeDriver(files, { config: readConfigAt(process.cwd()), now: new Date() }).exitCode`
processRows.push([
  'driver, unbundled (dist/merge/driver.js), 1st case',
  timeDriver(texts[0], ['--input-type=module', '-e', lean]),
])
rmSync(small, { recursive: true, force: true })
console.log(`\nPer file: one process (${PROCESS_RUNS} runs each)`)
console.log(`${pad('process', 52)}${pad('p50', 10)}p95`)
for (const [name, samples] of processRows) {
  console.log(`${pad(name, 52)}${pad(ms(percentile(samples, 50)), 10)}${ms(percentile(samples, 95))}`)
}

// 2. A merge touching `touched` items of a backlog of `touched + untouched`.
/** What each side does to touched item number k: four kinds in turn, each a conflict for a line merge. */
const KINDS = [
  ['both changed priority', (it) => (it.priority = 'urgent'), (it) => (it.priority = 'low')],
  ['both added a tag', (it) => it.tags.push('ours-tag'), (it) => it.tags.push('theirs-tag')],
  ['status here, priority there', (it) => (it.status = 'in_progress'), (it) => (it.priority = 'high')],
  [
    'both added a note',
    note('ours: found the cause', '2026-02-05T10:00:00Z'),
    note('theirs: customer confirms', '2026-02-05T11:00:00Z'),
  ],
]
/** True when a merged item carries both sides' changes of its kind. */
const MERGED_RIGHT = [
  (it) => it.priority === 'urgent' && it.notes.some((n) => n.text === 'merge: priority was low on the other side'),
  (it) => it.tags.includes('ours-tag') && it.tags.includes('theirs-tag'),
  (it) => it.status === 'in_progress' && it.priority === 'high',
  (it) => it.notes.some((n) => n.text.startsWith('ours:')) && it.notes.some((n) => n.text.startsWith('theirs:')),
]

const total = touched + untouched
const dir = mkdtempSync(join(tmpdir(), 'git-backlog-merge-bench-'))
const git = (...argv) => execFileSync('git', argv, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 })
const built = performance.now()
{
  const chunks = []
  let mark = 0
  let time = 1_780_000_000
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`
  const commit = (branch, from, message, files) => {
    time += 60
    chunks.push(`commit refs/heads/${branch}\nmark :${++mark}\n`)
    chunks.push(`committer Bench <bench@example.com> ${time} +0000\n${data(message)}`)
    if (from) chunks.push(`from ${from}\n`)
    for (const [path, text] of files) chunks.push(`M 100644 inline ${path}\n${data(text)}`)
    return `:${mark}`
  }
  const items = Array.from({ length: total }, (_, i) => typicalItem(i))
  // Touched items are spread over the whole backlog (every bucket), as real edits are.
  const step = total / touched
  const touchedItems = Array.from({ length: touched }, (_, k) => items[Math.floor(k * step)])
  const start = commit('main', undefined, `bench: ${total} items\n`, [
    ['.backlog/config.yml', config],
    ['.backlog/.gitattributes', ATTRIBUTES_TEXT],
    ...items.map((it) => [itemPath(it.id), serializeItem(it)]),
  ])
  const side = (branch, which) =>
    commit(
      branch,
      start,
      `${branch}: change ${touched} items\n`,
      touchedItems.map((it, k) => [itemPath(it.id), changed(it, KINDS[k % KINDS.length][which])]),
    )
  side('theirs', 2)
  side('main', 1)
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir, env })
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: chunks.join(''), maxBuffer: 1 << 30 })
  git('reset', '-q', '--hard', 'main')
  // What `init` writes into each clone's config: this node and this package's bin by absolute path.
  git('config', 'merge.backlog.name', 'git-backlog: merges task files field by field')
  git('config', 'merge.backlog.driver', driverCommand())
}
const oursCommit = git('rev-parse', 'HEAD').trim()
process.stderr.write(`built ${total} items on two branches in ${((performance.now() - built) / 1000).toFixed(1)} s\n`)

/**
 * `git merge theirs` from a clean checkout of ours: the time, the exit code and the files left conflicted. `inProcess`
 * merges as `git backlog sync` does: the driver set to `false` leaves task files unmerged, one process merges them all
 * from the index stages, then the merge is committed.
 */
function timeMerge(inProcess = false) {
  git('reset', '-q', '--hard', oursCommit)
  const start = performance.now()
  let result
  if (inProcess) {
    const args = ['-c', 'merge.backlog.driver=false', 'merge', '--no-edit', '--no-commit', '-q', 'theirs']
    result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' })
    const files = resolveConflicts(discoverRepo(dir), { config: DEFAULT_CONFIG, now: new Date() })
    if (files.every((file) => file.outcome === 'merged'))
      result = spawnSync('git', ['commit', '--no-edit', '-q'], { cwd: dir, env, encoding: 'utf8' })
  } else {
    result = spawnSync('git', ['merge', '--no-edit', '-q', 'theirs'], { cwd: dir, env, encoding: 'utf8' })
  }
  const elapsed = performance.now() - start
  const conflicted = git('diff', '--name-only', '--diff-filter=U').split('\n').filter(Boolean)
  return { elapsed, status: result.status, conflicted, stderr: result.stderr }
}

const rows = []
for (const [name, attributes, inProcess] of [
  ['git backlog sync (in process)', '', true],
  ['merge driver (merge=backlog)', '', false],
  ['git text merge (merge=text)', '*.md merge=text\n', false],
]) {
  writeFileSync(join(dir, '.git', 'info', 'attributes'), attributes)
  const runs = []
  for (let run = 0; run < mergeRuns; run++) runs.push(timeMerge(inProcess))
  const last = runs[runs.length - 1]
  let check = ''
  if (last.status === 0) {
    const parents = git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length - 1
    const paths = git('diff', '--name-only', `${oursCommit}`, 'HEAD').split('\n').filter(Boolean)
    const step = total / touched
    let right = 0
    for (let k = 0; k < touched; k++) {
      const it = parseItemFile(readFileSync(join(dir, itemPath(idOf(Math.floor(k * step)))), 'utf8'))
      if (MERGED_RIGHT[k % KINDS.length](it)) right++
    }
    check = `merge commit with ${parents} parents, ${paths.length} files changed, ${right}/${touched} items carry both sides`
  } else {
    check = `exit ${last.status}, merge left in progress`
  }
  if (last.status !== 0) git('merge', '--abort')
  rows.push({ name, runs, last, check })
}
const fsck = git('fsck', '--no-dangling').trim()
rmSync(dir, { recursive: true, force: true })

console.log(
  `\nA merge touching ${touched} items (backlog of ${total}; kinds in turn: ${KINDS.map(([kind]) => kind).join(', ')})`,
)
console.log(`${pad('git merge', 32)}${pad('time', 12)}${pad('per file', 12)}${pad('conflicted', 12)}result`)
for (const { name, runs, last, check } of rows) {
  const elapsed = percentile(
    runs.map((run) => run.elapsed),
    50,
  )
  const time = `${(elapsed / 1000).toFixed(2)} s`
  console.log(
    `${pad(name, 32)}${pad(time, 12)}${pad(ms(elapsed / touched), 12)}${pad(last.conflicted.length, 12)}${check}`,
  )
}
if (mergeRuns > 1) console.log(`(median of ${mergeRuns} runs each)`)
console.log(`git fsck ${fsck === '' ? 'clean' : fsck}`)
