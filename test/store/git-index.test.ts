/** Checks the git index reader/writer against indexes written, read and verified by the real git CLI. */

import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type BacklogErrorCode, isBacklogError } from '../../src/core/errors.js'
import {
  type CacheTreeNode,
  emptyIndex,
  entryFromStats,
  findCacheTreeNode,
  findEntries,
  type GitIndex,
  INTENT_TO_ADD,
  type IndexEntry,
  parseCacheTree,
  parseIndex,
  SKIP_WORKTREE,
  serializeIndex,
  updateIndexEntries,
} from '../../src/store/git/index-file.js'

const GIT_ENV: Record<string, string> = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
}
const IDENTITY = ['-c', 'user.name=T', '-c', 'user.email=t@e', '-c', 'init.defaultBranch=main']
const roots: string[] = []

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true })
})

interface GitOptions {
  input?: string | Buffer
  env?: Record<string, string>
}

function gitBuffer(repo: string, args: string[], options: GitOptions = {}): Buffer {
  return execFileSync('git', [...IDENTITY, ...args], {
    cwd: repo,
    env: { ...GIT_ENV, ...options.env },
    input: options.input,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

function git(repo: string, args: string[], options: GitOptions = {}): string {
  return gitBuffer(repo, args, options).toString('utf8')
}

function lines(output: string): string[] {
  return output.split('\n').filter((line) => line !== '')
}

function makeRepo(files: Record<string, string> = {}): string {
  const repo = mkdtempSync(join(tmpdir(), 'git-index-'))
  roots.push(repo)
  git(repo, ['init', '-q'])
  writeFiles(repo, files)
  return repo
}

function writeFiles(repo: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true })
    writeFileSync(join(repo, path), content)
  }
}

function commitAll(repo: string, message = 'init'): void {
  git(repo, ['add', '-A'])
  git(repo, ['commit', '-q', '-m', message])
}

function indexFile(repo: string): string {
  return join(repo, '.git', 'index')
}

function readIndex(repo: string): GitIndex {
  return parseIndex(readFileSync(indexFile(repo)))
}

function writeIndex(repo: string, index: GitIndex): void {
  writeFileSync(indexFile(repo), serializeIndex(index))
}

/** Writes the file when content is given, stores its blob like git-backlog does, and builds its index entry. */
function entryFor(repo: string, path: string, content?: string): IndexEntry {
  if (content !== undefined) writeFiles(repo, { [path]: content })
  const oid = git(repo, ['hash-object', '-w', '--', path]).trim()
  return entryFromStats(path, oid, 0o100644, lstatSync(join(repo, path), { bigint: true }))
}

function stage(repo: string, changes: Array<[string, IndexEntry | null]>): GitIndex {
  const updated = updateIndexEntries(
    readIndex(repo),
    changes.map(([path, entry]) => ({ path, entry })),
  )
  writeIndex(repo, updated)
  return updated
}

/** Applies the same changes with git itself on a copy of the index: the oracle for what git-backlog must produce. */
function stageWithGit(repo: string, indexCopy: string, changes: Array<[string, IndexEntry | null]>): void {
  const env = { GIT_INDEX_FILE: indexCopy }
  for (const [path, entry] of changes) {
    if (entry === null) git(repo, ['update-index', '--force-remove', '--', path], { env })
    else git(repo, ['update-index', '--add', '--cacheinfo', `${entry.mode.toString(8)},${entry.oid},${path}`], { env })
  }
}

function copyIndex(repo: string): string {
  const copy = join(repo, '.git', 'oracle-index')
  copyFileSync(indexFile(repo), copy)
  return copy
}

function status(repo: string, args: string[] = [], env: Record<string, string> = {}): string[] {
  return lines(git(repo, ['status', '--porcelain', ...args], { env }))
}

function lsFiles(repo: string, env: Record<string, string> = {}): string[] {
  return lines(git(repo, ['ls-files', '-s'], { env }))
}

function expectFsckClean(repo: string): void {
  const result = spawnSync('git', [...IDENTITY, 'fsck', '--no-dangling', '--no-progress'], {
    cwd: repo,
    env: GIT_ENV,
    encoding: 'utf8',
  })
  expect(`${result.stdout}${result.stderr}`).toBe('')
  expect(result.status).toBe(0)
}

function roundTrips(repo: string): boolean {
  const bytes = readFileSync(indexFile(repo))
  return serializeIndex(parseIndex(bytes)).equals(bytes)
}

function signatures(index: GitIndex): string[] {
  return index.extensions.map((extension) => extension.signature)
}

function extensionData(index: GitIndex, signature: string): Buffer | undefined {
  return index.extensions.find((extension) => extension.signature === signature)?.data
}

function cacheTreeOf(index: GitIndex): CacheTreeNode {
  const data = extensionData(index, 'TREE')
  if (data === undefined) throw new Error('index has no TREE extension')
  return parseCacheTree(data)
}

