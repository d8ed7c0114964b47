/** The `git backlog` command line: git-like verbs over the app, input checked by the shared schemas, errors mapped once. */

import { Command, CommanderError, Option } from 'commander'
import type { z } from 'zod'
import { type App, createApp } from '../app.js'
import { BacklogError, isBacklogError } from '../core/errors.js'
import { createInput, deleteInput, describeIssues, getInput, listInput, updateInput } from '../core/inputs.js'
import { VERSION } from '../package-files.js'
import { formatDetail, formatList, formatProblems } from './format.js'

export const EXIT_OK = 0
export const EXIT_USER_ERROR = 1
export const EXIT_INTERNAL = 70

export interface CliIo {
  cwd: string
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
}

function parse<S extends z.ZodType>(schema: S, raw: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(raw)
  if (!result.success) throw new BacklogError('INVALID_INPUT', describeIssues(result.error))
  return result.data
}

const collect = (value: string, previous: string[] = []) => [...previous, value]

/** Drops options the user did not give, so "not given" never overwrites a field. */
function given(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}

/** Flags shared by add and update, named as on the MCP tools (with dashes). */
function withFieldOptions(command: Command): Command {
  return command
    .option('-d, --description <text>', 'markdown body (use - to read it from standard input)')
    .addOption(
      new Option('-t, --type <type>', 'item type').choices(['task', 'epic', 'folder', 'artifact', 'milestone']),
    )
    .option('-s, --status <status>', 'workflow status (open, in_progress, blocked, done, cancelled)')
    .option('-p, --priority <priority>', 'urgent, high, medium, low (or H, M, L)')
    .option('--tag <tag>', 'a tag (repeat for more); replaces the tags on update', collect)
    .option('--parent <id>', 'parent item (epic, folder, milestone or task)')
    .option('--epic <id>', 'epic this item belongs to')
    .option('-a, --assignee <who>', 'agent or person working on it')
    .option('--depends-on <id>', 'an item that must be done first (repeat for more)', collect)
    .option('--due <date>', 'due date, YYYY-MM-DD')
    .option('--scheduled <date>', 'scheduled start, YYYY-MM-DD')
    .option('--wait <date>', 'hide from default lists until, YYYY-MM-DD')
    .option('--ref <url>', 'a reference link (repeat for more)', collect)
    .option('--evidence <text>', 'evidence of completion (repeat for more)', collect)
    .option('--blocked-reason <text>', 'why it is blocked (repeat for more)', collect)
    .option('--set <key=value>', 'a user-defined field (repeat for more; empty value removes it)', collect)
}

