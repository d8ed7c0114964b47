/**
 * The filter form at the top of the board, the list, Activity and Review: one field by its accessible name, its text
 * taken from the address and written back to it, so a filtered page can be linked, reloaded and gone Back to.
 */

import { describe, expect, it } from 'vitest'
import { backlogRepo, openViewer } from './browser.js'

const BACKLOG = [
  { title: 'Fix the login redirect', tags: ['auth'] },
  { title: 'Write the onboarding guide', tags: ['docs'] },
]

const PAGES = [
  {
    path: '/board',
    param: 'filter',
    label: 'Board query',
    from: 'tag:auth',
    to: 'tag:docs',
    rows: 'main article[data-id]',
  },
  { path: '/list', param: 'q', label: 'Filter', from: 'tag:auth', to: 'tag:docs', rows: 'main tr[data-id]' },
  { path: '/activity', param: 'agent', label: 'Agent', from: 'nobody', to: 'ann', rows: undefined },
  { path: '/review', param: 'range', label: 'Range', from: 'HEAD~1', to: 'HEAD~2', rows: undefined },
] as const

describe('the filter form of each page', () => {
  for (const { path, param, label, from, to, rows } of PAGES) {
    it(`${path}: "${label}" holds the address's ${param}, and Enter puts the new text in the address`, async () => {
      const { repo } = await backlogRepo(BACKLOG)
      const { page, url } = await openViewer(repo.dir, `${path}?${param}=${encodeURIComponent(from)}`)
      const field = page.getByRole('textbox', { name: label, exact: true })
      await field.waitFor()
      expect(await field.inputValue()).toBe(from)
      if (rows) await expect.poll(() => page.locator(rows).count()).toBe(1)

      await field.fill(`  ${to} `)
      await field.press('Enter')
      await expect.poll(() => new URL(page.url()).searchParams.get(param)).toBe(to)
      expect(new URL(page.url()).pathname).toBe(path)
      // The field takes the address's (trimmed) text on the render after the navigation.
      await expect.poll(() => field.inputValue()).toBe(to)
      if (rows) {
        await expect.poll(() => page.locator(rows).allTextContents()).toEqual([expect.stringContaining('onboarding')])
      }

      // The address is the state: opened afresh, the page shows the same text in its field.
      await page.goto(`${url}${path}?${param}=${encodeURIComponent(to)}`)
      await field.waitFor()
      expect(await field.inputValue()).toBe(to)
    })
  }

  it('the list filters as one types, without Enter', async () => {
    const { repo } = await backlogRepo(BACKLOG)
    const { page } = await openViewer(repo.dir, '/list')
    const field = page.getByRole('textbox', { name: 'Filter', exact: true })
    await field.pressSequentially('tag:docs')
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('tag:docs')
    await expect.poll(() => page.locator('main tr[data-id]').count()).toBe(1)
  })

  it('Review adds a step to the history with its button, and Back brings the earlier range into the field', async () => {
    const { repo } = await backlogRepo(BACKLOG)
    const { page } = await openViewer(repo.dir, '/review?range=HEAD~1')
    const field = page.getByRole('textbox', { name: 'Range', exact: true })
    await field.waitFor()
    await field.fill('HEAD~2')
    await page.getByRole('button', { name: 'Review', exact: true }).click()
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('HEAD~2')
    await page.goBack()
    await expect.poll(() => new URL(page.url()).searchParams.get('range')).toBe('HEAD~1')
    await expect.poll(() => field.inputValue()).toBe('HEAD~1')
  })
})
