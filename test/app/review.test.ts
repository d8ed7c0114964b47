/**
 * `review`: what happened to the backlog between two revisions, in real repositories with branches, an upstream,
 * uncommitted edits and shallow clones. Assertions are on the review, never on the bytes of item files (their layout
 * is another change's to make).
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseItemFile, serializeItem } from '../../src/core/codec.js'
import { blankItem } from '../../src/core/item.js'
import { itemPath } from '../../src/core/layout.js'
import { git } from '../helpers/repo.js'
import { appOf, change, featureRepo, itemOf } from '../helpers/review.js'

/** Changes an item file as a person's editor would, through the codec (the tests never write item bytes by hand). */
function editItem(
  repo: { read(path: string): string; write(path: string, text: string): void },
  id: string,
  edit: (item: ReturnType<typeof parseItemFile>) => void,
) {
  const path = itemPath(id)
  const item = parseItemFile(repo.read(path))
  edit(item)
  repo.write(path, serializeItem(item))
}

/** A clone of `dir` in a temp folder, removed when the test ends. */
function cloneOf(dir: string, ...args: string[]): string {
  const target = mkdtempSync(join(tmpdir(), 'git-backlog-clone-'))
  onTestFinished(() => rmSync(target, { recursive: true, force: true }))
  git(tmpdir(), 'clone', '-q', ...args, `file://${dir}`, target)
  return target
}

