/**
 * The web viewer of `git backlog serve` in a real Chromium: the board and its drag and drop, live updates from commits
 * made beside the page, Spotlight search, the item page and its history, the list, the keyboard, and a stale edit.
 * Every change the page makes is checked with the real git CLI: one commit, by the repository's own identity.
 */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { git } from '../helpers/repo.js'
import { backlog, backlogRepo, openViewer, REPO_IDENTITY } from './browser.js'
import { card, column, countOf, spotlight, windowValue } from './pages.js'

/** Where an item's file lives: the path git knows it by. */
function itemFile(dir: string, id: string): string {
  const path = git(dir, 'ls-files', '--', `.backlog/*${id}.md`).trim()
  if (!path) throw new Error(`no file for ${id}`)
  return path
}

/** The item's status as committed at HEAD. */
function committedStatus(dir: string, id: string): string | undefined {
  return /^status: *(\S+)/m.exec(git(dir, 'show', `HEAD:${itemFile(dir, id)}`))?.[1]
}

/** The `data-id` of each element `rows` finds, in page order. */
async function idsOf(rows: Locator): Promise<Array<string | null>> {
  return Promise.all((await rows.all()).map((row) => row.getAttribute('data-id')))
}

const SMALL_BACKLOG = [
  { title: 'Fix the login redirect', tags: ['auth'] },
  { title: 'Write the onboarding guide', tags: ['docs'] },
  {
    title: 'Cache the invoice totals',
    tags: ['perf'],
    description: 'The zeppelin report recomputes them on each view.',
  },
  { title: 'Rotate the signing keys', status: 'in_progress' },
  { title: 'Ship the exporter', status: 'done' },
]

