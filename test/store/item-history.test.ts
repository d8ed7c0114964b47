import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { archiveInput, createInput, deleteInput, updateInput } from '../../src/core/inputs.js'
import { ARCHIVE_DIR, itemPath } from '../../src/core/layout.js'
import { createItemHistory } from '../../src/store/item-history.js'
import { discoverRepo } from '../../src/store/repo.js'
import { steadyApp } from '../helpers/app.js'
import { GIT_ENV, type TempRepo, tempRepo } from '../helpers/repo.js'

/** Commits everything by hand with both dates pinned, as a person editing files would. */
function commitByHand(repo: TempRepo, iso: string, message: string): string {
  const env = { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: `${iso} +0000`, GIT_COMMITTER_DATE: `${iso} +0000` }
  execFileSync('git', ['add', '-A'], { cwd: repo.dir, env })
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: repo.dir, env })
  return repo.git('rev-parse', 'HEAD').trim()
}

/** Commit ids `git log` lists for the given paths, newest first. */
function gitLog(repo: TempRepo, ...paths: string[]): string[] {
  return repo
    .git('log', '--format=%H', '--', ...paths)
    .trim()
    .split('\n')
    .filter(Boolean)
}

/**
 * A backlog lived in: two items made by agents, one worked on and archived, the other edited by hand and deleted.
 * Every step is its own commit, made by the app or by plain git.
 */
async function livedInRepo() {
  const repo = tempRepo()
  let app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
  await app.init({ agent: 'setup-bot' })
  const login = (await app.create(createInput.parse({ title: 'Fix the login flow', priority: 'low', agent: 'claude' })))
    .items[0]!.id
  const docs = (await app.create(createInput.parse({ title: 'Write the docs', tags: 'docs', agent: 'codex' })))
    .items[0]!.id
  await app.update(updateInput.parse({ id: login, status: 'in_progress', priority: 'high', agent: 'claude' }))
  await app.update(updateInput.parse({ id: login, note: 'Cookie expires too early', agent: 'claude' }))
  app.close()

  const docsPath = itemPath(docs)
  repo.write(
    docsPath,
    `${repo.read(docsPath).replace('title: Write the docs', 'title: Write the user guide')}\nStart with install.\n`,
  )
  const handEdit = commitByHand(repo, '2027-02-01T10:00:00', 'retitle the docs task')

  app = steadyApp(repo.dir, Date.UTC(2027, 1, 2))
  await app.update(updateInput.parse({ id: login, status: 'done', agent: 'claude' }))
  await app.remove(deleteInput.parse({ id: docs, agent: 'codex' }))
  await app.archive(archiveInput.parse({ id: login, agent: 'claude' }))
  app.close()
  return { repo, login, docs, handEdit }
}

