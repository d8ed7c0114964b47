/**
 * The README's front door, run as a new user would on a fresh machine: a copy of this checkout as a clone has it,
 * then every install and start route the README shows, each for real (the registry is reached for dependencies).
 *
 * The README's install and start commands are run here as its blocks show them (the docs test finds each one in this
 * file's code); `npm ci && npm test` is CI's own line (.ci/run), and the registry route, not published yet, is checked
 * by what it would fetch: this package, named git-backlog, with a git-backlog command.
 */

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GIT_ENV, git, tempRepo } from '../helpers/repo.js'

const ROOT = join(import.meta.dirname, '..', '..')
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

let base: string
let clone: string
let prefix: string
let env: NodeJS.ProcessEnv

/** Runs a shell command line as the README shows it, in `cwd`; returns stdout, throws with the output on failure. */
function sh(cwd: string, line: string, extra: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync('bash', ['-c', line], {
      cwd,
      env: { ...env, ...extra },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    })
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string }
    throw new Error(`\`${line}\` exited ${failed.status}:\n${failed.stdout}\n${failed.stderr}`)
  }
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'backlog-install-'))
  clone = join(base, 'git-backlog')
  prefix = join(base, 'prefix')
  // A global prefix of our own, and an npm cache and state folder that are not the person's.
  env = {
    ...process.env,
    ...GIT_ENV,
    npm_config_prefix: prefix,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    XDG_STATE_HOME: join(base, 'state'),
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
  }
  for (const key of Object.keys(env))
    if (key.startsWith('npm_lifecycle') || key === 'npm_config_local_prefix') delete env[key]
  // What a clone holds: the tracked files and new ones not ignored, without dist/ or node_modules/.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((path) => path && existsSync(join(ROOT, path)))
  for (const path of files) {
    mkdirSync(dirname(join(clone, path)), { recursive: true })
    cpSync(join(ROOT, path), join(clone, path))
  }
  git(clone, 'init', '--quiet', '--initial-branch', 'main')
  git(clone, 'add', '--all')
  git(clone, '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '--message', 'clone')
}, 60_000)

afterAll(() => rmSync(base, { recursive: true, force: true }))

