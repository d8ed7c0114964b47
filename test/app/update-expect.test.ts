/** `update`'s `expect`: an edit made against a version of an item that is no longer its file is refused, unwritten. */

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { steadyApp } from '../helpers/app.js'
import { expectError } from '../helpers/errors.js'
import { tempRepo } from '../helpers/repo.js'

describe('update with expect', () => {
  it('writes on the version it names, and refuses one an edit by hand made stale', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir)
    onTestFinished(() => app.close())
    await app.init({})
    const id = (await app.create({ title: 'One' })).items[0]?.id as string
    const first = await app.itemView(id)
    const done = await app.update({ id: [id], priority: 'high' }, { expect: first.version })
    expect(done.changed).toBe(true)
    const second = await app.itemView(id)
    expect(second.version).not.toBe(first.version)

    // An edit by hand, not committed: the version changes with the file, and an edit of the old one is refused.
    const path = join(repo.dir, second.item.path as string)
    writeFileSync(path, readFileSync(path, 'utf8').replace('title: One', 'title: One, by hand'))
    const head = repo.git('rev-parse', 'HEAD')
    const error = await expectError(app.update({ id: [id], title: 'Two' }, { expect: second.version }), 'CONFLICT')
    expect(error.details?.version).toBe((await app.itemView(id)).version)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)

    const other = (await app.create({ title: 'Other' })).items[0]?.id as string
    await expectError(app.update({ id: [id, other], priority: 'low' }, { expect: 'x' }), 'INVALID_INPUT')
  })
})
