/**
 * A writer killed with SIGKILL at random instants of every kind of write (create, batch, update, bulk, body edit,
 * delete, archive, unarchive, undo, restore): after the next call the repository is clean, nothing of the killed
 * process is left, the person's own work is untouched, and every write it acknowledged is in history.
 * `BACKLOG_KILL_ROUNDS` sets the number of kills (`npm run stress` runs hundreds).
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import type { Settled } from '../../src/store/store.js'
import { fsckOutput, GIT_ENV, git, seededRandom, tempRepo } from '../helpers/repo.js'
import { strayFiles } from './processes.js'

const ROUNDS = Number(process.env.BACKLOG_KILL_ROUNDS ?? 24)
/** Kills during an archive (and unarchive) of 300 items: each moves 600 files in one commit. */
const ARCHIVE_ROUNDS = Math.max(4, Math.round(ROUNDS / 3))
const WRITER = join(import.meta.dirname, '..', 'fixtures', 'kill-writer.mjs')

interface Round {
  acks: Array<{ op: string; commit: string }>
}

/** Starts the writer, lets it write for `runMs` after it is ready, then kills it; returns what it acknowledged. */
async function killDuring(dir: string, seed: number, runMs: number, only?: string): Promise<Round> {
  const child: ChildProcess = spawn(process.execPath, [WRITER, dir, String(seed), ...(only ? [only] : [])], {
    env: { ...process.env, ...GIT_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  let errors = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  const deadline = Date.now() + 20_000
  while (!output.includes('ready\n')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the writer did not start: ${errors}`)
    await sleep(2)
  }
  await sleep(runMs)
  child.kill('SIGKILL')
  await exited
  const acks = output
    .split('\n')
    .filter((line) => line.startsWith('ack '))
    .map((line) => {
      const [, op = '', commit = ''] = line.split(' ')
      return { op, commit }
    })
  return { acks }
}

describe('a writer killed at any instant of any write', () => {
  it(
    'leaves nothing the next call does not settle, and loses no acknowledged write',
    async () => {
      const repo = tempRepo({ 'src/app.ts': 'export const a = 1\n', 'notes.txt': 'first\n' })
      const seedApp = createApp({ cwd: repo.dir, random: seededRandom(3) })
      await seedApp.init({})
      await seedApp.create({
        items: Array.from({ length: 24 }, (_, i) => ({
          title: `seed ${i}`,
          ...(i % 3 === 0 ? { status: 'done' } : {}),
          ...(i % 4 === 0 ? { tags: ['bulk'] } : {}),
        })),
      })
      seedApp.close()
      // The person's own work in progress: staged, unstaged and untracked.
      repo.write('src/app.ts', 'export const a = 2\n')
      repo.git('add', 'src/app.ts')
      repo.write('notes.txt', 'edited, not staged\n')
      repo.write('scratch.txt', 'untracked\n')
      const personal = () =>
        repo
          .git('status', '--porcelain', '--untracked-files=all')
          .split('\n')
          .filter((line) => line && !line.includes('.backlog/'))
      const before = personal()

      const acked: Round['acks'] = []
      const outcomes = new Map<string, number>()
      const random = seededRandom(11)
      for (let round = 0; round < ROUNDS; round++) {
        const { acks } = await killDuring(repo.dir, round + 1, 10 + random() * 12)
        acked.push(...acks)

        // The next call, from a new process's view: settles what the killed writer left, then reads.
        const next = createApp({ cwd: repo.dir })
        const settled: Settled = await next.store.settle()
        const key =
          settled.journal ?? (settled.locks.length ? 'locks' : settled.leftovers.length ? 'leftovers' : 'none')
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
        const listed = await next.list({ status: ['all'] })
        next.close()
        expect(listed.problems ?? [], `round ${round}`).toEqual([])
        expect(repo.git('status', '--porcelain', '--untracked-files=all', '--', '.backlog'), `round ${round}`).toBe('')
        expect(strayFiles(join(repo.dir, '.git')), `round ${round}`).toEqual([])
        expect(personal(), `round ${round}`).toEqual(before)
      }

      const head = repo.git('rev-parse', 'HEAD').trim()
      for (const { op, commit } of acked) {
        expect(() => git(repo.dir, 'merge-base', '--is-ancestor', commit, head), `${op} ${commit}`).not.toThrow()
      }
      expect(fsckOutput(repo.dir)).toBe('')
      expect(repo.git('diff', '--cached', '--name-only')).toBe('src/app.ts\n')
      console.log(
        `${ROUNDS} kills, ${acked.length} acknowledged writes kept; next call found: ${[...outcomes]
          .map(([key, count]) => `${key} ${count}`)
          .join(', ')}`,
      )
    },
    Math.max(120_000, ROUNDS * 3_000),
  )

  it(
    'keeps a 300-item archive whole: all moved, or none',
    async () => {
      const repo = tempRepo()
      const seedApp = createApp({ cwd: repo.dir, random: seededRandom(5) })
      await seedApp.init({})
      await seedApp.create({ items: Array.from({ length: 300 }, (_, i) => ({ title: `closed ${i}`, status: 'done' })) })
      await seedApp.create({ title: 'open and staying' })
      seedApp.close()
      const random = seededRandom(13)
      const outcomes = new Map<string, number>()
      for (let round = 0; round < ARCHIVE_ROUNDS; round++) {
        await killDuring(repo.dir, round + 1, 40 + random() * 25, 'archive-all')
        const next = createApp({ cwd: repo.dir })
        const settled = await next.store.settle()
        const key =
          settled.journal ?? (settled.locks.length ? 'locks' : settled.leftovers.length ? 'leftovers' : 'none')
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
        const all = await next.list({ status: ['all'], archived: true, limit: 1000 })
        next.close()
        expect(repo.git('status', '--porcelain', '--untracked-files=all'), `round ${round}`).toBe('')
        expect(strayFiles(join(repo.dir, '.git')), `round ${round}`).toEqual([])
        // Every item is somewhere, once; the closed ones all in tasks/ or all in archive/.
        expect(all.items).toHaveLength(301)
        const archived = all.items.filter((item) => item.archived).length
        expect([0, 300], `round ${round}: ${archived} archived`).toContain(archived)
      }
      expect(fsckOutput(repo.dir)).toBe('')
      console.log(
        `${ARCHIVE_ROUNDS} kills during 300-item archives; next call found: ${[...outcomes].map(([key, count]) => `${key} ${count}`).join(', ')}`,
      )
    },
    Math.max(120_000, ARCHIVE_ROUNDS * 10_000),
  )
})
