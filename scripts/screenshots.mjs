// The README's pictures of the web viewer: serves the demo backlog (.backlog.example/, as `npm start` does) in a
// temporary folder, makes a few changes in it as agents would (so Activity and Review have something to show), and
// saves PNGs of the board (light and dark), the list, an item page, Activity, Spotlight and Review into docs/images/.
// Usage: npm run docs:screenshots  (builds first, and installs Debian's chromium when missing)

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import chromiumSettings from './chromium.json' with { type: 'json' }
import { startServe } from './serve-child.mjs'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const bin = join(root, 'dist', 'bin', 'git-backlog.js')
const out = join(root, 'docs', 'images')
// The flags Chromium needs on these machines (scripts/chromium.json says why).
const CHROMIUM_ARGS = chromiumSettings.args
const PERSON = {
  GIT_AUTHOR_NAME: 'Ann Lee',
  GIT_AUTHOR_EMAIL: 'ann@example.com',
  GIT_COMMITTER_NAME: 'Ann Lee',
  GIT_COMMITTER_EMAIL: 'ann@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
}

/** The built CLI in the demo repository, as `agent`. */
function backlog(dir, agent, ...args) {
  return execFileSync(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { ...process.env, ...PERSON, BACKLOG_AGENT: agent },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** `serve --demo` into `demo`; resolves with the URL once it listens. */
const serveDemo = (demo) => startServe({ args: ['--demo', '--dir', demo], env: { ...process.env, ...PERSON } })

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'git-backlog-screenshots-'))
  const demo = join(work, 'demo')
  const { url, stop } = await serveDemo(demo)
  const browser = await chromium.launch({ executablePath: chromiumSettings.executablePath, args: CHROMIUM_ARGS })
  try {
    // A morning's work in the demo, three commits that Review shows as HEAD~3..HEAD: an agent starts an item and notes
    // its plan, another finishes one with evidence.
    const listed = JSON.parse(backlog(demo, 'cli', 'list', '--json'))
    const items = listed.items ?? listed
    const open = items.filter((item) => item.status === 'open')
    const [started, finished] = [open[0]?.id, open[1]?.id]
    if (!started || !finished) throw new Error('the demo backlog has fewer than two open items')
    backlog(demo, 'claude-code', 'update', started, '-s', 'in_progress', '--note', 'Plan: reproduce, then fix.')
    backlog(demo, 'codex', 'update', finished, '-s', 'done', '--evidence', 'All checks pass on the branch.')
    backlog(demo, 'claude-code', 'update', started, '-p', 'high', '--note', 'Reproduced: a test fails.')

    mkdirSync(out, { recursive: true })
    const shots = []
    async function shoot(name, path, { colorScheme = 'light', ready, before } = {}) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 800 },
        colorScheme,
        locale: 'en-US',
        timezoneId: 'UTC',
      })
      const page = await context.newPage()
      await page.goto(`${url}${path}`)
      await page
        .locator(ready ?? 'main')
        .first()
        .waitFor({ timeout: 15_000 })
      await before?.(page)
      // Fonts, transitions and the live connection settle.
      await page.waitForTimeout(400)
      const file = join(out, `${name}.png`)
      await page.screenshot({ path: file })
      shots.push(file)
      await context.close()
    }

    await shoot('board', '/', { ready: 'main article[data-id]' })
    await shoot('board-dark', '/', { colorScheme: 'dark', ready: 'main article[data-id]' })
    await shoot('list', '/list', { ready: 'main tr[data-id]' })
    await shoot('item', `/items/${started}`, { ready: 'ol[aria-label="History"] > li' })
    await shoot('activity', '/activity', { ready: 'main li, main tr, main article' })
    await shoot('review', '/review?range=HEAD~3..HEAD', { ready: 'main h1, main h2' })
    await shoot('spotlight', '/', {
      ready: 'main article[data-id]',
      before: async (page) => {
        await page.keyboard.press('Control+k')
        const dialog = page.getByRole('dialog', { name: 'Search' })
        await dialog.getByLabel('Search', { exact: true }).fill(items[0].title.split(/\s+/)[0])
        await dialog.getByRole('option').first().waitFor()
      },
    })
    for (const file of shots) console.log(`wrote ${file.slice(root.length + 1)}`)
  } finally {
    await browser.close()
    await stop()
    rmSync(work, { recursive: true, force: true })
  }
}

await main()
