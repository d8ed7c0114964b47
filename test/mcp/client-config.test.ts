/**
 * `git backlog mcp --config <client>`: the config printed for each client names this installation by absolute path,
 * and a client that starts exactly what it says gets a working server.
 */

import { tmpdir } from 'node:os'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli } from '../../src/cli/program.js'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

// biome-ignore lint/suspicious/noTemplateCurlyInString: the editor's variable, as the printed config must hold it
const FOLDER = '${workspaceFolder}'

async function config(cwd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(['mcp', ...args], {
    cwd,
    out: (text) => {
      out += `${text}\n`
    },
    err: (text) => {
      err += `${text}\n`
    },
    env: {},
  })
  return { code, out, err }
}

interface StdioEntry {
  command: string
  args: string[]
}

/** Starts the server exactly as a client would from `entry` and lists its tools. */
async function startAs(entry: StdioEntry, cwd: string): Promise<string[]> {
  const client = new Client({ name: 'config-test', version: '1.0.0' })
  await client.connect(
    new StdioClientTransport({
      command: entry.command,
      args: entry.args,
      cwd,
      env: { ...(process.env as Record<string, string>), ...GIT_ENV },
      stderr: 'pipe',
    }),
  )
  onTestFinished(() => client.close())
  const listed = await client.callTool({ name: 'backlog_list', arguments: {} })
  expect(listed.isError, JSON.stringify(listed.content)).toBeFalsy()
  return (await client.listTools()).tools.map((tool) => tool.name)
}

describe('mcp --config', () => {
  it('prints a claude mcp add line that starts this installation, and says where it goes', async () => {
    const repo = tempRepo()
    const { code, out, err } = await config(repo.dir, ['--config', 'claude'])
    expect(code).toBe(0)
    expect(out.trim()).toBe(`claude mcp add git-backlog -- ${process.execPath} ${BIN} mcp`)
    expect(err).toContain('Run this in the repository')
  })

  it('gives Cursor and VS Code the open folder, Windsurf this repository, Codex a TOML table', async () => {
    const repo = tempRepo()
    const cursor = JSON.parse((await config(repo.dir, ['--config', 'cursor'])).out)
    expect(cursor.mcpServers['git-backlog']).toEqual({
      command: process.execPath,
      args: [BIN, '-C', FOLDER, 'mcp'],
    })
    const vscode = JSON.parse((await config(repo.dir, ['--config', 'vscode'])).out)
    expect(vscode.servers['git-backlog']).toMatchObject({
      type: 'stdio',
      args: [BIN, '-C', FOLDER, 'mcp'],
    })
    const windsurf = JSON.parse((await config(repo.dir, ['--config', 'windsurf'])).out)
    expect(windsurf.mcpServers['git-backlog'].args).toEqual([BIN, '-C', repo.dir, 'mcp'])
    const codex = (await config(repo.dir, ['--config', 'codex'])).out
    expect(codex).toBe(
      `[mcp_servers."git-backlog"]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(BIN)}, "mcp"]\n`,
    )

    // What Windsurf would start works from anywhere; what Cursor would start works once it fills in the folder.
    expect(await startAs(windsurf.mcpServers['git-backlog'], tmpdir())).toContain('backlog_create')
    const filled = cursor.mcpServers['git-backlog'].args.map((arg: string) => (arg === FOLDER ? repo.dir : arg))
    expect(await startAs({ command: process.execPath, args: filled }, tmpdir())).toContain('backlog_update')
  })

  it('points a client at a running server with --url, and refuses an unknown client', async () => {
    const repo = tempRepo()
    const url = 'http://127.0.0.1:7373/mcp'
    const claude = await config(repo.dir, ['--config', 'claude', '--url', url])
    expect(claude.out.trim()).toBe(`claude mcp add --transport http git-backlog ${url}`)
    expect(claude.err).toContain('connects to the running server')
    expect((await config(repo.dir, ['--config', 'windsurf', '--url', url])).err).toContain(
      `whichever backlog is served at ${url}`,
    )
    expect(JSON.parse((await config(repo.dir, ['--config', 'vscode', '--url', url, '--name', 'demo'])).out)).toEqual({
      servers: { demo: { type: 'http', url } },
    })
    // A token goes where each client sends headers; a URL is quoted for the shell it is pasted into.
    const odd = 'http://127.0.0.1:7373/mcp?a=1&b=$(id)'
    expect((await config(repo.dir, ['--config', 'claude', '--url', odd, '--token', 's3cret'])).out.trim()).toBe(
      `claude mcp add --transport http git-backlog 'http://127.0.0.1:7373/mcp?a=1&b=$(id)' --header 'Authorization: Bearer s3cret'`,
    )
    expect(JSON.parse((await config(repo.dir, ['--config', 'cursor', '--url', url, '--token', 's3cret'])).out)).toEqual(
      {
        mcpServers: { 'git-backlog': { url, headers: { Authorization: 'Bearer s3cret' } } },
      },
    )
    expect((await config(repo.dir, ['--config', 'codex', '--url', url, '--token', 's3cret'])).out).toContain(
      'http_headers = { Authorization = "Bearer s3cret" }',
    )
    expect((await config(repo.dir, ['--config', 'claude', '--token', 's3cret'])).err).toContain(
      '--token goes with --url',
    )
    const unknown = await config(repo.dir, ['--config', 'emacs'])
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/Allowed choices are claude, cursor, codex, vscode, windsurf/)
    const stray = await config(repo.dir, ['--url', url])
    expect(stray.code).toBe(1)
    expect(stray.err).toContain('--url, --name and --token go with --config')
  })
})
