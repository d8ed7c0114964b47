/**
 * The merge driver under the real git: two clones of a bare remote change the same items, and git merges, rebases,
 * cherry-picks, reverts and pulls with the driver `init` installed (and, for comparison, without it).
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type App, createApp } from '../../src/app/index.js'
import { parseItemFile } from '../../src/core/codec.js'
import { archiveInput, createInput, deleteInput, updateInput } from '../../src/core/inputs.js'
import { itemPath } from '../../src/core/layout.js'
import { renderReview, renderReviewMarkdown } from '../../src/render/review.js'
import { git } from '../helpers/repo.js'

interface Clone {
  dir: string
  git(...args: string[]): string
  /** git that may fail: its exit status and output. */
  tryGit(...args: string[]): { status: number; output: string }
  app(agent: string): App
  item(id: string): ReturnType<typeof parseItemFile>
}

function cloneOf(remote: string, root: string, name: string): Clone {
  const dir = join(root, name)
  git(root, 'clone', '-q', remote, dir)
  git(dir, 'config', 'pull.rebase', 'false')
  const apps: App[] = []
  onTestFinished(() => {
    for (const app of apps) app.close()
  })
  return {
    dir,
    git: (...args) => git(dir, ...args),
    tryGit(...args) {
      try {
        return { status: 0, output: git(dir, ...args) }
      } catch (error) {
        const failed = error as { status: number; stdout: string; stderr: string }
        return { status: failed.status, output: `${failed.stdout}${failed.stderr}` }
      }
    },
    app(agent) {
      const app = createApp({ cwd: dir, agent: () => agent })
      apps.push(app)
      return app
    },
    item: (id) => parseItemFile(readFileSync(join(dir, itemPath(id)), 'utf8')),
  }
}

