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

/** The number of items a column says it holds (its `[data-count]` element). */
export async function countOf(page: Page, status: string): Promise<number> {
  return Number(await column(page, status).locator('[data-count]').first().getAttribute('data-count'))
}

/** The Spotlight search: the dialog Ctrl+K opens, and its input. */
export function spotlight(page: Page): { dialog: Locator; input: Locator } {
  const dialog = page.getByRole('dialog', { name: 'Search' })
  return { dialog, input: dialog.getByLabel('Search', { exact: true }) }
}

/** `window[name]` in the page, read as text: the tests are compiled without the DOM's types. */
export function windowValue(page: Page, name: string): Promise<unknown> {
  return page.evaluate(`window[${JSON.stringify(name)}]`)
}