describe('item history', () => {
  it("gives one item's commits as git log does, across the move to archive/, with field changes old → new", async () => {
    const { repo, login } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    const { entries, next } = await history.history({ id: login })

    expect(next).toBeUndefined()
    expect(entries.map((entry) => entry.commit)).toEqual(gitLog(repo, itemPath(login), itemPath(login, ARCHIVE_DIR)))
    expect(entries.map(({ op, agent, items }) => ({ op, agent, items }))).toEqual([
      {
        op: 'archive',
        agent: 'claude',
        items: [{ id: login, path: itemPath(login, ARCHIVE_DIR), from: itemPath(login), changes: [] }],
      },
      {
        op: 'update',
        agent: 'claude',
        items: [
          {
            id: login,
            path: itemPath(login),
            changes: [
              { field: 'status', old: 'in_progress', new: 'done' },
              { field: 'closed', new: expect.stringMatching(/^2027-02-02T/) },
            ],
          },
        ],
      },
      {
        op: 'update',
        agent: 'claude',
        items: [{ id: login, path: itemPath(login), changes: [{ field: 'notes', new: ['Cookie expires too early'] }] }],
      },
      {
        op: 'update',
        agent: 'claude',
        items: [
          {
            id: login,
            path: itemPath(login),
            changes: [
              { field: 'status', old: 'open', new: 'in_progress' },
              { field: 'priority', old: 'low', new: 'high' },
              { field: 'started', new: expect.stringMatching(/^2027-01-01T/) },
            ],
          },
        ],
      },
      {
        op: 'create',
        agent: 'claude',
        items: [
          {
            id: login,
            path: itemPath(login),
            changes: [
              { field: 'title', new: 'Fix the login flow' },
              { field: 'type', new: 'task' },
              { field: 'status', new: 'open' },
              { field: 'priority', new: 'low' },
              { field: 'created', new: expect.stringMatching(/^2027-01-01T/) },
            ],
          },
        ],
      },
    ])
    expect(entries[0]).toMatchObject({
      author: 'Ann Agent',
      subject: `archive ${login}: Fix the login flow`,
      date: expect.stringMatching(/^2027-02-02T\d\d:\d\d:\d\dZ$/),
    })
  })

  it('shows a hand edit with its title change and a body diff, and a deletion', async () => {
    const { repo, docs, handEdit } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    const { entries } = await history.history({ id: docs })

    expect(entries.map((entry) => entry.commit)).toEqual(gitLog(repo, itemPath(docs)))
    expect(entries.map(({ op, items }) => ({ op, changes: items[0]?.changes }))).toEqual([
      { op: 'delete', changes: [{ field: 'deleted', old: 'Write the user guide' }] },
      {
        op: 'edit',
        changes: [
          { field: 'title', old: 'Write the docs', new: 'Write the user guide' },
          { field: 'description', new: '@@ -1,0 +1,1 @@\n+Start with install.' },
        ],
      },
      { op: 'create', changes: expect.arrayContaining([{ field: 'tags', new: ['docs'] }]) },
    ])
    expect(entries[1]).toEqual({
      commit: handEdit,
      date: '2027-02-01T10:00:00Z',
      author: 'Test Person',
      op: 'edit',
      subject: 'retitle the docs task',
      items: [expect.objectContaining({ id: docs, path: itemPath(docs) })],
    })
    expect(entries[0]?.items[0]?.path).toBe(itemPath(docs))
  })

  it('lists every backlog commit for the whole backlog, each with all the items it changed', async () => {
    const { repo, login, docs } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    const { entries } = await history.history({ limit: 100 })

    expect(entries.map((entry) => entry.commit)).toEqual(gitLog(repo, '.backlog'))
    const init = entries.at(-1)
    expect(init).toMatchObject({ op: 'init', agent: 'setup-bot', items: [] })
    const ids = entries.map((entry) => entry.items.map((item) => item.id))
    expect(ids).toEqual([[login], [docs], [login], [docs], [login], [login], [docs], [login], []])
  })

  it('keeps to one agent when asked, matching the trailer case-insensitively', async () => {
    const { repo } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    const { entries } = await history.history({ agent: 'Codex' })

    const fromGit = repo.git('log', '--format=%H', '--grep=^Backlog-Agent: codex$').trim().split('\n')
    expect(entries.map((entry) => entry.commit)).toEqual(fromGit)
    expect(entries.map((entry) => entry.op)).toEqual(['delete', 'create'])
    expect(entries.every((entry) => entry.agent === 'codex')).toBe(true)
  })

  it('pages with after: the pages put together are the whole history, and the last has no next', async () => {
    const { repo, login } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))
    const all = (await history.history({ limit: 100 })).entries

    const pages: string[][] = []
    let after: string | undefined
    do {
      const page = await history.history({ limit: 3, ...(after ? { after } : {}) })
      pages.push(page.entries.map((entry) => entry.commit))
      after = page.next
      if (after) expect(after).toBe(page.entries.at(-1)?.commit)
    } while (after)

    expect(pages.map((page) => page.length)).toEqual([3, 3, 3])
    expect(pages.flat()).toEqual(all.map((entry) => entry.commit))
    // One item's pages, with an abbreviated cursor.
    const first = await history.history({ id: login, limit: 2 })
    const second = await history.history({ id: login, limit: 2, after: first.next?.slice(0, 10) as string })
    expect([...first.entries, ...second.entries].map((entry) => entry.commit)).toEqual(
      gitLog(repo, itemPath(login), itemPath(login, ARCHIVE_DIR)).slice(0, 4),
    )
  })

  it('refuses a cursor that is not a commit of this history, and a limit out of range', async () => {
    const { repo } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))
    const initial = repo.git('rev-list', '--max-parents=0', 'HEAD').trim()
    // any commit of the history is a place to go on from (a page cut short by its walk ends on one)
    expect(await history.history({ after: initial })).toEqual({ entries: [] })

    repo.git('checkout', '-q', '-b', 'elsewhere')
    repo.write('src/other.ts', 'export {}\n')
    repo.git('add', '-A')
    repo.git('commit', '-qm', 'on another branch')
    const elsewhere = repo.git('rev-parse', 'HEAD').trim()
    repo.git('checkout', '-q', '-')
    await expect(history.history({ after: elsewhere })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(history.history({ after: 'f'.repeat(40) })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(history.history({ after: 'HEAD' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(history.history({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('walks a bounded number of commits per page and says where to go on, through long stretches of code', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
    await app.init({})
    const id = (await app.create(createInput.parse({ title: 'Old item', agent: 'ann' }))).items[0]!.id
    // 30 commits of code, then one change to the item: its create lies 31 commits back.
    const many = Array.from(
      { length: 30 },
      (_, n) =>
        `commit refs/heads/main\ncommitter A <a@b.c> ${1_800_000_000 + n} +0000\ndata 5\ncode\n${n === 0 ? 'from refs/heads/main^0\n' : ''}M 644 inline src/f.ts\ndata 2\n${n % 10}\n`,
    ).join('')
    execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: many, env: { ...process.env, ...GIT_ENV } })
    repo.git('reset', '-q', '--hard')
    const later = steadyApp(repo.dir, Date.UTC(2027, 6, 1))
    await later.update(updateInput.parse({ id, priority: 'high', agent: 'ann' }))
    later.close()
    app.close()

    const history = createItemHistory(discoverRepo(repo.dir))
    const pages: string[][] = []
    let after: string | undefined
    for (let page = 0; page < 10; page++) {
      const result = await history.history({ id, maxCommits: 8, ...(after ? { after } : {}) })
      pages.push(result.entries.map((entry) => entry.op ?? ''))
      if (!result.next) break
      after = result.next
    }
    expect(pages.flat()).toEqual(['update', 'create'])
    expect(pages.length).toBeGreaterThanOrEqual(4) // 33 commits at 8 a page
    expect(pages.slice(1, -1).every((ops) => ops.length === 0)).toBe(true)
    // without a bound, one page has it all
    expect((await history.history({ id })).entries.map((entry) => entry.op)).toEqual(['update', 'create'])
  })

  it('sees commits made after an earlier call, and gives equal answers from its cache', async () => {
    const { repo } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))
    const before = await history.history({ limit: 4 })
    expect(await history.history({ limit: 4 })).toEqual(before)

    const app = steadyApp(repo.dir, Date.UTC(2027, 2, 1))
    const added = await app.create(createInput.parse({ title: 'Third thing', agent: 'claude' }))
    app.close()

    const after = await history.history({ limit: 4 })
    expect(after.entries[0]?.commit).toBe(added.commit)
    expect(after.entries.slice(1).map((entry) => entry.commit)).toEqual(
      before.entries.slice(0, 3).map((entry) => entry.commit),
    )
    // What a caller does to its answer does not leak into the next one.
    before.entries[0]?.items[0]?.changes.push({ field: 'bogus' })
    expect((await history.history({ limit: 4 })).entries[1]).toEqual(after.entries[1])
  })

  it('measures a merge that resolved a conflict against its first parent', async () => {
    const repo = tempRepo()
    const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
    await app.init({})
    const id = (await app.create(createInput.parse({ title: 'Plan the release', priority: 'medium' }))).items[0]!.id
    app.close()
    const path = itemPath(id)
    const original = repo.read(path)
    repo.git('checkout', '-q', '-b', 'side')
    repo.write(path, original.replace('priority: medium', 'priority: high'))
    const side = commitByHand(repo, '2027-01-02T10:00:00', 'raise it')
    repo.git('checkout', '-q', 'main')
    repo.write(path, original.replace('priority: medium', 'priority: low'))
    const main = commitByHand(repo, '2027-01-02T11:00:00', 'lower it')
    // without the driver (git's own line merge), so the merge conflicts and a person settles it in the merge commit
    repo.write('.git/info/attributes', '*.md merge=text\n')
    expect(() => repo.git('merge', '-q', 'side')).toThrow()
    repo.write(
      path,
      original.replace('priority: medium', 'priority: urgent').replace('status: open', 'status: blocked'),
    )
    const merge = commitByHand(repo, '2027-01-02T12:00:00', 'merge side: urgent after all')

    const { entries } = await createItemHistory(discoverRepo(repo.dir)).history({ id })

    expect(entries.map((entry) => entry.commit)).toEqual([merge, main, side, gitLog(repo, path).at(-1)])
    expect(entries[0]?.items[0]?.changes).toEqual([
      { field: 'status', old: 'open', new: 'blocked' },
      { field: 'priority', old: 'low', new: 'urgent' },
    ])
    expect(entries[2]?.items[0]?.changes).toEqual([{ field: 'priority', old: 'medium', new: 'high' }])
  })

  it('reports a file broken by hand as unreadable, and the fix after it', async () => {
    const { repo } = await livedInRepo()
    const app = steadyApp(repo.dir, Date.UTC(2027, 2, 1))
    const id = (await app.create(createInput.parse({ title: 'Fragile', agent: 'claude' }))).items[0]!.id
    app.close()
    const path = itemPath(id)
    const good = repo.read(path)
    repo.write(path, good.replace('title: Fragile', 'title: [Fragile'))
    commitByHand(repo, '2027-03-02T10:00:00', 'break it')
    repo.write(path, good.replace('title: Fragile', 'title: Sturdy'))
    commitByHand(repo, '2027-03-02T11:00:00', 'fix it')

    const { entries } = await createItemHistory(discoverRepo(repo.dir)).history({ id, limit: 2 })

    expect(entries[1]?.items[0]?.changes).toEqual([
      { field: 'unreadable', new: expect.stringContaining('invalid YAML frontmatter') },
    ])
    expect(entries[0]?.items[0]?.changes[0]).toEqual({
      field: 'unreadable',
      old: expect.stringContaining('invalid YAML frontmatter'),
    })
    expect(entries[0]?.items[0]?.changes).toContainEqual({ field: 'title', new: 'Sturdy' })
  })
})

describe('item files at a commit', () => {
  it('gives the last version of a deleted item: its file in the parent of the deleting commit', async () => {
    const { repo, docs } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))
    const deletion = gitLog(repo, itemPath(docs))[0] as string

    const last = await history.lastVersion(docs.toUpperCase())

    const parent = repo.git('rev-parse', `${deletion}^`).trim()
    const text = repo.git('show', `${parent}:${itemPath(docs)}`)
    expect(last).toEqual({ commit: parent, path: itemPath(docs), text, bytes: new Uint8Array(Buffer.from(text)) })
    expect(last?.text).toContain('title: Write the user guide')
  })

  it('gives the commit that last wrote an item that still exists, and nothing for an id never seen', async () => {
    const { repo, login } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    const text = repo.read(itemPath(login, ARCHIVE_DIR))
    expect(await history.lastVersion(login)).toEqual({
      commit: repo.git('rev-parse', 'HEAD').trim(),
      path: itemPath(login, ARCHIVE_DIR),
      text,
      bytes: new Uint8Array(Buffer.from(text)),
    })
    expect(await history.lastVersion('bl-zzzzzz')).toBeUndefined()
  })

  it('reads a file at any commit as git show does, and nothing where the commit has none', async () => {
    const { repo, docs, handEdit } = await livedInRepo()
    const history = createItemHistory(discoverRepo(repo.dir))

    expect(await history.fileAt(handEdit, itemPath(docs))).toBe(repo.git('show', `${handEdit}:${itemPath(docs)}`))
    expect(await history.fileAt(handEdit.slice(0, 8), '.backlog/config.yml')).toBe(repo.read('.backlog/config.yml'))
    expect(await history.fileAt(handEdit, itemPath('bl-zzzzzz'))).toBeUndefined()
    expect(await history.fileAt(handEdit, '.backlog/tasks')).toBeUndefined()
    await expect(history.fileAt(handEdit, 'README.md')).rejects.toMatchObject({ code: 'PATH_OUTSIDE_BACKLOG' })
    await expect(history.fileAt('0'.repeat(40), itemPath(docs))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
