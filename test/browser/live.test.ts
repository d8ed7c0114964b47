/**
 * Live updates name the items a change touched: an item page reloads for the items it shows and no others, and the
 * board, however fast an agent writes, has one request in flight at a time and still ends on the latest state.
 */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { steadyApp } from '../helpers/app.js'
import { backlog, backlogRepo, openViewer } from './browser.js'
import { card, column } from './pages.js'

interface Requests {
  started(): number
  mostAtOnce(): number
}

/** Requests of the page whose path is exactly `path`: how many began, how many at most at once. */
function watchRequests(page: Page, path: string): Requests {
  let started = 0
  let open = 0
  let most = 0
  const ours = (url: string) => new URL(url).pathname === path
  page.on('request', (request) => {
    if (!ours(request.url())) return
    started++
    most = Math.max(most, ++open)
  })
  const done = (request: { url(): string }) => {
    if (ours(request.url())) open--
  }
  page.on('requestfinished', done)
  page.on('requestfailed', done)
  return { started: () => started, mostAtOnce: () => most }
}

describe('live updates', () => {
  it('reload an item page for its own item and the items it shows, not for an unrelated one', async () => {
    const { repo, ids } = await backlogRepo([
      { title: 'Publish the release notes' },
      { title: 'Tag the release' },
      { title: 'Water the office plants' },
    ])
    const [id, dependency, unrelated] = ids as [string, string, string]
    await backlog(repo.dir, ['update', id, '--depends-on', dependency])
    let requests: Requests | undefined
    const { page } = await openViewer(repo.dir, `/items/${id}`, {
      live: true,
      beforeOpen: async (opening) => {
        requests = watchRequests(opening, `/api/items/${id}`)
      },
    })
    await page.locator('main h1', { hasText: 'Publish the release notes' }).waitFor()
    await page.locator('ul[aria-label="Depends on"]').waitFor()
    expect(requests?.started()).toBe(1)

    await backlog(repo.dir, ['update', unrelated, '--title', 'Water the plants twice'])
    // The change reaches the page within ~0.3 s (server settle, viewer window): a second is plenty to see nothing.
    await page.waitForTimeout(1000)
    expect(requests?.started()).toBe(1)

    await backlog(repo.dir, ['update', dependency, '-s', 'done'])
    await page.locator('ul[aria-label="Depends on"] li', { hasText: 'done' }).waitFor({ timeout: 1500 })
    expect(requests?.started()).toBe(2)

    await backlog(repo.dir, ['update', id, '--title', 'Publish the notes'])
    await page.locator('main h1', { hasText: 'Publish the notes' }).waitFor({ timeout: 1500 })
    expect(requests?.started()).toBe(2 + 1)
  })

  it('reload an item page when a new child or dependent points at it', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Ship the mobile app', type: 'epic' }])
    const epic = ids[0] as string
    const { page } = await openViewer(repo.dir, `/items/${epic}`, { live: true })
    await page.locator('main h1', { hasText: 'Ship the mobile app' }).waitFor()

    // The new items' ids are not on the page yet: the change names the item they point at.
    await backlog(repo.dir, ['add', 'Design the onboarding screens', '--parent', epic])
    await page.locator('ul[aria-label="Children"] li', { hasText: 'Design the onboarding screens' }).waitFor({
      timeout: 1500,
    })
    await backlog(repo.dir, ['add', 'Write the store listing', '--depends-on', epic])
    await page.locator('ul[aria-label="Dependents"] li', { hasText: 'Write the store listing' }).waitFor({
      timeout: 1500,
    })
  })

  it('catch up after the event stream was down, and say while it is', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Renew the certificate' }])
    const id = ids[0] as string
    // The first stream is cut: the browser tries again after a few seconds, and meanwhile a change goes unheard.
    let streams = 0
    const { page } = await openViewer(repo.dir, '/', {
      beforeOpen: (opening) =>
        opening.route('**/api/events', (route) => (streams++ === 0 ? route.abort() : route.continue())),
    })
    await card(page, id, 'open').waitFor()
    await page.getByRole('status').filter({ hasText: 'Live updates are off' }).waitFor()
    await backlog(repo.dir, ['update', id, '-s', 'in_progress'])
    // Reconnected, the page loads again what it shows: the change made while it was deaf arrives too.
    await card(page, id, 'in_progress').waitFor({ timeout: 8000 })
    expect(streams).toBeGreaterThanOrEqual(2)
    expect(await page.getByRole('status').filter({ hasText: 'Live updates are off' }).count()).toBe(0)
  })

  it('name an item file that cannot be read above the page, and drop the notice once it is fixed', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Rotate the keys' }, { title: 'Audit the logs' }])
    const id = ids[0] as string
    const { page } = await openViewer(repo.dir, '/', { live: true })
    await card(page, id, 'open').waitFor()
    const file = join(
      repo.dir,
      repo
        .git('ls-files', '.backlog/tasks')
        .split('\n')
        .find((path) => path.includes(id)) ?? '',
    )
    const good = readFileSync(file, 'utf8')
    writeFileSync(file, good.replace(/^title: .*$/m, 'title: [unclosed'))
    const notice = page.getByRole('alert').filter({ hasText: 'cannot be read' })
    await notice.waitFor({ timeout: 1500 })
    expect(await notice.textContent()).toContain(`${id}.md`)
    expect(await card(page, id).count()).toBe(0)
    writeFileSync(file, good)
    await card(page, id, 'open').waitFor({ timeout: 1500 })
    expect(await notice.count()).toBe(0)
  })

  it('never overlap on the board while an agent writes fast, and end on the last write', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Index the archive' }, { title: 'Rotate the logs' }])
    const id = ids[0] as string
    let requests: Requests | undefined
    const { page } = await openViewer(repo.dir, '/', {
      live: true,
      beforeOpen: async (opening) => {
        requests = watchRequests(opening, '/api/board')
        // A slow server: each board answer takes 0.8 s, so changes keep arriving while one is in flight.
        await opening.route('**/api/board*', async (route) => {
          await new Promise((resolve) => setTimeout(resolve, 800))
          await route.continue()
        })
      },
    })
    await column(page, 'open').waitFor()

    const statuses = ['in_progress', 'blocked', 'open', 'in_progress', 'blocked', 'in_progress', 'done']
    const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
    try {
      for (const status of statuses) {
        await app.update({ id: [id], status })
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    } finally {
      app.close()
    }

    await card(page, id, 'done').waitFor({ timeout: 5000 })
    expect(requests?.mostAtOnce()).toBe(1)
    // The first load, then a few: each change that came during a load folds into one load after it.
    expect(requests?.started()).toBeLessThan(1 + statuses.length)
  })
})
