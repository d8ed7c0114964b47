// Benchmark of one item's history on a repository whose code moved on: a backlog of 100 items, one item changed three
// times, then 20,000 commits of code (files outside .backlog/), built with `git fast-import`. Times the built CLI's
// `show`, `log <id>` and `undo --id` against `git log -- <item path>` on the same repository, and checks that `log`
// still finds the item's create, 20,000 commits back (docs/adr/0016-one-git-reader.md).
// Usage: npm run build && node bench/code-history.mjs [code commits] [runs]
//        BASELINE=/other/checkout/dist/bin/git-backlog.js node bench/code-history.mjs   (also times another build)

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serializeItem } from '../dist/core/codec.js'
import { blankItem } from '../dist/core/item.js'
import { itemPath } from '../dist/core/layout.js'
import { BENCH_ENV } from './common.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const [codeCommits = 20_000, runs = 5] = process.argv.slice(2).map(Number)
const env = { ...BENCH_ENV, NO_COLOR: '1' }
const ITEMS = 100
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

function stream() {
  const ids = Array.from({ length: ITEMS }, (_, i) => `bl-${i.toString(32).padStart(4, '0')}${ALPHABET[i % 32]}`)
  const items = ids.map((id, i) => {
    const item = blankItem(id, `Item ${i} of the code-history bench`)
    item.created = '2026-01-01T00:00:00Z'
    return item
  })
  const chunks = []
  let mark = 0
  let time = 1_780_000_000
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`
  const commit = (message, files) => {
    time += 30
    chunks.push(`commit refs/heads/main\nmark :${++mark}\nauthor Bench <bench@example.com> ${time} +0000\n`)
    chunks.push(`committer Bench <bench@example.com> ${time} +0000\n${data(message)}`)
    if (mark > 1) chunks.push(`from :${mark - 1}\n`)
    for (const [path, text] of files) chunks.push(`M 100644 inline ${path}\n${data(text)}`)
  }
  commit('init backlog\n\nBacklog-Op: init\n', [
    ['.backlog/config.yml', readFileSync(join(root, 'templates', 'config.yml'), 'utf8')],
  ])
  for (const item of items) {
    commit(`add ${item.id}: ${item.title}\n\nBacklog-Op: create\nBacklog-Id: ${item.id}\n`, [
      [itemPath(item.id), serializeItem(item)],
    ])
  }
  const target = items[7]
  for (const [n, priority] of ['high', 'low', 'high'].entries()) {
    target.priority = priority
    commit(
      `update ${target.id}: ${target.title}\n\nBacklog-Op: update\nBacklog-Id: ${target.id}\nBacklog-Agent: bench-${n}\n`,
      [[itemPath(target.id), serializeItem(target)]],
    )
  }
  for (let i = 0; i < codeCommits; i++) {
    commit(`code ${i}\n`, [[`src/m${i % 40}/f${i % 400}.ts`, `export const value = ${i}\n`]])
  }
  return { text: chunks.join(''), id: target.id }
}

const dir = mkdtempSync(join(tmpdir(), 'git-backlog-code-history-'))
const git = (...argv) => execFileSync('git', argv, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 })
git('init', '-q', '-b', 'main')
const started = performance.now()
const { text, id } = stream()
execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: text, maxBuffer: 1 << 30 })
git('reset', '-q', '--hard', 'main')
const path = itemPath(id)
process.stderr.write(
  `built ${ITEMS} items and ${codeCommits} code commits in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
)

function timed(fn) {
  const start = performance.now()
  const out = fn()
  return { ms: performance.now() - start, out }
}
function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
const cli = (bin, ...argv) => execFileSync(process.execPath, [bin, ...argv], { cwd: dir, env, encoding: 'utf8' })
const tip = git('rev-parse', 'HEAD').trim()
/** Each run starts cold: no dates kept from the last one, and the undo taken back. */
function fresh() {
  git('reset', '-q', '--hard', tip)
  rmSync(join(dir, '.git', 'backlog'), { recursive: true, force: true })
}

function measure(bin) {
  const rows = { 'git log -- <path>': [], show: [], 'log <id>': [], 'undo --id': [] }
  let found
  const failures = new Set()
  for (let run = 0; run < runs; run++) {
    fresh()
    rows['git log -- <path>'].push(timed(() => git('log', '--format=%H %s', '--', path)).ms)
    rows.show.push(timed(() => cli(bin, 'show', id)).ms)
    const log = timed(() => cli(bin, 'log', id))
    rows['log <id>'].push(log.ms)
    found = log.out
    // The build before this one gave up on undo --id after 20,000 commits: its failure is reported, not timed.
    try {
      rows['undo --id'].push(timed(() => cli(bin, 'undo', '--id', id)).ms)
    } catch (error) {
      rows['undo --id'].push(Number.NaN)
      failures.add(`undo --id: ${String(error.stderr ?? error.message).trim()}`)
    }
  }
  return { rows, found, failures }
}

const ours = measure(join(root, 'dist', 'bin', 'git-backlog.js'))
const baseline = process.env.BASELINE ? measure(process.env.BASELINE) : undefined
fresh()
if (process.env.KEEP) process.stderr.write(`kept ${dir}\n`)
else rmSync(dir, { recursive: true, force: true })

const gitMs = median(ours.rows['git log -- <path>'])
console.log(`${ITEMS} items, ${codeCommits} code commits after the item's last change; median of ${runs} cold runs\n`)
console.log(
  `${'what'.padEnd(22)}${'ours ms'.padStart(10)}${'× git log'.padStart(11)}${baseline ? 'baseline ms'.padStart(14) : ''}`,
)
for (const [name, samples] of Object.entries(ours.rows)) {
  const ms = median(samples)
  const base = baseline ? median(baseline.rows[name]).toFixed(0).padStart(14) : ''
  console.log(`${name.padEnd(22)}${ms.toFixed(0).padStart(10)}${(ms / gitMs).toFixed(1).padStart(11)}${base}`)
}
for (const [who, result] of [
  ['ours', ours],
  ['baseline', baseline],
]) {
  for (const failure of result?.failures ?? []) console.log(`${who} failed: ${failure}`)
}
const creates = (out) => (out.match(new RegExp(`add ${id}`, 'g')) ?? []).length
console.log(`\nlog <id> finds the item's create ${codeCommits} commits back: ${creates(ours.found) > 0 ? 'yes' : 'NO'}`)
if (baseline) console.log(`baseline finds it: ${creates(baseline.found) > 0 ? 'yes' : 'NO'}`)