describe('the board', () => {
  it('shows a column per status with its count, and a card per item', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const { page, pageErrors } = await openViewer(repo.dir, '/')
    for (const name of ['Board', 'List', 'Activity', 'Review']) {
      expect(await page.getByRole('link', { name, exact: true }).count()).toBeGreaterThan(0)
    }
    await page.getByRole('link', { name: 'Board', exact: true }).first().click()
    await column(page, 'open').waitFor()

    expect(await column(page, 'open').getAttribute('aria-label')).toBe('open')
    expect(await countOf(page, 'open')).toBe(3)
    expect(await countOf(page, 'in_progress')).toBe(1)
    expect(await countOf(page, 'done')).toBe(1)
    expect(await column(page, 'open').locator('article[data-id]').count()).toBe(3)
    const first = card(page, ids[0] as string, 'open')
    expect(await first.textContent()).toContain('Fix the login redirect')
    expect(await first.getAttribute('draggable')).toBe('true')
    expect(await first.getAttribute('tabindex')).toBe('0')
    expect(await card(page, ids[3] as string, 'in_progress').count()).toBe(1)
    expect(pageErrors).toEqual([])
  })

  it('marks a column over its work-in-progress limit from config.yml', async () => {
    const { repo } = await backlogRepo(SMALL_BACKLOG)
    const config = join(repo.dir, '.backlog/config.yml')
    writeFileSync(config, `${readFileSync(config, 'utf8')}\nwip_limits:\n  open: 2\n  in_progress: 3\n`)
    const { page } = await openViewer(repo.dir, '/')
    const open = column(page, 'open').locator('[data-count]')
    await open.and(page.locator('[data-limit="2"]')).waitFor()
    expect(await open.textContent()).toBe('3 / 2, over the limit')
    expect(await open.getAttribute('class')).toContain('over-limit')
    const busy = column(page, 'in_progress').locator('[data-count]')
    expect(await busy.textContent()).toBe('1 / 3')
    expect(await busy.getAttribute('class')).not.toContain('over-limit')
    expect(await column(page, 'blocked').locator('[data-limit]').count()).toBe(0)
  })

  it('moves a dragged card to the new column and commits the status with the repository identity', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const id = ids[1] as string
    const { page } = await openViewer(repo.dir, '/')
    await card(page, id, 'open').waitFor()
    const before = git(repo.dir, 'rev-list', '--count', 'HEAD').trim()
    const calls: string[] = []
    page.on('request', (request) => calls.push(`${request.method()} ${new URL(request.url()).pathname}`))

    // playwright's dragTo drives HTML5 drag and drop in Chromium: dragstart, dragover and drop, as a mouse does.
    await card(page, id, 'open').dragTo(column(page, 'in_progress'))

    await card(page, id, 'in_progress').waitFor()
    expect(await card(page, id, 'open').count()).toBe(0)
    await expect.poll(() => Number(git(repo.dir, 'rev-list', '--count', 'HEAD').trim())).toBe(Number(before) + 1)
    expect(git(repo.dir, 'log', '-1', '--format=%s')).toMatch(new RegExp(`^start ${id}: Write the onboarding guide`))
    expect(git(repo.dir, 'log', '-1', '--format=%b')).toMatch(/Changed: status/)
    expect(git(repo.dir, 'log', '-1', '--format=%an <%ae>').trim()).toBe(
      `${REPO_IDENTITY.name} <${REPO_IDENTITY.email}>`,
    )
    expect(committedStatus(repo.dir, id)).toBe('in_progress')
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('')
    await expect.poll(() => countOf(page, 'in_progress')).toBe(2)
    // The card carried its version: the move is one write, with no read of the item before it.
    expect(calls.filter((call) => call.endsWith(`/api/items/${id}`))).toEqual([`PATCH /api/items/${id}`])
  })

  it('does not move a card whose item moved since the board was read: an alert, and the other move stays', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const id = ids[1] as string
    // No live updates reach this page, so its card stays where the board first read it.
    const { page } = await openViewer(repo.dir, '/', {
      beforeOpen: (opening) => opening.route('**/api/events', (route) => route.abort()),
    })
    await card(page, id, 'open').waitFor()
    await backlog(repo.dir, ['update', id, '-s', 'blocked'])
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim()

    await card(page, id, 'open').dragTo(column(page, 'in_progress'))

    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.textContent()).toContain(id)
    expect(git(repo.dir, 'rev-parse', 'HEAD').trim()).toBe(head)
    expect(committedStatus(repo.dir, id)).toBe('blocked')
    // The board read afresh shows where the item is now.
    await card(page, id, 'blocked').waitFor()
  })

  it('follows a commit made beside it within 1.5 s, without a reload', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const id = ids[0] as string
    const { page } = await openViewer(repo.dir, '/', { live: true })
    await card(page, id, 'open').waitFor()
    await page.evaluate('window.__sameDocument = true')

    await backlog(repo.dir, ['update', id, '-s', 'done'])
    const changed = Date.now()
    await card(page, id, 'done').waitFor({ timeout: 1500 })
    expect(Date.now() - changed).toBeLessThan(1500)
    expect(await card(page, id, 'open').count()).toBe(0)
    expect(await windowValue(page, '__sameDocument')).toBe(true)
    await expect.poll(() => countOf(page, 'done')).toBe(2)
  })
})

describe('Spotlight', () => {
  it('opens with Ctrl+K, finds an item by a word of its description, and Enter opens its page', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const { page, url } = await openViewer(repo.dir, '/')
    await column(page, 'open').waitFor()

    await page.keyboard.press('Control+k')
    const { dialog, input } = spotlight(page)
    await dialog.waitFor()
    await input.fill('zeppelin')
    const option = dialog.getByRole('option').filter({ hasText: 'Cache the invoice totals' })
    await option.waitFor()
    expect(await dialog.getByRole('option').count()).toBe(1)
    await input.press('Enter')

    await page.waitForURL(`${url}/items/${ids[2]}`)
    expect(await page.locator('h1').textContent()).toBe('Cache the invoice totals')
  })
})

