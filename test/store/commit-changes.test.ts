import { spawnSync } from 'node:child_process'
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

function cli(dir: string, ...args: string[]): string {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
  })
  expect(result.status, result.stderr).toBe(0)
  return result.stdout
}

describe('what recent commits changed, kept between processes', () => {
  it.each([
    ['as the last write left it', (_file: string) => {}],
    ['when the kept file is unreadable', (file: string) => writeFileSync(file, '{"format":1,"commits":[[')],
  ])('lets the next command line write repair an index a stale git wrote back, %s', (_, spoil) => {
    const repo = tempRepo()
    cli(repo.dir, 'init')
    const index = join(repo.dir, '.git', 'index')
    copyFileSync(index, join(repo.dir, '.git', 'index.before'))
    cli(repo.dir, 'add', 'First')
    const file = join(repo.dir, '.git', 'backlog', 'commit-changes.json')
    const head = repo.git('rev-parse', 'HEAD').trim()
    expect(readFileSync(file, 'utf8')).toContain(head)
    spoil(file)

    // A person's `git commit` that read the index before the write puts it back as it was: the new item is gone.
    copyFileSync(join(repo.dir, '.git', 'index.before'), index)
    expect(repo.git('status', '--porcelain')).toMatch(/^D {2}\.backlog\/tasks\//m)
    cli(repo.dir, 'add', 'Second')
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('ls-files', '.backlog/tasks').trim().split('\n')).toHaveLength(2)
  })
})
