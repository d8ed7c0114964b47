// Benchmark of the web viewer on a large backlog: builds a backlog of N items (default 10,000) in one commit, starts
// the built `git backlog serve` on it, opens the board and the list in Debian's headless Chromium and prints, per
// page, the time from navigation to the first card (or row) in the DOM, to the page's load event, and how many cards
// or rows it rendered; then the same once warm (a second visit). Figures only: no budget is asserted here.
// Usage: npm run bench:viewer  (or: node bench/viewer.mjs 10000 [--rounds 3])

import { rmSync } from 'node:fs'
import { chromium } from 'playwright-core'
import chromiumSettings from '../scripts/chromium.json' with { type: 'json' }
import { startServe } from '../scripts/serve-child.mjs'
import { buildBacklog } from './backlog.mjs'
import { BENCH_ENV, percentile } from './common.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const rounds = Number(option('--rounds', 3))
const count = Number(args.find((arg, index) => /^\d+$/.test(arg) && !args[index - 1]?.startsWith('--')) ?? 10_000)
// The flags Chromium needs on these machines (scripts/chromium.json says why).
const CHROMIUM_ARGS = chromiumSettings.args

/** Starts `serve --port 0` in `dir`; resolves with its URL, the child, and the time until it listened. */
const serve = (dir) => startServe({ cwd: dir, env: BENCH_ENV })

/**
 * Opens `url` in `page` and measures from the navigation's start: the first element matching `selector`, the load
 * event, and how many matched once the page settled. `null` when nothing matched within 60 s.
 */
async function visit(page, url, selector) {
  const started = performance.now()
  const first = page
    .waitForSelector(selector, { state: 'attached', timeout: 60_000 })
    .then(() => performance.now() - started)
    .catch(() => null)
  await page.goto(url, { waitUntil: 'load', timeout: 60_000 })
  const loadMs = performance.now() - started
  const firstMs = await first
  await page.waitForTimeout(500)
  const rendered = await page.locator(selector).count()
  const bytes = await page.evaluate(
    'performance.getEntriesByType("resource").concat(performance.getEntriesByType("navigation")).reduce((sum, entry) => sum + (entry.transferSize || 0), 0)',
  )
  return { firstMs, loadMs, rendered, kib: bytes / 1024 }
}

const fmt = (ms) => (ms === null ? 'none in 60 s' : `${ms.toFixed(0)} ms`)

async function main() {
  const building = performance.now()
  const { dir } = buildBacklog(count)
  console.log(`built a backlog of ${count} items in ${((performance.now() - building) / 1000).toFixed(1)} s: ${dir}`)
  const server = await serve(dir)
  console.log(`git backlog serve listened after ${server.ms.toFixed(0)} ms at ${server.url}`)
  const browser = await chromium.launch({ executablePath: chromiumSettings.executablePath, args: CHROMIUM_ARGS })
  try {
    const pages = [
      { name: 'board', path: '/', selector: 'main article[data-id]' },
      { name: 'list', path: '/list', selector: 'main tr[data-id]' },
    ]
    const rows = []
    for (const { name, path, selector } of pages) {
      const samples = { first: [], load: [] }
      let last
      for (let round = 0; round < rounds; round++) {
        // A new context each round: nothing cached from the round before but what the server keeps warm.
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
        const page = await context.newPage()
        last = await visit(page, `${server.url}${path}`, selector)
        if (round === 0) rows.push({ page: name, visit: 'cold (first)', ...last })
        else {
          if (last.firstMs !== null) samples.first.push(last.firstMs)
          samples.load.push(last.loadMs)
        }
        await context.close()
      }
      if (samples.load.length) {
        rows.push({
          page: name,
          visit: `warm (p50 of ${samples.load.length})`,
          firstMs: samples.first.length ? percentile(samples.first, 50) : null,
          loadMs: percentile(samples.load, 50),
          rendered: last.rendered,
          kib: last.kib,
        })
      }
    }
    console.log(`\nweb viewer, ${count} items (Debian's headless Chromium, ${rounds} visits per page)`)
    console.log('page   visit            first card/row   load event   rendered   transferred')
    for (const row of rows) {
      console.log(
        `${row.page.padEnd(7)}${row.visit.padEnd(17)}${fmt(row.firstMs).padStart(14)}${fmt(row.loadMs).padStart(13)}${String(row.rendered).padStart(11)}${`${row.kib.toFixed(0)} KiB`.padStart(14)}`,
      )
    }
  } finally {
    await browser.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
