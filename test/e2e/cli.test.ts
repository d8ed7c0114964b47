import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { VERSION } from '../../src/package-files.js'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

const run = promisify(execFile)

interface Outcome {
  code: number
  stdout: string
  stderr: string
}

async function cli(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, ...GIT_ENV, ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

async function ok(cwd: string, ...args: string[]): Promise<string> {
  const outcome = await cli(cwd, args)
  expect(outcome.code, outcome.stderr).toBe(0)
  return outcome.stdout
}

describe('the git-backlog command line (the built bin)', () => {
  it('runs a whole session: init, add, list, show, start, update, done, rm', async () => {
    const repo = tempRepo()
    expect(await ok(repo.dir, 'init', '--prefix', 'web')).toMatch(/^Created \.backlog\/config\.yml \[[0-9a-f]{7}\]/)
    expect(await ok(repo.dir, 'init')).toMatch(/^Already initialized/)

    const added = await ok(
      repo.dir,
      'add',
      'Fix',
      'the',
      'login',
      'flow',
      '-p',
      'H',
      '--tag',
      'auth',
      '--tag',
      'web',
      '-d',
      'Users get logged out.',
    )
    const id = /^Added (web-\w{6}): Fix the login flow \[[0-9a-f]{7}\]\n$/.exec(added)?.[1]
    expect(id).toBeDefined()
    await ok(repo.dir, 'add', 'Write docs', '--set', 'estimate=2')

    const table = await ok(repo.dir, 'list')
    expect(table.split('\n')[0]).toMatch(/^ID\s+STATUS\s+PRI\s+TYPE\s+TITLE$/)
    expect(table).toMatch(new RegExp(`${id}\\s+open\\s+high\\s+task\\s+Fix the login flow  #auth #web`))
    const listed = JSON.parse(await ok(repo.dir, 'list', '--json')) as { items: Array<{ id: string }>; total: number }
    expect(listed.total).toBe(2)

    await ok(repo.dir, 'start', id!, '-m', 'Looking at the cookie')
    await ok(repo.dir, 'set', id!, '--add-tag', 'p1', '--remove-tag', 'web', '-a', 'ann')
    const shown = await ok(repo.dir, 'show', id!)
    expect(shown).toMatch(/Status:\s+in_progress/)
    expect(shown).toMatch(/Tags:\s+auth, p1/)
    expect(shown).toMatch(/Notes:\n {2}2026-\S+ {2}Test Person\n {4}Looking at the cookie/)
    expect(shown).toContain('    Users get logged out.')

    expect(await ok(repo.dir, 'done', id!)).toMatch(new RegExp(`^Done ${id}: Fix the login flow`))
    expect((await ok(repo.dir, 'list')).includes(id!)).toBe(false)
    expect(await ok(repo.dir, 'list', '--all')).toContain(id!)
    const detail = JSON.parse(await ok(repo.dir, 'show', id!, '--json')) as {
      items: Array<{ closed?: string; started?: string }>
    }
    expect(detail.items[0]!.closed).toMatch(/^2026-/)

    expect(await ok(repo.dir, 'rm', id!)).toMatch(new RegExp(`^Deleted ${id}`))
    const log = repo.git('log', '--format=%s')
    expect(log.split('\n').slice(0, 7)).toEqual([
      `rm ${id}: Fix the login flow`,
      `done ${id}: Fix the login flow`,
      `update ${id}: Fix the login flow`,
      `start ${id}: Fix the login flow`,
      expect.stringMatching(/^add web-\w+: Write docs$/),
      `add ${id}: Fix the login flow`,
      'init backlog',
    ])
    expect(repo.git('status', '--porcelain')).toBe('')
    expect(repo.git('fsck', '--no-dangling')).toBe('')
  })

  it('reads a description from standard input with -d -', async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    const child = execFile(process.execPath, [BIN, 'add', 'Piped', '-d', '-', '--json'], {
      cwd: repo.dir,
      env: { ...process.env, ...GIT_ENV },
    })
    child.stdin!.end('# Spec\n\nFrom a pipe.\n')
    const stdout = await new Promise<string>((resolve) => {
      let text = ''
      child.stdout!.on('data', (chunk) => {
        text += chunk
      })
      child.on('close', () => resolve(text))
    })
    const id = (JSON.parse(stdout) as { items: Array<{ id: string }> }).items[0]!.id
    expect(await ok(repo.dir, 'show', id)).toContain('    From a pipe.')
  })

  it('exits 1 with a clear message for user errors, and writes nothing', async () => {
    const repo = tempRepo()
    const outside = await cli(mkdtempSync(join(tmpdir(), 'not-a-repo-')), ['list'])
    expect(outside).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: .* is not inside a git repository\. Run `git init` first/),
    })
    expect(await cli(repo.dir, ['list'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: No backlog in .*git backlog init/),
    })
    await ok(repo.dir, 'init')
    const head = repo.git('rev-parse', 'HEAD')
    const cases: Array<[string[], RegExp]> = [
      [['show', 'bl-nothere'], /^error: No item bl-nothere\./],
      [['show', '../../etc/passwd'], /^error: id: "..\/..\/etc\/passwd" is not an item id/],
      [['add', 'x', '-p', 'whenever'], /^error: priority: priority "whenever" is not one of urgent, high, medium, low/],
      [['add', 'x', '--due', 'someday'], /^error: due: Due date: "someday" is not a date/],
      [['add', 'x', '-t', 'story'], /error: option '-t, --type <type>' argument 'story' is invalid/],
      [['add'], /error: missing required argument 'title'/],
      [['frobnicate'], /error: unknown command 'frobnicate'/],
      [['list', '--bogus'], /error: unknown option '--bogus'/],
      [['done', 'bl-nothere'], /^error: No item bl-nothere/],
      [['add', 'x', '--set', 'novalue'], /^error: --set novalue: write it as key=value/],
    ]
    for (const [args, message] of cases) {
      const outcome = await cli(repo.dir, args)
      expect(outcome.code, args.join(' ')).toBe(1)
      expect(outcome.stderr, args.join(' ')).toMatch(message)
    }
    const json = await cli(repo.dir, ['show', 'bl-nothere', '--json'])
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/^No item bl-nothere/) },
    })
    const reserved = await cli(repo.dir, ['add', 'x', '--set', 'id=zz'])
    expect(reserved).toMatchObject({ code: 1, stderr: expect.stringMatching(/"id" is a field of its own/) })
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
    expect(repo.git('status', '--porcelain')).toBe('')
  })

  it('exits 70 and asks for a report on an internal error', async () => {
    const repo = tempRepo()
    await ok(repo.dir, 'init')
    rmSync(join(repo.dir, '.git', 'index'))
    mkdirSync(join(repo.dir, '.git', 'index'))
    const outcome = await cli(repo.dir, ['add', 'Boom'])
    expect(outcome.code).toBe(70)
    expect(outcome.stderr).toMatch(/^internal error: .*EISDIR[\s\S]*please report it/)
  })

  it('prints help for every command and the version', async () => {
    const repo = tempRepo()
    expect((await ok(repo.dir, '--version')).trim()).toBe(VERSION)
    const help = await ok(repo.dir, '--help')
    for (const command of ['init', 'add', 'list', 'show', 'update', 'start', 'done', 'rm', 'mcp'])
      expect(help).toContain(command)
    for (const command of ['init', 'add', 'list', 'show', 'update', 'set', 'start', 'done', 'rm', 'mcp']) {
      const text = await ok(repo.dir, command, '--help')
      expect(text).toMatch(/^Usage: git-backlog /)
    }
  })

  it('is reachable as `git backlog` when git-backlog is on the PATH', async () => {
    const repo = tempRepo()
    const bin = mkdtempSync(join(tmpdir(), 'git-backlog-bin-'))
    try {
      symlinkSync(BIN, join(bin, 'git-backlog'))
      const env = { ...process.env, ...GIT_ENV, PATH: `${bin}:${process.env.PATH}` }
      const { stdout } = await run('git', ['backlog', 'init'], { cwd: repo.dir, env })
      expect(stdout).toMatch(/^Created/)
      await run('git', ['backlog', 'add', 'Through git'], { cwd: repo.dir, env })
      const listed = await run('git', ['backlog', 'list'], { cwd: repo.dir, env })
      expect(listed.stdout).toContain('Through git')
      const help = await run('git', ['backlog', '-h'], { cwd: repo.dir, env })
      expect(help.stdout).toMatch(/^Usage: git-backlog/)
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
    writeFileSync(join(repo.dir, 'x'), '')
  })
})
