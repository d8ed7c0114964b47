/**
 * Many writers on one real repository at once, through the built bin: eight MCP servers and a CLI loop creating and
 * updating items while a person commits with git, and a writer frozen or killed in the middle of its commit.
 * Everything is checked afterwards with the real git CLI.
 */

import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { itemPath } from '../../src/core/layout.js'
import { expectError } from '../helpers/errors.js'
import { connectStdio, type TestClient } from '../helpers/mcp.js'
import { GIT_ENV, type TempRepo, tempRepo } from '../helpers/repo.js'
import {
  type Ack,
  freezeHolding,
  mutationOf,
  readHistory,
  runCli,
  signal,
  startServer,
  strayFiles,
  structuredOf,
  waitUntilGone,
} from './processes.js'

const run = promisify(execFile)

/**
 * MCP servers writing at once, and the mutations each one makes (the CLI loop makes as many). 40, not 100: on a
 * two-core machine the CLI loop (a node start per command) made 100 take 2-3 minutes. BACKLOG_STRESS_OPS=100 runs
 * the full size.
 */
const SERVERS = 8
const OPS = Number(process.env.BACKLOG_STRESS_OPS ?? 40)
// 35-50 s at 40 on a busy two-core machine; the limit leaves room for a slower one.
const TIMEOUT_MS = OPS * 4_500
/** Every third mutation adds a note to an item some writer created before, often another writer's. */
const UPDATE_EVERY = 3

async function initializedRepo(): Promise<TempRepo> {
  const repo = tempRepo({ 'src/x.ts': 'export const x = 0\n' })
  // A background `git gc --auto` started by the person's commits would outlive the test and race its cleanup.
  repo.git('config', 'gc.auto', '0')
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  return repo
}

/** The item an update targets: spread over everything created so far, whoever created it. */
function pick(pool: string[], seed: number): string | undefined {
  return pool.length ? pool[(seed * 7919) % pool.length] : undefined
}

/** One agent's session: creates and notes, one call at a time, each acknowledged result recorded. */
async function mcpWriter(client: TestClient, n: number, pool: string[], acks: Ack[], failures: string[]) {
  const agent = `agent-${n}`
  for (let i = 0; i < OPS; i++) {
    const target = i % UPDATE_EVERY === UPDATE_EVERY - 1 ? pick(pool, i * SERVERS + n + pool.length) : undefined
    try {
      if (target) {
        const token = `progress [${agent}-u${i}]`
        const { id, commit } = mutationOf(
          structuredOf(await client.call('backlog_update', { id: target, note: token })),
        )
        acks.push({ agent, op: 'update', id, commit, token })
      } else {
        const token = `${agent} item ${i}`
        const { id, commit } = mutationOf(structuredOf(await client.call('backlog_create', { title: token })))
        acks.push({ agent, op: 'create', id, commit, token })
        pool.push(id)
      }
    } catch (error) {
      failures.push(`${agent} #${i}: ${(error as Error).message}`)
    }
  }
}

/** A person's shell running `git backlog add` and `git backlog note`, one process per command. */
async function cliWriter(dir: string, pool: string[], acks: Ack[], failures: string[]) {
  const agent = 'cli'
  for (let i = 0; i < OPS; i++) {
    const target = i % UPDATE_EVERY === UPDATE_EVERY - 1 ? pick(pool, i + 17) : undefined
    const token = target ? `progress [${agent}-u${i}]` : `${agent} item ${i}`
    const args = target ? ['note', target, token, '--json'] : ['add', token, '--json']
    const outcome = await runCli(dir, args, { BACKLOG_AGENT: agent })
    if (outcome.code !== 0) {
      failures.push(`${agent} #${i}: exit ${outcome.code}: ${outcome.stderr}`)
      continue
    }
    const { id, commit } = mutationOf(JSON.parse(outcome.stdout))
    acks.push({ agent, op: target ? 'update' : 'create', id, commit, token })
    if (!target) pool.push(id)
  }
}

/**
 * A person editing src/x.ts and committing it with the real git until told to stop. git refuses while a backlog writer
 * holds `index.lock` (it does not wait for that lock), so like a person it tries again. Returns the commits made.
 * Most edits keep the file's size, so git must tell them apart by content when they fall in the second of the last
 * index write (racy-index.test.ts shows that case on its own).
 */