describe('the item page', () => {
  it('shows the title, the description and one history entry per commit, with the fields each changed', async () => {
    const { repo, ids } = await backlogRepo([
      { title: 'Migrate the billing tables', description: 'Move **billing** to the new schema.' },
    ])
    const id = ids[0] as string
    await backlog(repo.dir, ['update', id, '-s', 'in_progress', '-p', 'high'])
    const commits = git(repo.dir, 'log', '--format=%H', '--', itemFile(repo.dir, id)).trim().split('\n')
    expect(commits).toHaveLength(2)

    const { page, pageErrors } = await openViewer(repo.dir, `/items/${id}`)
    await page.locator('main h1').waitFor()
    expect(await page.locator('main h1').textContent()).toBe('Migrate the billing tables')
    expect(await page.locator('div.description').textContent()).toContain('Move billing to the new schema.')
    expect(await page.locator('div.description strong').textContent()).toBe('billing')

    const entries = page.locator('ol[aria-label="History"] > li')
    await expect.poll(() => entries.count()).toBe(2)
    const texts = await entries.allTextContents()
    const update = texts.find((text) => text.includes('in_progress'))
    expect(update, texts.join('\n---\n')).toBeDefined()
    expect(update).toMatch(/status/)
    expect(update).toMatch(/priority/)
    expect(update).toMatch(/high/)
    expect(texts.some((text) => /creat|add/i.test(text))).toBe(true)
    expect(await page.locator('select[aria-label="Status"]').inputValue()).toBe('in_progress')
    expect(pageErrors).toEqual([])
  })

  it('adds a note from the page: one commit by the repository identity, and a new history entry', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Profile the slow query' }])
    const id = ids[0] as string
    const { page } = await openViewer(repo.dir, `/items/${id}`)
    const entries = page.locator('ol[aria-label="History"] > li')
    await expect.poll(() => entries.count()).toBe(1)

    await page.getByLabel('Note', { exact: true }).fill('The index on created_at is missing.')
    await page.getByRole('button', { name: 'Add note' }).click()

    await expect.poll(() => entries.count()).toBe(2)
    expect(git(repo.dir, 'show', `HEAD:${itemFile(repo.dir, id)}`)).toContain('The index on created_at is missing.')
    expect(git(repo.dir, 'log', '-1', '--format=%an <%ae>').trim()).toBe(
      `${REPO_IDENTITY.name} <${REPO_IDENTITY.email}>`,
    )
  })

  it('follows a note added beside it: a new history entry and the note, without a reload', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Tune the connection pool' }])
    const id = ids[0] as string
    const { page } = await openViewer(repo.dir, `/items/${id}`, { live: true })
    const entries = page.locator('ol[aria-label="History"] > li')
    await expect.poll(() => entries.count()).toBe(1)
    await page.evaluate('window.__sameDocument = true')

    await backlog(repo.dir, ['update', id, '--note', 'Pool size 20 holds at peak.'])
    await entries.nth(1).waitFor({ timeout: 1500 })
    await page.getByText('Pool size 20 holds at peak.').first().waitFor({ timeout: 1500 })
    expect(await windowValue(page, '__sameDocument')).toBe(true)
  })

  it('changes the status from its select: one commit, and the board agrees', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Trim the docker image' }])
    const id = ids[0] as string
    const { page, url } = await openViewer(repo.dir, `/items/${id}`)
    await page.locator('select[aria-label="Status"]').selectOption('blocked')
    await expect.poll(() => committedStatus(repo.dir, id)).toBe('blocked')
    expect(git(repo.dir, 'log', '-1', '--format=%an').trim()).toBe(REPO_IDENTITY.name)
    await page.goto(`${url}/`)
    await card(page, id, 'blocked').waitFor()
  })

  it('refuses an edit begun before a change that live updates then showed: the change made meanwhile stays', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Write the upgrade guide' }])
    const id = ids[0] as string
    // Live updates on: the page's version moves on while the editor is open, and the edit must still be checked
    // against the version it began from.
    const { page } = await openViewer(repo.dir, `/items/${id}`)
    await page.getByRole('button', { name: 'Edit description' }).click()
    await page.getByLabel('Description', { exact: true }).fill('MINE: the steps as I would write them.')
    await page.getByLabel('Title', { exact: true }).fill('Write the upgrade guide, mine')

    await backlog(repo.dir, [
      'update',
      id,
      '--description',
      'THEIRS: written from the command line.',
      '--title',
      'Theirs',
    ])
    await page.locator('h1', { hasText: 'Theirs' }).waitFor({ timeout: 1500 })
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim()

    await page.getByRole('button', { name: 'Save' }).first().click()
    await page.getByRole('alert').waitFor()
    expect(git(repo.dir, 'rev-parse', 'HEAD').trim()).toBe(head)
    expect(git(repo.dir, 'show', `HEAD:${itemFile(repo.dir, id)}`)).toContain('THEIRS: written from the command line.')
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('')

    // Having seen theirs, Save again applies the edit on top of it.
    await page.getByRole('button', { name: 'Save' }).first().click()
    await expect.poll(() => git(repo.dir, 'show', `HEAD:${itemFile(repo.dir, id)}`)).toContain('MINE: the steps')
    const described = git(repo.dir, 'rev-parse', 'HEAD').trim()
    // The title was typed before theirs too: its first Save is refused, and the second applies it.
    const saveFields = page.locator('form.fields-form').getByRole('button', { name: 'Save' })
    await saveFields.click()
    await page.getByRole('alert').waitFor()
    expect(git(repo.dir, 'rev-parse', 'HEAD').trim()).toBe(described)
    await saveFields.click()
    await expect
      .poll(() => git(repo.dir, 'show', `HEAD:${itemFile(repo.dir, id)}`))
      .toContain('Write the upgrade guide, mine')
    expect(git(repo.dir, 'rev-list', '--count', `${head}..HEAD`).trim()).toBe('2')
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('')
  })

  it('refuses a stale edit: says so in an alert, and the change made meanwhile stays', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Rename the config keys' }])
    const id = ids[0] as string
    // No live updates reach this page, so it keeps the version it loaded: the edit below races the CLI's and loses.
    const { page } = await openViewer(repo.dir, `/items/${id}`, {
      beforeOpen: (opening) => opening.route('**/api/events', (route) => route.abort()),
    })
    const status = page.locator('select[aria-label="Status"]')
    await status.waitFor()
    expect(await status.inputValue()).toBe('open')

    await backlog(repo.dir, ['update', id, '-s', 'in_progress', '--note', 'taken by the CLI'])
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim()
    await status.selectOption('done')

    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect((await alert.textContent())?.trim()).not.toBe('')
    expect(git(repo.dir, 'rev-parse', 'HEAD').trim()).toBe(head)
    expect(committedStatus(repo.dir, id)).toBe('in_progress')
    expect(git(repo.dir, 'show', `HEAD:${itemFile(repo.dir, id)}`)).toContain('taken by the CLI')
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('')
  })
})