function cachedOid(root: CacheTreeNode, directory: string): string | null | undefined {
  return findCacheTreeNode(root, directory)?.oid
}

function expectBacklogError(action: () => unknown, code: BacklogErrorCode, message?: RegExp): void {
  try {
    action()
  } catch (error) {
    if (!isBacklogError(error)) throw error
    expect(error.code).toBe(code)
    if (message !== undefined) expect(error.message).toMatch(message)
    return
  }
  expect.fail(`expected a BacklogError ${code}`)
}

function withFsmonitorHook(repo: string): void {
  const hook = join(repo, '.git', 'fsmonitor-hook')
  writeFileSync(hook, "#!/bin/sh\nprintf 'token\\0/\\0'\n")
  chmodSync(hook, 0o755)
  git(repo, ['config', 'core.fsmonitor', hook])
  git(repo, ['config', 'core.fsmonitorHookVersion', '2'])
}

/**
 * Moves worktree mtimes 10 s into the past: git trusts a cached directory only when it changed in an earlier second
 * than the index was written, and tests should not sleep.
 */
function backdateWorktree(directory: string): void {
  const past = new Date(Date.now() - 10_000)
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === '.git') continue
    if (entry.isDirectory()) backdateWorktree(join(directory, entry.name))
    else utimesSync(join(directory, entry.name), past, past)
  }
  utimesSync(directory, past, past)
}

/** Counts the directories git had to read during `git status`, from its trace2 events. */
function directoriesReadByStatus(repo: string): number {
  const trace = join(repo, '.git', 'trace2.json')
  rmSync(trace, { force: true })
  git(repo, ['status', '--porcelain'], { env: { GIT_TRACE2_EVENT: trace, GIT_TRACE2_EVENT_NESTING: '10' } })
  const events = lines(readFileSync(trace, 'utf8')).map((line) => JSON.parse(line) as Record<string, unknown>)
  const opendir = events.find((event) => event.category === 'read_directory' && event.key === 'opendir')
  return Number(opendir?.value ?? Number.NaN)
}

const BASE_FILES = {
  '.backlog/tasks/old/b.md': 'b\n',
  '.backlog/tasks/old/c.md': 'c\n',
  'docs/guide.md': 'guide\n',
  'src/app.ts': 'app\n',
  'src/lib/util.ts': 'util\n',
}

