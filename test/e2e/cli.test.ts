/**
 * The built bin as a person's shell and git start it: what only a real process shows. Exit codes and streams through
 * main.ts, standard input as a pipe, a reader that closes the pipe early, a terminal, `git backlog` through git. What
 * each command does is tested in process (test/cli/commands.test.ts); the start from V8's code cache in start.test.ts.
 */

import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { VERSION } from '../../src/package-files.js'
import { runBin } from '../helpers/cli.js'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '..', '..')
const hasMan = spawnSync('man', ['-w', 'man'], { stdio: 'ignore' }).error === undefined
/** util-linux's `script`, which runs a command on a pseudo-terminal. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0
/** The bin as a shell command line. */
const BACKLOG = `'${process.execPath}' '${BIN}'`

/** A temp repository with a backlog of one item, made through the library (the tests here are about the process). */
async function backlog() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  const id = (await app.create({ title: 'Fix the login flow', priority: 'urgent' })).items[0]!.id
  app.close()
  return { repo, id }
}

/** Runs `script` in bash in `cwd`, with the test identity and without colour settings of its own. */
function shell(cwd: string, script: string, env: Record<string, string> = {}) {
  const { FORCE_COLOR: _force, NO_COLOR: _no, ...rest } = process.env
  return spawnSync('bash', ['-c', script], { cwd, env: { ...rest, ...GIT_ENV, ...env }, encoding: 'utf8' })
}

