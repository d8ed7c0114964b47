/** The `git backlog` command line: git-like verbs over the app, input checked by the shared schemas, errors mapped once. */

import { Command, CommanderError } from 'commander'
import { type App, createApp } from '../app/index.js'
import { isBacklogError } from '../core/errors.js'
import { VERSION } from '../package-files.js'
import { registerAgentCommands } from './agent-commands.js'
import { colorWanted, createStyle, type Style } from './color.js'
import { COMPLETE_COMMAND, registerCompletionCommand, runComplete } from './completion.js'
import { takeDirectory } from './directory.js'
import { registerExportCommand } from './export-command.js'
import { groupCommands, MORE_HELP, shortHelp, withExamples } from './help.js'
import { registerImportCommand } from './import-command.js'
import { createStdinReader, readProcessStdin, withFilterWords } from './options.js'
import { FILTER_COMMANDS, registerReadCommands } from './read-commands.js'
import { registerRepoCommands } from './repo-commands.js'
import { registerServeCommands } from './serve-commands.js'
import { errorLine } from './words.js'
import { registerWriteCommands } from './write-commands.js'

export const EXIT_OK = 0
export const EXIT_USER_ERROR = 1
export const EXIT_INTERNAL = 70

export interface CliIo {
  cwd: string
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  /** Standard input as text; process.stdin when absent. */
  stdin?: () => Promise<string>
  /** Width of the terminal; process.stdout's when it is a terminal, else 100. */
  columns?: number
  /** Whether standard output is a terminal, which turns colour on (see colorWanted); not when absent. */
  isTTY?: boolean
}

/** What every command handler gets: the app (opened on first use), output, the acting agent, standard input. */
export interface CliContext {
  io: CliIo
  /** The app, opened on first use; `readOnly` for a command that must leave the repository as found (the first call decides). */
  app(options?: { readOnly?: boolean }): App
  /** `BACKLOG_AGENT`, recorded in commit trailers; the git author otherwise. */
  agent(): string | undefined
  /** Reads standard input for the named flag; a second flag asking for it is refused. */
  stdin(flag: string): Promise<string>
  /** Prints the data as JSON when asked, else the text. */
  print(json: boolean | undefined, data: unknown, text: string): void
  /** Columns available for text that fits the window. */
  width(): number
  /** Colour for text a person reads (never for JSON): on at a terminal, as NO_COLOR and FORCE_COLOR allow. */
  style: Style
  /** Ends with this exit code though nothing failed (the merge driver's 1: conflicts left for a person). */
  exit(code: number): void
}

const DEFAULT_WIDTH = 100

/**
 * The whole command tree, wired to `cli`. Nothing runs until it parses arguments: the man page and the help tests
 * build it to read the commands, their options and examples.
 *
 * @example
 * createProgram(createCliContext({ cwd, out: console.log, err: console.error, env: process.env })).commands.length
 */
export function createProgram(cli: CliContext): Command {
  const { io } = cli
  const program = new Command()
    .name('git-backlog')
    .description('A task backlog in your git repository: markdown items under .backlog/, one commit per change.')
    .version(VERSION, '-V, --version')
    .usage('[-C <path>] <command> [options]')
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError('(run with -h for usage)')
    // Names only in the list of commands, as git lists its own: the arguments are in each command's -h.
    .configureHelp({ subcommandTerm: (command) => [command.name(), ...command.aliases()].join('|') })

  registerWriteCommands(program, cli)
  registerImportCommand(program, cli)
  registerReadCommands(program, cli)
  registerExportCommand(program, cli)
  registerRepoCommands(program, cli)
  registerServeCommands(program, cli)
  registerAgentCommands(program, cli)
  registerCompletionCommand(program, cli)

  groupCommands(program)
  program.helpCommand('help [command]', 'show help for a command')
  withExamples(program, ['add Fix the login flow -p high', 'list', 'start bl-k3m9x2', 'done bl-k3m9x2'])
  program.addHelpText('after', `\n${MORE_HELP}`)
  return program
}

/** The context of one run: the app is opened on first use, so help and bad arguments never touch the repository. */
export function createCliContext(io: CliIo, onExit: (code: number) => void = () => {}): CliContext & { close(): void } {
  let app: App | undefined
  return {
    io,
    app(options) {
      app ??= createApp({ cwd: io.cwd, ...(options?.readOnly ? { readOnly: true } : {}) })
      return app
    },
    agent: () => io.env.BACKLOG_AGENT?.trim() || undefined,
    stdin: createStdinReader(io.stdin ?? readProcessStdin),
    print: (json, data, text) => io.out(json ? JSON.stringify(data, null, 2) : text),
    // A terminal's own width; else COLUMNS (pipes, and terminals that report 0); else the default.
    width: () => {
      const asked =
        io.columns ||
        (process.stdout.isTTY ? process.stdout.columns : 0) ||
        Number.parseInt(io.env.COLUMNS ?? '', 10) ||
        DEFAULT_WIDTH
      return asked >= 20 && asked <= 1000 ? asked : DEFAULT_WIDTH
    },
    style: createStyle(colorWanted(io.env, io.isTTY === true)),
    exit: onExit,
    close: () => app?.close(),
  }
}

/**
 * Runs one command line and returns its exit code: 0 ok, 1 a user error (message on stderr), 70 a bug.
 *
 * @example
 * await runCli(['add', 'Fix the login flow', '-p', 'high'], { cwd, out: console.log, err: console.error, env: process.env })
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // `-C <path>` first, as git has it: run as if started in <path> (for MCP clients that start servers elsewhere).
  const taken = takeDirectory(argv, given.cwd)
  const args = taken.args
  const io = taken.cwd === given.cwd ? given : { ...given, cwd: taken.cwd }
  let exitCode = EXIT_OK
  const cli = createCliContext(io, (code) => {
    exitCode = code
  })
  const [name, ...rest] = args
  if (name === COMPLETE_COMMAND) {
    // A shell asking for ids at a TAB (before the command tree is built: it needs none of it): never an error on its
    // screen, whatever the repository holds.
    try {
      await runComplete(rest, cli)
    } catch {
      // nothing to offer
    } finally {
      cli.close()
    }
    return EXIT_OK
  }
  const program = createProgram(cli)
  if (args.length === 0) {
    io.out(shortHelp(program))
    return EXIT_OK
  }

  // Filter words such as -BLOCKED look like options to commander: hand them over as arguments.
  const find = (word: string | undefined) =>
    program.commands.find((one) => one.name() === word || one.aliases().includes(word ?? ''))
  const command = find(name)

  try {
    const argv =
      // `help nosuch` would print the whole help as an error: say which command is unknown (and what is close).
      name === 'help' && rest[0] !== undefined && !find(rest[0])
        ? [rest[0]]
        : command && name && FILTER_COMMANDS.includes(command.name())
          ? [name, ...withFilterWords(rest, command)]
          : args
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR
    }
    if (isBacklogError(error)) {
      // Scripts that asked for JSON get the error as JSON too, with its stable code.
      io.err(errorLine(error, args.includes('--json')))
      return EXIT_USER_ERROR
    }
    io.err(
      `internal error: ${(error as Error).stack ?? String(error)}\nThis is a bug in git-backlog; please report it.`,
    )
    return EXIT_INTERNAL
  } finally {
    cli.close()
  }
}