describe('parseIndex and serializeIndex on indexes written by git', () => {
  it('rewrites v2, v3 (intent-to-add, skip-worktree) and v4 indexes byte for byte', () => {
    const repo = makeRepo(BASE_FILES)
    git(repo, ['add', '-A'])
    expect(readIndex(repo).version).toBe(2)
    expect(roundTrips(repo), 'v2 after git add').toBe(true)

    git(repo, ['commit', '-q', '-m', 'init'])
    expect(signatures(readIndex(repo))).toEqual(['TREE'])
    expect(roundTrips(repo), 'v2 with a cache tree').toBe(true)

    writeFiles(repo, { 'notes.txt': 'later\n' })
    git(repo, ['add', '-N', 'notes.txt'])
    git(repo, ['update-index', '--skip-worktree', 'docs/guide.md'])
    git(repo, ['update-index', '--assume-unchanged', 'src/app.ts'])
    const v3 = readIndex(repo)
    expect(v3.version).toBe(3)
    const byPath = new Map(v3.entries.map((entry) => [entry.path, entry]))
    expect(byPath.get('notes.txt')?.extendedFlags).toBe(INTENT_TO_ADD)
    expect(byPath.get('docs/guide.md')?.extendedFlags).toBe(SKIP_WORKTREE)
    expect(byPath.get('src/app.ts')?.assumeValid).toBe(true)
    expect(roundTrips(repo), 'v3 with extended flags').toBe(true)

    git(repo, ['update-index', '--index-version', '4'])
    expect(readIndex(repo).version).toBe(4)
    expect(roundTrips(repo), 'v4 prefix-compressed').toBe(true)

    // A path longer than the 12-bit name length field (0xFFF) is found by its NUL instead.
    const longPath = `${Array.from({ length: 20 }, (_, i) => `dir${i}${'x'.repeat(200)}`).join('/')}/file`
    const blob = git(repo, ['hash-object', '-w', '--stdin'], { input: 'long\n' }).trim()
    git(repo, ['update-index', '--add', '--cacheinfo', `100644,${blob},${longPath}`])
    expect(readIndex(repo).entries.some((entry) => entry.path === longPath)).toBe(true)
    expect(roundTrips(repo), 'v4 with a path over 4095 bytes').toBe(true)
    git(repo, ['update-index', '--index-version', '3'])
    expect(roundTrips(repo), 'v3 with a path over 4095 bytes').toBe(true)
  })

  it('keeps UNTR, REUC, FSMN, EOIE and IEOT byte for byte', () => {
    const repo = makeRepo({ 'c.txt': 'base\n', 'd/e.txt': 'e\n' })
    commitAll(repo)
    git(repo, ['checkout', '-q', '-b', 'other'])
    writeFiles(repo, { 'c.txt': 'other\n' })
    commitAll(repo, 'other')
    git(repo, ['checkout', '-q', 'main'])
    writeFiles(repo, { 'c.txt': 'mine\n' })
    commitAll(repo, 'mine')
    expect(() => git(repo, ['merge', '-q', 'other'])).toThrow()
    expect(readIndex(repo).entries.map((entry) => `${entry.path}:${entry.stage}`)).toEqual([
      'c.txt:1',
      'c.txt:2',
      'c.txt:3',
      'd/e.txt:0',
    ])
    expect(roundTrips(repo), 'unresolved conflict').toBe(true)
    writeFiles(repo, { 'c.txt': 'resolved\n' })
    git(repo, ['add', 'c.txt'])
    expect(signatures(readIndex(repo))).toContain('REUC')
    expect(roundTrips(repo), 'REUC').toBe(true)

    git(repo, ['config', 'core.untrackedCache', 'true'])
    writeFiles(repo, { 'untracked.txt': 'u\n' })
    git(repo, ['status', '--porcelain'])
    expect(signatures(readIndex(repo))).toContain('UNTR')
    expect(roundTrips(repo), 'UNTR').toBe(true)

    withFsmonitorHook(repo)
    git(repo, ['status', '--porcelain'])
    expect(signatures(readIndex(repo))).toContain('FSMN')
    expect(roundTrips(repo), 'FSMN').toBe(true)

    const threaded = ['-c', 'index.threads=2', '-c', 'index.recordEndOfIndexEntries=true']
    for (const version of ['2', '4']) {
      git(repo, [...threaded, '-c', 'index.recordOffsetTable=true', 'update-index', '--index-version', version])
      expect(signatures(readIndex(repo))).toEqual(['IEOT', 'TREE', 'REUC', 'UNTR', 'FSMN', 'EOIE'])
      expect(roundTrips(repo), `IEOT and EOIE in v${version}`).toBe(true)
    }
  })

  it('keeps a path that is not UTF-8 byte for byte, even through an update', () => {
    const repo = makeRepo({ 'a.txt': 'a\n' })
    commitAll(repo)
    const blob = git(repo, ['hash-object', '-w', '--stdin'], { input: 'latin\n' }).trim()
    const latin1Path = Buffer.from('caf\xe9.txt', 'latin1')
    const line = Buffer.concat([Buffer.from(`100644 ${blob}\t`), latin1Path, Buffer.from('\n')])
    git(repo, ['update-index', '--index-info'], { input: line })
    expect(roundTrips(repo)).toBe(true)

    stage(repo, [['b.txt', entryFor(repo, 'b.txt', 'b\n')]])
    const listed = gitBuffer(repo, ['ls-files', '-z']).toString('latin1').split('\0')
    expect(listed).toEqual(['a.txt', 'b.txt', 'caf\xe9.txt', ''])
    expectFsckClean(repo)
  })

  it('accepts the all-zero trailer git writes with index.skipHash', () => {
    const repo = makeRepo({ 'a.txt': 'a\n' })
    git(repo, ['add', '-A'])
    const bytes = readFileSync(indexFile(repo))
    bytes.fill(0, bytes.length - 20)
    expect(parseIndex(bytes).entries.map((entry) => entry.path)).toEqual(['a.txt'])
  })
})

