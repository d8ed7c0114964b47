/**
 * Shell completion: `git backlog completion <bash|zsh|fish>` prints a script made from the commander program itself
 * (its commands, aliases, options, option choices and argument names), and the hidden `git backlog __complete ids`
 * answers the script with item ids at each TAB.
 */

import type { Command, Option } from 'commander'
import { BacklogError } from '../core/errors.js'
import {
  type ArgumentKind,
  type CommandSpec,
  type CompletionSpec,
  completionScript,
  type OptionSpec,
  SHELLS,
  type Shell,
  type ValueKind,
} from './completion-scripts.js'
import { withExamples, withNotes } from './help.js'
import type { CliContext } from './program.js'

/** The hidden command the scripts call; not in the command tree, so no help or man page lists it. */
export const COMPLETE_COMMAND = '__complete'

/** What an option's value completes to, from commander's choices and the name of its value (`<id>`, `<file>`). */
function valueKind(option: Option): ValueKind {
  if (!option.required && !option.optional) return { kind: 'none' }
  if (option.argChoices?.length) return { kind: 'words', words: [...option.argChoices] }
  const name = /<([^>]+)>|\[([^\]]+)\]/.exec(option.flags)?.slice(1).find(Boolean) ?? ''
  if (/^id(\.\.\.)?$/.test(name)) return { kind: 'id' }
  if (/^(file|path|dir)(\.\.\.)?$/.test(name)) return { kind: 'file' }
  return { kind: 'text' }
}

function optionSpec(option: Option): OptionSpec {
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    value: valueKind(option),
  }
}

/** Ids of archived items for `unarchive`, of items in play for the rest; a command's name for `help`. */
function argumentKind(command: Command, name: string): ArgumentKind {
  if (name !== 'id') return 'other'
  return command.name() === 'unarchive' ? 'archived-id' : 'id'
}

/**
 * The commands, their options and arguments as the completion scripts need them, read from the program.
 *
 * @example
 * completionSpec(program).commands.find((command) => command.name === 'list')?.aliases // ['ls']
 */
export function completionSpec(program: Command): CompletionSpec {
  const commands: CommandSpec[] = program.commands.map((command) => ({
    name: command.name(),
    aliases: command.aliases(),
    summary: command.summary() || command.description(),
    options: command.options.filter((option) => !option.hidden).map(optionSpec),
    args: command.registeredArguments.map((argument) => ({
      kind: argumentKind(command, argument.name()),
      variadic: argument.variadic,
    })),
  }))
  commands.push({
    name: 'help',
    aliases: [],
    summary: 'show help for a command',
    options: [],
    args: [{ kind: 'command', variadic: false }],
  })
  return {
    commands,
    global: [
      { short: '-C', description: 'run as if started in this folder', value: { kind: 'file' } },
      ...program.options.map(optionSpec),
      { short: '-h', long: '--help', description: 'show help', value: { kind: 'none' } },
    ],
  }
}

export function registerCompletionCommand(program: Command, cli: CliContext): void {
  const completion = program
    .command('completion')
    .summary('print the shell completion script for bash, zsh or fish')
    .description(
      'print the script that completes commands, options and item ids for `git backlog` and `git-backlog` in bash, zsh or fish',
    )
    .argument('<shell>', SHELLS.join(', '))
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) {
        throw new BacklogError('INVALID_INPUT', `completion is for ${SHELLS.join(', ')}, not "${shell}"`)
      }
      cli.io.out(completionScript(completionSpec(program), shell as Shell).trimEnd())
    })
  withNotes(
    completion,
    `Install (then open a new shell):
  bash: git backlog completion bash > ~/.local/share/bash-completion/completions/git-backlog
        (or: echo 'eval "$(git backlog completion bash)"' >> ~/.bashrc)
  zsh:  git backlog completion zsh > ~/.zfunc/_git-backlog, with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc
  fish: git backlog completion fish > ~/.config/fish/completions/git-backlog.fish
Write the file again after an upgrade, for new commands and options.`,
  )
  withExamples(completion, ['completion bash', 'completion fish > ~/.config/fish/completions/git-backlog.fish'])
}

/**
 * `__complete ids [--archived] [--describe] [--] [prefix]`: the ids that start with the prefix, one a line; with
 * `--describe`, a tab and the title after each (zsh and fish show it). Any other question gets nothing: a shell
 * completing is never shown an error.
 */
export async function runComplete(args: string[], cli: CliContext): Promise<void> {
  const [what, ...rest] = args
  if (what !== 'ids') return
  const flags = new Set<string>()
  let prefix = ''
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index] as string
    if (arg === '--') {
      prefix = rest[index + 1] ?? ''
      break
    }
    if (arg.startsWith('--')) flags.add(arg)
    else prefix = arg
  }
  const found = await cli.app({ readOnly: true }).ids({ prefix, archived: flags.has('--archived') })
  const describe = flags.has('--describe')
  const line = ({ id, title }: { id: string; title: string }) =>
    describe ? `${id}\t${title.replace(/\s+/g, ' ').trim()}` : id
  if (found.length) cli.io.out(found.map(line).join('\n'))
}
