/**
 * The Claude Code plugin (plugins/claude-code/): its skills are the MCP prompts' text, its MCP config starts the
 * server, and its hooks, run as Claude Code runs them (a shell command with JSON on standard input, in another
 * folder, CLAUDE_PROJECT_DIR set), answer with the JSON Claude Code reads.
 */

import { spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { describe, expect, it, onTestFinished } from 'vitest'
// @ts-expect-error: a plain script, without types
import { skillFiles } from '../../scripts/build-plugin.mjs'
import { builtInPrompts } from '../../src/app/use-cases/prompts.js'
import { runInProcess } from '../helpers/cli.js'
import { BIN, GIT_ENV, tempRepo } from '../helpers/repo.js'

const ROOT = join(import.meta.dirname, '..', '..')
const PLUGIN = join(ROOT, 'plugins', 'claude-code')
const json = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'))

interface HookConfig {
  hooks: Record<string, Array<{ matcher: string; hooks: Array<{ type: string; command: string }> }>>
}

/** A folder with a `git-backlog` on it that runs the built bin: what an installed package puts on the PATH. */
function pathWithBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-path-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const shim = join(dir, 'git-backlog')
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`)
  chmodSync(shim, 0o755)
  return `${dir}:${process.env.PATH}`
}

/** Runs a hook's command as Claude Code does: through the shell, hook JSON on standard input. */
function runHookCommand(command: string, cwd: string, env: Record<string, string>, input: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env: { ...process.env, ...GIT_ENV, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

describe('the Claude Code plugin', () => {
  it('has a manifest, and a marketplace entry that points at it', () => {
    const manifest = json('plugins/claude-code/.claude-plugin/plugin.json')
    expect(manifest).toMatchObject({ name: 'git-backlog', version: json('package.json').version })
    expect(json('.claude-plugin/marketplace.json').plugins).toEqual([
      expect.objectContaining({ name: 'git-backlog', source: './plugins/claude-code' }),
    ])
  })

  it('ships one skill per workflow prompt, made from the prompt (node scripts/build-plugin.mjs)', () => {
    const files = skillFiles() as Map<string, string>
    expect([...files.keys()]).toEqual(
      builtInPrompts().map((prompt) => `plugins/claude-code/skills/${prompt.name}/SKILL.md`),
    )
    for (const [path, content] of files) {
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is stale: run node scripts/build-plugin.mjs`).toBe(
        content,
      )
      expect(content).toMatch(/^---\nname: [a-z-]+\ndescription: ".+"\n---\n/)
      expect(content).not.toContain('{{')
    }
    const refine = files.get('plugins/claude-code/skills/refine-item/SKILL.md') as string
    expect(refine).toContain('- `id` (required): The item to refine')
    expect(refine).toContain('backlog_context {"id": "<id>"}')
  })

  it('starts the MCP server its .mcp.json names, which serves the prompts', async () => {
    const repo = tempRepo()
    await runInProcess(repo.dir, ['init'])
    const server = json('plugins/claude-code/.mcp.json').mcpServers.backlog as { command: string; args: string[] }
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      cwd: repo.dir,
      env: { ...(process.env as Record<string, string>), ...GIT_ENV, PATH: pathWithBin() },
      stderr: 'pipe',
    })
    const client = new Client({ name: 'claude-code', version: '2.0.0' })
    await client.connect(transport)
    onTestFinished(() => client.close())
    const { prompts } = await client.listPrompts()
    expect(prompts.map((prompt) => prompt.name)).toContain('next-task')
    const briefing = await client.readResource({ uri: 'backlog://briefing' })
    expect((briefing.contents[0] as { text: string }).text).toMatch(/^Backlog briefing for claude-code on main/)
  })

  it("runs its hooks' commands as Claude Code runs them", async () => {
    const repo = tempRepo()
    await runInProcess(repo.dir, ['init'])
    const added = await runInProcess(repo.dir, ['add', 'Write the parser', '--json'])
    const id = JSON.parse(added.stdout).items[0].id as string
    const config = JSON.parse(readFileSync(join(PLUGIN, 'hooks', 'hooks.json'), 'utf8')) as HookConfig
    const env = { PATH: pathWithBin(), CLAUDE_PROJECT_DIR: repo.dir }
    const elsewhere = mkdtempSync(join(tmpdir(), 'git-backlog-elsewhere-'))
    onTestFinished(() => rmSync(elsewhere, { recursive: true, force: true }))

    const [start] = config.hooks.SessionStart ?? []
    expect(start?.matcher).toBe('startup|resume|clear|compact')
    const session = await runHookCommand(
      start?.hooks[0]?.command as string,
      elsewhere,
      env,
      JSON.stringify({ session_id: 's1', hook_event_name: 'SessionStart', source: 'startup', cwd: repo.dir }),
    )
    expect(session.code, session.stderr).toBe(0)
    const context = JSON.parse(session.stdout).hookSpecificOutput
    expect(context.hookEventName).toBe('SessionStart')
    expect(context.additionalContext).toContain(`- ${id} Write the parser`)

    const [todo] = config.hooks.PostToolUse ?? []
    expect(todo?.matcher).toBe('TodoWrite')
    const todos = [{ content: `Write the parser (${id})`, status: 'in_progress', activeForm: 'Writing the parser' }]
    const mirrored = await runHookCommand(
      todo?.hooks[0]?.command as string,
      elsewhere,
      env,
      JSON.stringify({
        session_id: 's1',
        hook_event_name: 'PostToolUse',
        tool_name: 'TodoWrite',
        tool_input: { todos },
        tool_response: { oldTodos: [], newTodos: todos },
      }),
    )
    expect(mirrored.code, mirrored.stderr).toBe(0)
    expect(JSON.parse(mirrored.stdout).hookSpecificOutput.additionalContext).toBe(
      `Backlog, following your todo list: claimed ${id}.`,
    )
    expect(repo.git('log', '-1', '--format=%s%n%b')).toMatch(
      new RegExp(`^start ${id}: Write the parser[\\s\\S]*Backlog-Agent: claude-code`),
    )
  })
})