describe('the list', () => {
  it('shows the rows its filter in the address selects, and filters again as one types', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const { page } = await openViewer(repo.dir, '/list?q=tag:auth')
    const filter = page.locator('input[aria-label="Filter"]')
    await filter.waitFor()
    expect(await filter.inputValue()).toBe('tag:auth')
    const rows = page.locator('tr[data-id]')
    await expect.poll(() => rows.count()).toBe(1)
    expect(await rows.first().getAttribute('data-id')).toBe(ids[0])

    await filter.fill('status:open')
    await expect.poll(async () => (await idsOf(rows)).sort()).toEqual([ids[0], ids[1], ids[2]].sort())
  })
})

describe('the keyboard', () => {
  it('reaches a card with Tab and opens it with Enter; Ctrl+K opens Spotlight and Esc closes it', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const { page, url } = await openViewer(repo.dir, '/')
    await column(page, 'open').waitFor()

    let focused: string | null = null
    for (let presses = 0; presses < 60 && !focused; presses++) {
      await page.keyboard.press('Tab')
      focused = await page.evaluate(
        'document.activeElement?.closest("article[data-id]")?.getAttribute("data-id") ?? null',
      )
    }
    expect(focused, 'Tab reached no card').not.toBeNull()
    expect(ids).toContain(focused)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${url}/items/${focused}`)

    await page.keyboard.press('Control+k')
    const { dialog, input } = spotlight(page)
    await dialog.waitFor()
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Search')
    await input.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
  })
})

describe('the keyboard on the board', () => {
  it('moves a focused card with m, the arrows and Enter, and keeps the focus on it in its new column', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const id = ids[0] as string
    const { page } = await openViewer(repo.dir, '/')
    await card(page, id, 'open').focus()
    const head = git(repo.dir, 'rev-parse', 'HEAD').trim()
    await page.keyboard.press('m')
    const move = page.getByLabel('Move to…')
    await move.waitFor()
    expect(await page.evaluate('document.activeElement?.getAttribute("aria-label")')).toBe('Move to…')
    // Browsing the statuses with the arrows moves nothing; Enter moves the card.
    for (let presses = 0; presses < 6 && (await move.inputValue()) !== 'done'; presses++) {
      await page.keyboard.press('ArrowDown')
    }
    expect(await move.inputValue()).toBe('done')
    await page.waitForTimeout(300)
    expect(await card(page, id, 'open').count()).toBe(1)
    expect(git(repo.dir, 'rev-parse', 'HEAD').trim()).toBe(head)
    await page.keyboard.press('Enter')

    await card(page, id, 'done').waitFor()
    await expect
      .poll(() => page.evaluate('document.activeElement?.closest("article[data-id]")?.getAttribute("data-id")'))
      .toBe(id)
    await expect.poll(() => committedStatus(repo.dir, id)).toBe('done')
    expect(git(repo.dir, 'log', '-1', '--format=%an').trim()).toBe(REPO_IDENTITY.name)

    // Arrows move the focus between cards and columns, not the cards.
    await card(page, ids[1] as string, 'open').focus()
    await page.keyboard.press('ArrowRight')
    const focused = await page.evaluate('document.activeElement?.closest("section[data-status]")?.dataset.status')
    expect(focused).toBe('in_progress')
    expect(committedStatus(repo.dir, ids[1] as string)).toBe('open')
  })
})

describe('the other pages', () => {
  it('warns on the review of a merge that left out an item one side changed and the other deleted', async () => {
    const { repo, ids } = await backlogRepo(SMALL_BACKLOG)
    const [changed] = ids as [string]
    repo.git('checkout', '-q', '-b', 'tidy')
    await backlog(repo.dir, ['rm', changed])
    const added = /Added (\S+):/.exec((await backlog(repo.dir, ['add', 'Audit the tokens'])).stdout)?.[1] as string
    repo.git('checkout', '-q', 'main')
    await backlog(repo.dir, ['note', changed, 'Found the cause'])
    // git's line merge, as a hosting service's merge button runs it: git takes the pair for one moved file
    writeFileSync(join(repo.dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
    repo.git('merge', '-q', '--no-edit', 'tidy')

    const { page, pageErrors } = await openViewer(repo.dir, '/review?range=HEAD%5E1..HEAD')
    const warning = page.getByRole('alert').locator(`li[data-lost="${changed}"]`)
    await warning.waitFor()
    const text = await warning.textContent()
    expect(text).toContain('Fix the login redirect was changed on one side of this merge and deleted on the other')
    expect(text).toContain(`git took it for a move to ${added}, which got its change instead`)
    expect(await warning.getByRole('link', { name: added }).getAttribute('href')).toContain(added)
    expect(pageErrors).toEqual([])
  })

  it('opens Activity and Review from the navigation without errors', async () => {
    const { repo } = await backlogRepo(SMALL_BACKLOG)
    const { page, pageErrors } = await openViewer(repo.dir, '/')
    for (const name of ['Activity', 'Review', 'List', 'Board']) {
      await page.getByRole('link', { name, exact: true }).first().click()
      await expect.poll(async () => (await page.locator('main').textContent())?.trim().length ?? 0).toBeGreaterThan(0)
    }
    expect(pageErrors).toEqual([])
  })
})
