/** The item-view use-case: one item, its version and the items linked to it, from one read of a real repository. */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { expectError } from '../helpers/errors.js'
import { tempRepo } from '../helpers/repo.js'

async function linkedBacklog() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir })
  onTestFinished(() => app.close())
  await app.init({})
  const made = await app.create({
    items: [
      { title: 'Viewer', type: 'epic' },
      { title: 'Item page', parent: '#1' },
      { title: 'Links panel', parent: '#2' },
      { title: 'JSON API', epic: '#1' },
      { title: 'Dependency arrows', parent: '#2', depends_on: ['#3', '#4'] },
    ],
  })
  const [epic, page, links, api, arrows] = made.items.map((row) => row.id) as [string, string, string, string, string]
  return { repo, app, epic, page, links, api, arrows }
}

const ids = (rows: Array<{ id: string }>) => rows.map((row) => row.id)

describe('itemView', () => {
  it('gives the item in full with the version of its file, and the items around it', async () => {
    const { repo, app, epic, page, links, api, arrows } = await linkedBacklog()
    const view = await app.itemView(arrows)
    const [detail] = (await app.get({ id: [arrows] })).items
    expect(view.item).toEqual(detail)
    // The version is the start of the file's git blob id, which the read model keeps: no file is read again for it.
    expect(view.version).toBe(
      repo
        .git('hash-object', view.item.path as string)
        .trim()
        .slice(0, 16),
    )
    expect(ids(view.parents)).toEqual([page, epic])
    expect(ids(view.depends_on)).toEqual([links, api])
    expect(view.children).toEqual([])
    expect(view.dependents).toEqual([])

    const top = await app.itemView(epic)
    expect(top.parents).toEqual([])
    expect(ids(top.children).sort()).toEqual([page, api].sort())
    expect(ids((await app.itemView(page)).children).sort()).toEqual([links, arrows].sort())
    expect(ids((await app.itemView(api)).dependents)).toEqual([arrows])
    // Rows, as lists give them: no body.
    expect(top.children[0]).not.toHaveProperty('description')
  })

  it('reads the working tree afresh: a hand edit shows with its own version', async () => {
    const { repo, app, links } = await linkedBacklog()
    const before = await app.itemView(links)
    const path = join(repo.dir, before.item.path as string)
    writeFileSync(path, readFileSync(path, 'utf8').replace('title: Links panel', 'title: Links, both ways'))
    const after = await app.itemView(links)
    expect(after.item.title).toBe('Links, both ways')
    expect(after.version).not.toBe(before.version)
    expect(after.version).toBe(
      repo
        .git('hash-object', after.item.path as string)
        .trim()
        .slice(0, 16),
    )
  })

  it('stops a parent chain that a hand edit made into a loop', async () => {
    const { repo, app, epic, page } = await linkedBacklog()
    const { item } = await app.itemView(epic)
    const path = join(repo.dir, item.path as string)
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^parent:$/m, `parent: ${page}`))
    const view = await app.itemView(page)
    expect(ids(view.parents)).toEqual([epic])
  })

  it('says NOT_FOUND for no such item, and MALFORMED_ITEM for a file that cannot be read', async () => {
    const { repo, app, api } = await linkedBacklog()
    await expectError(app.itemView('bl-zzzzzz'), 'NOT_FOUND')
    const { item } = await app.itemView(api)
    writeFileSync(join(repo.dir, item.path as string), '---\nid: [unclosed\n---\n')
    const error = await expectError(app.itemView(api), 'MALFORMED_ITEM')
    expect(error.message).toContain(item.path)
  })
})
