/** Commands that serve the backlog to clients: `mcp` over stdio (and the config a client needs), `serve` over HTTP. */

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { homedir, networkInterfaces } from 'node:os'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { type Command, Option } from 'commander'
import { createApp, plural } from '../app/index.js'
import { BacklogError } from '../core/errors.js'
import { CLIENTS, type Client, clientConfig, shellWord } from '../mcp/client-config.js'
import { selfLaunch, VERSION } from '../package-files.js'
import { withExamples } from './help.js'
import type { CliContext } from './program.js'

const DEFAULT_PORT = 7373
/** Ports tried in turn when none is asked for and the default is taken (another demo running, say). */
const PORT_TRIES = 10

/** Where `serve --demo` keeps its repository: the XDG state folder, so it outlives a clone and a reboot. */
export function demoDirectory(env: NodeJS.ProcessEnv): string {
  // The XDG rule: a relative XDG_STATE_HOME is ignored.
  const given = env.XDG_STATE_HOME?.trim()
  const state = given && isAbsolute(given) ? given : join(env.HOME?.trim() || homedir(), '.local', 'state')
  return join(state, 'git-backlog', 'demo')
}

/** Whether a `git-backlog` command is on PATH, so `git backlog` works in a shell. */
/**
 * The addresses other machines reach this one by, when the server listens on all of them (`--host 0.0.0.0` or `::`):
 * its URL names 127.0.0.1, which means nothing to them.
 *
 * @example
 * elsewhere('0.0.0.0', 7373) // ['http://192.168.1.20:7373']
 */
export function elsewhere(host: string | undefined, port: number): string[] {
  if (host !== '0.0.0.0' && host !== '::') return []
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((address) => !address.internal && (address.family === 'IPv4' || host === '::'))
    .filter((address) => !address.address.startsWith('fe80:'))
    .map((address) => `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${port}`)
}

function onPath(env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, 'git-backlog')))
}