async function personCommitting(dir: string, stopped: () => boolean): Promise<Array<{ commit: string; n: number }>> {
  const options = { cwd: dir, env: { ...process.env, ...GIT_ENV } }
  const made: Array<{ commit: string; n: number }> = []
  for (let n = 1; !stopped() || made.length === 0; n++) {
    writeFileSync(join(dir, 'src', 'x.ts'), `export const x = ${n}\n`)
    for (let attempt = 0; ; attempt++) {
      try {
        await run('git', ['add', 'src/x.ts'], options)
        const { stdout } = await run('git', ['-c', 'core.abbrev=40', 'commit', '-m', `person ${n}`], options)
        const commit = /^\[main ([0-9a-f]{40})\]/.exec(stdout)?.[1]
        if (!commit) throw new Error(`unexpected git commit output: ${stdout}`)
        made.push({ commit, n })
        break
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
        // Refused for a lock, or the branch moved since git read HEAD (git's own compare-and-swap): try again.
        // Anything else, or refusals without end, fails the test.
        if (attempt > 2_000 || !/\.lock'|cannot lock ref/.test(stderr)) {
          throw new Error(`person ${n}, attempt ${attempt}: ${(error as Error).message}\n${stdout}\n${stderr}`)
        }
        await sleep(5)
      }
    }
    await sleep(50)
  }
  return made
}

describe('concurrent writers through the built bin', () => {
  it(
    `keeps every acknowledged mutation of ${SERVERS} MCP servers and a CLI loop exactly once, while a person commits`,
    async () => {
      const repo = await initializedRepo()
      const before = Number(repo.git('rev-list', '--count', 'HEAD'))
      const agents = Array.from({ length: SERVERS }, (_, n) => `agent-${n}`)
      const clients = await Promise.all(agents.map((agent) => connectStdio(repo.dir, { BACKLOG_AGENT: agent })))

      const pool: string[] = []
      const acks: Ack[] = []
      const failures: string[] = []
      let done = false
      const person = personCommitting(repo.dir, () => done)
      await Promise.all([
        ...clients.map((client, n) => mcpWriter(client, n, pool, acks, failures)),
        cliWriter(repo.dir, pool, acks, failures),
      ])
      done = true
      const personCommits = await person

      expect(failures).toEqual([])
      expect(acks).toHaveLength((SERVERS + 1) * OPS)

      // Every acknowledged mutation is in history, in the commit it was told, with its own trailers...
      const history = readHistory(repo.git)
      const byCommit = new Map(history.map((entry) => [entry.commit, entry]))
      expect(byCommit.size).toBe(history.length)
      for (const ack of acks) {
        expect(byCommit.get(ack.commit), `${ack.agent} ${ack.op} ${ack.token}`).toMatchObject({
          op: ack.op,
          agent: ack.agent,
          ids: [ack.id],
        })
      }
      // ...exactly once: one distinct commit per acknowledgement, and no commit by an agent that was not acknowledged.
      expect(new Set(acks.map((ack) => ack.commit)).size).toBe(acks.length)
      for (const agent of [...agents, 'cli']) {
        const logged = history.filter((entry) => entry.agent === agent).map((entry) => entry.commit)
        expect(logged.sort()).toEqual(
          acks
            .filter((ack) => ack.agent === agent)
            .map((ack) => ack.commit)
            .sort(),
        )
      }

      // Every person's commit is in history, once, with the file as the person left it.
      const people = history.filter((entry) => entry.subject.startsWith('person '))
      expect(people.map((entry) => entry.commit).sort()).toEqual(personCommits.map((made) => made.commit).sort())
      expect(personCommits.length).toBeGreaterThan(0)
      expect(repo.git('show', 'HEAD:src/x.ts')).toBe(repo.read('src/x.ts'))
      expect(repo.read('src/x.ts')).toBe(`export const x = ${personCommits.at(-1)!.n}\n`)
      expect(history).toHaveLength(before + acks.length + personCommits.length)

      // Ids are unique, each created item is there once with its title, and no note was lost to a concurrent update.
      const created = acks.filter((ack) => ack.op === 'create')
      expect(new Set(created.map((ack) => ack.id)).size).toBe(created.length)
      const files = repo.git('ls-tree', '-r', '--name-only', 'HEAD', '.backlog/tasks').trim().split('\n')
      const lost = created
        .filter((ack) => !files.includes(itemPath(ack.id)))
        .map(
          (ack) =>
            `${ack.id} deleted by ${repo.git('log', '--diff-filter=D', '--format=%H %s', '--', itemPath(ack.id))}`,
        )
      expect(lost).toEqual([])
      expect(files.sort()).toEqual(created.map((ack) => itemPath(ack.id)).sort())
      for (const ack of acks) {
        const text = readFileSync(join(repo.dir, itemPath(ack.id)), 'utf8')
        expect(text.split(ack.token).length - 1, `${ack.token} in ${ack.id}`).toBe(1)
      }

      // Dangling commits are expected: each race lost to another writer leaves the commit built for it unreferenced.
      expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
      expect(repo.git('status', '--porcelain')).toBe('')
      expect(strayFiles(join(repo.dir, '.git'))).toEqual([])
      expect(strayFiles(join(repo.dir, '.backlog'))).toEqual([])
    },
    TIMEOUT_MS,
  )
})

