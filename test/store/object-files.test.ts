import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import git from 'isomorphic-git'
import { describe, expect, it } from 'vitest'
import { hasRawObject, readRawObject } from '../../src/store/git/object-files.js'
import { readCommitSummary, readOnlyFs, readTreeEntries } from '../../src/store/git/read.js'
import { createGitReader } from '../../src/store/git/reader.js'
import { GIT_ENV, type TempRepo, tempRepo } from '../helpers/repo.js'

/** A history with what packs hold: versions of a long file (deltas), binary and executable files, nested folders. */
function repoWithHistory(): TempRepo {
  const repo = tempRepo({ 'README.md': '# project\n' })
  const lines = Array.from({ length: 400 }, (_, i) => `line ${i}: ${'word '.repeat(i % 13)}`)
  for (let round = 0; round < 6; round++) {
    lines[round * 50] = `changed in round ${round}`
    repo.write('notes/long.txt', `${lines.join('\n')}\n`)
    repo.write(`.backlog/tasks/${round}/bl-000000${round}.md`, `---\ntitle: Item ${round}\n---\n\nRound ${round}\r\n`)
    repo.write('bin/data.bin', String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 7 + round) % 256)))
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', `Round ${round}\n\nBacklog-Op: test\n`)
  }
  repo.write('run.sh', '#!/bin/sh\necho hi\n')
  chmodSync(join(repo.dir, 'run.sh'), 0o755)
  repo.git('add', '-A')
  repo.git('commit', '-q', '-m', 'A script')
  return repo
}

/** Every object the repository holds: [id, type]. */
function allObjects(repo: TempRepo): Array<[string, string]> {
  return repo
    .git('cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)')
    .trim()
    .split('\n')
    .map((line) => line.split(' ') as [string, string])
}

function catFile(repo: TempRepo, type: string, oid: string): Buffer {
  return execFileSync('git', ['cat-file', type, oid], { cwd: repo.dir, env: { ...process.env, ...GIT_ENV } })
}

/** Reads every object natively and compares it with what git prints. */
function expectSameAsGit(repo: TempRepo): void {
  const gitdir = join(repo.dir, '.git')
  const objects = allObjects(repo)
  expect(objects.length).toBeGreaterThan(30)
  for (const [oid, type] of objects) {
    const raw = readRawObject(gitdir, oid)
    expect(raw?.type, oid).toBe(type)
    expect(raw?.content.equals(catFile(repo, type, oid)), `${type} ${oid}`).toBe(true)
    expect(hasRawObject(gitdir, oid)).toBe(true)
  }
}

describe('reading git objects from the object files', () => {
  it('reads loose objects as git does', () => {
    const repo = repoWithHistory()
    expect(repo.git('count-objects', '-v')).toMatch(/^packs: 0$/m)
    expectSameAsGit(repo)
  })

  it('reads packed objects, deltas against an offset included, as git does', () => {
    const repo = repoWithHistory()
    repo.git('gc', '-q', '--aggressive', '--prune=now')
    expect(repo.git('count-objects', '-v')).toMatch(/^count: 0$/m)
    expect(repo.git('verify-pack', '-v', ...packIndexes(repo))).toMatch(/chain length = [1-9]/)
    expectSameAsGit(repo)
  })

  it('reads packs whose deltas name their base by id', () => {
    const repo = repoWithHistory()
    repo.git('-c', 'repack.useDeltaBaseOffset=false', 'repack', '-a', '-d', '-q', '-f')
    repo.git('prune-packed')
    expect(repo.git('count-objects', '-v')).toMatch(/^count: 0$/m)
    expectSameAsGit(repo)
  })

  it('finds objects in a pack made after its first look, and says when an object is in neither', () => {
    const repo = repoWithHistory()
    const gitdir = join(repo.dir, '.git')
    const head = repo.git('rev-parse', 'HEAD').trim()
    const missing = '0123456789abcdef0123456789abcdef01234567'
    // A first look lists the packs there are; a commit then packed into a new pack is found by listing them again.
    repo.git('gc', '-q', '--prune=now')
    expect(hasRawObject(gitdir, missing)).toBe(false)
    expect(readRawObject(gitdir, head)?.type).toBe('commit')
    repo.write('new.txt', 'after\n')
    repo.git('add', '-A')
    repo.git('commit', '-q', '-m', 'later')
    repo.git('repack', '-q', '-d')
    const later = repo.git('rev-parse', 'HEAD').trim()
    expect(repo.git('count-objects', '-v')).toMatch(/^count: 0$/m)
    expect(readRawObject(gitdir, later)?.type).toBe('commit')
    expect(readRawObject(gitdir, missing)).toBeUndefined()
    expect(hasRawObject(gitdir, missing)).toBe(false)
  })

  it('checks a loose object against its id, and says a damaged one is damaged', () => {
    const repo = repoWithHistory()
    const gitdir = join(repo.dir, '.git')
    const first = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: 'aaa\n' })
      .toString()
      .trim()
    const second = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: 'bbb\n' })
      .toString()
      .trim()
    const path = (oid: string) => join(gitdir, 'objects', oid.slice(0, 2), oid.slice(2))
    chmodSync(path(first), 0o644)
    copyFileSync(path(second), path(first))
    expect(() => readRawObject(gitdir, first)).toThrow(/object [0-9a-f]{40} .* is damaged.*git fsck/)
    expect(readRawObject(gitdir, second)?.content.toString()).toBe('bbb\n')
  })

  it('gives trees, commits and ancestry as isomorphic-git does', async () => {
    const repo = repoWithHistory()
    repo.git('gc', '-q', '--prune=now')
    repo.write('late.txt', 'loose again\n')
    repo.git('add', '-A')
    repo.git(
      'commit',
      '-q',
      '--author',
      'Other Person <other@example.com>',
      '--date',
      '2026-01-02T03:04:05+0530',
      '-m',
      '\n\nLeading blank lines\r\n\n\n',
    )
    const gitdir = join(repo.dir, '.git')
    const cache = {}
    const commits = repo.git('rev-list', 'HEAD').trim().split('\n')
    for (const oid of commits) {
      const { commit } = await git.readCommit({ fs: readOnlyFs, gitdir, oid, cache })
      expect(await readCommitSummary(gitdir, oid, {})).toEqual({
        tree: commit.tree,
        parent: commit.parent,
        committed: commit.committer.timestamp,
        author: commit.author.name,
        authored: commit.author.timestamp,
        message: commit.message,
      })
    }
    for (const [oid, type] of allObjects(repo)) {
      if (type !== 'tree') continue
      const { tree } = await git.readTree({ fs: readOnlyFs, gitdir, oid, cache })
      expect(await readTreeEntries(gitdir, oid, {})).toEqual(tree)
    }
    const newest = commits[0] as string
    const oldest = commits.at(-1) as string
    const reader = createGitReader(gitdir)
    expect(await reader.isAncestor(oldest, newest)).toBe(true)
    expect(await reader.isAncestor(newest, oldest)).toBe(false)
    // As `git merge-base --is-ancestor`: a commit counts as its own.
    expect(await reader.isAncestor(newest, newest)).toBe(true)
  })
})

function packIndexes(repo: TempRepo): string[] {
  const folder = join(repo.dir, '.git', 'objects', 'pack')
  return readdirSync(folder)
    .filter((name) => name.endsWith('.idx'))
    .map((name) => join(folder, name))
}
