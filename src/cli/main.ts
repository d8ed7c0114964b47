/**
 * The `git-backlog` command (git runs it for `git backlog ...`), bundled into dist/bin/git-backlog.cjs, which
 * dist/bin/git-backlog.js runs (start.ts).
 */

import { takeDirectory } from './directory.js'

// `git backlog ... | head` closes the pipe early: that is the reader's choice, not an error to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

/**
 * The agent of `mcp [--agent <name>]`: the name, undefined without the option, or false for any other arguments
 * (`--help`, a mistake), which the command line's parser answers.
 */
function serverAgent(rest: string[]): string | undefined | false {
  if (rest.length === 0) return undefined
  const [flag, value, ...more] = rest
  if (flag === '--agent' && value !== undefined && !value.startsWith('-') && more.length === 0) return value
  if (flag?.startsWith('--agent=') && rest.length === 1) return flag.slice('--agent='.length)
  return false
}

async function main(argv: string[]): Promise<void> {
  const err = (text: string) => process.stderr.write(`${text}\n`)
  const { cwd, args } = takeDirectory(argv, process.cwd())
  if (args[0] === 'merge-driver' && !args.includes('--help') && !args.includes('-h')) {
    // git starts the driver once per file it merges: load the merge alone, not the whole command line.
    const { mergeDriverMain } = await import('../merge/driver-main.js')
    process.exitCode = mergeDriverMain(args.slice(1), cwd, err)
  } else if (args[0] === 'mcp' && serverAgent(args.slice(1)) !== false) {
    // An agent's client waits for the server's first answers: serve them without loading the command line or the app.
    const { serveStdio } = await import('../mcp/server.js')
    const agent = serverAgent(args.slice(1))
    // Started by hand at a terminal, it would wait in silence for a client that is not coming.
    if (process.stdin.isTTY) {
      err(
        'git-backlog mcp serves an MCP client on stdin/stdout; the client starts it. `git backlog mcp --config claude` (or cursor, codex, vscode, windsurf) prints how. Ctrl+D ends it.',
      )
    }
    await serveStdio(cwd, agent ? { agent } : {})
  } else {
    const { runCli } = await import('./program.js')
    process.exitCode = await runCli(args, {
      cwd,
      out: (text) => process.stdout.write(`${text}\n`),
      err,
      env: process.env,
      isTTY: process.stdout.isTTY === true,
    })
  }
}

// Not a top-level await: the executable is bundled as CommonJS, to start from V8's code cache (start.ts).
void main(process.argv.slice(2))
