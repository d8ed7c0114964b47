/**
 * The viewer's pages as the tests reach them: by the DOM conventions the app keeps (issue 14), never by
 * its class names or component structure, so a restyling does not break a test.
 */

import type { Locator, Page } from 'playwright-core'

/** A board column: `<section aria-label="<status>" data-status="<status>">`. */
export function column(page: Page, status: string): Locator {
  return page.locator(`main section[data-status="${status}"]`)
}

/** An item's card on the board: `<article data-id="<id>" draggable="true" tabindex="0">`. */
export function card(page: Page, id: string, status?: string): Locator {
  return (status ? column(page, status) : page.locator('main')).locator(`article[data-id="${id}"]`)
}

/** The number a column shows in its `[data-count]` element. */
export async function countOf(page: Page, status: string): Promise<number> {
  return Number((await column(page, status).locator('[data-count]').first().textContent())?.trim())
}

/** The Spotlight search: the dialog Ctrl+K opens, and its input. */
export function spotlight(page: Page): { dialog: Locator; input: Locator } {
  const dialog = page.getByRole('dialog', { name: 'Search' })
  return { dialog, input: dialog.getByLabel('Search', { exact: true }) }
}

/**
 * Drags `from` onto `to` as a person does with the mouse. Playwright's `dragTo` drives HTML5 drag and drop in Chromium;
 * should the page not follow it (it moves the mouse in steps some handlers miss), the drag events are dispatched
 * in the order a browser fires them, over one DataTransfer.
 */
export async function drag(page: Page, from: Locator, to: Locator, moved: () => Promise<boolean>): Promise<void> {
  await from.dragTo(to)
  for (let waited = 0; waited < 1000; waited += 100) {
    if (await moved()) return
    await page.waitForTimeout(100)
  }
  const transfer = await page.evaluateHandle('new DataTransfer()')
  await from.dispatchEvent('dragstart', { dataTransfer: transfer })
  await to.dispatchEvent('dragenter', { dataTransfer: transfer })
  await to.dispatchEvent('dragover', { dataTransfer: transfer })
  await to.dispatchEvent('drop', { dataTransfer: transfer })
  await from.dispatchEvent('dragend', { dataTransfer: transfer })
}

/** `window[name]` in the page, read as text: the tests are compiled without the DOM's types. */
export function windowValue(page: Page, name: string): Promise<unknown> {
  return page.evaluate(`window[${JSON.stringify(name)}]`)
}