/** A bare remote with an initialized backlog of one item, and two clones of it. */
async function twoClones() {
  const root = mkdtempSync(join(tmpdir(), 'git-backlog-merge-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  const remote = join(root, 'remote.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', remote)
  const seed = join(root, 'seed')
  git(root, 'clone', '-q', remote, seed)
  git(seed, 'checkout', '-q', '-b', 'main')
  const app = createApp({ cwd: seed, agent: () => 'setup' })
  await app.init({})
  const id = (
    await app.create(
      createInput.parse({
        title: 'Rotate the signing keys',
        priority: 'medium',
        tags: ['security'],
        description: 'Keys rotate every ninety days.\n\nOld keys stay valid for a week.\n',
      }),
    )
  ).items[0]!.id
  app.close()
  git(seed, 'push', '-q', 'origin', 'main')
  return { root, remote, id, a: cloneOf(remote, root, 'a'), b: cloneOf(remote, root, 'b') }
}

const update = (app: App, fields: Record<string, unknown>) => app.update(updateInput.parse(fields))

describe('merging with the driver under the real git', () => {
  it('is installed by init: attributes committed inside .backlog/, the driver in each clone once a tool runs', async () => {
    const { a, id } = await twoClones()
    expect(a.git('check-attr', 'merge', itemPath(id)).trim()).toBe(`${itemPath(id)}: merge: backlog`)
    expect(a.git('ls-files', '.gitattributes').trim()).toBe('')
    // a fresh clone has no local config until a tool runs in it
    expect(a.tryGit('config', '--get', 'merge.backlog.driver').status).toBe(1)
    await a.app('claude').list({})
    expect(a.git('config', '--get', 'merge.backlog.driver')).toMatch(/merge-driver %O %A %B %L %P/)
  })

  it('keeps both sides when they changed the same field, tags, notes, or body and status', async () => {
    const { a, b, id } = await twoClones()
    await update(a.app('claude'), { id, priority: 'high', add_tags: ['keys'], note: 'A looked at it' })
    await update(a.app('claude'), {
      id,
      description: 'Keys rotate every thirty days.\n\nOld keys stay valid for a week.\n',
    })
    await update(b.app('codex'), {
      id,
      priority: 'low',
      add_tags: ['ops'],
      note: 'B looked too',
      status: 'in_progress',
    })
    a.git('push', '-q', 'origin', 'main')

    const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
    expect(pulled.status, pulled.output).toBe(0)
    const merged = b.item(id)
    expect(merged.priority).toBe('high') // the more urgent wins
    expect(merged.notes.map((note) => note.text)).toEqual(
      expect.arrayContaining(['A looked at it', 'B looked too', expect.stringMatching(/priority.*low/)]),
    )
    expect(merged.tags).toEqual(expect.arrayContaining(['security', 'keys', 'ops']))
    expect(merged.status).toBe('in_progress')
    expect(merged.description).toContain('thirty days')
    expect(b.git('status', '--porcelain')).toBe('')
    b.git('fsck', '--strict')
  })

  it('leaves markers only where both sides rewrote the same sentence, and exits with a conflict', async () => {
    const { a, b, id } = await twoClones()
    await update(a.app('claude'), {
      id,
      description: 'Keys rotate every thirty days.\n\nOld keys stay valid for a week.\n',
      priority: 'high',
    })
    await update(b.app('codex'), {
      id,
      description: 'Keys rotate every sixty days.\n\nOld keys stay valid for a week.\n',
      status: 'in_progress',
    })
    a.git('push', '-q', 'origin', 'main')

    const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
    expect(pulled.status).not.toBe(0)
    expect(b.git('status', '--porcelain')).toMatch(new RegExp(`^UU ${itemPath(id).replace(/\./g, '\\.')}`, 'm'))
    const text = readFileSync(join(b.dir, itemPath(id)), 'utf8')
    // the frontmatter merged and parses; the body carries the markers
    expect(text).toMatch(
      /<<<<<<< .*\nKeys rotate every sixty days\.\n=======\nKeys rotate every thirty days\.\n>>>>>>> /,
    )
    expect(text.split('---')[1]).toMatch(/priority: high/)
    expect(text.split('---')[1]).toMatch(/status: in_progress/)
    expect(text).toContain('Old keys stay valid for a week.')

    // While git has the file in conflict, the markers make it unreadable; once a person marks it resolved (here,
    // keeping the markers as text), they are the item's own words.
    const reader = b.app('reader')
    const during = await reader.list({ status: ['all'] })
    expect(during.problems?.map((problem) => problem.path)).toEqual([itemPath(id)])
    expect(during.problems?.[0]?.reason).toMatch(/git conflict markers: the merge of this file is unfinished/)
    b.git('add', itemPath(id))
    const after = await reader.list({ status: ['all'] })
    expect(after.problems ?? []).toEqual([])
    expect((await reader.get({ id: [id] })).items[0]?.description).toMatch(/^<<<<<<< /m)
    reader.close()
  })

  it('merges concurrent edits of different fields cleanly without the driver too (the file format alone)', async () => {
    const { a, b, id } = await twoClones()
    await update(a.app('claude'), { id, title: 'Rotate the signing keys quarterly' })
    await update(b.app('codex'), { id, status: 'in_progress', assignee: 'codex' })
    // what a hosting service does: git's own line merge, no driver (.git/info/attributes overrides the committed one)
    writeFileSync(join(b.dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
    expect(b.git('check-attr', 'merge', itemPath(id)).trim()).toBe(`${itemPath(id)}: merge: text`)
    a.git('push', '-q', 'origin', 'main')
    const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
    expect(pulled.status, pulled.output).toBe(0)
    expect(b.item(id)).toMatchObject({
      title: 'Rotate the signing keys quarterly',
      status: 'in_progress',
      assignee: 'codex',
    })
  })

  it('rebases, cherry-picks and reverts through the driver', async () => {
    const { a, b, id } = await twoClones()
    await update(a.app('claude'), { id, add_tags: ['keys'] })
    a.git('push', '-q', 'origin', 'main')
    await update(b.app('codex'), { id, add_tags: ['ops'] })
    // rebase: b's commit replayed on a's; "ours" is the upstream in a rebase
    const rebased = b.tryGit('pull', '-q', '--rebase', 'origin', 'main')
    expect(rebased.status, rebased.output).toBe(0)
    expect(b.item(id).tags).toEqual(['security', 'keys', 'ops'])

    // cherry-pick a change from a side branch onto a main that changed the same list
    b.git('checkout', '-q', '-b', 'side')
    await update(b.app('codex'), { id, add_tags: ['side'] })
    const picked = b.git('rev-parse', 'HEAD').trim()
    b.git('checkout', '-q', 'main')
    await update(b.app('codex'), { id, remove_tags: ['security'] })
    const cherry = b.tryGit('cherry-pick', picked)
    expect(cherry.status, cherry.output).toBe(0)
    expect(b.item(id).tags).toEqual(['keys', 'ops', 'side'])

    // revert an old change while later commits changed the same list
    const added = b.git('log', '--format=%H', '--grep', 'Backlog-Agent: claude', '-1').trim()
    const reverted = b.tryGit('revert', '--no-edit', added)
    expect(reverted.status, reverted.output).toBe(0)
    expect(b.item(id).tags).toEqual(['ops', 'side'])
    b.git('fsck', '--strict')
  })

  // git takes an item deleted on one side and a small item added there for a move (docs/adr/0021-items-git-takes-for-a-move.md)
  describe('an item one side changed and the other deleted, beside an item that side added', () => {
    /** A small item on both clones; then a: a note and a priority on it; b: deletes it and adds another. */
    async function changedAndDeleted() {
      const clones = await twoClones()
      const { a, b } = clones
      const id = (
        await a.app('claude').create(createInput.parse({ title: 'Rotate the signing keys', tags: ['security'] }))
      ).items[0]!.id
      a.git('push', '-q', 'origin', 'main')
      b.git('pull', '-q', '--no-edit', 'origin', 'main')
      await update(a.app('claude'), { id, priority: 'urgent', note: 'Found the leaked key' })
      await b.app('codex').remove(deleteInput.parse({ id }))
      const added = (await b.app('codex').create(createInput.parse({ title: 'Audit the tokens' }))).items[0]!.id
      return { ...clones, id, added }
    }

    for (const [merging, other] of [
      ['a', 'b'],
      ['b', 'a'],
    ] as const) {
      it(`never hands the change to the added item; resolve brings the changed one back (${merging} merges ${other})`, async () => {
        const clones = await changedAndDeleted()
        const { id, added } = clones
        const [into, from] = [clones[merging], clones[other]]
        from.git('push', '-q', 'origin', 'HEAD:refs/heads/other')
        into.git('fetch', '-q', 'origin', 'other')
        const merged = into.tryGit('merge', '--no-edit', 'FETCH_HEAD')
        // git took the pair for a move; the driver stopped it rather than merge the two
        expect(merged.output).toMatch(new RegExp(`${itemPath(added)}: git took ${id}, changed on`))
        expect(merged.status).toBe(1)
        expect(into.git('status', '--porcelain', '--', itemPath(added)).slice(0, 2)).toBe('UU')
        expect(into.item(added)).toMatchObject({ id: added, title: 'Audit the tokens', priority: undefined, notes: [] })

        const resolved = await into.app('ana').resolve({})
        expect(resolved.files.map((file) => [file.path, file.outcome])).toEqual([
          [itemPath(added), 'merged'],
          [itemPath(id), 'merged'],
        ])
        into.git('commit', '-q', '--no-edit')
        expect(into.item(id)).toMatchObject({ title: 'Rotate the signing keys', priority: 'urgent' })
        expect(into.item(id).notes.map((note) => note.text)).toEqual(['Found the leaked key'])
        expect(into.item(added)).toMatchObject({ title: 'Audit the tokens', priority: undefined, notes: [] })
        expect(into.git('status', '--porcelain')).toBe('')
        into.git('fsck', '--strict')
      })
    }

    it('is merged wrongly by git without the driver (as a merge button does), and the review of the merge says so', async () => {
      const { a, b, id, added } = await changedAndDeleted()
      a.git('push', '-q', 'origin', 'main')
      b.git('fetch', '-q', 'origin')
      // git's line merge, as a hosting service runs it: no driver
      writeFileSync(join(b.dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
      const merged = b.tryGit('merge', '--no-edit', 'origin/main')
      expect(merged.status, merged.output).toBe(0)
      expect(b.item(added)).toMatchObject({ title: 'Audit the tokens', priority: 'urgent' })

      const review = await b.app('ana').review({ range: 'HEAD^1..HEAD' })
      expect(review.lost).toEqual([{ id, title: 'Rotate the signing keys', into: added }])
      const text = renderReview(review)
      expect(text).toContain(`WARNING: ${id} "Rotate the signing keys" was changed on one side of this merge`)
      expect(text).toContain(`git took it for a move to ${added}, which got its change instead`)
      expect(renderReviewMarkdown(review)).toContain(`> [!WARNING]\n> \`${id}\``)
      // the other parent's view of the same merge, and a merge that kept both, lose nothing
      expect((await b.app('ana').review({ range: 'HEAD^2..HEAD' })).lost).toEqual(review.lost)
      b.git('reset', '-q', '--hard', 'HEAD^1')
      rmSync(join(b.dir, '.git', 'info', 'attributes'))
      expect(b.tryGit('merge', '-q', '--no-edit', 'origin/main').status).toBe(1)
      await b.app('ana').resolve({})
      b.git('commit', '-q', '--no-edit')
      expect((await b.app('ana').review({ range: 'HEAD^1..HEAD' })).lost).toBeUndefined()
    })

    it('names nothing lost when the merge moved the changed item: archived on one side, changed on the other', async () => {
      const { a, b, id } = await twoClones()
      await update(a.app('claude'), { id, status: 'done' })
      a.git('push', '-q', 'origin', 'main')
      b.git('pull', '-q', '--no-edit', 'origin', 'main')
      await a.app('claude').archive(archiveInput.parse({ id: [id] }))
      await update(b.app('codex'), { id, note: 'Closed after the audit' })
      a.git('push', '-q', 'origin', 'main')
      const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
      expect(pulled.status, pulled.output).toBe(0)
      const archived = parseItemFile(readFileSync(join(b.dir, itemPath(id, '.backlog/archive')), 'utf8'))
      expect(archived.notes.map((note) => note.text)).toEqual(['Closed after the audit'])
      expect((await b.app('ana').review({ range: 'HEAD^1..HEAD' })).lost).toBeUndefined()
      expect((await b.app('ana').review({ range: 'HEAD^2..HEAD' })).lost).toBeUndefined()
    })

    it('keeps an added item git calls deleted because it took an item both sides deleted for its move', async () => {
      const { a, b, id, added } = await changedAndDeleted()
      await a.app('claude').remove(deleteInput.parse({ id }))
      a.git('push', '-q', 'origin', 'main')
      const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
      expect(pulled.output).toMatch(new RegExp(`CONFLICT \\(rename/delete\\): \\S+ renamed to ${itemPath(added)}`))
      expect(b.git('status', '--porcelain', '--', itemPath(added)).slice(0, 2)).toBe('UD')
      const resolved = await b.app('ana').resolve({})
      expect(resolved.files).toEqual([
        expect.objectContaining({ path: itemPath(added), outcome: 'merged', settled: ['added on one side: kept'] }),
      ])
      expect(resolved.files[0]?.next).toContain(`git took ${id}, which the other side deleted, for a move to it`)
      b.git('commit', '-q', '--no-edit')
      expect(b.item(added)).toMatchObject({ title: 'Audit the tokens' })
      expect(b.tryGit('cat-file', '-e', `HEAD:${itemPath(id)}`).status).not.toBe(0)
      expect(b.git('status', '--porcelain')).toBe('')
    })

    it('is settled the same way by sync, which merges in one process', async () => {
      const { a, b, id, added } = await changedAndDeleted()
      a.git('push', '-q', 'origin', 'main')
      const synced = await b.app('codex').sync({})
      expect(synced.merged).toBeGreaterThan(0)
      expect(b.item(id)).toMatchObject({ priority: 'urgent' })
      expect(b.item(added)).toMatchObject({ title: 'Audit the tokens', priority: undefined, notes: [] })
      expect(b.git('status', '--porcelain')).toBe('')
    })
  })

  it('creates 500 items on each side and merges them without a clash', async () => {
    const { a, b } = await twoClones()
    const titles = (side: string) => Array.from({ length: 500 }, (_, n) => ({ title: `${side} task ${n}` }))
    await a.app('claude').create(createInput.parse({ items: titles('A') }))
    await b.app('codex').create(createInput.parse({ items: titles('B') }))
    a.git('push', '-q', 'origin', 'main')
    const pulled = b.tryGit('pull', '-q', '--no-edit', 'origin', 'main')
    expect(pulled.status, pulled.output).toBe(0)
    const files = readdirSync(join(b.dir, '.backlog', 'tasks'), { recursive: true }).filter((name) =>
      String(name).endsWith('.md'),
    )
    expect(files).toHaveLength(1001)
    const listed = await b.app('codex').list({ limit: 2000, status: ['all'] })
    expect(listed.total).toBe(1001)
    expect(new Set(listed.items.map((row) => row.id.toLowerCase())).size).toBe(1001)
  })
})
