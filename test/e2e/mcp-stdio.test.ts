import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { connectStdio, textOf } from '../helpers/mcp.js'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

/** A temp repository with a backlog, made through the library. */
async function initializedRepo() {
  const repo = tempRepo()
  const { createApp } = await import('../../src/app/index.js')
  const app = createApp({ cwd: repo.dir })
  await app.init({})
  app.close()
  return repo
}

describe('git-backlog mcp over stdio (the built bin)', () => {
  it('serves the tools to an SDK client and commits with the agent from BACKLOG_AGENT', async () => {
    const repo = tempRepo()
    repo.git('-c', 'core.hooksPath=/dev/null', 'status')
    const { createApp } = await import('../../src/app/index.js')
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    app.close()

    const client = await connectStdio(repo.dir, { BACKLOG_AGENT: 'stdio-agent' })
    expect(client.client.getServerVersion()).toMatchObject({ name: 'git-backlog' })
    // One line at start, once the backlog is read: what is served, where, and as whom.
    await expect
      .poll(client.stderr, { timeout: 5_000 })
      .toMatch(
        /^git-backlog [\d.]+: serving .* \(branch \S+, 0 items\) to stdio-test-agent; commits name the agent "stdio-agent"\n$/,
      )
    expect(client.client.getInstructions()).toMatch(/backlog_list/)
    const { tools } = await client.client.listTools()
    expect(tools).toHaveLength(13)

    const created = await client.call('backlog_create', { title: 'Over stdio', tags: ['e2e'] })
    expect(created.isError).toBeFalsy()
    const id = (created.structuredContent as { items: Array<{ id: string }> }).items[0]!.id
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('stdio-agent')

    repo.write(
      `.backlog/tasks/${id.slice(-1)}/${id}.md`,
      repo.read(`.backlog/tasks/${id.slice(-1)}/${id}.md`).replace('Over stdio', 'Renamed by hand'),
    )
    const listed = await client.call('backlog_list', { tags: 'e2e' })
    expect(textOf(listed)).toContain('Renamed by hand')
    const found = await client.call('backlog_search', { query: 'renamd hand' })
    expect((found.structuredContent as { items: Array<{ id: string }> }).items[0]?.id).toBe(id)
    const context = await client.call('backlog_context', { id })
    expect(context.isError, textOf(context)).toBeFalsy()
    expect((context.structuredContent as { focal: { title: string } }).focal.title).toBe('Renamed by hand')
    expect(textOf(context)).toContain(`# ${id}: Renamed by hand`)
    const resource = await client.client.readResource({ uri: `backlog://items/${id}` })
    expect((resource.contents[0] as { text: string }).text).toContain('title: Renamed by hand')

    const bad = await client.call('backlog_get', { id: 'bl-000000' })
    expect(bad.isError).toBe(true)
    expect(textOf(bad)).toMatch(/^NOT_FOUND: No item bl-000000/)
    expect(repo.git('status', '--porcelain')).toMatch(/^ M \.backlog\/tasks\//)
  })

  it('uses the client name when no agent is configured, and --agent over both', async () => {
    const repo = await initializedRepo()
    const client = await connectStdio(repo.dir)
    await client.call('backlog_create', { title: 'Client named' })
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('stdio-test-agent')
    await client.client.close()

    const flagged = await connectStdio(repo.dir, { BACKLOG_AGENT: 'env-agent' }, ['--agent', 'flag-agent'])
    await flagged.call('backlog_create', { title: 'Flag named' })
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('flag-agent')
    await flagged.client.close()

    const joined = await connectStdio(repo.dir, {}, ['--agent=joined-agent'])
    await joined.call('backlog_create', { title: 'Joined flag' })
    expect(repo.git('log', '-1', '--format=%(trailers:key=Backlog-Agent,valueonly)').trim()).toBe('joined-agent')
  })

  it('exits when the client closes standard input', async () => {
    const repo = tempRepo()
    const child = spawn(process.execPath, [BIN, 'mcp'], {
      cwd: repo.dir,
      env: { ...process.env, ...GIT_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    child.stdin.end()
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)
  })
})

describe('git-backlog mcp before the first call', () => {
  it('answers initialize and tools/list without reading the backlog or running git', async () => {
    // Reading this config would wait forever (a FIFO no one writes to), and so would any git the server started: the
    // first answers must come without either. Reading begins only once the client has its tools.
    const repo = tempRepo()
    mkdirSync(join(repo.dir, '.backlog'))
    execFileSync('mkfifo', [join(repo.dir, '.backlog', 'config.yml')])
    const bin = mkdtempSync(join(tmpdir(), 'stuck-git-'))
    writeFileSync(join(bin, 'git'), '#!/bin/sh\nexec sleep 20\n', { mode: 0o755 })
    const child = spawn(process.execPath, [BIN, 'mcp'], {
      cwd: repo.dir,
      env: { ...process.env, ...GIT_ENV, PATH: `${bin}:${process.env.PATH}` },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    try {
      const replies = new Map<number, { result?: { tools?: Array<{ name: string }>; serverInfo?: unknown } }>()
      let buffered = ''
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split('\n')
        buffered = lines.pop() ?? ''
        for (const line of lines.filter(Boolean)) {
          const message = JSON.parse(line)
          replies.set(message.id, message)
        }
      })
      const send = (message: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`)
      const reply = async (id: number) => {
        for (let i = 0; i < 400 && !replies.has(id); i++) await new Promise((resolve) => setTimeout(resolve, 25))
        return replies.get(id)
      }
      send({
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
      })
      expect((await reply(1))?.result?.serverInfo).toMatchObject({ name: 'git-backlog' })
      send({ method: 'notifications/initialized' })
      // A client that takes its time: the server must not start reading meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 150))
      send({ id: 2, method: 'tools/list' })
      const names = (await reply(2))?.result?.tools?.map((tool) => tool.name)
      const { TOOLS } = await import('../../src/mcp/tools.js')
      expect(names).toEqual(TOOLS.map((tool) => tool.name))
    } finally {
      child.kill('SIGKILL')
    }
  }, 20_000)
})

describe('git-backlog mcp outside a repository', () => {
  it('starts anyway and answers each call with NOT_A_REPO', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const client = await connectStdio(mkdtempSync(join(tmpdir(), 'no-repo-')))
    const result = await client.call('backlog_list')
    expect(textOf(result)).toMatch(/^NOT_A_REPO: .* is not inside a git repository/)
    await expect
      .poll(client.stderr, { timeout: 5_000 })
      .toMatch(
        /^git-backlog [\d.]+: warning: .* is not inside a git repository.*Every call will fail until the server is started in a git repository/,
      )
  })
})

describe('the stdio server given messages it cannot take', () => {
  it('answers an over-long request with an error for that request, and goes on serving', async () => {
    const repo = await initializedRepo()
    const client = await connectStdio(repo.dir)
    const head = repo.git('rev-parse', 'HEAD')

    // 12 MB of description in one message: over the 10 MB the transport reads.
    const huge = client.client.callTool({
      name: 'backlog_create',
      arguments: { title: 'Too big', description: 'x'.repeat(12 * 1024 * 1024) },
    })
    await expect(huge).rejects.toThrow(/Request too large: 12,58\d,\d{3} bytes, over the limit of 10,485,760 bytes/)
    // Still up, and nothing was written.
    const after = await client.call('backlog_create', { title: 'Fine' })
    expect(after.isError, textOf(after)).toBeFalsy()
    expect(repo.git('rev-list', '--count', `${head.trim()}..HEAD`).trim()).toBe('1')

    // Within the transport's limit but over the description's: a clear INVALID_INPUT naming the limit.
    const long = await client.call('backlog_create', { title: 'Long', description: 'y'.repeat(300_000) })
    expect(textOf(long)).toMatch(/^INVALID_INPUT: description: is 300,000 characters long; the limit is 200,000/)
  }, 60_000)

  it('replies to a line that is not JSON with a parse error, and to the next request as usual', async () => {
    const repo = tempRepo()
    const child = spawn(process.execPath, [BIN, 'mcp'], { cwd: repo.dir, env: { ...process.env, ...GIT_ENV } })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    const replies = async (count: number) => {
      for (let i = 0; i < 200 && out.split('\n').filter(Boolean).length < count; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { id: unknown; error?: { code: number; message: string }; result?: unknown })
    }
    child.stdin.write('this is not json\n')
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}\n`)
    const [parseError, pong] = await replies(2)
    expect(parseError).toMatchObject({ id: null, error: { code: -32700 } })
    expect(pong).toMatchObject({ id: 1, result: {} })
    child.stdin.end()
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(0)
  })
})
