import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { BacklogError } from '../../src/core/errors.js'
import { updateInput } from '../../src/core/inputs.js'
import { itemPath } from '../../src/core/layout.js'
import { createBacklogLog } from '../../src/store/backlog-log.js'
import { createGitReader } from '../../src/store/git/reader.js'
import { discoverRepo } from '../../src/store/repo.js'
import { steadyApp } from '../helpers/app.js'
import { GIT_ENV, seededRandom, steppingClock, type TempRepo, tempRepo } from '../helpers/repo.js'

/** Runs git with both dates pinned, so the order of a merged history is known. */
function gitAt(repo: TempRepo, iso: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: repo.dir,
    env: { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: `${iso} +0000`, GIT_COMMITTER_DATE: `${iso} +0000` },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function commitAt(repo: TempRepo, iso: string, message: string): string {
  gitAt(repo, iso, 'add', '-A')
  gitAt(repo, iso, 'commit', '-q', '-m', message)
  return repo.git('rev-parse', 'HEAD').trim()
}

/** A repository with a backlog made by the app: init, two items, a status change. Its clock starts in 2027. */
async function backlogRepo() {
  const repo = tempRepo()
  const app = steadyApp(repo.dir, Date.UTC(2027, 0, 1))
  await app.init({ agent: 'setup-bot' })
  const first = (await app.create({ title: 'Fix the login flow', agent: 'claude' })).items[0]!.id
  const second = (await app.create({ title: 'Write the docs', agent: 'codex' })).items[0]!.id
  await app.update(updateInput.parse({ id: first, status: 'done', agent: 'claude' }))
  app.close()
  return { repo, first, second }
}

const ID = { name: 'Ann Agent', email: 'ann@example.com' }

describe('the backlog log', () => {
  it('returns app-made commits newest first with op, agent, ids and changed fields', async () => {
    const { repo, first, second } = await backlogRepo()
    const commits = await createBacklogLog(discoverRepo(repo.dir)).recent()

    expect(commits.map((commit) => commit.commit)).toEqual(repo.git('log', '-4', '--format=%H').trim().split('\n'))
    expect(commits.map(({ commit: _, ...rest }) => rest)).toEqual([
      {
        date: '2027-01-01T00:00:03Z',
        author: 'Ann Agent',
        agent: 'claude',
        op: 'update',
        ids: [first],
        subject: `done ${first}: Fix the login flow`,
        changed: ['status', 'closed'],
      },
      {
        date: '2027-01-01T00:00:02Z',
        author: 'Ann Agent',
        agent: 'codex',
        op: 'create',
        ids: [second],
        subject: `add ${second}: Write the docs`,
      },
      {
        date: '2027-01-01T00:00:01Z',
        author: 'Ann Agent',
        agent: 'claude',
        op: 'create',
        ids: [first],
        subject: `add ${first}: Fix the login flow`,
      },
      {
        date: '2027-01-01T00:00:00Z',
        author: 'Ann Agent',
        agent: 'setup-bot',
        op: 'init',
        ids: [],
        subject: 'init backlog',
      },
    ])
  })

  it('attributes a hand commit to the items whose files it changed, and skips commits outside .backlog/', async () => {
    const { repo, first, second } = await backlogRepo()
    repo.write(itemPath(first), `${repo.read(itemPath(first))}\nEdited by hand.\n`)
    const edit = commitAt(repo, '2027-02-01T10:00:00', 'tweak the login task')
    repo.write('src/app.ts', 'export {}\n')
    commitAt(repo, '2027-02-01T11:00:00', 'code only')
    repo.git('rm', '-q', itemPath(second))
    repo.write('.backlog/config.yml', `${repo.read('.backlog/config.yml')}# note\n`)
    const removal = commitAt(repo, '2027-02-01T12:00:00', 'drop the docs task\n\nBody text, no trailers.')

    const commits = await createBacklogLog(discoverRepo(repo.dir)).recent({ limit: 2 })

    expect(commits).toEqual([
      {
        commit: removal,
        date: '2027-02-01T12:00:00Z',
        author: 'Test Person',
        op: 'edit',
        ids: [second],
        subject: 'drop the docs task',
      },
      {
        commit: edit,
        date: '2027-02-01T10:00:00Z',
        author: 'Test Person',
        op: 'edit',
        ids: [first],
        subject: 'tweak the login task',
      },
    ])
  })

  it('reads a squash of several operations (many trailer blocks) as a hand commit, by the files it changed', async () => {
    const { repo, first, second } = await backlogRepo()
    repo.git('checkout', '-q', '-b', 'side')
    const app = createApp({ cwd: repo.dir, now: steppingClock(Date.UTC(2027, 1, 1)), identity: ID })
    await app.update(updateInput.parse({ id: first, priority: 'low', agent: 'claude' }))
    await app.update(updateInput.parse({ id: second, priority: 'high', agent: 'codex' }))
    app.close()
    const messages = repo.git('log', '--format=* %B', 'main..side')
    repo.git('checkout', '-q', 'main')
    repo.git('merge', '-q', '--squash', 'side')
    // What a hosting service's squash button writes: the messages one after another, the last trailers at the end.
    repo.git('commit', '-q', '-m', `Side work (#12)\n\n${messages}`)
    expect(messages.match(/Backlog-Op:/g)).toHaveLength(2)

    const [squash] = await createBacklogLog(discoverRepo(repo.dir)).recent({ limit: 1 })
    expect(squash).toMatchObject({ op: 'edit', ids: [first, second].sort(), subject: 'Side work (#12)' })
    expect(squash).not.toHaveProperty('agent')
  })

  it('counts a hand commit that changes only config as a backlog commit without ids', async () => {
    const { repo } = await backlogRepo()
    repo.write('.backlog/config.yml', `${repo.read('.backlog/config.yml')}# note\n`)
    const config = commitAt(repo, '2027-02-01T10:00:00', 'tune config')
    const [latest] = await createBacklogLog(discoverRepo(repo.dir)).recent({ limit: 1 })
    expect(latest).toMatchObject({ commit: config, op: 'edit', ids: [] })
  })

  it('filters by ids case-insensitively and stops at the limit', async () => {
    const { repo, first, second } = await backlogRepo()
    const log = createBacklogLog(discoverRepo(repo.dir))

    const aboutFirst = await log.recent({ ids: [first.toUpperCase()] })
    expect(aboutFirst.map((commit) => commit.op)).toEqual(['update', 'create'])
    expect(aboutFirst.every((commit) => commit.ids.includes(first))).toBe(true)

    expect((await log.recent({ ids: new Set([first, second]), limit: 2 })).map((commit) => commit.op)).toEqual([
      'update',
      'create',
    ])
    expect(await log.recent({ ids: ['bl-nothere'] })).toEqual([])
    expect(await log.recent({ ids: [] })).toEqual([])
    expect(await log.recent({ limit: 0 })).toEqual([])
  })

  it('walks no more than maxCommits commits', async () => {
    const { repo, first } = await backlogRepo()
    for (let i = 0; i < 3; i++) {
      repo.write(`src/file${i}.ts`, 'export {}\n')
      commitAt(repo, `2027-02-01T1${i}:00:00`, `code ${i}`)
    }
    const log = createBacklogLog(discoverRepo(repo.dir))
    expect(await log.recent({ maxCommits: 3 })).toEqual([])
    expect((await log.recent({ maxCommits: 4 })).map((commit) => commit.ids)).toEqual([[first]])
  })

  it('sees commits made after an earlier call (cached commits do not hide new ones)', async () => {
    const { repo, second } = await backlogRepo()
    const log = createBacklogLog(discoverRepo(repo.dir))
    expect(await log.recent()).toHaveLength(4)
    repo.write(itemPath(second), `${repo.read(itemPath(second))}\nMore.\n`)
    const edit = commitAt(repo, '2027-02-01T10:00:00', 'more docs')
    const commits = await log.recent()
    expect(commits).toHaveLength(5)
    expect(commits[0]).toMatchObject({ commit: edit, ids: [second] })
    // Returned lists are copies: changing one does not change the next answer.
    commits[0]!.ids.push('bl-changed')
    expect((await log.recent({ limit: 1 }))[0]!.ids).toEqual([second])
  })

  it('returns [] on a branch without commits', async () => {
    const repo = tempRepo({}, { commit: false })
    expect(await createBacklogLog(discoverRepo(repo.dir)).recent()).toEqual([])
  })

  it('diffs a hand-made root commit against nothing', async () => {
    const repo = tempRepo({}, { commit: false })
    repo.write('.backlog/tasks/1/bl-root01.md', '---\nid: bl-root01\ntitle: Root\n---\n')
    repo.write('.backlog/archive/2/BL-old002.md', '---\nid: BL-old002\ntitle: Old\n---\n')
    repo.write('.backlog/tasks/README.md', 'notes\n')
    const root = commitAt(repo, '2027-01-01T00:00:00', 'start by hand')
    const log = createBacklogLog(discoverRepo(repo.dir))
    expect((await log.recent({ ids: ['bl-OLD002'] })).map((commit) => commit.commit)).toEqual([root])
    expect(await log.recent()).toEqual([
      {
        commit: root,
        date: '2027-01-01T00:00:00Z',
        author: 'Test Person',
        op: 'edit',
        ids: ['bl-root01', 'BL-old002'].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
        subject: 'start by hand',
      },
    ])
  })

  it('walks both sides of merges by date and lists a merge only for what it resolved itself', async () => {
    const repo = tempRepo()
    const a = '.backlog/tasks/1/bl-aaaaa1.md'
    const b = '.backlog/tasks/2/bl-bbbbb2.md'
    const lines = (tag: string) => `---\nid: ${tag}\n---\n1\n2\n3\n4\n5\n6\n7\n8\n`
    repo.write(a, lines('bl-aaaaa1'))
    repo.write(b, lines('bl-bbbbb2'))
    const base = commitAt(repo, '2027-01-01T00:00:00', 'base')

    repo.git('checkout', '-q', '-b', 'side')
    repo.write(a, lines('bl-aaaaa1').replace('1\n', 'one\n'))
    const sideA = commitAt(repo, '2027-01-01T00:00:01', 'side edits a')
    repo.git('checkout', '-q', 'main')
    repo.write(b, lines('bl-bbbbb2').replace('8\n', 'eight\n'))
    const mainB = commitAt(repo, '2027-01-01T00:00:02', 'main edits b')
    repo.write('src/x.ts', 'export {}\n')
    const code = commitAt(repo, '2027-01-01T00:00:03', 'code')
    // Different files on each side: the merge itself adds nothing to either.
    gitAt(repo, '2027-01-01T00:00:04', 'merge', '-q', '--no-ff', '-m', 'merge side', 'side')
    const plainMerge = repo.git('rev-parse', 'HEAD').trim()

    repo.git('checkout', '-q', '-b', 'side2')
    repo.write(a, repo.read(a).replace('8\n', 'EIGHT\n'))
    const side2A = commitAt(repo, '2027-01-01T00:00:05', 'side2 edits the end of a')
    repo.git('checkout', '-q', 'main')
    repo.write(a, repo.read(a).replace('2\n', 'TWO\n'))
    const mainA = commitAt(repo, '2027-01-01T00:00:06', 'main edits the top of a')
    // Both sides edited a: the merged file differs from both parents, so the merge made a change of its own.
    gitAt(repo, '2027-01-01T00:00:07', 'merge', '-q', '--no-ff', '-m', 'merge side2', 'side2')
    const resolvingMerge = repo.git('rev-parse', 'HEAD').trim()
    expect(repo.read(a)).toContain('TWO\n')
    expect(repo.read(a)).toContain('EIGHT\n')

    const commits = await createBacklogLog(discoverRepo(repo.dir)).recent()
    expect(commits.map((commit) => [commit.commit, commit.ids])).toEqual([
      [resolvingMerge, ['bl-aaaaa1']],
      [mainA, ['bl-aaaaa1']],
      [side2A, ['bl-aaaaa1']],
      [mainB, ['bl-bbbbb2']],
      [sideA, ['bl-aaaaa1']],
      [base, ['bl-aaaaa1', 'bl-bbbbb2']],
    ])
    expect(commits.map((commit) => commit.commit)).not.toContain(plainMerge)
    expect(commits.map((commit) => commit.commit)).not.toContain(code)
  })

  it('walks only what is new since a given commit, as `git log <since>..HEAD` does, across merges', async () => {
    const repo = tempRepo()
    const file = (n: number) => `.backlog/tasks/${n}/bl-item${n}.md`
    const touch = (n: number, text: string) => repo.write(file(n), `---\nid: bl-item${n}\n---\n${text}\n`)
    touch(1, 'base')
    commitAt(repo, '2027-01-01T00:00:00', 'base')
    repo.git('checkout', '-q', '-b', 'side')
    touch(2, 'made on a side branch long ago')
    commitAt(repo, '2027-01-01T00:00:01', 'side, old')
    repo.git('checkout', '-q', 'main')
    touch(3, 'main')
    const since = commitAt(repo, '2027-01-02T00:00:00', 'main before')
    touch(4, 'main after')
    commitAt(repo, '2027-01-03T00:00:00', 'main after')
    gitAt(repo, '2027-01-04T00:00:00', 'merge', '-q', '--no-ff', '-m', 'merge the old side branch', 'side')
    touch(1, 'changed after the merge')
    commitAt(repo, '2027-01-05T00:00:00', 'last')

    const log = createBacklogLog(discoverRepo(repo.dir))
    const walked: string[] = []
    for await (const { entry } of log.walk({ since })) walked.push(entry.commit)
    const everything = (await log.recent({ limit: 100 })).map((entry) => entry.commit)
    const newSince = new Set(repo.git('rev-list', `${since}..HEAD`).trim().split('\n'))
    expect(walked).toEqual(everything.filter((commit) => newSince.has(commit)))
    expect(walked).toHaveLength(3) // last, main after, side (the plain merge adds nothing of its own)

    const none: string[] = []
    for await (const { entry } of log.walk({ since: repo.git('rev-parse', 'HEAD').trim() })) none.push(entry.commit)
    expect(none).toEqual([])
  })

  it('lists what `git log -- .backlog` lists, less merges that changed no file beyond their parents', async () => {
    const { repo, first, second } = await backlogRepo()
    repo.git('checkout', '-q', '-b', 'side')
    repo.write(itemPath(first), `${repo.read(itemPath(first))}\nSide note.\n`)
    commitAt(repo, '2027-02-01T00:00:00', 'side note')
    repo.write('docs/a.md', 'a\n')
    commitAt(repo, '2027-02-01T00:00:01', 'side docs')
    repo.git('checkout', '-q', 'main')
    repo.write(itemPath(second), repo.read(itemPath(second)).replace('title: Write the docs', 'title: Write docs'))
    commitAt(repo, '2027-02-01T00:00:02', 'main retitle')
    const app = createApp({ cwd: repo.dir, now: steppingClock(Date.UTC(2027, 1, 2)), random: seededRandom(3) })
    await app.create({ title: 'Third', agent: 'claude' })
    app.close()
    gitAt(repo, '2027-02-03T00:00:00', 'merge', '-q', '--no-ff', '-m', 'merge side', 'side')
    repo.write('src/z.ts', 'export {}\n')
    commitAt(repo, '2027-02-03T00:00:01', 'code')

    const listed = repo.git('log', '--format=%H', '--', '.backlog').trim().split('\n')
    const fromGit = listed.filter((oid) => {
      const isMerge = repo.git('rev-list', '--parents', '-n', '1', oid).trim().split(' ').length > 2
      if (!isMerge) return true
      const combined = repo.git('diff-tree', '--cc', '--name-only', oid, '--', '.backlog').split('\n')
      return combined.some((line) => line !== '' && line !== oid)
    })
    const ours = (await createBacklogLog(discoverRepo(repo.dir)).recent()).map((commit) => commit.commit)
    expect(ours).toEqual(fromGit)
    expect(ours).toHaveLength(7)
    expect(listed).toHaveLength(8) // git also lists the merge, which only brought the side's commit over
  })

  it('rejects a limit that is not a whole number', async () => {
    const repo = tempRepo()
    const log = createBacklogLog(discoverRepo(repo.dir))
    await expect(log.recent({ limit: 1.5 })).rejects.toBeInstanceOf(BacklogError)
    await expect(log.recent({ maxCommits: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})

/** Notes added to `id` by an agent through the app, one commit each. */
async function addNotes(repo: TempRepo, id: string, count = 1): Promise<void> {
  const app = steadyApp(repo.dir, Date.UTC(2027, 1, 1))
  for (let i = 0; i < count; i++) await app.update(updateInput.parse({ id, note: `note ${i}`, agent: 'claude' }))
  app.close()
}

/** A log over a reader of its own: nothing kept from another walk, as in a new process. */
function ownLog(repo: TempRepo) {
  const store = discoverRepo(repo.dir)
  return createBacklogLog(store, createGitReader(store.commondir))
}

describe('the walk after one more commit', () => {
  it('answers as a fresh walk does: a backlog write, a code commit, a hand edit and a merge on top of a kept walk', async () => {
    const { repo, first } = await backlogRepo()
    const kept = ownLog(repo)
    const fresh = async () => await ownLog(repo).recent({ limit: 100 })
    expect(await kept.recent({ limit: 100 })).toEqual(await fresh())

    await addNotes(repo, first)
    expect(await kept.recent({ limit: 100 })).toEqual(await fresh())

    repo.write('src/code.ts', 'export {}\n')
    commitAt(repo, '2027-02-02T00:00:00', 'code')
    expect(await kept.recent({ limit: 100 })).toEqual(await fresh())

    const path =
      repo
        .git('ls-files', '.backlog/tasks')
        .trim()
        .split('\n')
        .find((file) => file.includes(first)) ?? ''
    repo.write(path, repo.read(path).replace('Fix the login flow', 'Fix the login flow by hand'))
    commitAt(repo, '2027-02-03T00:00:00', 'hand edit')
    const afterHand = await kept.recent({ limit: 100 })
    expect(afterHand).toEqual(await fresh())
    expect(afterHand[0]).toMatchObject({ op: 'edit', ids: [first], subject: 'hand edit' })

    repo.git('checkout', '-q', '-b', 'side', 'HEAD~1')
    repo.write('src/side.ts', 'export {}\n')
    commitAt(repo, '2027-02-04T00:00:00', 'side')
    repo.git('checkout', '-q', 'main')
    gitAt(repo, '2027-02-05T00:00:00', 'merge', '-q', '--no-edit', 'side')
    expect(await kept.recent({ limit: 100 })).toEqual(await fresh())
  })
})

describe('a walk kept in part', () => {
  it('goes on with git from where it ends after one more commit', async () => {
    const { repo, first } = await backlogRepo()
    const kept = ownLog(repo)
    expect(await kept.recent({ limit: 1 })).toHaveLength(1)
    await addNotes(repo, first)
    const fresh = await ownLog(repo).recent({ limit: 100 })
    expect(fresh).toHaveLength(5)
    expect(await kept.recent({ limit: 100 })).toEqual(fresh)
  })
})

describe('walks at once', () => {
  it('from a walk kept in part, each lists every commit once, as a fresh walk does', async () => {
    const { repo, first } = await backlogRepo()
    await addNotes(repo, first, 12)
    const kept = ownLog(repo)
    expect(await kept.recent({ limit: 3 })).toHaveLength(3)
    const [one, two] = await Promise.all([kept.recent({ limit: 100 }), kept.recent({ limit: 100 })])
    const fresh = await ownLog(repo).recent({ limit: 100 })
    expect(fresh).toHaveLength(16)
    expect(one).toEqual(fresh)
    expect(two).toEqual(fresh)
    expect(await kept.recent({ limit: 100 })).toEqual(fresh)
  })
})
