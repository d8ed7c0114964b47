import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { serializeItem } from '../../src/core/codec.js'
import { blankItem } from '../../src/core/item.js'
import { itemPath } from '../../src/core/layout.js'
import { temporaryTag } from '../../src/store/atomic-file.js'
import { changedSince, createReadModel, type ItemRecord } from '../../src/store/read-model.js'
import { tempRepo } from '../helpers/repo.js'

function seed(repo: ReturnType<typeof tempRepo>, count: number): string[] {
  const ids: string[] = []
  for (let i = 0; i < count; i++) {
    const id = `bl-${String(i).padStart(6, '0')}`
    ids.push(id)
    repo.write(itemPath(id), serializeItem({ ...blankItem(id, `Item ${i}`), tags: ['seed'] }))
  }
  return ids
}

describe('the read model', () => {
  it('reuses parsed items from its cache on a cold start, and notices files changed since', async () => {
    const repo = tempRepo()
    const ids = seed(repo, 60)
    const cache = { file: join(repo.dir, '.git', 'backlog', 'items-cache.json'), key: 'test' }
    const first = createReadModel({ worktree: repo.dir, watchFiles: false, cache })
    await first.refresh()
    first.close()
    expect(existsSync(cache.file)).toBe(true)
    const saved = JSON.parse(readFileSync(cache.file, 'utf8')) as { files: unknown[] }
    expect(saved.files).toHaveLength(60)

    // Poison one cached entry and edit another file: the poisoned one proves the cache is used for unchanged files,
    // the edited one that a changed stamp means a fresh parse.
    const poisoned = JSON.parse(readFileSync(cache.file, 'utf8')) as {
      key: string
      files: Array<[string, string, { title: string }]>
    }
    poisoned.files[0]![2].title = 'FROM CACHE'
    writeFileSync(cache.file, JSON.stringify(poisoned))
    const edited = ids[5]!
    repo.write(itemPath(edited), serializeItem({ ...blankItem(edited, 'Edited since'), tags: ['seed'] }))

    const second = createReadModel({ worktree: repo.dir, watchFiles: false, cache })
    await second.refresh()
    expect(second.get(poisoned.files[0]![0].split('/').pop()!.replace('.md', ''))!.item.title).toBe('FROM CACHE')
    expect(second.get(edited)!.item.title).toBe('Edited since')
    expect(second.all()).toHaveLength(60)
    // A record from the cache still gives the file's text as the base of an edit.
    expect(second.get(ids[10]!)!.text).toBe(repo.read(itemPath(ids[10]!)))
    second.close()

    const otherVersion = createReadModel({ worktree: repo.dir, watchFiles: false, cache: { ...cache, key: 'other' } })
    await otherVersion.refresh()
    expect(otherVersion.all().every((record) => record.item.title !== 'FROM CACHE')).toBe(true)
    otherVersion.close()
  })

  it('keeps the canonical file when two files claim one id, and reports the other', async () => {
    const repo = tempRepo()
    const [id] = seed(repo, 1)
    repo.write('.backlog/tasks/z/copy.md', serializeItem(blankItem(id!, 'A copy')))
    const model = createReadModel({ worktree: repo.dir, watchFiles: false })
    await model.refresh()
    expect(model.get(id!)!.item.title).toBe('Item 0')
    expect(model.problems()).toMatchObject([
      { path: '.backlog/tasks/z/copy.md', reason: expect.stringMatching(/duplicate id/) },
    ])
    expect(model.takenIds().has(id!)).toBe(true)
    const kept = model.get(id!)!.path
    expect(model.duplicates()).toEqual([
      { id: id!.toLowerCase(), paths: [kept, '.backlog/tasks/z/copy.md'].sort(), kept },
    ])
  })

  it('ignores temporary and hidden files, and sees files in folders made by hand', async () => {
    const repo = tempRepo()
    seed(repo, 2)
    repo.write('.backlog/tasks/0/.bl-000000.md.123-abc.tmp', 'partial')
    repo.write('.backlog/tasks/notes.txt', 'not an item')
    repo.write('.backlog/tasks/deep/er/bl-hand01.md', '---\nid: bl-hand01\ntitle: Hand placed\n---\n')
    const model = createReadModel({ worktree: repo.dir, watchFiles: true })
    await model.refresh()
    expect(
      model
        .all()
        .map((record) => record.item.id)
        .sort(),
    ).toEqual(['bl-000000', 'bl-000001', 'bl-hand01'])
    expect(model.problems()).toEqual([])
    repo.write('.backlog/tasks/new/bl-hand02.md', '---\nid: bl-hand02\ntitle: Later\n---\n')
    await model.refresh()
    expect(model.get('bl-hand02')?.item.title).toBe('Later')
    model.close()
  })

  it('keeps each item at its position in all() from one version to the next', async () => {
    const repo = tempRepo()
    const ids = seed(repo, 12)
    const model = createReadModel({ worktree: repo.dir, watchFiles: false })
    await model.refresh()
    const first = model.all()
    expect(model.all()).toBe(first)
    const order = first.map((record) => record.item.id)

    // An edit (by hand, and by this process) replaces the record at its place; nothing else moves.
    repo.write(itemPath(ids[3]!), serializeItem({ ...blankItem(ids[3]!, 'Edited by hand'), tags: ['seed'] }))
    model.noteWritten(itemPath(ids[5]!), serializeItem({ ...blankItem(ids[5]!, 'Written here'), tags: ['seed'] }))
    await model.refresh()
    const second = model.all()
    expect(second).not.toBe(first)
    expect(second.map((record) => record.item.id)).toEqual(order)
    expect(second.filter((record, position) => record !== first[position]).map((record) => record.item.id)).toEqual(
      [ids[3], ids[5]].sort((a, b) => order.indexOf(a!) - order.indexOf(b!)),
    )
    expect(first[order.indexOf(ids[3]!)]!.item.title).toBe('Item 3')

    // Each version says which positions differ from the one before, as a comparison of every position finds them.
    const differing = (a: readonly ItemRecord[], b: readonly ItemRecord[]) =>
      [...Array(Math.max(a.length, b.length)).keys()].filter((position) => a[position] !== b[position])
    expect(changedSince(first, second)).toEqual(differing(first, second))

    // A new item comes last; a removed one's place is taken by the last.
    const added = 'bl-999999'
    repo.write(itemPath(added), serializeItem(blankItem(added, 'Added')))
    await model.refresh()
    const third = model.all()
    expect(third.map((record) => record.item.id)).toEqual([...order, added])
    expect(changedSince(second, third)).toEqual([order.length])
    const gone = order.indexOf(ids[2]!)
    rmSync(join(repo.dir, itemPath(ids[2]!)))
    // Removed, and the item before it edited: the last slot empties, the removed one's slot holds another record.
    repo.write(itemPath(ids[1]!), serializeItem({ ...blankItem(ids[1]!, 'Edited too'), tags: ['seed'] }))
    await model.refresh()
    const fourth = model.all()
    const expected = [...order]
    expected[gone] = added
    expect(fourth.map((record) => record.item.id)).toEqual(expected)
    expect(changedSince(third, fourth)).toEqual(differing(third, fourth))
    expect(changedSince(third, fourth)).toHaveLength(3)
    // Only the version right before: from an older one, the reader compares for itself.
    expect(changedSince(first, fourth)).toBeUndefined()
    model.close()
  })

  it("watching, sees files added, edited and removed by hand in a folder it knows, and killed writers' temporaries", async () => {
    const repo = tempRepo()
    const ids = seed(repo, 40)
    const model = createReadModel({ worktree: repo.dir, watchFiles: true })
    await model.refresh()
    // Into the folder of an existing item: its folder's new time must not hide the new file, nor the removal.
    const added = `${ids[7]!.slice(0, -1)}Z${ids[7]!.slice(-1)}`
    expect(itemPath(added).split('/').slice(0, -1)).toEqual(itemPath(ids[7]!).split('/').slice(0, -1))
    repo.write(itemPath(added), serializeItem(blankItem(added, 'Added by hand')))
    repo.write(itemPath(ids[8]!), serializeItem(blankItem(ids[8]!, 'Edited by hand')))
    rmSync(join(repo.dir, itemPath(ids[9]!)))
    const dead = spawnSync('true').pid
    const tag = temporaryTag().replace(/-\d+-([0-9a-f]{8})$/, `-${dead}-$1`)
    const temporary = `${itemPath(ids[10]!).replace(/[^/]+$/, '')}.${ids[10]}.md.${tag}.tmp`
    repo.write(temporary, 'half a file')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await model.refresh()
    expect(model.get(added)?.item.title).toBe('Added by hand')
    expect(model.get(ids[8]!)?.item.title).toBe('Edited by hand')
    expect(model.get(ids[9]!)).toBeUndefined()
    expect(model.all()).toHaveLength(40)
    expect(model.removeLeftovers()).toEqual([temporary])
    expect(existsSync(join(repo.dir, temporary))).toBe(false)

    // Removed again by hand, after the folder was last listed: still seen.
    rmSync(join(repo.dir, itemPath(added)))
    await new Promise((resolve) => setTimeout(resolve, 100))
    await model.refresh()
    expect(model.get(added)).toBeUndefined()
    expect(model.all()).toHaveLength(39)
    model.close()
  })
})

describe('versions of all()', () => {
  it('are let go once newer ones came: only the newest pair of versions is remembered', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const repo = tempRepo()
    const ids = seed(repo, 20)
    const model = createReadModel({ worktree: repo.dir, watchFiles: false })
    await model.refresh()
    const oldest = new WeakRef(model.all())
    for (let round = 0; round < 4; round++) {
      repo.write(itemPath(ids[round]!), serializeItem({ ...blankItem(ids[round]!, `Round ${round}`), tags: ['seed'] }))
      await model.refresh()
      model.all()
    }
    // A weak reference holds its target until the job that read it ends.
    await new Promise((resolve) => setTimeout(resolve, 10))
    gc()
    expect(oldest.deref()).toBeUndefined()
    model.close()
  })
})
