/**
 * Shell completion: `git backlog completion <bash|zsh|fish>` prints a script made from the commander program itself
 * (its commands, aliases, options, the choices of options and arguments, and the names of their values), and the
 * hidden `git backlog __complete ids|statuses|tags` answers the script with item ids, the config's statuses and the
 * tags in use at each TAB.
 */

import type { Argument, Command, Option } from 'commander'
import { BacklogError } from '../core/errors.js'
import { ITEM_TYPES, PRIORITIES } from '../core/item.js'
import { IMPORT_SOURCES } from '../import/index.js'
import {
  type ArgumentSpec,
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
import { REVIEW_FORMATS } from './read-commands.js'

/** The hidden command the scripts call; not in the command tree, so no help or man page lists it. */
export const COMPLETE_COMMAND = '__complete'

/**
 * Values a shell can offer for a value commander takes as free text, by the value's name (`<priority>`): commander's
 * `.choices()` would refuse what the command accepts besides (`H` for high, `Backlog.md` in any case, a status the
 * repository's config adds), so these are offered, not enforced. Statuses and tags are the repository's own.
 */
const VALUE_NAMES: Record<string, ValueKind> = {
  type: { kind: 'words', words: [...ITEM_TYPES] },
  priority: { kind: 'words', words: [...PRIORITIES] },
  status: { kind: 'status' },
  tag: { kind: 'tag' },
  shell: { kind: 'words', words: [...SHELLS] },
}

/** Likewise for one command's argument or option, by command and name: the sources `import` reads, review's formats. */
const COMMAND_WORDS: Record<string, () => string[]> = {
  'import source': () => IMPORT_SOURCES.map((source) => source.name),
  'review --format': () => [...REVIEW_FORMATS],
}

/** What a value named `name` (`id`, `file...`) completes to when commander declares no choices. */
function namedValue(name: string): ValueKind {
  const bare = name.replace(/\.\.\.$/, '')
  if (bare === 'id') return { kind: 'id' }
  if (bare === 'file' || bare === 'path' || bare === 'dir') return { kind: 'file' }
  return VALUE_NAMES[bare] ?? { kind: 'text' }
}

/** What an option's value completes to, from commander's choices and the name of its value (`<id>`, `<file>`). */
function valueKind(command: Command, option: Option): ValueKind {
  if (!option.required && !option.optional) return { kind: 'none' }
  if (option.argChoices?.length) return { kind: 'words', words: [...option.argChoices] }
  const words = option.long ? COMMAND_WORDS[`${command.name()} ${option.long}`]?.() : undefined
  if (words) return { kind: 'words', words }
  return namedValue(/<([^>]+)>|\[([^\]]+)\]/.exec(option.flags)?.slice(1).find(Boolean) ?? '')
}

function optionSpec(command: Command, option: Option): OptionSpec {
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    value: valueKind(command, option),
  }
}

/**
 * What an argument completes to: commander's choices; ids (of archived items for `unarchive`); words the command
 * takes by name (COMMAND_WORDS, VALUE_NAMES); else nothing.
 */
function argumentSpec(command: Command, argument: Argument): ArgumentSpec {
  const variadic = argument.variadic
  if (argument.argChoices?.length) return { kind: 'words', variadic, words: [...argument.argChoices] }
  const name = argument.name()
  if (name === 'id') return { kind: command.name() === 'unarchive' ? 'archived-id' : 'id', variadic }
  const words = COMMAND_WORDS[`${command.name()} ${name}`]?.()
  if (words) return { kind: 'words', variadic, words }
  const value = VALUE_NAMES[name]
  if (value?.kind === 'words') return { kind: 'words', variadic, words: value.words }
  return { kind: 'other', variadic }
}

/**
 * The commands, their options and arguments as the completion scripts need them, read from the program.
 *
 * @example
 * completionSpec(program).commands.find((command) => command.name === 'list')?.aliases // ['ls']
 */
/** `-h`/`--help`, which commander adds to every command without listing it among its options. */
const HELP_OPTION: OptionSpec = { short: '-h', long: '--help', description: 'show help', value: { kind: 'none' } }

export function completionSpec(program: Command): CompletionSpec {
  const commands: CommandSpec[] = program.commands.map((command) => ({
    name: command.name(),
    aliases: command.aliases(),
    summary: command.summary() || command.description(),
    options: [
      ...command.options.filter((option) => !option.hidden).map((option) => optionSpec(command, option)),
      HELP_OPTION,
    ],
    args: command.registeredArguments.map((argument) => argumentSpec(command, argument)),
  }))
  commands.push({
    name: 'help',
    aliases: [],
    summary: 'show help for a command',
    options: [HELP_OPTION],
    args: [{ kind: 'command', variadic: false }],
  })
  return {
    commands,
    global: [
      { short: '-C', description: 'run as if started in this folder', value: { kind: 'file' } },
      ...program.options.map((option) => optionSpec(program, option)),
      HELP_OPTION,
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
 * `--describe`, a tab and the title after each (zsh and fish show it). `__complete statuses|tags [--] [prefix]`: the
 * statuses of the config, or the tags in use, that start with it. Any other question gets nothing: a shell completing
 * is never shown an error.
 */
export async function runComplete(args: string[], cli: CliContext): Promise<void> {
  const [what, ...rest] = args
  if (what !== 'ids' && what !== 'statuses' && what !== 'tags') return
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
  const app = cli.app({ readOnly: true })
  if (what !== 'ids') {
    const words = await app.completionWords({ of: what, prefix })
    if (words.length) cli.io.out(words.join('\n'))
    return
  }
  const found = await app.ids({ prefix, archived: flags.has('--archived') })
  const describe = flags.has('--describe')
  const line = ({ id, title }: { id: string; title: string }) =>
    describe ? `${id}\t${title.replace(/\s+/g, ' ').trim()}` : id
  if (found.length) cli.io.out(found.map(line).join('\n'))
}
