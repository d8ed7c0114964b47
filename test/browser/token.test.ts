/**
 * `git backlog serve --token` in a real Chromium: the viewer's address the server prints (`?token=`) lets the browser
 * in, the token leaves the address bar, and the board and its live updates work on the cookie alone; a browser
 * without the token is told how to get in.
 */

import { describe, expect, it } from 'vitest'
import { backlog, backlogRepo, launchBrowser, serve } from './browser.js'
import { card } from './pages.js'

const TOKEN = 'browser-s3cret'

describe('a server with a token', () => {
  it('lets a browser in through the printed viewer URL, with live updates, and tells a browser without it why not', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Open the viewer behind a token' }])
    const id = ids[0] as string
    const served = await serve(repo.dir, ['--token', TOKEN])
    const printed = /Web viewer: (\S+)/.exec(served.log())?.[1]
    expect(printed).toBe(`${served.url}/?token=${TOKEN}`)

    const browser = await launchBrowser()
    const stranger = await (await browser.newContext()).newPage()
    const refused = await stranger.goto(`${served.url}/`)
    expect(refused?.status()).toBe(401)
    expect(await stranger.locator('body').textContent()).toContain('git backlog serve')

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    page.setDefaultTimeout(10_000)
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    const events = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/events')
    await page.goto(printed as string)
    expect((await events).status()).toBe(200)
    expect(page.url()).toBe(`${served.url}/`)
    await card(page, id, 'open').waitFor()

    await backlog(repo.dir, ['update', id, '-s', 'done'])
    await card(page, id, 'done').waitFor({ timeout: 3000 })
    expect(await card(page, id, 'open').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })
})