describe('from a clone, on a fresh machine', () => {
  let server: ChildProcess | undefined
  afterAll(() => {
    if (server?.pid) process.kill(-server.pid, 'SIGKILL')
  })

  it('installs from the lock file, and an npm install leaves the tree clean', () => {
    sh(clone, 'npm ci --ignore-scripts')
    sh(clone, 'npm install --ignore-scripts')
    expect(git(clone, 'status', '--porcelain')).toBe('')
  }, 240_000)

  it('npm install && npm start: serves the demo backlog until stopped, saying how to connect', async () => {
    server = spawn('bash', ['-c', 'npm install && npm start'], {
      cwd: clone,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    const url = await new Promise<string>((resolve, reject) => {
      server?.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
        const found = /MCP over HTTP: (http:\/\/\S+\/mcp)/.exec(stderr)
        if (found?.[1] && stderr.includes('Ctrl+C')) resolve(found[1])
      })
      server?.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${stderr}`)))
    })
    expect(stderr).toContain(`serving the demo backlog in ${join(base, 'state', 'git-backlog', 'demo')}`)
    expect(stderr).toContain('claude mcp add --transport http git-backlog-demo')

    const client = new Client({ name: 'install-test', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(new URL(url)))
    const listed = await client.callTool({ name: 'backlog_list', arguments: {} })
    expect((listed.structuredContent as { items: unknown[] }).items.length).toBeGreaterThan(0)
    await client.close()

    const exited = new Promise<void>((resolve) => server?.on('exit', () => resolve()))
    if (server.pid) process.kill(-server.pid, 'SIGINT')
    await exited
    server = undefined
    // The demo lives outside the checkout, whose tree stays clean.
    expect(git(clone, 'status', '--porcelain')).toBe('')
  }, 240_000)

  it('npm install -g . links the built git-backlog command, which git finds as `git backlog`', () => {
    sh(clone, 'npm run build && npm install -g .')
    expect(sh(clone, 'git-backlog --version').trim()).toBe(VERSION)
    const repo = tempRepo()
    sh(repo.dir, 'git backlog add "Installed from a clone" --priority high')
    expect(sh(repo.dir, 'git backlog list')).toContain('Installed from a clone')
    sh(clone, 'npm uninstall -g git-backlog')
  }, 240_000)

  it('npm pack builds a package that installs a working command', () => {
    const packed = join(base, 'packed')
    mkdirSync(packed)
    // The tarball is made in the clone as the README shows it; install from a copy, away from the clone.
    sh(clone, 'npm pack && npm install -g ./git-backlog-*.tgz')
    const tarball = readdirSync(clone).find((name) => name.endsWith('.tgz'))
    expect(tarball).toBe(`git-backlog-${VERSION}.tgz`)
    const listing = sh(clone, `tar tzf ${tarball}`)
    for (const path of [
      'dist/bin/git-backlog.js',
      'templates/config.yml',
      '.backlog.example/config.yml',
      'README.md',
      'dist/man/man1/git-backlog.1',
    ]) {
      expect(listing).toContain(`package/${path}`)
    }
    expect(listing).not.toMatch(/\.test\.js/)
    // The installed copy is not a link to the clone: it works once the clone is gone.
    rmSync(join(clone, 'dist'), { recursive: true, force: true })
    expect(sh(base, 'git-backlog --version').trim()).toBe(VERSION)
    const repo = tempRepo()
    // package.json's man: npm links the page where man looks, so `git backlog --help` (git runs man) finds it.
    expect(existsSync(join(prefix, 'share', 'man', 'man1', 'git-backlog.1'))).toBe(true)
    if (spawnSync('man', ['-w', 'man'], { stdio: 'ignore' }).error === undefined) {
      const manpath = join(prefix, 'share', 'man')
      const manual = sh(repo.dir, 'git backlog --help', {
        MANPATH: manpath,
        MANPAGER: 'cat',
        PAGER: 'cat',
        MANWIDTH: '80',
      })
      expect(manual).toMatch(/^GIT-BACKLOG\(1\) +Git Backlog Manual/)
    }
    sh(repo.dir, 'git backlog add "Installed from the tarball"')
    expect(sh(repo.dir, 'git backlog list --json')).toContain('Installed from the tarball')
    expect(git(repo.dir, 'log', '-1', '--format=%s')).toMatch(/^add bl-\w+: Installed from the tarball/)
    rmSync(join(clone, tarball as string))
    sh(clone, 'npm run build')
    expect(git(clone, 'status', '--porcelain')).toBe('')
  }, 240_000)

  it('would install by name once published: the package is git-backlog with a git-backlog command', () => {
    const [packed] = JSON.parse(sh(clone, 'npm pack --dry-run --json --ignore-scripts')) as Array<{
      name: string
      files: Array<{ path: string }>
    }>
    expect(packed?.name).toBe('git-backlog')
    const manifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as {
      bin: Record<string, string>
      scripts: Record<string, string>
    }
    expect(manifest.bin).toEqual({ 'git-backlog': 'dist/bin/git-backlog.js' })
    expect(packed?.files.map((file) => file.path)).toContain('dist/bin/git-backlog.js')
    // An install from the registry runs no script of ours: nothing asks the person to allow one.
    expect(Object.keys(manifest.scripts)).not.toContain('prepare')
    expect(Object.keys(manifest.scripts)).not.toContain('postinstall')
  }, 120_000)

  it('npx runs the clone by its path', () => {
    expect(sh(base, `npx -y ${clone} --version`).trim()).toBe(VERSION)
  }, 120_000)
})