/** Opens `url` in the browser with the platform's opener, detached; a machine without one just shows the URL. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]]
  try {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore', windowsHide: true })
    child.on('error', () => {})
    child.unref()
  } catch {
    // no opener here: the URL is printed anyway
  }
}

function parsePort(text: string): number {
  const port = Number(text)
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new BacklogError('INVALID_INPUT', `--port ${text} is not a port number (0-65535; 0 picks a free one)`)
  }
  return port
}

export function registerServeCommands(program: Command, cli: CliContext): void {
  const { io } = cli

  const mcp = program
    .command('mcp')
    .summary("serve this repository's backlog to an agent over MCP")
    .description("serve this repository's backlog to an agent over MCP on stdin/stdout")
    .option('--agent <name>', "name recorded in commit trailers (default: the MCP client's name)")
    .addOption(
      new Option(
        '--config <client>',
        'print the MCP config that starts this installation for a client, and exit',
      ).choices(CLIENTS),
    )
    .option('--url <url>', 'with --config: connect to a running `git backlog serve` at this MCP URL instead')
    .option('--name <name>', 'with --config: the server name in the client (default git-backlog)')
    .option('--token <secret>', 'with --url: the token the server asks for, sent as "Authorization: Bearer <secret>"')
    .action(async (options: { agent?: string; config?: Client; url?: string; name?: string; token?: string }) => {
      if (options.config) {
        if (options.token && !options.url) throw new BacklogError('INVALID_INPUT', '--token goes with --url')
        const config = clientConfig(options.config, {
          launch: selfLaunch(),
          repository: resolve(io.cwd),
          ...(options.name ? { name: options.name } : {}),
          ...(options.url ? { url: options.url } : {}),
          ...(options.token ? { token: options.token } : {}),
        })
        io.out(config.text.trimEnd())
        io.err(config.where)
        return
      }
      if (options.url || options.name || options.token) {
        throw new BacklogError('INVALID_INPUT', '--url, --name and --token go with --config <client>')
      }
      const { serveStdio } = await import('../mcp/server.js')
      const agent = options.agent ?? cli.agent()
      await serveStdio(io.cwd, agent ? { agent } : {})
    })

  withExamples(mcp, [
    'mcp --config claude     # prints: claude mcp add git-backlog -- <node> <this bin> mcp',
    'mcp --config cursor > .cursor/mcp.json',
    'mcp --config vscode --url http://127.0.0.1:7373/mcp',
  ])

  const serve = program
    .command('serve')
    .summary('serve the backlog over HTTP: the web viewer, and MCP at /mcp; --demo for a demo backlog')
    .description(
      'serve the backlog over HTTP until stopped: the web viewer at /, MCP (Streamable HTTP) at /mcp for agents; --demo serves a demo backlog',
    )
    .option('--port <n>', `port to listen on (default ${DEFAULT_PORT}, or the next free one; 0 picks any)`)
    .option('--host <address>', 'address to listen on; anything but 127.0.0.1/localhost needs --token', '127.0.0.1')
    .option(
      '--token <secret>',
      'require the token on every request: "Authorization: Bearer <secret>", or a browser opens the printed viewer URL with ?token= once (default: BACKLOG_TOKEN)',
    )
    .option('--demo', 'serve a demo repository made once from the example backlog, outside this repository')
    .option('--dir <path>', 'with --demo: where the demo repository lives (default: ~/.local/state/git-backlog/demo)')
    .option('--agent <name>', "name recorded in commit trailers (default: the MCP client's name)")
    .option('--open', 'open the web viewer in the browser')
    .action(
      async (options: {
        open?: boolean
        port?: string
        host: string
        token?: string
        demo?: boolean
        dir?: string
        agent?: string
      }) => {
        const [{ startHttpServer }, { ensureDemoRepository }] = await Promise.all([
          import('../http/server.js'),
          import('../store/demo-repo.js'),
        ])
        if (options.dir && !options.demo) throw new BacklogError('INVALID_INPUT', '--dir goes with --demo')
        const dir = options.demo ? resolve(io.cwd, options.dir ?? demoDirectory(io.env)) : io.cwd
        const made = options.demo ? ensureDemoRepository(dir) : undefined
        // A long-running server watches the files, so hand edits and pulls reach clients without a call.
        const app = createApp({ cwd: dir, watch: true })
        const agent = options.agent ?? cli.agent()
        const token = options.token ?? (io.env.BACKLOG_TOKEN?.trim() || undefined)
        const asked = options.port === undefined ? undefined : parsePort(options.port)
        const serverOptions = {
          app,
          host: options.host,
          ...(token ? { token } : {}),
          mcp: agent ? { agent } : {},
          log: io.err,
        }
        let server: Awaited<ReturnType<typeof startHttpServer>> | undefined
        const taken: number[] = []
        for (let port = asked ?? DEFAULT_PORT; !server; port++) {
          try {
            server = await startHttpServer({ ...serverOptions, port })
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code
            if (code !== 'EADDRINUSE') {
              // The address or port is the person's choice: say which one failed, not that git-backlog has a bug.
              if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
                throw new BacklogError(
                  'INVALID_INPUT',
                  `--host ${options.host} is not an address of this machine (${code})`,
                )
              }
              if (code === 'EACCES') {
                throw new BacklogError(
                  'INVALID_INPUT',
                  `port ${port} needs privileges this user lacks; give --port above 1023`,
                )
              }
              throw error
            }
            taken.push(port)
            if (asked !== undefined || port >= DEFAULT_PORT + PORT_TRIES - 1) {
              throw new BacklogError(
                'CONFLICT',
                `port ${port} is in use (another \`git backlog serve\`?); give a free one with --port, or --port 0`,
              )
            }
          }
        }
        // Listening for the stop before saying the server is up: whoever waits for that line may signal at once.
        const stopped = new Promise<void>((resolveStop) => {
          const stop = () => resolveStop()
          process.once('SIGINT', stop)
          process.once('SIGTERM', stop)
        })
        const summary = await app.summary()
        const mcpUrl = `${server.url}/mcp`
        const name = options.demo ? 'git-backlog-demo' : 'git-backlog'
        const launch = selfLaunch()
        // From a clone the command is not on PATH yet: show the line that works here.
        const installed = onPath(io.env)
        const self = installed ? 'git backlog' : [launch.command, ...launch.args].map(shellWord).join(' ')
        const stdio = clientConfig('claude', {
          launch: { ...launch, args: [...launch.args, '-C', dir] },
          repository: dir,
          name,
        })
        io.err(
          [
            `git-backlog ${VERSION} is serving ${options.demo ? 'the demo backlog' : 'the backlog'} in ${summary.repository}`,
            `  branch ${summary.branch}, ${plural(summary.items, 'item')}${made?.created ? " (made just now from the package's .backlog.example/)" : ''}`,
            // With a token, the address lets a browser in once (it is given a cookie), as Jupyter's does.
            `  Web viewer: ${server.viewerUrl}${token ? '  (open this address: it lets the browser in)' : ''}`,
            `  MCP over HTTP: ${mcpUrl}${token ? ' (send Authorization: Bearer <token>)' : ''}`,
            ...elsewhere(options.host, server.port).map(
              (address) => `  From other machines: ${server.viewerUrl.replace(/^http:\/\/[^/]+/, address)}`,
            ),
            ...(taken.length
              ? [
                  `  (port ${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} taken, by another server perhaps: clients set up for ${taken[0]} reach that one, not this)`,
                ]
              : []),
            '',
            'Connect an agent:',
            `  Claude Code:  ${clientConfig('claude', { launch, repository: dir, name, url: mcpUrl, ...(token ? { token: '<token>' } : {}) }).text}`,
            `  Cursor, VS Code, Windsurf, Codex:  ${self} mcp --config <cursor|vscode|windsurf|codex> --url ${mcpUrl}${token ? ' --token <token>' : ''}`,
            `  Or let the client start it over stdio:  ${stdio.text}`,
            `Look at it yourself:  ${installed ? `git -C ${shellWord(dir)} backlog list` : `${self} -C ${shellWord(dir)} list`}`,
            'Ctrl+C stops the server.',
          ].join('\n'),
        )
        if (options.open) openInBrowser(server.viewerUrl)
        await stopped
        await server.close()
        app.close()
        io.err('git-backlog: stopped serving.')
      },
    )
  withExamples(serve, [
    'serve                      # this repository: the viewer at http://127.0.0.1:7373/, MCP at /mcp',
    'serve --open               # and open the viewer in the browser',
    'serve --demo --port 0      # the demo backlog on a free port',
    'BACKLOG_TOKEN=s3cret git backlog serve --host 0.0.0.0',
  ])
}
