/** Commands for coding agents' sessions: the briefing a session starts from, and the hooks an agent's client runs. */

import type { Command } from 'commander'
import { briefingInput } from '../core/inputs.js'
import { withExamples, withNotes } from './help.js'
import { given, parse } from './options.js'
import type { CliContext } from './program.js'

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
}
