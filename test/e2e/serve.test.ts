/**
 * `git backlog serve`: MCP over Streamable HTTP through the SDK's own client, the checks every request passes (Host,
 * Origin, token), and `serve --demo` as `npm start` runs it: the built bin, a demo repository made once, served until
 * stopped.
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { parseHost, startHttpServer } from '../../src/http/server.js'
import { expectError } from '../helpers/errors.js'
import { BIN, GIT_ENV, git, tempRepo } from '../helpers/repo.js'

async function connectHttp(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'http-test-agent', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }))
  onTestFinished(() => client.close())
  return client
}

async function initializedApp() {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, watch: true })
  await app.init({})
  onTestFinished(() => app.close())
  return { repo, app }
}

/** A raw request with any Host and Origin, which fetch would not let a test set. */
function rawPost(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  })
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
      },
    )
    sent.on('error', reject)
    sent.end(body)
  })
}

describe('MCP over HTTP', () => {
  it('serves the tools to an SDK client, and each call is one commit', async () => {
    const { repo, app } = await initializedApp()
    const server = await startHttpServer({ app, port: 0, mcp: { agent: 'http-agent' } })
    onTestFinished(() => server.close())
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const client = await connectHttp(`${server.url}/mcp`)
    const names = (await client.listTools()).tools.map((tool) => tool.name)
    expect(names).toContain('backlog_create')
    const created = (await client.callTool({
      name: 'backlog_create',
      arguments: { title: 'Over HTTP' },
    })) as CallToolResult
    expect(created.isError).toBeFalsy()
    expect(git(repo.dir, 'log', '-1', '--format=%s%n%b')).toMatch(
      /^add bl-\w+: Over HTTP[\s\S]*Backlog-Agent: http-agent/,
    )

    // A second client has its own session over the same backlog.
    const other = await connectHttp(`${server.url}/mcp`)
    const listed = (await other.callTool({ name: 'backlog_list', arguments: {} })) as CallToolResult
    expect(JSON.stringify(listed.structuredContent)).toContain('Over HTTP')
  })

  it('refuses other Hosts and Origins, which is how a DNS-rebinding page would reach it', async () => {
    const { app } = await initializedApp()
    const server = await startHttpServer({ app, port: 0 })
    onTestFinished(() => server.close())
    const own = `127.0.0.1:${server.port}`

    expect((await rawPost(server.port, { host: 'evil.example:80' })).status).toBe(403)
    expect((await rawPost(server.port, { host: `evil.example:${server.port}` })).status).toBe(403)
    expect((await rawPost(server.port, { host: own, origin: 'http://evil.example' })).status).toBe(403)
    expect((await rawPost(server.port, { host: own, origin: `http://localhost:${server.port}` })).status).toBe(200)
    expect((await rawPost(server.port, { host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('needs a token to listen beyond this machine, and checks it on every request', async () => {
    const { app } = await initializedApp()
    const refused = await expectError(startHttpServer({ app, host: '0.0.0.0', port: 0 }), 'INVALID_INPUT')
    expect(refused.message).toMatch(/token/)

    const server = await startHttpServer({ app, port: 0, token: 's3cret' })
    onTestFinished(() => server.close())
    const own = `127.0.0.1:${server.port}`
    expect((await rawPost(server.port, { host: own })).status).toBe(401)
    expect((await rawPost(server.port, { host: own, authorization: 'Bearer wrong' })).status).toBe(401)
    const client = await connectHttp(`${server.url}/mcp`, { authorization: 'Bearer s3cret' })
    expect((await client.listTools()).tools.length).toBeGreaterThan(5)
  })
})

describe('the checks of every request', () => {
  it('reads a Host header as browsers and clients send it: brackets, case, no port meaning 80', () => {
    expect(parseHost('[::1]:7373')).toEqual({ name: '::1', port: 7373 })
    expect(parseHost('LocalHost:7373')).toEqual({ name: 'localhost', port: 7373 })
    expect(parseHost('example.com')).toEqual({ name: 'example.com', port: 80 })
    expect(parseHost('[FD00::2]:41773')).toEqual({ name: 'fd00::2', port: 41773 })
    expect(parseHost('fd00::2:41773')).toBeUndefined()
    expect(parseHost('evil.example:80:1')).toBeUndefined()
  })

  it("answers a client on this machine's network address when listening there with a token", async () => {
    const address = Object.values(networkInterfaces())
      .flat()
      .find((one) => one && one.family === 'IPv4' && !one.internal)?.address
    // Machines without a network address have nothing to listen on beyond loopback; the token case above stands.
    if (!address) return
    const { app } = await initializedApp()
    const server = await startHttpServer({ app, host: address, port: 0, token: 't0ken' })
    onTestFinished(() => server.close())
    expect(server.url).toBe(`http://${address}:${server.port}`)
    const client = await connectHttp(`${server.url}/mcp`, { authorization: 'bearer t0ken' })
    expect((await client.listTools()).tools.length).toBeGreaterThan(5)
  })

  it('closes a session its client left without a word, once it has been idle long enough', async () => {
    const { app } = await initializedApp()
    const server = await startHttpServer({ app, port: 0, sessionIdleMs: 200 })
    onTestFinished(() => server.close())
    const client = await connectHttp(`${server.url}/mcp`)
    expect((await client.listTools()).tools.length).toBeGreaterThan(5)
    await new Promise((resolve) => setTimeout(resolve, 700))
    await expect(client.listTools()).rejects.toThrow(/Session not found|404/)
  })
})

describe('serve --demo (what npm start runs)', () => {
  let child: ChildProcess | undefined
  afterEach(() => {
    child?.kill('SIGKILL')
    child = undefined
  })

  /** Starts the built bin and waits for the line that names the MCP URL. */
  async function startDemo(
    state: string,
  ): Promise<{ url: string; stderr: () => string; exited: Promise<number | string> }> {
    const running = spawn(process.execPath, [BIN, 'serve', '--demo', '--port', '0'], {
      cwd: tmpdir(),
      env: { ...process.env, ...GIT_ENV, XDG_STATE_HOME: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = running
    let stderr = ''
    const exited = new Promise<number | string>((resolve) =>
      running.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)),
    )
    const url = await new Promise<string>((resolve, reject) => {
      running.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
        const found = /MCP over HTTP: (http:\/\/\S+\/mcp)/.exec(stderr)
        if (found?.[1] && stderr.includes('Ctrl+C')) resolve(found[1])
      })
      void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)))
    })
    return { url, stderr: () => stderr, exited }
  }

  it('makes the demo repository once, outside any checkout, says how to connect, and serves until stopped', async () => {
    const state = mkdtempSync(join(tmpdir(), 'backlog-state-'))
    onTestFinished(() => rmSync(state, { recursive: true, force: true }))
    const demo = join(state, 'git-backlog', 'demo')

    const first = await startDemo(state)
    expect(first.stderr()).toContain(`serving the demo backlog in ${demo}`)
    expect(first.stderr()).toMatch(/branch main, \d+ items \(made just now/)
    expect(first.stderr()).toContain(`Web viewer: ${first.url.replace(/\/mcp$/, '/')}`)
    const api = await fetch(first.url.replace(/\/mcp$/, '/api/summary'))
    expect(await api.json()).toMatchObject({ repository: demo, initialized: true })
    expect(first.stderr()).toContain(`claude mcp add --transport http git-backlog-demo ${first.url}`)
    expect(first.stderr()).toContain(
      `${process.execPath} ${BIN} mcp --config <cursor|vscode|windsurf|codex> --url ${first.url}`,
    )
    expect(git(demo, 'log', '--format=%s').trim()).toBe("Demo backlog from git-backlog's example")
    expect(git(demo, 'status', '--porcelain').trim()).toBe('')

    // An agent connects, sees the example items and changes one: one commit in the demo repository.
    const client = await connectHttp(first.url)
    const listed = (await client.callTool({ name: 'backlog_list', arguments: { status: 'all' } })) as CallToolResult
    const rows = (listed.structuredContent as { items: Array<{ id: string }> }).items
    expect(rows.length).toBeGreaterThan(3)
    const update = (await client.callTool({
      name: 'backlog_update',
      arguments: { id: rows[0]?.id, note: 'looked at it from the demo' },
    })) as CallToolResult
    expect(update.isError).toBeFalsy()
    expect(git(demo, 'rev-list', '--count', 'HEAD').trim()).toBe('2')
    await client.close()

    // It keeps serving until stopped, and stops cleanly on a signal.
    child?.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    // The next start reuses the demo as the person left it.
    const second = await startDemo(state)
    expect(second.stderr()).not.toContain('made just now')
    expect(git(demo, 'rev-list', '--count', 'HEAD').trim()).toBe('2')
    child?.kill('SIGINT')
    expect(await second.exited).toBe(0)
  })

  it('leaves a folder that is not a demo alone', async () => {
    const state = mkdtempSync(join(tmpdir(), 'backlog-state-'))
    onTestFinished(() => rmSync(state, { recursive: true, force: true }))
    const demo = join(state, 'git-backlog', 'demo')
    mkdirSync(demo, { recursive: true })
    writeFileSync(join(demo, 'mine.txt'), 'keep me\n')
    const running = spawn(process.execPath, [BIN, 'serve', '--demo', '--port', '0'], {
      env: { ...process.env, ...GIT_ENV, XDG_STATE_HOME: state },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = running
    let stderr = ''
    running.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const code = await new Promise<number>((resolve) => running.on('exit', (exit) => resolve(exit ?? -1)))
    expect(code).toBe(1)
    expect(stderr).toContain('holds no demo backlog')
    expect(readFileSync(join(demo, 'mine.txt'), 'utf8')).toBe('keep me\n')
    expect(existsSync(join(demo, '.git'))).toBe(false)
  })
})

describe('the demo repository', () => {
  it('is made once: a later start into the same folder keeps it and says it made nothing', async () => {
    const { ensureDemoRepository } = await import('../../src/store/demo-repo.js')
    const state = mkdtempSync(join(tmpdir(), 'backlog-state-'))
    onTestFinished(() => rmSync(state, { recursive: true, force: true }))
    const demo = join(state, 'demo')
    mkdirSync(demo)
    // The second start finds the folder the first one filled: it keeps it, and says it made nothing.
    const first = ensureDemoRepository(demo)
    const head = git(demo, 'rev-parse', 'HEAD').trim()
    const second = ensureDemoRepository(demo)
    expect([first.created, second.created]).toEqual([true, false])
    expect(git(demo, 'rev-parse', 'HEAD').trim()).toBe(head)
    expect(readdirSync(state)).toEqual(['demo'])
  })
})
