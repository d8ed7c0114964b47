/** Commands for coding agents' sessions: the briefing a session starts from, and the hooks an agent's client runs. */

import { Argument, type Command } from 'commander'
import { createApp } from '../app/index.js'
import { isBacklogError } from '../core/errors.js'
import { briefingInput } from '../core/inputs.js'
import { withExamples, withNotes } from './help.js'
import { given, parse } from './options.js'
import type { CliContext } from './program.js'

/** The agent a hook acts as: what Claude Code calls itself to an MCP server, so the hooks and the server agree. */
export const HOOK_AGENT = 'claude-code'

/** The hook input Claude Code writes on standard input (the fields these hooks read). */
interface HookInput {
  cwd?: string
  hook_event_name?: string
  tool_name?: string
  tool_input?: { todos?: unknown }
  tool_response?: { oldTodos?: unknown; newTodos?: unknown }
}

/** The hook's JSON input, an empty object for empty input; undefined when it is not a JSON object. */
function hookInput(raw: string): HookInput | undefined {
  if (!raw.trim()) return {}
  try {
    const value: unknown = JSON.parse(raw)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as HookInput) : undefined
  } catch {
    return undefined
  }
}

function todoList(value: unknown): Array<{ content: string; status: string }> | undefined {
  if (!Array.isArray(value)) return undefined
  return value.flatMap((todo) =>
    typeof todo === 'object' && todo !== null && typeof todo.content === 'string' && typeof todo.status === 'string'
      ? [{ content: todo.content, status: todo.status }]
      : [],
  )
}

export function registerAgentCommands(program: Command, cli: CliContext): void {
  const briefing = program
    .command('briefing')
    .summary('what an agent should know at the start of a session, within a byte budget')
    .description(
      'what an agent should know at the start of a session: work in progress and whose, what is ready, what is blocked and why, what changed since its last change; compact text within a byte budget',
    )
    .option('--agent <name>', 'whose session (default: BACKLOG_AGENT, else your git name)')
    .option(
      '--since <when>',
      "changes since this time instead of since the agent's last change (yesterday, 2026-11-23T09:00Z)",
    )
    .option('--max-bytes <n>', 'size budget in bytes (default 3072, at least 256)')
    .option('--json', 'print the result as JSON (the text is in its "text")')
    .action(async (options: { agent?: string; since?: string; maxBytes?: string; json?: boolean }) => {
      const input = parse(
        briefingInput,
        given({ agent: options.agent ?? cli.agent(), since: options.since, max_bytes: options.maxBytes }),
      )
      const result = await cli.app().briefing(input)
      cli.print(options.json, result, result.text)
    })
  withNotes(
    briefing,
    'A Claude Code SessionStart hook runs `git backlog hook session-start`, which prints this briefing as the context the session starts with (docs/agents.md).',
  )
  withExamples(briefing, [
    'briefing',
    'briefing --agent claude-code --max-bytes 2048',
    'briefing --since yesterday --json',
  ])

  const hook = program
    .command('hook')
    .summary('run as a Claude Code hook: the briefing at session start, todos mirrored into items')
    .description(
      'run as a Claude Code hook, reading its JSON on standard input: session-start prints the briefing as the context the session starts with; todo-write (PostToolUse on TodoWrite) claims the items a started todo names and closes those a completed one names',
    )
    .addArgument(new Argument('<event>', 'the hook').choices(['session-start', 'todo-write']))
    .option('--agent <name>', `who acts (default: BACKLOG_AGENT, else ${HOOK_AGENT})`)
    .option('--max-bytes <n>', 'session-start: the size budget of the briefing (default 3072)')
    .action(async (event: string, options: { agent?: string; maxBytes?: string }) => {
      let app: ReturnType<typeof createApp> | undefined
      try {
        const input = hookInput(await cli.stdin('hook input'))
        if (!input) {
          cli.io.err(`git-backlog hook ${event}: standard input is not a JSON object; nothing done`)
          return
        }
        // The project's root (CLAUDE_PROJECT_DIR), else where the session is, else here.
        const dir = cli.io.env.CLAUDE_PROJECT_DIR || input.cwd || cli.io.cwd
        const agent = options.agent ?? cli.agent() ?? HOOK_AGENT
        app = createApp({ cwd: dir })
        const context = await runHook(app, event, input, agent, options.maxBytes)
        if (context) {
          const hookEventName = event === 'session-start' ? 'SessionStart' : 'PostToolUse'
          cli.io.out(JSON.stringify({ hookSpecificOutput: { hookEventName, additionalContext: context } }))
        }
      } catch (error) {
        // A hook must not stand in the session's way, whatever goes wrong: outside a repository, with no backlog, or
        // on a failure of our own, it says why on standard error and exits 0.
        cli.io.err(
          isBacklogError(error)
            ? `git-backlog hook ${event}: ${error.code}: ${error.message}`
            : `git-backlog hook ${event}: unexpected error, nothing more done (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        )
      } finally {
        try {
          app?.close()
        } catch {
          // Closing is best effort here: the hook has said what it had to.
        }
      }
    })
  withNotes(
    hook,
    'Exit 0 whatever the backlog says, so a session is never held up: the output is JSON (hookSpecificOutput.additionalContext) when there is something to tell the agent, else nothing. The plugin in plugins/claude-code/ installs both hooks (docs/agents.md).',
  )
  withExamples(hook, ['hook session-start < session-start.json', 'hook todo-write < post-tool-use.json'])
}

/** What the hook adds to the agent's context, if anything. */
async function runHook(
  app: ReturnType<typeof createApp>,
  event: string,
  input: HookInput,
  agent: string,
  maxBytes: string | undefined,
): Promise<string | undefined> {
  if (event === 'session-start') {
    const briefing = await app.briefing(parse(briefingInput, { agent, ...given({ max_bytes: maxBytes }) }))
    return briefing.no_backlog ? undefined : briefing.text
  }
  if (input.tool_name !== undefined && input.tool_name !== 'TodoWrite') return undefined
  const todos = todoList(input.tool_input?.todos) ?? todoList(input.tool_response?.newTodos)
  if (!todos) return undefined
  const previous = todoList(input.tool_response?.oldTodos)
  const result = await app.todos({ todos, agent, ...(previous ? { previous } : {}) })
  const done = [
    ...(result.claimed.length ? [`claimed ${result.claimed.join(', ')}`] : []),
    ...(result.closed.length
      ? [`marked done ${result.closed.join(', ')} (add evidence with backlog_update add_evidence)`]
      : []),
  ]
  // Each refusal is a sentence of its own, ending as its reason ends (a reason ends with "Nothing was written.").
  const said = [
    ...(done.length ? [`${done.join('; ')}.`] : []),
    ...result.refused.map((refusal) => endSentence(`${refusal.id} not changed: ${refusal.reason}`)),
  ]
  return said.length ? `Backlog, following your todo list: ${said.join(' ')}` : undefined
}

function endSentence(text: string): string {
  const trimmed = text.trimEnd()
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
