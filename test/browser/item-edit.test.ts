/**
 * The item page edits every field a person sets by hand: due, parent, dependencies, references and blocked reasons
 * beside title, status and the rest. Each save is one commit by the repository's identity, checked with the git CLI;
 * a refused one (an unknown id, a cycle, a change made meanwhile) is said in words and writes nothing.
 */

import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { git } from '../helpers/repo.js'
import { backlog, backlogRepo, openViewer, REPO_IDENTITY } from './browser.js'

/** The item's file as committed at HEAD. */
function committed(dir: string, id: string): string {
  const path = git(dir, 'ls-files', '--', `.backlog/*${id}.md`).trim()
  if (!path) throw new Error(`no file for ${id}`)
  return git(dir, 'show', `HEAD:${path}`)
}

const commitCount = (dir: string) => Number(git(dir, 'rev-list', '--count', 'HEAD').trim())
const head = (dir: string) => git(dir, 'rev-parse', 'HEAD').trim()

/** Runs `act` and waits for exactly one new commit, with a clean work tree after it. */
async function oneCommit(dir: string, act: () => Promise<unknown>): Promise<void> {
  const before = commitCount(dir)
  await act()
  await expect.poll(() => commitCount(dir)).toBe(before + 1)
  expect(git(dir, 'log', '-1', '--format=%an <%ae>').trim()).toBe(`${REPO_IDENTITY.name} <${REPO_IDENTITY.email}>`)
  expect(git(dir, 'status', '--porcelain').trim()).toBe('')
}

/** The alert's text, once there is one. */
async function alertText(page: Page): Promise<string> {
  const alert = page.getByRole('alert')
  await alert.waitFor()
  return (await alert.textContent()) ?? ''
}