describe('updateIndexEntries checked by git', () => {
  it('stages, modifies and removes backlog paths while keeping the user’s staged work', () => {
    const repo = makeRepo(BASE_FILES)
    commitAll(repo)
    writeFiles(repo, { 'src/app.ts': 'app v2\n', 'src/staged.ts': 'staged\n', 'notes.txt': 'later\n' })
    git(repo, ['add', 'src/app.ts', 'src/staged.ts'])
    git(repo, ['add', '-N', 'notes.txt'])
    writeFiles(repo, { 'docs/guide.md': 'guide, unstaged edit\n' })
    rmSync(join(repo, '.backlog/tasks/old/b.md'))
    const changes: Array<[string, IndexEntry | null]> = [
      ['.backlog/tasks/x/a.md', entryFor(repo, '.backlog/tasks/x/a.md', 'a\n')],
      ['.backlog/tasks/old/b.md', null],
      ['.backlog/tasks/old/c.md', entryFor(repo, '.backlog/tasks/old/c.md', 'c v2\n')],
    ]
    const oracle = copyIndex(repo)
    stageWithGit(repo, oracle, changes)

    const written = stage(repo, changes)

    expect(written.version).toBe(3)
    expect(lsFiles(repo)).toEqual(lsFiles(repo, { GIT_INDEX_FILE: oracle }))
    expect(lsFiles(repo).map((line) => line.split('\t')[1])).toEqual([
      '.backlog/tasks/old/c.md',
      '.backlog/tasks/x/a.md',
      'docs/guide.md',
      'notes.txt',
      'src/app.ts',
      'src/lib/util.ts',
      'src/staged.ts',
    ])
    expect(status(repo)).toEqual([
      'D  .backlog/tasks/old/b.md',
      'M  .backlog/tasks/old/c.md',
      'A  .backlog/tasks/x/a.md',
      ' M docs/guide.md',
      ' A notes.txt',
      'M  src/app.ts',
      'A  src/staged.ts',
    ])
    // Stat data taken from the files means git sees them clean without rehashing or rewriting the index.
    expect(git(repo, ['diff-files', '--name-only'])).toBe('docs/guide.md\nnotes.txt\n')
    expectFsckClean(repo)

    const expectedTree = git(repo, ['write-tree'], { env: { GIT_INDEX_FILE: oracle } }).trim()
    expect(git(repo, ['write-tree']).trim()).toBe(expectedTree)
    git(repo, ['commit', '-q', '-m', 'backlog'])
    expect(git(repo, ['rev-parse', 'HEAD^{tree}']).trim()).toBe(expectedTree)
    expect(lines(git(repo, ['ls-tree', '-r', '--name-only', 'HEAD']))).toEqual([
      '.backlog/tasks/old/c.md',
      '.backlog/tasks/x/a.md',
      'docs/guide.md',
      'src/app.ts',
      'src/lib/util.ts',
      'src/staged.ts',
    ])
    expect(status(repo)).toEqual([' M docs/guide.md', ' A notes.txt'])
    expectFsckClean(repo)
  })

  it('invalidates only the cache tree nodes above changed paths, so git writes the new tree', () => {
    const repo = makeRepo({ ...BASE_FILES, 'été/note.md': 'note\n' })
    commitAll(repo)
    const originalTree = extensionData(readIndex(repo), 'TREE') ?? Buffer.alloc(0)
    const before = cacheTreeOf(readIndex(repo))
    expect(before.entryCount).toBe(6)
    const headOid = (path: string) => git(repo, ['rev-parse', `HEAD:${path}`]).trim()
    expect(before.oid).toBe(git(repo, ['rev-parse', 'HEAD^{tree}']).trim())
    const changes: Array<[string, IndexEntry | null]> = [
      ['.backlog/tasks/x/a.md', entryFor(repo, '.backlog/tasks/x/a.md', 'a\n')],
      ['été/note.md', entryFor(repo, 'été/note.md', 'note v2\n')],
    ]
    const oracle = copyIndex(repo)
    stageWithGit(repo, oracle, changes)

    const written = stage(repo, changes)

    const tree = cacheTreeOf(written)
    for (const directory of ['', '.backlog', '.backlog/tasks', 'été']) {
      expect(findCacheTreeNode(tree, directory)?.entryCount, directory).toBe(-1)
      expect(cachedOid(tree, directory), directory).toBeNull()
    }
    for (const directory of ['.backlog/tasks/old', 'docs', 'src', 'src/lib']) {
      expect(cachedOid(tree, directory), directory).toBe(headOid(directory))
    }
    expectFsckClean(repo)
    const newTree = git(repo, ['write-tree']).trim()
    expect(newTree).toBe(git(repo, ['write-tree'], { env: { GIT_INDEX_FILE: oracle } }).trim())
    expect(git(repo, ['ls-tree', '-r', '--name-only', newTree])).toContain('.backlog/tasks/x/a.md')
    // write-tree stores its result back in the index: git accepted our partially valid tree.
    expect(cacheTreeOf(readIndex(repo)).oid).toBe(newTree)

    // Without the invalidation git trusts the stale root and silently writes the old tree.
    const stale = {
      ...written,
      extensions: written.extensions.map((extension) =>
        extension.signature === 'TREE' ? { signature: 'TREE', data: originalTree } : extension,
      ),
    }
    writeIndex(repo, stale)
    expect(git(repo, ['write-tree']).trim()).toBe(git(repo, ['rev-parse', 'HEAD^{tree}']).trim())
  })

  it('updates a v4 index and keeps it v4 with prefix compression git reads back', () => {
    const repo = makeRepo(BASE_FILES)
    commitAll(repo)
    git(repo, ['update-index', '--index-version', '4'])
    const changes: Array<[string, IndexEntry | null]> = [
      ['.backlog/tasks/old/b.md', null],
      ['.backlog/tasks/old/ba.md', entryFor(repo, '.backlog/tasks/old/ba.md', 'ba\n')],
      ['.backlog/z.md', entryFor(repo, '.backlog/z.md', 'z\n')],
    ]
    const oracle = copyIndex(repo)
    stageWithGit(repo, oracle, changes)
    rmSync(join(repo, '.backlog/tasks/old/b.md'))

    const written = stage(repo, changes)

    expect(written.version).toBe(4)
    expect(readFileSync(indexFile(repo)).readUInt32BE(4)).toBe(4)
    expect(lsFiles(repo)).toEqual(lsFiles(repo, { GIT_INDEX_FILE: oracle }))
    expect(status(repo)).toEqual(['D  .backlog/tasks/old/b.md', 'A  .backlog/tasks/old/ba.md', 'A  .backlog/z.md'])
    expect(roundTrips(repo)).toBe(true)
    expectFsckClean(repo)
  })

  it('sorts by UTF-8 bytes like git, not by JavaScript string order', () => {
    const paths = ['a-b', 'a.b', 'a/b', 'a0', 'ab', 'é.md', 'z.md', '\uff5e.md', '\u{1f600}.md']
    const repo = makeRepo({ README: 'r\n' })
    commitAll(repo)
    writeFiles(repo, Object.fromEntries(paths.map((path) => [path, `${path}\n`])))
    const oracle = copyIndex(repo)
    git(repo, ['add', '--', ...paths], { env: { GIT_INDEX_FILE: oracle } })

    const written = stage(
      repo,
      paths.map((path) => [path, entryFor(repo, path)]),
    )

    const gitOrder = gitBuffer(repo, ['ls-files', '-z'], { env: { GIT_INDEX_FILE: oracle } }).toString('utf8')
    expect(written.entries.map((entry) => entry.path)).toEqual(gitOrder.split('\0').filter((path) => path !== ''))
    expect(written.entries.map((entry) => entry.path)).toEqual([
      'README',
      'a-b',
      'a.b',
      'a/b',
      'a0',
      'ab',
      'z.md',
      'é.md',
      '\uff5e.md',
      '\u{1f600}.md',
    ])
    // JavaScript compares UTF-16 code units and would put the emoji (a surrogate pair) before U+FF5E.
    expect(['\u{1f600}.md', '\uff5e.md'].sort()).toEqual(['\u{1f600}.md', '\uff5e.md'])
    expect(lsFiles(repo)).toEqual(lsFiles(repo, { GIT_INDEX_FILE: oracle }))
    expect(status(repo)).toHaveLength(paths.length)
    expectFsckClean(repo)
  })

  it('resolves a conflict on a backlog path and leaves the user’s other conflicts alone', () => {
    const repo = makeRepo({ '.backlog/tasks/c.md': 'base\n', 'other.txt': 'base\n' })
    commitAll(repo)
    git(repo, ['checkout', '-q', '-b', 'theirs'])
    writeFiles(repo, { '.backlog/tasks/c.md': 'theirs\n', 'other.txt': 'theirs\n' })
    commitAll(repo, 'theirs')
    git(repo, ['checkout', '-q', 'main'])
    writeFiles(repo, { '.backlog/tasks/c.md': 'ours\n', 'other.txt': 'ours\n' })
    commitAll(repo, 'ours')
    expect(() => git(repo, ['merge', '-q', 'theirs'])).toThrow()

    stage(repo, [['.backlog/tasks/c.md', entryFor(repo, '.backlog/tasks/c.md', 'merged\n')]])

    const stages = lsFiles(repo).map((line) => line.replace(/^\d+ [0-9a-f]+ /, ''))
    expect(stages).toEqual(['0\t.backlog/tasks/c.md', '1\tother.txt', '2\tother.txt', '3\tother.txt'])
    expect(lines(git(repo, ['diff', '--name-only', '--diff-filter=U']))).toEqual(['other.txt'])
  })

  it('keeps REUC untouched and drops EOIE, IEOT and FSMN, which git rebuilds', () => {
    const repo = makeRepo({ 'c.txt': 'base\n', 'd/e.txt': 'e\n' })
    commitAll(repo)
    git(repo, ['checkout', '-q', '-b', 'other'])
    writeFiles(repo, { 'c.txt': 'other\n' })
    commitAll(repo, 'other')
    git(repo, ['checkout', '-q', 'main'])
    writeFiles(repo, { 'c.txt': 'mine\n' })
    commitAll(repo, 'mine')
    expect(() => git(repo, ['merge', '-q', 'other'])).toThrow()
    writeFiles(repo, { 'c.txt': 'resolved\n' })
    git(repo, ['add', 'c.txt'])
    withFsmonitorHook(repo)
    const threaded = ['-c', 'index.threads=2', '-c', 'index.recordEndOfIndexEntries=true']
    git(repo, [...threaded, '-c', 'index.recordOffsetTable=true', 'update-index', '--fsmonitor'])
    const before = readIndex(repo)
    expect(signatures(before)).toEqual(['IEOT', 'TREE', 'REUC', 'FSMN', 'EOIE'])

    const written = stage(repo, [['.backlog/tasks/x/a.md', entryFor(repo, '.backlog/tasks/x/a.md', 'a\n')]])

    expect(signatures(written)).toEqual(['TREE', 'REUC'])
    expect(extensionData(written, 'REUC')).toEqual(extensionData(before, 'REUC'))
    expect(lsFiles(repo, { GIT_TEST_INDEX_THREADS: '2' })).toHaveLength(3)
    expect(status(repo)).toEqual(['A  .backlog/tasks/x/a.md', 'M  c.txt'])
    expectFsckClean(repo)
  })

  it('invalidates the untracked cache on changed paths so git status stays right, keeping the rest', () => {
    const repo = makeRepo({ 'tracked.txt': 't\n', 'd/t.txt': 't\n', 'e/f/q.txt': 'q\n' })
    commitAll(repo)
    git(repo, ['config', 'core.untrackedCache', 'true'])
    writeFiles(repo, { '.backlog/tasks/x/a.md': 'a\n', 'd/u.txt': 'u\n', 'e/f/z.txt': 'z\n' })
    backdateWorktree(repo)
    git(repo, ['status', '--porcelain'])
    expect(directoriesReadByStatus(repo)).toBe(0)
    const uncached = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.untrackedCache', GIT_CONFIG_VALUE_0: 'false' }

    // Staging files already on disk and unstaging one left on disk touch no directory's stat data.
    stage(repo, [
      ['.backlog/tasks/x/a.md', entryFor(repo, '.backlog/tasks/x/a.md')],
      ['d/u.txt', entryFor(repo, 'd/u.txt')],
      ['d/t.txt', null],
    ])

    expect(signatures(readIndex(repo))).toContain('UNTR')
    // Only the root, .backlog, .backlog/tasks, .backlog/tasks/x and d are read again; e and e/f stay cached.
    expect(directoriesReadByStatus(repo)).toBe(5)
    const expected = ['A  .backlog/tasks/x/a.md', 'D  d/t.txt', 'A  d/u.txt', '?? d/t.txt', '?? e/f/z.txt']
    expect(status(repo)).toEqual(expected)
    expect(status(repo, [], uncached)).toEqual(expected)
    expect(status(repo, ['-uall'])).toEqual(status(repo, ['-uall'], uncached))
    expectFsckClean(repo)
  })

  it('updates a v4 index whose offset table restarts prefix compression, twice over the same parse', () => {
    const repo = makeRepo({ README: 'r\n' })
    commitAll(repo)
    const blob = git(repo, ['hash-object', '-w', '--stdin'], { input: 'x\n' }).trim()
    const listing = Array.from({ length: 1200 }, (_, i) => `100644 ${blob}\tsrc/dir${i % 7}/file${i}.ts\n`)
    git(repo, ['update-index', '--index-info'], { input: listing.join('') })
    const threaded = ['-c', 'index.threads=4', '-c', 'index.recordEndOfIndexEntries=true']
    git(repo, [...threaded, '-c', 'index.recordOffsetTable=true', 'update-index', '--index-version', '4'])
    expect(signatures(readIndex(repo))).toEqual(['IEOT', 'TREE', 'EOIE'])
    expect(roundTrips(repo)).toBe(true)
    const first: Array<[string, IndexEntry | null]> = [
      ['.backlog/tasks/a.md', entryFor(repo, '.backlog/tasks/a.md', 'a\n')],
      ['src/dir3/file1000.ts', null],
      ['src/dir3/file1000.tsx', entryFor(repo, 'src/dir3/file1000.tsx', 'tsx\n')],
    ]
    const second: Array<[string, IndexEntry | null]> = [
      ['.backlog/tasks/a.md', null],
      ['src/dir6/zz.ts', entryFor(repo, 'src/dir6/zz.ts', 'zz\n')],
    ]
    const oracle = copyIndex(repo)
    stageWithGit(repo, oracle, [...first, ...second])

    const asChanges = (changes: Array<[string, IndexEntry | null]>) => changes.map(([path, entry]) => ({ path, entry }))
    const once = updateIndexEntries(readIndex(repo), asChanges(first))
    writeIndex(repo, updateIndexEntries(once, asChanges(second)))

    expect(readFileSync(indexFile(repo)).readUInt32BE(4)).toBe(4)
    expect(lsFiles(repo)).toEqual(lsFiles(repo, { GIT_INDEX_FILE: oracle }))
    expect(lsFiles(repo, { GIT_TEST_INDEX_THREADS: '4' })).toEqual(lsFiles(repo))
    expect(roundTrips(repo)).toBe(true)
    expectFsckClean(repo)
  })

  it('finds the entries of a few paths, every stage, in index order', () => {
    const repo = makeRepo({ '.backlog/tasks/c.md': 'base\n', 'other.txt': 'base\n' })
    commitAll(repo)
    git(repo, ['checkout', '-q', '-b', 'theirs'])
    writeFiles(repo, { '.backlog/tasks/c.md': 'theirs\n' })
    commitAll(repo, 'theirs')
    git(repo, ['checkout', '-q', 'main'])
    writeFiles(repo, { '.backlog/tasks/c.md': 'ours\n' })
    commitAll(repo, 'ours')
    expect(() => git(repo, ['merge', '-q', 'theirs'])).toThrow()
    git(repo, ['update-index', '--index-version', '4'])

    const found = findEntries(readIndex(repo), ['other.txt', 'missing.md', '.backlog/tasks/c.md', 'other.txt'])

    expect(found.map((entry) => `${entry.path}:${entry.stage}`)).toEqual([
      '.backlog/tasks/c.md:1',
      '.backlog/tasks/c.md:2',
      '.backlog/tasks/c.md:3',
      'other.txt:0',
    ])
    expect(found.map((entry) => entry.oid)).toEqual(lsFiles(repo).map((line) => line.split(' ')[1]))
  })

  it('writes the entries array once it has been read, with any changes made to it', () => {
    const repo = makeRepo(BASE_FILES)
    commitAll(repo)
    const index = readIndex(repo)
    const app = index.entries.find((entry) => entry.path === 'src/app.ts')
    if (app === undefined) throw new Error('src/app.ts is not in the index')
    app.mode = 0o100755
    index.entries = index.entries.filter((entry) => entry.path !== 'docs/guide.md')

    writeIndex(repo, updateIndexEntries(index, [{ path: 'b.md', entry: entryFor(repo, 'b.md', 'b\n') }]))

    expect(lsFiles(repo).map((line) => `${line.split(' ')[0]} ${line.split('\t')[1]}`)).toEqual([
      '100644 .backlog/tasks/old/b.md',
      '100644 .backlog/tasks/old/c.md',
      '100644 b.md',
      '100755 src/app.ts',
      '100644 src/lib/util.ts',
    ])
  })

  it('writes a v3 index when a v2 index gets an entry with extended flags', () => {
    const repo = makeRepo({ 'later.txt': 'later\n' })
    const entry = { ...entryFor(repo, 'later.txt'), extendedFlags: INTENT_TO_ADD }
    const index = updateIndexEntries(emptyIndex(), [{ path: 'later.txt', entry }])
    expect(index.version).toBe(2)

    writeIndex(repo, index)

    expect(readFileSync(indexFile(repo)).readUInt32BE(4)).toBe(3)
    expect(status(repo)).toEqual([' A later.txt'])
  })

  it('returns the index unchanged when nothing changes', () => {
    const repo = makeRepo(BASE_FILES)
    commitAll(repo)
    const before = readIndex(repo)
    const current = before.entries.find((entry) => entry.path === 'docs/guide.md')
    const after = updateIndexEntries(before, [
      { path: 'docs/guide.md', entry: current ?? null },
      { path: 'not/there.md', entry: null },
    ])
    expect(serializeIndex(after)).toEqual(readFileSync(indexFile(repo)))
  })
})

