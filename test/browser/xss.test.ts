/**
 * An item's text is whatever an agent or a pull request wrote: none of it may run in the viewer. Items whose every
 * field carries a script are shown on each page, and the page must show them as text and run nothing.
 */

import { describe, expect, it } from 'vitest'
import { backlog, backlogRepo, openViewer } from './browser.js'
import { card, column, spotlight, windowValue } from './pages.js'

const IMG = '<img src=x onerror="window.__xss=1">'
const SCRIPT = '<script>window.__xss=1</script>'
const SVG = '<svg onload="window.__xss=1"></svg>'
const TITLE = `Payload ${IMG} ${SCRIPT}`

const HOSTILE = [
  {
    title: TITLE,
    tags: [SCRIPT, IMG],
    evidence: [IMG, 'javascript:window.__xss=1'],
    references: [{ url: 'javascript:window.__xss=1', title: SVG }],
    description: [
      `Raw HTML: ${IMG} ${SCRIPT} ${SVG}`,
      '',
      '[a markdown link](javascript:window.__xss=1) and <a href="javascript:window.__xss=1">an html one</a>',
      '',
      '<iframe src="javascript:window.__xss=1"></iframe> <details open ontoggle="window.__xss=1">x</details>',
    ].join('\n'),
  },
  { title: `${SCRIPT}`, description: `![x](javascript:window.__xss=1) ${IMG}` },
]

describe('text written into items', () => {
  it('shows as literal text on the board, the list, the item page and in Spotlight, and runs nothing', async () => {
    const { repo, ids } = await backlogRepo(HOSTILE)
    const id = ids[0] as string
    await backlog(repo.dir, ['update', id, '--note', `${IMG} ${SCRIPT} [x](javascript:window.__xss=1)`])
    const { page, url, pageErrors } = await openViewer(repo.dir, '/')

    /** Nothing ran, and no link would run a script when clicked. */
    async function expectInert(where: string): Promise<void> {
      // An <img src=x> fails to load in a few milliseconds; give its onerror the time to run, were it there.
      await page.waitForTimeout(300)
      expect(await windowValue(page, '__xss'), where).toBeUndefined()
      const links = await page.locator('a[href], iframe[src], [src^="javascript" i]').all()
      for (const link of links) {
        const target = (await link.getAttribute('href')) ?? (await link.getAttribute('src')) ?? ''
        expect(target.trim().toLowerCase(), where).not.toMatch(/^javascript:/)
      }
    }

    await column(page, 'open').waitFor()
    expect(await card(page, id).textContent()).toContain(TITLE)
    expect(await card(page, ids[1] as string).textContent()).toContain(SCRIPT)
    await expectInert('board')

    await page.goto(`${url}/list`)
    const row = page.locator(`tr[data-id="${id}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain(TITLE)
    await expectInert('list')

    await page.goto(`${url}/items/${id}`)
    await page.locator('main h1').waitFor()
    expect(await page.locator('main h1').textContent()).toBe(TITLE)
    await page.locator('ol[aria-label="History"] > li').first().waitFor()
    await expectInert('item page')

    await page.goto(`${url}/items/${ids[1]}`)
    await page.locator('main h1').waitFor()
    expect(await page.locator('main h1').textContent()).toBe(SCRIPT)
    await expectInert('second item page')

    await page.keyboard.press('Control+k')
    const { dialog, input } = spotlight(page)
    await input.fill('payload')
    await dialog.getByRole('option').first().waitFor()
    await input.fill('onerror')
    await page.waitForTimeout(300)
    await expectInert('Spotlight')

    expect(pageErrors).toEqual([])
  })
})
