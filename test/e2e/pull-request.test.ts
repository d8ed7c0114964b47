/**
 * The README's flow for a pull request the merge button reports in conflict, run line by line as a person types it,
 * with the built bin on the PATH: `git backlog sync origin/main`, and the route by hand with `git backlog resolve`
 * in a clone where the merge driver was never set up. Afterwards the pull request merges without a conflict.
 */

import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseItemFile } from '../../src/core/codec.js'
import { BIN, GIT_ENV, git } from '../helpers/repo.js'

/** README.md, "Pull requests": the two blocks, verbatim. */
const WITH_SYNC = ['git checkout my-feature', 'git backlog sync origin/main']
const BY_HAND = [
  'git checkout my-feature',
  'git merge origin/main',
  'git backlog resolve',
  'git commit --no-edit',
  'git push',
]

/**
 * A bare remote with a task on main; the branch my-feature, pushed, starts it; then main blocks it: both changed its
 * status line, which git's line merge (the merge button's) cannot merge. Returns the remote and a fresh clone in
 * which git-backlog never ran (no merge driver in its config).
 */
function conflictedPullRequest() {
  const root = mkdtempSync(join(tmpdir(), 'git-backlog-pr-'))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  const bin = join(root, 'bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'git-backlog'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  chmodSync(join(bin, 'git-backlog'), 0o755)
  const env = { ...process.env, ...GIT_ENV, PATH: `${bin}:${process.env.PATH}` }
  const sh = (dir: string, line: string) =>
    spawnSync('bash', ['--noprofile', '--norc', '-c', line], { cwd: dir, env, encoding: 'utf8' })
  const ok = (dir: string, line: string) => {
    const ran = sh(dir, line)
    expect(ran.status, `${line}: ${ran.stderr}`).toBe(0)
    return ran.stdout
  }

  const remote = join(root, 'remote.git')
  git(root, 'init', '-q', '--bare', '-b', 'main', remote)
  const work = join(root, 'work')
  git(root, 'clone', '-q', remote, work)
  ok(work, 'git checkout -q -b main && git backlog init >/dev/null')
  const id = JSON.parse(ok(work, 'git backlog add "Rotate the signing keys" --json')).items[0].id as string
  ok(work, 'git push -q -u origin main')
  ok(work, `git checkout -q -b my-feature && git backlog start ${id} >/dev/null && git push -q -u origin my-feature`)
  ok(work, `git checkout -q main && git backlog block ${id} Waiting on the audit >/dev/null && git push -q`)
  // The merge button's merge: git's own line merge, no driver.
  expect(spawnSync('git', ['merge-tree', '--write-tree', 'main', 'my-feature'], { cwd: remote }).status).toBe(1)

  const fresh = join(root, 'fresh')
  git(root, 'clone', '-q', remote, fresh)
  expect(spawnSync('git', ['config', '--get', 'merge.backlog.driver'], { cwd: fresh }).status).toBe(1)
  return { remote, fresh, id, sh, ok }
}

/** The pull request now merges cleanly on the button, and the task holds both sides' story. */
function expectMergeable(remote: string, id: string) {
  expect(spawnSync('git', ['merge-base', '--is-ancestor', 'main', 'my-feature'], { cwd: remote }).status).toBe(0)
  expect(spawnSync('git', ['merge-tree', '--write-tree', 'main', 'my-feature'], { cwd: remote }).status).toBe(0)
  const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`
  const item = parseItemFile(git(remote, 'show', `my-feature:${path}`))
  expect(item.status).toBe('blocked')
  expect(item.started).toBeDefined()
  expect(item.notes.map((note) => note.text).join()).toMatch(/status was in_progress on the other side/)
}

describe("README's flow for a pull request in conflict", () => {
  it('git backlog sync origin/main merges the base in, field by field, and pushes the branch', () => {
    const { remote, fresh, id, ok } = conflictedPullRequest()
    for (const line of WITH_SYNC) ok(fresh, line)
    expect(git(fresh, 'status', '--porcelain')).toBe('')
    expectMergeable(remote, id)
  })

  it('by hand: git merge stops on the task file, git backlog resolve settles it, then commit and push', () => {
    const { remote, fresh, id, sh, ok } = conflictedPullRequest()
    ok(fresh, 'git fetch -q')
    for (const line of BY_HAND) {
      if (line === 'git merge origin/main') {
        const merge = sh(fresh, line)
        expect(merge.status).toBe(1)
        expect(merge.stdout).toMatch(/CONFLICT \(content\): Merge conflict in \.backlog\/tasks\//)
      } else ok(fresh, line)
    }
    expect(git(fresh, 'status', '--porcelain')).toBe('')
    expectMergeable(remote, id)
  })
})
