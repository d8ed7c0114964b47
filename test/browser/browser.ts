/**
 * The web viewer as a person meets it: a backlog in a real git repository, `git backlog serve` (the built bin, in its
 * own process, as a person starts it) and Debian's headless Chromium driven by playwright-core. Everything is closed
 * when the test ends.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { onTestFinished } from 'vitest'
import chromiumSettings from '../../scripts/chromium.json' with { type: 'json' }
import type { CreateInput } from '../../src/core/inputs.js'
import { steadyApp } from '../helpers/app.js'
import { type Outcome, runBin } from '../helpers/cli.js'
import { BIN, type TempRepo, tempRepo } from '../helpers/repo.js'

/** Where scripts/install-browser.sh puts Chromium: Debian's package (playwright's own download fails here). */
export const CHROMIUM = chromiumSettings.executablePath

/** The flags Chromium needs on these machines (scripts/chromium.json says why). */
export const CHROMIUM_ARGS = chromiumSettings.args

/** The identity the repository's own git config names: the server's commits carry it. */
export const REPO_IDENTITY = { name: 'Repo Person', email: 'repo.person@example.com' }

/**
 * A new headless Chromium, closed when the test ends. playwright-core gives each launch a new empty profile of its own
 * (and refuses a `--user-data-dir` flag), removed when the browser closes.
 */
export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  onTestFinished(() => browser.close())
  return browser
}

/**
 * A repository whose backlog holds `items`, created in one commit each by Ann Agent on a steady clock; its own git
 * config names {@link REPO_IDENTITY}, which the server's commits take. Returns the ids in the order given.
 *
 * @example
 * const { repo, ids } = await backlogRepo([{ title: 'Fix the login flow', tags: ['auth'] }])
 */
export async function backlogRepo(items: CreateInput[]): Promise<{ repo: TempRepo; ids: string[] }> {
  const repo = tempRepo()
  repo.git('config', 'user.name', REPO_IDENTITY.name)
  repo.git('config', 'user.email', REPO_IDENTITY.email)
  const app = steadyApp(repo.dir)
  const ids: string[] = []
  try {
    await app.init({})
    for (const item of items) {
      const created = await app.create(item)
      const id = created.items[0]?.id
      if (!id) throw new Error(`no item created for ${JSON.stringify(item)}`)
      ids.push(id)
    }
  } finally {
    app.close()
  }
  return { repo, ids }
}

export interface Served {
  /** `http://127.0.0.1:<port>`. */
  url: string
  /** Everything the server wrote on stderr so far, for failure messages. */
  log(): string
}

/**
 * The environment of a server or CLI run that leaves the author to the repository's own config: no identity in the
 * environment, no global or system config of the machine running the tests.
 */
function repoIdentityEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^GIT_(AUTHOR|COMMITTER)_|^(FORCE_COLOR|NO_COLOR)$/.test(name)) env[name] = value
  }
  return { ...env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
}

/** Starts the built bin's `serve --port 0` in `dir` and resolves with its URL once it listens; killed at the end. */
export async function serve(dir: string, args: string[] = []): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    cwd: dir,
    env: repoIdentityEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)))
  onTestFinished(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await exited
    }
  })
  let stderr = ''
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 20 s: ${stderr}`)), 20_000)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      const found = /(http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)
      if (found?.[1] && stderr.includes('Ctrl+C')) {
        clearTimeout(timer)
        resolve(found[1])
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited ${code}: ${stderr}`))
    })
  })
  return { url, log: () => stderr }
}

export interface Viewer extends Served {
  page: Page
  /** Errors thrown by the page's scripts, which a test can expect to be none. */
  pageErrors: string[]
}

/**
 * Serves the backlog of `dir` and opens `path` of it in a new headless Chromium; `beforeOpen` runs first, to route
 * the page's requests; `live` waits until the page's event stream (`/api/events`) is open; `context` adds options of
 * the browser context (`bypassCSP: true` to see what the page does without its Content-Security-Policy).
 *
 * @example
 * const { page } = await openViewer(repo.dir, '/')
 * await expect.poll(() => page.locator('article[data-id]').count()).toBe(3)
 */
export async function openViewer(
  dir: string,
  path = '/',
  options: { beforeOpen?: (page: Page) => Promise<unknown>; live?: boolean; context?: BrowserContextOptions } = {},
): Promise<Viewer> {
  const served = await serve(dir)
  const browser = await launchBrowser()
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options.context })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await options.beforeOpen?.(page)
  const events = options.live
    ? page.waitForResponse((response) => new URL(response.url()).pathname === '/api/events')
    : undefined
  await page.goto(`${served.url}${path}`)
  // The event stream answered: a commit from now on reaches the page.
  await events
  return { ...served, page, pageErrors }
}

/**
 * The built CLI in `dir`, as a person types it next to the open page: its commits carry the repository's identity.
 *
 * @example
 * await backlog(repo.dir, ['update', id, '-s', 'done'])
 */
export async function backlog(dir: string, args: string[]): Promise<Outcome> {
  const outcome = await runBin(dir, args, { GIT_AUTHOR_NAME: 'Cli Person', GIT_AUTHOR_EMAIL: 'cli@example.com' })
  if (outcome.code !== 0) throw new Error(`git backlog ${args.join(' ')} exited ${outcome.code}: ${outcome.stderr}`)
  return outcome
}
