/**
 * Help for people: examples on every command, commands grouped by what they are for, the short help of a bare
 * `git backlog`. The man page is made from the same command tree (man.ts), so `-h` and `man git-backlog` agree.
 */

import type { Command } from 'commander'

const examples = new WeakMap<Command, string[]>()
const notes = new WeakMap<Command, string[]>()

/**
 * Appends an "Examples:" block to a command's help, each line run as `git backlog ...` (a line naming `git backlog`
 * itself, after an environment variable say, is shown as it is); the man page lists them too.
 *
 * @example
 * withExamples(program.command('show'), ['show bl-k3m9x2', 'BACKLOG_AGENT=ci git backlog show bl-k3m9x2'])
 */
export function withExamples(command: Command, lines: string[]): Command {
  examples.set(command, [...(examples.get(command) ?? []), ...lines])
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${commandLine(line)}`).join('\n')}`)
}

/** An example as a shell line: `git backlog` and the example, unless the example names `git backlog` itself. */
export function commandLine(example: string): string {
  return example.includes('git backlog ') ? example : `git backlog ${example}`
}

/** The examples of a command, as given to withExamples (mostly without `git backlog`). */
export function examplesOf(command: Command): string[] {
  return examples.get(command) ?? []
}

/** Appends a paragraph to a command's help (and to its part of the man page): a small reference, such as filters. */
export function withNotes(command: Command, text: string): Command {
  notes.set(command, [...(notes.get(command) ?? []), text])
  return command.addHelpText('after', `\n${text}`)
}

export function notesOf(command: Command): string[] {
  return notes.get(command) ?? []
}

/** The commands by what they are for, in the order help shows them. */
export const COMMAND_GROUPS: ReadonlyArray<{ heading: string; commands: readonly string[] }> = [
  { heading: 'Start a backlog and add to it', commands: ['init', 'add', 'did', 'import'] },
  {
    heading: 'See what there is',
    commands: ['list', 'show', 'board', 'search', 'context', 'tags', 'values', 'export'],
  },
  { heading: 'Work on items', commands: ['start', 'claim', 'note', 'block', 'done', 'update', 'edit'] },
  { heading: 'Tidy up', commands: ['archive', 'unarchive', 'rm'] },
  { heading: 'Look back and take back', commands: ['log', 'review', 'undo', 'redo', 'restore'] },
  {
    heading: 'Share and repair',
    commands: ['sync', 'resolve', 'doctor', 'lint', 'workflow', 'completion', 'merge-driver'],
  },
  { heading: 'Serve agents and other clients', commands: ['mcp', 'serve', 'briefing', 'hook'] },
]

/** The dozen commands a bare `git backlog` shows. */
export const COMMON_COMMANDS = [
  'init',
  'add',
  'list',
  'show',
  'board',
  'search',
  'start',
  'done',
  'update',
  'note',
  'log',
  'undo',
] as const

/** Where to read more, at the end of the short help and of `git-backlog --help`. */
export const MORE_HELP = [
  'More help:',
  "   git backlog <command> -h   a command's options and examples",
  '   git backlog help           every command',
  '   git backlog --help         the manual (man git-backlog)',
].join('\n')

/**
 * Puts the commands in the order of COMMAND_GROUPS and gives each its group's heading in `--help`. A command missing
 * from the groups is a mistake that the help tests catch: it lands last, under "Other commands".
 */
export function groupCommands(program: Command): void {
  const order = COMMAND_GROUPS.flatMap((group) => group.commands)
  const rank = (command: Command) => {
    const at = order.indexOf(command.name())
    return at === -1 ? order.length : at
  }
  ;(program.commands as Command[]).sort((a, b) => rank(a) - rank(b))
  for (const command of program.commands) {
    const group = COMMAND_GROUPS.find((one) => one.commands.includes(command.name()))
    command.helpGroup(`${group?.heading ?? 'Other commands'}:`)
  }
}

/** Text cut into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines
}

/** One-line description of a command for lists: its summary, else its description. */
export function summaryOf(command: Command): string {
  return command.summary() || command.description()
}

/**
 * What a bare `git backlog` prints: usage, the commands people use most by group, and where to read more.
 *
 * @example
 * shortHelp(program) // 'usage: git backlog <command> [<args>]\n\n...'
 */
export function shortHelp(program: Command): string {
  const byName = new Map(program.commands.map((command) => [command.name(), command]))
  const width = Math.max(...COMMON_COMMANDS.map((name) => name.length))
  const lines = ['usage: git backlog <command> [<args>]', '', ...wrap(program.description(), 80)]
  for (const group of COMMAND_GROUPS) {
    const common = group.commands.filter((name) => (COMMON_COMMANDS as readonly string[]).includes(name))
    if (common.length === 0) continue
    lines.push('', `${group.heading}:`)
    for (const name of common) {
      const command = byName.get(name)
      if (command) lines.push(`   ${name.padEnd(width)}   ${summaryOf(command)}`)
    }
  }
  lines.push('', MORE_HELP)
  return lines.join('\n')
}