describe('refusals', () => {
  it('refuses a split index', () => {
    const repo = makeRepo({ 'a.txt': 'a\n' })
    git(repo, ['add', '-A'])
    git(repo, ['update-index', '--split-index'])
    expectBacklogError(() => readIndex(repo), 'REPO_UNSUPPORTED', /git update-index --no-split-index/)
  })

  it('refuses a split index whose entries have empty paths, rather than calling it unsorted', () => {
    const repo = makeRepo({ 'a.txt': 'a\n' })
    commitAll(repo)
    writeFiles(repo, { '.backlog/config.yml': 'version: 1\n' })
    git(repo, ['add', '.backlog/config.yml'])
    git(repo, ['commit', '-q', '-m', 'backlog'])
    git(repo, ['update-index', '--split-index'])
    const bytes = readFileSync(indexFile(repo))
    // The main file replaces the shared entries with nameless ones, which read as out of order.
    expect(bytes.subarray(12).includes(Buffer.from('a.txt'))).toBe(false)
    expectBacklogError(() => parseIndex(bytes), 'REPO_UNSUPPORTED', /git update-index --no-split-index/)
  })

  it('refuses a sparse index', () => {
    const repo = makeRepo({ 'src/a.txt': 'a\n', 'docs/x/b.txt': 'b\n' })
    commitAll(repo)
    git(repo, ['sparse-checkout', 'init', '--cone', '--sparse-index'])
    git(repo, ['sparse-checkout', 'set', 'src'])
    expect(lines(git(repo, ['ls-files', '--sparse']))).toContain('docs/')
    expectBacklogError(() => readIndex(repo), 'REPO_UNSUPPORTED', /sparse-checkout disable/)
  })

  it('refuses an unknown required extension and keeps an unknown optional one', () => {
    const repo = makeRepo({ 'a.txt': 'a\n' })
    git(repo, ['add', '-A'])
    const index = readIndex(repo)
    const optional = { signature: 'ZZZZ', data: Buffer.from('opaque') }
    expect(parseIndex(serializeIndex({ ...index, extensions: [optional] })).extensions).toEqual([optional])
    const required = serializeIndex({ ...index, extensions: [{ signature: 'zzzz', data: Buffer.alloc(3) }] })
    expectBacklogError(() => parseIndex(required), 'REPO_UNSUPPORTED', /zzzz/)
    const updated = updateIndexEntries({ ...index, extensions: [optional] }, [
      { path: 'b.txt', entry: entryFor(repo, 'b.txt', 'b\n') },
    ])
    expect(updated.extensions).toEqual([optional])
  })

  it('refuses a corrupted checksum, a truncated file and a file that is not an index', () => {
    const repo = makeRepo({ 'a.txt': 'a\n', 'b.txt': 'b\n' })
    git(repo, ['add', '-A'])
    const bytes = readFileSync(indexFile(repo))
    const flipped = Buffer.from(bytes)
    flipped[40] = (flipped[40] ?? 0) ^ 0xff
    expectBacklogError(() => parseIndex(flipped), 'INDEX_CORRUPT', /checksum/)
    const truncated = Buffer.from(bytes.subarray(0, 80))
    expectBacklogError(() => parseIndex(truncated), 'INDEX_CORRUPT')
    expectBacklogError(() => parseIndex(Buffer.from('not an index at all, just some text')), 'INDEX_CORRUPT')
    const unsorted = serializeIndex({ ...parseIndex(bytes), entries: [...parseIndex(bytes).entries].reverse() })
    expectBacklogError(() => parseIndex(unsorted), 'INDEX_CORRUPT', /sorted/)
  })

  it('refuses a SHA-256 repository', () => {
    const repo = mkdtempSync(join(tmpdir(), 'git-index-'))
    roots.push(repo)
    git(repo, ['init', '-q', '--object-format=sha256'])
    writeFiles(repo, { 'a.txt': 'a\n' })
    git(repo, ['add', '-A'])
    expectBacklogError(() => readIndex(repo), 'REPO_UNSUPPORTED', /SHA-256/)
  })

  it('refuses invalid changes and file/directory clashes', () => {
    const repo = makeRepo({ 'a.txt': 'a\n', 'dir/f.txt': 'f\n' })
    commitAll(repo)
    const index = readIndex(repo)
    const entry = entryFor(repo, 'a.txt')
    const update = (path: string, change: IndexEntry | null) => () =>
      updateIndexEntries(index, [{ path, entry: change }])
    expectBacklogError(update('../x', null), 'INVALID_INPUT')
    expectBacklogError(update('.git/config', null), 'INVALID_INPUT')
    expectBacklogError(update('x/', null), 'INVALID_INPUT')
    expectBacklogError(update('b.txt', entry), 'INVALID_INPUT', /entry is for/)
    expectBacklogError(update('a.txt', { ...entry, oid: 'nope' }), 'INVALID_INPUT')
    expectBacklogError(update('a.txt', { ...entry, stage: 2 }), 'INVALID_INPUT')
    expectBacklogError(update('a.txt', { ...entry, mode: 0o100600 }), 'INVALID_INPUT')
    expectBacklogError(update('dir', { ...entry, path: 'dir' }), 'CONFLICT', /dir\/f\.txt/)
    expectBacklogError(update('a.txt/x', { ...entry, path: 'a.txt/x' }), 'CONFLICT', /a\.txt/)
    expect(() =>
      updateIndexEntries(index, [
        { path: 'a.txt', entry: null },
        { path: 'a.txt/x', entry: { ...entry, path: 'a.txt/x' } },
      ]),
    ).not.toThrow()
  })
})

describe('entryFromStats', () => {
  it('records the same stat data git records for the file', () => {
    const repo = makeRepo({ 'a.txt': 'hello\n' })
    git(repo, ['add', 'a.txt'])
    const fromGit = readIndex(repo).entries[0]
    const ours = entryFor(repo, 'a.txt')
    expect(ours).toEqual(fromGit)

    const fromNumbers = entryFromStats('a.txt', ours.oid, 0o100644, lstatSync(join(repo, 'a.txt')))
    expect({ ...fromNumbers, ctimeNsec: 0, mtimeNsec: 0 }).toEqual({ ...ours, ctimeNsec: 0, mtimeNsec: 0 })
    expect(Math.abs(fromNumbers.mtimeNsec - ours.mtimeNsec)).toBeLessThan(1000)
  })
})
