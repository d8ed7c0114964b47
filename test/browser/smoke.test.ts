/** The browser layer itself: Debian's Chromium starts under playwright-core and renders what `git backlog serve` serves. */

import { describe, expect, it } from 'vitest'
import { backlogRepo, openViewer } from './browser.js'

describe('the browser layer', () => {
  it('opens the page `git backlog serve` answers at / in headless Chromium', async () => {
    const { repo } = await backlogRepo([{ title: 'Smoke item' }])
    const { page, url, pageErrors } = await openViewer(repo.dir, '/')
    expect(page.url()).toBe(`${url}/`)
    // Page scripts are given as text: the tests are compiled without the DOM's types.
    expect(await page.evaluate('navigator.userAgent')).toMatch(/HeadlessChrome/)
    // The page rendered something, whatever the viewer shows first.
    await expect.poll(async () => (await page.locator('body').textContent())?.trim().length).toBeGreaterThan(0)
    expect(pageErrors).toEqual([])
  })
})