describe('a writer stopped in the middle of a commit', () => {
  it('never has its locks taken while it lives, and has them recovered once it is killed', async () => {
    const repo = await initializedRepo()
    const gitdir = join(repo.dir, '.git')
    const locks = [join(gitdir, 'index.lock'), join(gitdir, 'refs', 'heads', 'main.lock')]
    const victim = await startServer(repo.dir, 'victim')
    const other = await connectStdio(repo.dir, { BACKLOG_AGENT: 'other' })

    // The victim commits creates back to back until it dies; its connection closing ends the loop.
    const victimAcks: Ack[] = []
    let victimError: unknown
    const victimLoop = (async () => {
      for (let i = 0; ; i++) {
        const token = `victim item ${i}`
        const { id, commit } = mutationOf(structuredOf(await victim.client.call('backlog_create', { title: token })))
        victimAcks.push({ agent: 'victim', op: 'create', id, commit, token })
      }
    })().catch((error: unknown) => {
      victimError = error
    })

    // Frozen (SIGSTOP) while it holds index.lock and the branch's lock: a live owner.
    await freezeHolding(victim.pid, locks)
    const held = locks.map((path) => readFileSync(path, 'utf8'))
    const head = repo.git('rev-parse', 'HEAD')

    // A writer with a short wait gives up with a clear error naming the holder, and writes nothing.
    const impatient = createApp({ cwd: repo.dir, lockTimeoutMs: 300 })
    const error = await expectError(impatient.create({ title: 'while frozen' }), 'REPO_LOCKED')
    impatient.close()
    expect(error.message).toContain(`git-backlog process ${victim.pid} on ${hostname()} holds`)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)

    // The CLI (default wait: 5 s) waits while the owner lives, then commits once it lets go.
    let cliSettled = false
    const waiting = runCli(repo.dir, ['add', 'after the thaw', '--json'], { BACKLOG_AGENT: 'cli' }).finally(() => {
      cliSettled = true
    })
    await sleep(1_500)
    expect(cliSettled).toBe(false)
    expect(locks.map((path) => readFileSync(path, 'utf8'))).toEqual(held)
    signal(victim.pid, 'SIGCONT')
    const thawed = await waiting
    expect(thawed.code, thawed.stderr).toBe(0)
    const afterThaw = mutationOf(JSON.parse(thawed.stdout))

    // Frozen again inside a commit, then killed: its locks stay behind with a dead pid.
    await freezeHolding(victim.pid, locks)
    const dead = locks.map((path) => readFileSync(path, 'utf8'))
    signal(victim.pid, 'SIGKILL')
    await waitUntilGone(victim.pid)
    await victimLoop
    expect(String(victimError)).toMatch(/connection closed/i)
    expect(locks.map((path) => readFileSync(path, 'utf8'))).toEqual(dead)
    expect(dead[0]).toMatch(new RegExp(`^git-backlog lock pid=${victim.pid} host=`))

    // The next call, from a server that was running all along, recovers both locks and commits.
    const { id, commit } = mutationOf(
      structuredOf(await other.call('backlog_create', { title: 'after the crash', priority: 'high' })),
    )
    expect(locks.filter((path) => existsSync(path))).toEqual([])
    const cliAfter = await runCli(repo.dir, ['add', 'and the CLI too', '--json'], { BACKLOG_AGENT: 'cli' })
    expect(cliAfter.code, cliAfter.stderr).toBe(0)

    const history = readHistory(repo.git)
    const byCommit = new Map(history.map((entry) => [entry.commit, entry]))
    expect(byCommit.get(commit)).toMatchObject({ op: 'create', agent: 'other', ids: [id] })
    expect(byCommit.get(afterThaw.commit)).toMatchObject({ op: 'create', agent: 'cli', ids: [afterThaw.id] })
    expect(victimAcks.length).toBeGreaterThan(0)
    for (const ack of victimAcks) expect(byCommit.get(ack.commit)).toMatchObject({ agent: 'victim', ids: [ack.id] })
    expect(repo.git('fsck', '--strict', '--no-dangling')).toBe('')
    // Nothing of the dead writer is left: no lock, journal, quarantine or temporary file, and its commit was either
    // finished or never started, so the working tree and index agree with HEAD.
    expect(strayFiles(gitdir)).toEqual([])
    expect(repo.git('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main\n')
    expect(repo.git('status', '--porcelain', '--untracked-files=all')).toBe('')
  }, 60_000)
})
