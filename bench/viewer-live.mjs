// The web viewer's "done when", walked through and timed on a large backlog: a backlog of N items (default 10,000),
// the built `git backlog serve` on it and the board open in Debian's headless Chromium; an agent (the built
// `git backlog mcp --agent claude`, over stdio, through the MCP SDK's client) moves cards, and the time from its
// call to the board showing the move is measured; then a person drags a card (one commit under their identity, no
// agent), and the item page shows who changed what, when. Prints p50/p95 of each; fails loudly when a step does not
// happen, so it is also a check.
// Usage: npm run bench:viewer-live  (or: node bench/viewer-live.mjs 10000 [--moves 20])

import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import chromiumSettings from '../scripts/chromium.json' with { type: 'json' }
import { startServe } from '../scripts/serve-child.mjs'
import { buildBacklog } from './backlog.mjs'
import { BENCH_ENV, connectServer, percentile } from './common.mjs'

const args = process.argv.slice(2)
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
const moves = Number(option('--moves', 20))
const count = Number(args.find((arg, index) => /^\d+$/.test(arg) && !args[index - 1]?.startsWith('--')) ?? 10_000)
const BIN = join(import.meta.dirname, '..', 'dist', 'bin', 'git-backlog.js')
const AGENT_ENV = { ...BENCH_ENV, BACKLOG_AGENT: 'claude' }

const column = (status) => `main section[data-status="${status}"]`
const cardIn = (status, id) => `${column(status)} article[data-id="${id}"]`

function fail(message) {
  throw new Error(`viewer-live: ${message}`)
}

async function main() {
  const { dir } = buildBacklog(count)
  const git = (...argv) => execFileSync('git', argv, { cwd: dir, env: BENCH_ENV, encoding: 'utf8' })
  const server = await startServe({ cwd: dir, env: BENCH_ENV })
  const { client } = await connectServer(BIN, dir, { env: AGENT_ENV, stderr: 'ignore' })
  const browser = await chromium.launch({
    executablePath: chromiumSettings.executablePath,
    args: chromiumSettings.args,
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    const errors = []
    page.on('pageerror', (error) => errors.push(error.message))
    const opened = performance.now()
    await page.goto(`${server.url}/`)
    await page.waitForSelector(`${column('open')} article[data-id]`, { timeout: 60_000 })
    const boardMs = performance.now() - opened

    // The agent moves the top card of `open` to `blocked`, again and again: each time, how long until the board shows it.
    const live = []
    for (let round = 0; round < moves; round++) {
      const id = await page
        .locator(`${column('open')} article[data-id]`)
        .first()
        .getAttribute('data-id')
      // The page notes when the card leaves the column (playwright's own wait for it polls, adding up to half a second).
      await page.evaluate(
        ([selector]) => {
          window.__gone = undefined
          const observer = new MutationObserver(() => {
            if (document.querySelector(selector)) return
            window.__gone = Date.now()
            observer.disconnect()
          })
          observer.observe(document.querySelector('main'), { childList: true, subtree: true })
        },
        [cardIn('open', id)],
      )
      const wall = Date.now()
      const started = performance.now()
      const result = await client.callTool({
        name: 'backlog_update',
        arguments: { id, status: 'blocked', blocked_reason: `waiting on the vendor (${round})` },
      })
      if (result.isError) fail(`backlog_update ${id}: ${JSON.stringify(result.content)}`)
      const callMs = performance.now() - started
      await page.waitForSelector(cardIn('open', id), { state: 'detached', timeout: 5_000 })
      live.push({ id, callMs, shownMs: (await page.evaluate(() => window.__gone)) - wall })
    }

    // A person drags the top open card to in_progress: one commit under their identity, and no agent trailer.
    const commitsBefore = Number(git('rev-list', '--count', 'HEAD'))
    const dragged = await page
      .locator(`${column('open')} article[data-id]`)
      .first()
      .getAttribute('data-id')
    const dragStarted = performance.now()
    await page.locator(cardIn('open', dragged)).dragTo(page.locator(column('in_progress')))
    await page.waitForSelector(cardIn('open', dragged), { state: 'detached', timeout: 5_000 })
    const dragMs = performance.now() - dragStarted
    for (let wait = 0; Number(git('rev-list', '--count', 'HEAD')) === commitsBefore; wait++) {
      if (wait > 50) fail('the drag made no commit')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const subject = git('log', '-1', '--format=%s').trim()
    const author = git('log', '-1', '--format=%an').trim()
    const body = git('log', '-1', '--format=%b')
    if (!subject.includes(dragged) || author !== 'Bench' || /Backlog-Agent/.test(body)) {
      fail(`the drag's commit is not the person's: ${subject} by ${author}\n${body}`)
    }

    // The item page of a card the agent moved: its history names the agent and the field.
    const moved = live.at(-1).id
    const itemStarted = performance.now()
    await page.goto(`${server.url}/items/${moved}`)
    const timeline = page.getByRole('list', { name: /history/i })
    await timeline.getByText('claude').first().waitFor({ timeout: 10_000 })
    const itemMs = performance.now() - itemStarted
    if (!(await timeline.textContent()).includes('status')) fail('the timeline does not name the status change')
    if (errors.length) fail(`page errors: ${errors.join('; ')}`)

    const shown = live.map((one) => one.shownMs)
    const calls = live.map((one) => one.callMs)
    console.log(`web viewer live, ${count} items (Debian's headless Chromium; agent over stdio MCP)`)
    console.log(`  board: first card after ${boardMs.toFixed(0)} ms`)
    const [first, ...rest] = shown
    console.log(
      `  agent's backlog_update → card gone from its column: first ${first.toFixed(0)} ms, then p50 ${percentile(rest, 50).toFixed(0)} ms, p95 ${percentile(rest, 95).toFixed(0)} ms over ${rest.length} moves (the call itself: p50 ${percentile(calls, 50).toFixed(0)} ms)`,
    )
    console.log(`  drag → card moved: ${dragMs.toFixed(0)} ms; commit "${subject}" by ${author}, no agent trailer`)
    console.log(`  item page → history naming claude: ${itemMs.toFixed(0)} ms`)
  } finally {
    await browser.close()
    await client.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
