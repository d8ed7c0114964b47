/**
 * A person's own git beside an agent that writes: a rebase run again and again while a writer commits as fast as it
 * can never ends in a state git cannot abort, and the writer waits its turn (REPO_BUSY while the rebase is under way).
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { fsckOutput, GIT_ENV, tempRepo } from '../helpers/repo.js'
import { strayFiles } from './processes.js'

const WRITER = join(import.meta.dirname, '..', 'fixtures', 'kill-writer.mjs')
const REBASES = Number(process.env.BACKLOG_REBASE_ROUNDS ?? 15)

describe('a person rebasing while an agent writes', () => {
  it('can always finish or abort the rebase, and the writer waits for it', async () => {
    const repo = tempRepo({ 'src/a.ts': 'export const a = 0\n' })
    repo.git('config', 'gc.auto', '0')
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()
    repo.git('checkout', '-qb', 'feature')
    for (let n = 1; n <= 4; n++) {
      repo.write('src/feature.ts', `export const step = ${n}\n`)
      repo.git('add', 'src/feature.ts')
      repo.git('commit', '-qm', `feature ${n}`)
    }
    repo.git('checkout', '-q', 'main')
    repo.write('src/main.ts', 'export const main = 1\n')
    repo.git('add', 'src/main.ts')
    repo.git('commit', '-qm', 'main moves on')
    repo.git('checkout', '-q', 'feature')
    const start = repo.git('rev-parse', 'HEAD').trim()

    const writer: ChildProcess = spawn(process.execPath, [WRITER, repo.dir, '1', 'create'], {
      env: { ...process.env, ...GIT_ENV },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let output = ''
    writer.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    /** A person retries a git command that met a lock, as git's message tells them to. */
    const persist = async (...args: string[]) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return repo.git(...args)
        } catch (error) {
          if (attempt >= 50 || !/\.lock': File exists|cannot lock ref/.test(String(error))) throw error
          await sleep(20)
        }
      }
    }
    const inRebase = () => ['rebase-merge', 'rebase-apply'].some((name) => existsSync(join(repo.dir, '.git', name)))
    let finished = 0
    let aborted = 0
    let refused = 0
    try {
      while (!output.includes('ready\n')) await sleep(5)
      for (let round = 0; round < REBASES; round++) {
        try {
          repo.git('rebase', '-q', 'main')
          finished++
        } catch {
          if (inRebase()) {
            // Met a lock half-way: the person aborts, and that must always work (possibly after a retry).
            await persist('rebase', '--abort')
            aborted++
          } else refused++ // it did not start (a lock, or the index changed under it): nothing to undo
        }
        expect(inRebase()).toBe(false)
        // A person's pace: the writer gets its turns in between.
        await sleep(40)
        // Back to a branch that needs rebasing again (what the writer committed meanwhile goes too).
        await persist('reset', '-q', '--hard', start)
      }
    } finally {
      writer.kill('SIGTERM')
      await new Promise((resolve) => writer.on('exit', resolve))
    }
    const next = createApp({ cwd: repo.dir })
    await next.store.settle()
    next.close()
    const commits = output.match(/^ack /gm)?.length ?? 0
    const waits = output.match(/REPO_BUSY/g)?.length ?? 0
    console.log(
      `${REBASES} rebases: ${finished} finished, ${aborted} aborted, ${refused} refused to start; the writer made ${commits} commits and was told to wait ${waits} times`,
    )
    expect(finished + aborted + refused).toBe(REBASES)
    expect(finished).toBeGreaterThan(0)
    expect(commits).toBeGreaterThan(0)
    expect(waits).toBeGreaterThan(0)
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
    expect(strayFiles(join(repo.dir, '.git'))).toEqual([])
    // The person's `reset --hard` leaves the writer's commits to the reflog, as git does; nothing else is amiss.
    expect(fsckOutput(repo.dir).replace(/^dangling \w+ \w+\n/gm, '')).toBe('')
  }, 120_000)
})