describe('editing an item from its page', () => {
  it('sets a due date and adds a dependency: a commit each, and the file holds both', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Ship the importer' }, { title: 'Write the importer docs' }])
    const [id, other] = ids as [string, string]
    const { page } = await openViewer(repo.dir, `/items/${id}`)

    await oneCommit(repo.dir, async () => {
      await page.getByLabel('Due', { exact: true }).fill('2027-03-14')
      await page.getByRole('button', { name: 'Save', exact: true }).click()
    })
    expect(committed(repo.dir, id)).toMatch(/^due: ['"]?2027-03-14/m)

    await oneCommit(repo.dir, async () => {
      await page.getByLabel('New dependency', { exact: true }).fill(other)
      await page.getByRole('button', { name: 'Add dependency', exact: true }).click()
    })
    expect(git(repo.dir, 'log', '-1', '--format=%s%n%b')).toMatch(new RegExp(`${id}[^]*depends_on`))
    const file = committed(repo.dir, id)
    expect(file).toMatch(/^due: ['"]?2027-03-14/m)
    expect(file).toMatch(new RegExp(`^depends_on:[^]*${other}`, 'm'))
    await page.locator('ul[aria-label="Depends on"] a', { hasText: 'Write the importer docs' }).waitFor()
    expect(await page.getByLabel('Due', { exact: true }).inputValue()).toBe('2027-03-14')
  })

  it('clears the due date and the parent, removes a dependency, adds and removes a reference, gives a blocked reason', async () => {
    const { repo, ids } = await backlogRepo([
      { title: 'Plan the migration' },
      { title: 'Freeze the schema' },
      { title: 'Migrate the orders table', due: '2027-01-05' },
    ])
    const [epic, dependency, id] = ids as [string, string, string]
    await backlog(repo.dir, ['update', id, '--parent', epic, '--depends-on', dependency])
    const { page } = await openViewer(repo.dir, `/items/${id}`)
    const save = page.getByRole('button', { name: 'Save', exact: true })
    await page.locator('nav[aria-label="Parents"]', { hasText: 'Plan the migration' }).waitFor()

    await oneCommit(repo.dir, async () => {
      await page.getByRole('button', { name: 'Clear due date' }).click()
      await page.getByLabel('Parent', { exact: true }).fill('')
      await save.click()
    })
    expect(committed(repo.dir, id)).not.toMatch(/^(due|parent): *\S/m)
    await page.locator('nav[aria-label="Parents"]').waitFor({ state: 'detached' })

    await oneCommit(repo.dir, () => page.getByRole('button', { name: `Remove dependency ${dependency}` }).click())
    expect(committed(repo.dir, id)).not.toContain(dependency)

    await oneCommit(repo.dir, async () => {
      await page.getByLabel('Reference URL', { exact: true }).fill('https://example.com/orders-plan')
      await page.getByLabel('Reference title', { exact: true }).fill('The orders plan')
      await page.getByRole('button', { name: 'Add reference', exact: true }).click()
    })
    expect(committed(repo.dir, id)).toContain('https://example.com/orders-plan')
    expect(committed(repo.dir, id)).toContain('The orders plan')
    await page.getByRole('link', { name: 'The orders plan' }).waitFor()

    await oneCommit(repo.dir, () =>
      page.getByRole('button', { name: 'Remove reference https://example.com/orders-plan' }).click(),
    )
    expect(committed(repo.dir, id)).not.toContain('https://example.com/orders-plan')

    await oneCommit(repo.dir, () => page.locator('select[aria-label="Status"]').selectOption('blocked'))
    await oneCommit(repo.dir, async () => {
      await page.getByLabel('New reason', { exact: true }).fill('waiting for the DBA, Tuesday')
      await page.getByRole('button', { name: 'Add reason', exact: true }).click()
    })
    expect(committed(repo.dir, id)).toContain('waiting for the DBA, Tuesday')
    await page.locator('ul[aria-label="Blocked because"] li', { hasText: 'waiting for the DBA, Tuesday' }).waitFor()
  })

  it('says in words why an unknown parent or a dependency cycle is refused, and writes nothing', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Compile the report' }, { title: 'Gather the figures' }])
    const [id, other] = ids as [string, string]
    await backlog(repo.dir, ['update', other, '--depends-on', id])
    const { page } = await openViewer(repo.dir, `/items/${id}`)
    const before = head(repo.dir)

    await page.getByLabel('Parent', { exact: true }).fill('bl-nosuch')
    await page.getByRole('button', { name: 'Save', exact: true }).click()
    expect(await alertText(page)).toMatch(/parent: no item bl-nosuch/)
    await page.getByRole('button', { name: 'Discard' }).click()
    await page.getByRole('button', { name: 'Dismiss' }).click()

    await page.getByLabel('New dependency', { exact: true }).fill(other)
    await page.getByRole('button', { name: 'Add dependency', exact: true }).click()
    expect(await alertText(page)).toMatch(/dependency cycle/)
    expect(head(repo.dir)).toBe(before)
    expect(git(repo.dir, 'status', '--porcelain').trim()).toBe('')
  })

  it('refuses a dependency added over a change made meanwhile; added again, it is checked against the item as it is now', async () => {
    const { repo, ids } = await backlogRepo([{ title: 'Renew the certificate' }, { title: 'Buy the domain' }])
    const [id, other] = ids as [string, string]
    // No live updates: the page keeps the version it loaded.
    const { page } = await openViewer(repo.dir, `/items/${id}`, {
      beforeOpen: (opening) => opening.route('**/api/events', (route) => route.abort()),
    })
    await page.getByLabel('New dependency', { exact: true }).fill(other)
    await backlog(repo.dir, ['update', id, '--title', 'Renew the TLS certificate'])
    const before = head(repo.dir)

    await page.getByRole('button', { name: 'Add dependency', exact: true }).click()
    expect(await alertText(page)).toMatch(/changed meanwhile/)
    expect(head(repo.dir)).toBe(before)
    await page.locator('main h1', { hasText: 'Renew the TLS certificate' }).waitFor()

    await oneCommit(repo.dir, () => page.getByRole('button', { name: 'Add dependency', exact: true }).click())
    const file = committed(repo.dir, id)
    expect(file).toContain('Renew the TLS certificate')
    expect(file).toMatch(new RegExp(`^depends_on:[^]*${other}`, 'm'))
  })
})
