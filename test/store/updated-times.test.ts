import { execFileSync } from 'node:child_process'
import { readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { listInput, searchInput, updateInput } from '../../src/core/inputs.js'
import { itemPath } from '../../src/core/layout.js'
import { createBacklogLog } from '../../src/store/backlog-log.js'
import { discoverRepo } from '../../src/store/repo.js'
import { openStore } from '../../src/store/store.js'
import { createUpdatedTimes } from '../../src/store/updated-times.js'
import { GIT_ENV, seededRandom, steppingClock, type TempRepo, tempRepo } from '../helpers/repo.js'

const START = Date.UTC(2027, 0, 1)

/** A backlog of three items made one second apart, the first of them changed last. */
async function backlog() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, now: steppingClock(START), random: seededRandom(), identity: ID })
  await app.init({})
  const ids: string[] = []
  for (const title of ['Alpha', 'Beta', 'Gamma']) ids.push((await app.create({ title })).items[0]!.id)
  await app.update(updateInput.parse({ id: ids[0], priority: 'high' }))
  return { repo, app, ids: ids as [string, string, string] }
}

const ID = { name: 'Ann', email: 'ann@example.com' }
const at = (seconds: number) => new Date(START + seconds * 1000).toISOString().replace('.000Z', 'Z')

function commitByHand(repo: TempRepo, iso: string, message: string): void {
  const env = { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: `${iso} +0000`, GIT_COMMITTER_DATE: `${iso} +0000` }
  execFileSync('git', ['add', '-A'], { cwd: repo.dir, env })
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: repo.dir, env })
}

describe('derived updated times', () => {
  it('dates each item by the newest commit that changed it, and lists the last changed first', async () => {
    const { app, ids } = await backlog()
    // init at +0s, creates at +1s, +2s, +3s, the update of the first at +4s
    const got = await app.get({ id: ids })
    expect(got.items.map((item) => item.updated)).toEqual([at(4), at(2), at(3)])

    const listed = await app.list(listInput.parse({ sort: 'updated' }))
    expect(listed.items.map((row) => [row.id, row.updated])).toEqual([
      [ids[0], at(4)],
      [ids[2], at(3)],
      [ids[1], at(2)],
    ])
    // nothing in the file says so: the date is derived, never stored
    expect(app.store.get(ids[0])!.text).not.toMatch(/updated/)
    app.close()
  })

  it('takes the file time of an edit not yet committed, and the commit date once it is', async () => {
    const { repo, app, ids } = await backlog()
    const path = itemPath(ids[1])
    writeFileSync(join(repo.dir, path), repo.read(path).replace('title: Beta', 'title: Beta, edited'))
    const edited = new Date(START + 3_600_000)
    utimesSync(join(repo.dir, path), edited, edited)

    expect((await app.get({ id: [ids[1]] })).items[0]!.updated).toBe('2027-01-01T01:00:00Z')
    expect((await app.list(listInput.parse({ sort: 'updated' }))).items[0]!.id).toBe(ids[1])

    commitByHand(repo, '2027-01-02T09:30:00Z', 'Rename Beta')
    expect((await app.get({ id: [ids[1]] })).items[0]!.updated).toBe('2027-01-02T09:30:00Z')
    // the other items keep what history says
    expect((await app.get({ id: [ids[0]] })).items[0]!.updated).toBe(at(4))
    app.close()
  })

  it('forgets the dates of commits a reset left behind', async () => {
    const { repo, app, ids } = await backlog()
    expect((await app.get({ id: [ids[0]] })).items[0]!.updated).toBe(at(4))
    repo.git('reset', '-q', '--hard', 'HEAD~1')
    expect((await app.get({ id: [ids[0]] })).items[0]!.updated).toBe(at(1))
    app.close()
  })

  it('filters and searches by updated', async () => {
    const { repo, app, ids } = await backlog()
    repo.write('src/a.ts', 'export {}\n')
    commitByHand(repo, '2027-03-01T10:00:00Z', 'code outside the backlog')
    const path = itemPath(ids[2])
    writeFileSync(join(repo.dir, path), repo.read(path).replace('Gamma', 'Gamma ray'))
    commitByHand(repo, '2027-03-01T11:00:00Z', 'Gamma by hand')

    const recent = await app.list(listInput.parse({ filter: 'updated.after:2027-02-01' }))
    expect(recent.items.map((row) => row.id)).toEqual([ids[2]])
    const older = await app.list(listInput.parse({ filter: 'updated.before:2027-02-01', sort: 'id' }))
    expect(older.items.map((row) => row.id).sort()).toEqual([ids[0], ids[1]].sort())

    const searched = await app.search(searchInput.parse({ query: 'alpha beta gamma', sort: 'recent' }))
    expect(searched.items.map((row) => row.id)[0]).toBe(ids[2])

    // a bulk update by updated reaches exactly the recently changed item
    const bulk = await app.update(updateInput.parse({ filter: 'updated.after:2027-02-01', add_tags: ['fresh'] }))
    expect(bulk.items.map((row) => row.id)).toEqual([ids[2]])
    app.close()
  })

  it('keeps the walked dates between processes, keyed by the commit walked from', async () => {
    const { repo, app, ids } = await backlog()
    await app.get({ id: [ids[0]] })
    app.close()
    const file = join(repo.dir, '.git', 'backlog', 'updated-cache.json')
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { head: string; times: Array<[string, number]> }
    expect(saved.head).toBe(repo.git('rev-parse', 'HEAD').trim())

    // A planted date proves the next process answers from the file instead of walking again.
    const planted = { ...saved, times: saved.times.map(([key, time]) => [key, key === ids[1] ? 1_000 : time]) }
    writeFileSync(file, JSON.stringify(planted))
    const store = openStore({ cwd: repo.dir })
    await store.refresh()
    const repoInfo = discoverRepo(repo.dir)
    const view = await createUpdatedTimes(repoInfo, createBacklogLog(repoInfo), file).view()
    expect(view.of(store.get(ids[1])!)).toBe(1_000_000)
    store.close()
  })
})