describe('review', () => {
  it('sees what a feature branch did to each item, and who did it', async () => {
    const { repo, ids } = await featureRepo()
    const review = await appOf(repo.dir).review({ range: 'main..feature' })
    expect(review.history).toBe('complete')
    expect(review.merge_base).toBe(true)
    expect(review.worktree).toBe(false)

    const created = itemOf(review, ids['Brand new']!)
    expect(created.kinds).toEqual(['created'])
    expect(change(created, 'created')?.new).toMatchObject({ title: 'Brand new', type: 'task', parent: ids['Epic one'] })
    expect(created.by).toEqual(['claude'])

    const closed = itemOf(review, ids['Close me']!)
    expect(change(closed, 'closed')).toMatchObject({
      old: 'in_progress',
      new: 'done',
      by: 'claude',
      evidence: ['PR #12 merged', 'tests green'],
    })
    expect(change(itemOf(review, ids['Reopen me']!), 'reopened')).toMatchObject({ old: 'done', new: 'open' })
    expect(change(itemOf(review, ids['Hand me over']!), 'assignee')).toMatchObject({ old: 'ann', new: 'claude' })
    expect(change(itemOf(review, ids['Prioritise me']!), 'priority')).toMatchObject({ old: 'low', new: 'urgent' })
    expect(change(itemOf(review, ids['Move me']!), 'parent')).toMatchObject({
      old: ids['Epic one'],
      new: ids['Epic two'],
    })
    expect(change(itemOf(review, ids['Delete me']!), 'deleted')).toMatchObject({ old: 'Delete me' })
    const archived = itemOf(review, ids['Archive me']!)
    expect(archived.kinds).toEqual(['archived'])
    expect(archived.path).toMatch(/^\.backlog\/archive\//)
    expect(change(itemOf(review, ids['Note me']!), 'notes')?.new).toEqual([
      { text: 'Looked into it: the cookie expires early.', by: 'claude', at: expect.any(String) },
    ])
    const described = change(itemOf(review, ids['Describe me']!), 'description')
    expect(described?.new).toContain('-Line two')
    expect(described?.new).toContain('+Line 2')
    for (const item of review.items) expect(item.by).toEqual(['claude'])

    // Created, closed and deleted first; the epics were never touched.
    expect(
      review.items
        .slice(0, 3)
        .map((item) => item.kinds[0])
        .sort(),
    ).toEqual(['closed', 'created', 'deleted'])
    expect(review.items.map((item) => item.id)).not.toContain(ids['Epic one'])
    expect(review.counts).toMatchObject({ created: 1, closed: 1, reopened: 1, deleted: 1, archived: 1, notes: 1 })
  })

  it('by default compares a branch with the one its pull request goes into, main with its upstream, and counts uncommitted edits', async () => {
    const { repo, ids } = await featureRepo()
    // On the feature branch: main, whatever the branch's own upstream (a pushed branch tracks itself).
    repo.git('branch', 'reviewed', 'HEAD~3')
    repo.git('branch', '--set-upstream-to=reviewed')
    const app = appOf(repo.dir)
    const onFeature = await app.review({})
    expect(onFeature.base.name).toBe('main')
    expect(onFeature.items.map((item) => item.id)).toEqual(
      (await app.review({ range: 'main' })).items.map((item) => item.id),
    )
    // On main itself: its upstream, three commits behind here, so only what came after it is new.
    repo.git('checkout', '-q', '-B', 'main')
    repo.git('branch', '--set-upstream-to=reviewed')
    const review = await app.review({})
    expect(review.base.name).toBe('reviewed')
    expect(review.worktree).toBe(true)
    expect(review.items.map((item) => item.id).sort()).toEqual(
      [ids['Archive me'], ids['Note me'], ids['Describe me']].sort(),
    )

    // A hand edit not committed, and a new item file not even added, are part of it.
    editItem(repo, ids['Epic two']!, (item) => {
      item.status = 'in_progress'
    })
    const handMade = blankItem('bl-hand01', 'Made by hand')
    repo.write(itemPath(handMade.id), serializeItem(handMade))
    const withEdits = await app.review({})
    expect(change(itemOf(withEdits, ids['Epic two']!), 'status')).toMatchObject({ old: 'open', new: 'in_progress' })
    expect(itemOf(withEdits, ids['Epic two']!).uncommitted).toBe(true)
    expect(itemOf(withEdits, 'bl-hand01').kinds).toEqual(['created'])
    // An explicit range is about commits only.
    expect((await app.review({ range: 'reviewed..HEAD' })).items.map((item) => item.id)).not.toContain('bl-hand01')
    // One revision is the base, with the working tree.
    expect((await app.review({ range: 'reviewed' })).items.map((item) => item.id)).toContain('bl-hand01')
  })

  it('without an upstream compares with main', async () => {
    const { repo, ids } = await featureRepo()
    const review = await appOf(repo.dir).review({})
    expect(review.base).toMatchObject({ name: 'main', commit: repo.git('rev-parse', 'main').trim() })
    expect(review.items).toHaveLength(Object.keys(ids).length - 2)
  })

  it('says nothing changed for an empty range', async () => {
    const { repo } = await featureRepo()
    const review = await appOf(repo.dir).review({ range: 'feature..feature' })
    expect(review.items).toEqual([])
    expect(review.counts).toEqual({})
  })

  it('refuses a revision that names nothing, and touches nothing', async () => {
    const { repo } = await featureRepo()
    const before = repo.git('status', '--porcelain')
    const app = appOf(repo.dir)
    await expect(app.review({ range: 'nope..feature' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('base: "nope" names no commit'),
    })
    await expect(app.review({ range: 'main..nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(repo.git('status', '--porcelain')).toBe(before)
  })

  it('reports a file that cannot be read instead of failing', async () => {
    const { repo, ids } = await featureRepo()
    repo.write(itemPath(ids['Epic two']!), '---\ntitle: [broken\n---\n')
    const broken = itemOf(await appOf(repo.dir).review({}), ids['Epic two']!)
    expect(broken.kinds).toEqual(['unreadable'])
    expect(change(broken, 'unreadable')?.new).toEqual(expect.any(String))
  })

  it('works in a shallow clone: with the merge base fetched, and without the history between', async () => {
    const { repo, ids } = await featureRepo()
    // CI: the head at depth 1, then the base branch at depth 1. The commits between are not in the clone.
    const shallow = cloneOf(repo.dir, '--depth', '1', '--branch', 'feature')
    git(shallow, 'fetch', '-q', '--depth=1', 'origin', 'main:refs/remotes/origin/main')
    const review = await appOf(shallow).review({ range: 'origin/main..HEAD' })
    expect(review.merge_base).toBe(false)
    expect(review.history).toBe('missing')
    expect(change(itemOf(review, ids['Close me']!), 'closed')).toMatchObject({ old: 'in_progress', new: 'done' })
    expect(change(itemOf(review, ids['Close me']!), 'closed')?.by).toBeUndefined()
    expect(itemOf(review, ids['Brand new']!).by).toBeUndefined()
    expect(review.items).toHaveLength(Object.keys(ids).length - 2)

    // Deep enough to reach the merge base: who did what is known again.
    git(shallow, 'fetch', '-q', '--depth=20', 'origin', 'feature', 'main:refs/remotes/origin/main')
    const deeper = await appOf(shallow).review({ range: 'origin/main..HEAD' })
    expect(deeper.history).toBe('complete')
    expect(change(itemOf(deeper, ids['Close me']!), 'closed')?.by).toBe('claude')
  })
})