interface FieldOptions {
  description?: string
  type?: string
  status?: string
  priority?: string
  tag?: string[]
  parent?: string
  epic?: string
  assignee?: string
  dependsOn?: string[]
  due?: string
  scheduled?: string
  wait?: string
  ref?: string[]
  evidence?: string[]
  blockedReason?: string[]
  set?: string[]
  json?: boolean
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function fieldsFrom(options: FieldOptions): Promise<Record<string, unknown>> {
  const attributes = options.set?.length
    ? Object.fromEntries(
        options.set.map((pair) => {
          const eq = pair.indexOf('=')
          if (eq <= 0) throw new BacklogError('INVALID_INPUT', `--set ${pair}: write it as key=value`)
          const value = pair.slice(eq + 1)
          return [pair.slice(0, eq).trim(), value === '' ? null : value]
        }),
      )
    : undefined
  return given({
    description: options.description === '-' ? await readStdin() : options.description,
    type: options.type,
    status: options.status,
    priority: options.priority,
    tags: options.tag,
    parent: options.parent,
    epic: options.epic,
    assignee: options.assignee,
    depends_on: options.dependsOn,
    due: options.due,
    scheduled: options.scheduled,
    wait: options.wait,
    references: options.ref,
    evidence: options.evidence,
    blocked_reason: options.blockedReason,
    attributes,
  })
}

/**
 * Runs one command line and returns its exit code: 0 ok, 1 a user error (message on stderr), 70 a bug.
 *
 * @example
 * await runCli(['add', 'Fix the login flow', '-p', 'high'], { cwd, out: console.log, err: console.error, env: process.env })
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  let app: App | undefined
  const agent = () => io.env.BACKLOG_AGENT?.trim() || undefined
  const getApp = () => {
    app ??= createApp({ cwd: io.cwd })
    return app
  }
  const print = (json: boolean | undefined, data: unknown, text: string) =>
    io.out(json ? JSON.stringify(data, null, 2) : text)
  const mutated = (verb: string, json: boolean | undefined, result: Awaited<ReturnType<App['update']>>) => {
    const commit = result.commit ? ` [${result.commit.slice(0, 7)}]` : ''
    const text = result.changed
      ? result.items.map((row) => `${verb} ${row.id}: ${row.title}${commit}`).join('\n')
      : `No change: ${result.items.map((row) => row.id).join(', ')} is already as asked.`
    print(json, result, text)
  }

  const program = new Command()
    .name('git-backlog')
    .description('A task backlog in your git repository: markdown items under .backlog/, one commit per change.')
    .version(VERSION, '-V, --version')
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')

  program
    .command('init')
    .description('create .backlog/config.yml in this repository and commit it')
    .option('--prefix <prefix>', 'id prefix of new items (default: bl)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { prefix?: string; json?: boolean }) => {
      const result = await getApp().init({ ...given({ prefix: options.prefix }), ...given({ agent: agent() }) })
      print(
        options.json,
        result,
        result.created
          ? `Created ${result.path}${result.commit ? ` [${result.commit.slice(0, 7)}]` : ''}. Add items with \`git backlog add "Title"\`.`
          : `Already initialized: ${result.path} exists.`,
      )
    })

  withFieldOptions(
    program.command('add').description('create an item').argument('<title...>', 'the title (quotes optional)'),
  )
    .option('--json', 'print the result as JSON')
    .action(async (words: string[], options: FieldOptions) => {
      const input = parse(createInput, {
        title: words.join(' '),
        ...(await fieldsFrom(options)),
        ...given({ agent: agent() }),
      })
      mutated('Added', options.json, await getApp().create(input))
    })

  program
    .command('list')
    .alias('ls')
    .description('list items; by default the active ones (not done or cancelled)')
    .option('-s, --status <status>', 'only this status (repeat for more)', collect)
    .option('--all', 'every status, done and cancelled included')
    .option('-t, --type <type>', 'only this type (repeat for more)', collect)
    .option('--parent <id>', 'only children of this item')
    .option('--epic <id>', 'only items of this epic')
    .option('--tag <tag>', 'only items with this tag (repeat: all must match)', collect)
    .option('-a, --assignee <who>', 'only items assigned to this agent or person')
    .option('-n, --limit <n>', 'at most this many rows (default 50)')
    .option('--counts', 'also print counts by status and type')
    .option('--json', 'print the result as JSON')
    .action(async (options: Record<string, unknown>) => {
      const input = parse(
        listInput,
        given({
          status: options.all ? ['all'] : options.status,
          type: options.type,
          parent: options.parent,
          epic: options.epic,
          tags: options.tag,
          assignee: options.assignee,
          limit: options.limit,
          counts: options.counts,
        }),
      )
      const result = await getApp().list(input)
      print(options.json as boolean, result, formatList(result))
      if (!options.json && result.problems?.length) io.err(formatProblems(result.problems))
    })

  program
    .command('show')
    .description('show items in full')
    .argument('<id...>', 'one or more ids')
    .option('--json', 'print the items as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const result = await getApp().get(parse(getInput, { id: ids }))
      print(options.json, result, result.items.map(formatDetail).join('\n\n'))
    })

  withFieldOptions(
    program.command('update').alias('set').description('change fields of an item').argument('<id>', 'the item'),
  )
    .option('--title <title>', 'new title')
    .option('--add-tag <tag>', 'add a tag (repeat for more)', collect)
    .option('--remove-tag <tag>', 'remove a tag (repeat for more)', collect)
    .option('-m, --note <text>', 'append a timestamped note')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: FieldOptions & Record<string, unknown>) => {
      const input = parse(updateInput, {
        id,
        ...(await fieldsFrom(options)),
        ...given({
          title: options.title,
          add_tags: options.addTag,
          remove_tags: options.removeTag,
          note: options.note,
          agent: agent(),
        }),
      })
      mutated('Updated', options.json, await getApp().update(input))
    })

  for (const [verb, status, description] of [
    ['start', 'in_progress', 'mark an item in progress (stamps started)'],
    ['done', 'done', 'mark an item done (stamps closed)'],
  ] as const) {
    program
      .command(verb)
      .description(description)
      .argument('<id>', 'the item')
      .option('-m, --note <text>', 'append a timestamped note')
      .option('--json', 'print the result as JSON')
      .action(async (id: string, options: { note?: string; json?: boolean }) => {
        const input = parse(updateInput, { id, status, ...given({ note: options.note, agent: agent() }) })
        mutated(verb === 'start' ? 'Started' : 'Done', options.json, await getApp().update(input))
      })
  }

  program
    .command('rm')
    .description('delete items (in one commit; restorable from git history)')
    .argument('<id...>', 'one or more ids')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], options: { json?: boolean }) => {
      const result = await getApp().remove(parse(deleteInput, { id: ids, ...given({ agent: agent() }) }))
      const commit = result.commit ? ` [${result.commit.slice(0, 7)}]` : ''
      print(options.json, result, result.items.map((row) => `Deleted ${row.id}: ${row.title}${commit}`).join('\n'))
    })

  program
    .command('mcp')
    .description("serve this repository's backlog to an agent over MCP on stdin/stdout")
    .option('--agent <name>', "name recorded in commit trailers (default: the MCP client's name)")
    .action(async (options: { agent?: string }) => {
      const { serveStdio } = await import('../mcp/server.js')
      await serveStdio(io.cwd, given({ agent: options.agent ?? agent() }) as { agent?: string })
    })

  try {
    await program.parseAsync(args, { from: 'user' })
    return EXIT_OK
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