describe('the built bin', () => {
  it('exits with the code the command line gives, its output on stdout and errors on stderr', async () => {
    const { repo, id } = await backlog()
    expect(await runBin(repo.dir, ['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
    const shown = await runBin(repo.dir, ['show', id])
    expect(shown).toMatchObject({ code: 0, stderr: '' })
    expect(shown.stdout).toMatch(new RegExp(`^${id}  Fix the login flow\\n`))

    const outside = await runBin(mkdtempSync(join(tmpdir(), 'not-a-repo-')), ['list'])
    expect(outside).toMatchObject({ code: 1, stdout: '' })
    expect(outside.stderr).toMatch(/^error: .* is not inside a git repository\. Run `git init` first/)
    const missing = await runBin(repo.dir, ['show', 'bl-nothere', '--json'])
    expect(missing).toMatchObject({ code: 1, stdout: '' })
    expect(JSON.parse(missing.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } })
    const unknown = await runBin(repo.dir, ['frobnicate'])
    expect(unknown).toMatchObject({ code: 1, stdout: '' })
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'/)
  })

  it('runs in the folder -C names, and sends merge-driver to the driver except for its help', async () => {
    const { repo } = await backlog()
    const elsewhere = tempRepo()
    const added = await runBin(elsewhere.dir, ['-C', repo.dir, 'add', 'Meant for the first'])
    expect(added.code, added.stderr).toBe(0)
    expect(repo.git('log', '-1', '--format=%s')).toMatch(/: Meant for the first\n$/)
    expect(elsewhere.git('status', '--porcelain')).toBe('')
    // main.ts starts the driver alone for git, and the command line for its help.
    const help = await runBin(repo.dir, ['merge-driver', '-h'])
    expect(help).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: git-backlog merge-driver /) })
    const driver = await runBin(repo.dir, ['merge-driver'])
    expect(driver.code).toBe(2)
    expect(driver.stdout).toBe('')
    expect(driver.stderr).toMatch(/^usage: git-backlog merge-driver /)
  })

  it('lint exits 0 on a sound backlog and 1 on an error, with its findings on stdout', async () => {
    const { repo, id } = await backlog()
    expect(await runBin(repo.dir, ['lint'])).toEqual({
      code: 0,
      stdout: 'The backlog is sound: no errors, no warnings.\n',
      stderr: '',
    })
    repo.write('.backlog/tasks/z/bl-zzzzzz.md', '---\nid: bl-zzzzzz\ntitle: Broken\nstatus: doing\n---\n')
    const failed = await runBin(repo.dir, ['lint', '--format', 'github'])
    expect(failed).toMatchObject({ code: 1, stderr: '' })
    expect(failed.stdout).toMatch(
      /^::error file=\.backlog\/tasks\/z\/bl-zzzzzz\.md,line=4,title=schema::status "doing"/m,
    )
    expect(failed.stdout).not.toContain(id)
  })

  it('review prints what a branch did as markdown, and refuses a revision that names nothing with exit 1', async () => {
    const { repo, id } = await backlog()
    repo.git('checkout', '-q', '-b', 'feature')
    const done = shell(repo.dir, `BACKLOG_AGENT=claude ${BACKLOG} done ${id} --evidence "login test passes"`)
    expect(done.status, done.stderr).toBe(0)
    const review = await runBin(repo.dir, ['review', 'main..feature', '--format', 'markdown'])
    expect(review).toMatchObject({ code: 0, stderr: '' })
    expect(review.stdout).toMatch(/^### Backlog changes: 1 closed\n/)
    expect(review.stdout).toContain(`#### \`${id}\` Fix the login flow`)
    expect(review.stdout).toContain('- **closed**: open → done, by claude')
    expect(review.stdout).toContain('- evidence: login test passes')
    const bad = await runBin(repo.dir, ['review', 'main..nowhere'])
    expect(bad).toMatchObject({ code: 1, stdout: '' })
    expect(bad.stderr).toMatch(/names no commit/)
  })

  it('reads a description from a pipe with -d -, and takes a closed standard input as empty', async () => {
    const { repo } = await backlog()
    const piped = shell(repo.dir, `printf '# Spec\\n\\nFrom a pipe.\\n' | ${BACKLOG} add Piped -d - --json`)
    expect(piped.status, piped.stderr).toBe(0)
    const id = (JSON.parse(piped.stdout) as { items: Array<{ id: string }> }).items[0]!.id
    expect((await runBin(repo.dir, ['show', id])).stdout).toContain('    From a pipe.')
    const closed = await runBin(repo.dir, ['add', '--json-items', '-'])
    expect(closed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: --json-items -: /) })
  })

  it('stops quietly with 0 when the reader closes the pipe early, as `git backlog list | head` does', async () => {
    const { repo } = await backlog()
    // `true` reads nothing and exits: the bin's first write finds the pipe closed (EPIPE).
    const closed = shell(repo.dir, `${BACKLOG} list --all | true; echo "exit \${PIPESTATUS[0]}"`)
    expect(closed.stdout).toBe('exit 0\n')
    expect(closed.stderr).toBe('')
  })

  it.skipIf(!hasScript)('paints colour when standard output is a terminal, and not into a pipe', async () => {
    const { repo } = await backlog()
    const terminal = shell(repo.dir, `script -qec "${BACKLOG} list" /dev/null`, { TERM: 'xterm' })
    expect(terminal.status, terminal.stderr).toBe(0)
    expect(terminal.stdout).toContain('\u001b[1;31murgent')
    const piped = shell(repo.dir, `${BACKLOG} list | cat`, { TERM: 'xterm' })
    expect(piped.stdout).toMatch(/urgent/)
    expect(piped.stdout).not.toContain('\u001b[')
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
      if (hasMan) {
        // git turns `git backlog --help` into `man git-backlog`: the page the build made, found on MANPATH.
        const manual = await run('git', ['backlog', '--help'], {
          cwd: repo.dir,
          env: { ...env, MANPATH: join(ROOT, 'dist', 'man'), MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' },
        })
        expect(manual.stdout).toMatch(/^GIT-BACKLOG\(1\) +Git Backlog Manual/)
        expect(manual.stdout).toContain('git backlog add [options] [title...]')
      }
    } finally {
      rmSync(bin, { recursive: true, force: true })
    }
  })
})
