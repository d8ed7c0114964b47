/** The `git backlog` command line: git-like verbs over the app, input checked by the shared schemas, errors mapped once. */

import { resolve } from 'node:path'
import { Command, CommanderError } from 'commander'
import { type App, createApp } from '../app/index.js'
import { isBacklogError } from '../core/errors.js'
import { VERSION } from '../package-files.js'
import { createStdinReader, readProcessStdin, withFilterWords } from './options.js'
import { FILTER_COMMANDS, registerReadCommands } from './read-commands.js'
import { registerRepoCommands } from './repo-commands.js'
import { registerServeCommands } from './serve-commands.js'
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
}

/** What every command handler gets: the app (opened on first use), output, the acting agent, standard input. */
export interface CliContext {
  io: CliIo
  app(): App
  /** `BACKLOG_AGENT`, recorded in commit trailers; the git author otherwise. */
  agent(): string | undefined
  /** Reads standard input for the named flag; a second flag asking for it is refused. */
  stdin(flag: string): Promise<string>
  /** Prints the data as JSON when asked, else the text. */
  print(json: boolean | undefined, data: unknown, text: string): void
  /** Columns available for text that fits the window. */
  width(): number
  /** Ends with this exit code though nothing failed (the merge driver's 1: conflicts left for a person). */
  exit(code: number): void
}

const DEFAULT_WIDTH = 100

/**
 * Runs one command line and returns its exit code: 0 ok, 1 a user error (message on stderr), 70 a bug.
 *
 * @example
 * await runCli(['add', 'Fix the login flow', '-p', 'high'], { cwd, out: console.log, err: console.error, env: process.env })
 */
export async function runCli(argv: string[], given: CliIo): Promise<number> {
  // `-C <path>` first, as git has it: run as if started in <path> (for MCP clients that start servers elsewhere).
  const [args, io] =
    argv[0] === '-C' && argv[1] !== undefined
      ? [argv.slice(2), { ...given, cwd: resolve(given.cwd, argv[1]) }]
      : [argv, given]
  let app: App | undefined
  let exitCode = EXIT_OK
  const cli: CliContext = {
    io,
    app() {
      app ??= createApp({ cwd: io.cwd })
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
    exit: (code) => {
      exitCode = code
    },
  }

  const program = new Command()
    .name('git-backlog')
    .description('A task backlog in your git repository: markdown items under .backlog/, one commit per change.')
    .version(VERSION, '-V, --version')
    .option('-C <path>', 'run as if git-backlog was started in <path>')
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')

  registerWriteCommands(program, cli)
  registerReadCommands(program, cli)
  registerRepoCommands(program, cli)
  registerServeCommands(program, cli)

  // Filter words such as -BLOCKED look like options to commander: hand them over as arguments.
  const [name, ...rest] = args
  const command = program.commands.find((one) => one.name() === name || one.aliases().includes(name ?? ''))

  try {
    const argv =
      command && name && FILTER_COMMANDS.includes(command.name()) ? [name, ...withFilterWords(rest, command)] : args
    await program.parseAsync(argv, { from: 'user' })
    return exitCode
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USER_ERROR
    }
    if (isBacklogError(error)) {
      // Scripts that asked for JSON get the error as JSON too, with its stable code.
      io.err(
        args.includes('--json')
          ? JSON.stringify({ error: { code: error.code, message: error.message } })
          : `error: ${error.message}`,
      )
      return EXIT_USER_ERROR
    }
    io.err(
      `internal error: ${(error as Error).stack ?? String(error)}\nThis is a bug in git-backlog; please report it.`,
    )
    return EXIT_INTERNAL
  } finally {
    app?.close()
  }
}
