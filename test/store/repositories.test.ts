/**
 * Repositories as users have them: a shallow CI clone, a bare repository, and an item whose last change lies beyond
 * more code commits than one history page walks.
 */

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { renderHistory } from '../../src/render/history.js'
import { expectError } from '../helpers/errors.js'
import { fsckOutput, GIT_ENV, git, tempRepo } from '../helpers/repo.js'

/** A repository with a backlog, then `codeCommits` commits of code on top; its file:// url for cloning. */
async function upstream(codeCommits: number): Promise<{ dir: string; url: string; ids: string[] }> {
  const repo = tempRepo({ 'src/a.ts': 'export const a = 0\n' })
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  const { items } = await app.create({ items: [{ title: 'Made before the clone' }, { title: 'Also old' }] })
  await app.update({ id: [items[0]!.id], status: 'in_progress', agent: 'claude' })
  app.close()
  for (let n = 0; n < codeCommits; n++) {
    repo.write('src/a.ts', `export const a = ${n + 1}\n`)
    repo.git('commit', '-qam', `code ${n}`)
  }
  return { dir: repo.dir, url: `file://${repo.dir}`, ids: items.map((item) => item.id) }
}

function clone(url: string, ...args: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-clone-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  execFileSync('git', ['clone', '-q', ...args, url, dir], { env: { ...process.env, ...GIT_ENV } })
  return dir
}

describe('a shallow clone (every CI checkout)', () => {
  it('writes, and history stops at its edge and says so', async () => {
    const origin = await upstream(3)
    const dir = clone(origin.url, '--depth', '1')
    const app = createApp({ cwd: dir })
    const { items } = await app.create({ title: 'Made in CI', agent: 'ci' })
    await app.update({ id: [origin.ids[0]!], status: 'done', agent: 'ci' })
    const undone = await app.undo({ agent: 'ci' })
    expect(undone.reverted.subject).toMatch(/^done /)

    const history = await app.history({ id: origin.ids[0]! })
    expect(history.entries.map((entry) => entry.op)).toEqual(['undo', 'update'])
    expect(history.shallow).toBe(git(dir, 'rev-parse', 'HEAD~3').trim())
    expect(renderHistory(history)).toMatch(
      /History ends at \w{7}, the edge of this shallow clone; `git fetch --unshallow`/,
    )
    // An item made before the clone has no made-up creation in its history.
    const old = await app.history({ id: origin.ids[1]! })
    expect(old.entries).toEqual([])
    expect(renderHistory(old)).toMatch(/^History ends at/)
    expect((await app.history({ id: items[0]!.id })).entries.map((entry) => entry.op)).toEqual(['create'])
    app.close()
    expect(git(dir, 'status', '--porcelain')).toBe('')
    expect(fsckOutput(dir)).toBe('')
  })

  it('refuses to undo a change at its edge, which it cannot see, and writes nothing', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    await app.create({ title: 'The last change before the clone', agent: 'claude' })
    app.close()
    const dir = clone(`file://${repo.dir}`, '--depth', '1')
    const inClone = createApp({ cwd: dir })
    const error = await expectError(inClone.undo({ agent: 'claude' }))
    inClone.close()
    expect(error.message).toMatch(/is at the edge of this shallow clone.*Nothing was written.*git fetch --unshallow/)
    expect(git(dir, 'rev-list', '--count', 'HEAD').trim()).toBe('1')
  })
})

describe('a bare repository', () => {
  it('gets an error that says what to do', async () => {
    const origin = await upstream(0)
    const bare = clone(origin.url, '--bare')
    const error = await expectError(Promise.resolve().then(() => createApp({ cwd: bare })))
    expect(error.code).toBe('NOT_A_REPO')
    expect(error.message).toMatch(/is a bare repository: it has no working tree.*git clone .*git -C .* worktree add/)
  })
})

describe('history beyond one page of commits', () => {
  it('is never answered "No history." while there is more', async () => {
    const repo = tempRepo()
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const { items } = await app.create({ title: 'Long ago' })
    app.close()
    // More code commits since than one page walks (10,000).
    const count = 10_050
    const commits = Array.from(
      { length: count },
      (_, n) =>
        `commit refs/heads/main\ncommitter A <a@b.c> ${1_900_000_000 + n} +0000\ndata 5\ncode\n${n === 0 ? 'from refs/heads/main^0\n' : ''}M 644 inline src/f.ts\ndata ${String(n).length + 1}\n${n}\n`,
    ).join('')
    execFileSync('git', ['fast-import', '--quiet'], {
      cwd: repo.dir,
      input: commits,
      env: { ...process.env, ...GIT_ENV },
    })
    repo.git('reset', '-q', '--hard')

    const later = createApp({ cwd: repo.dir })
    const history = await later.history({ id: items[0]!.id })
    later.close()
    expect(history.entries.map((entry) => entry.op)).toEqual(['create'])
    expect(renderHistory(history)).toMatch(/create: add /)
    expect(renderHistory({ entries: [], next: 'abc1234' })).toBe(
      'No changes in the commits looked at so far; history goes on: after abc1234',
    )
  }, 120_000)
})
