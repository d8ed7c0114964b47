#!/usr/bin/env node
/** The `git-backlog` executable (git runs it for `git backlog ...`). */

// `git backlog ... | head` closes the pipe early: that is the reader's choice, not an error to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

const args = process.argv.slice(2)
const err = (text: string) => process.stderr.write(`${text}\n`)
if (args[0] === 'merge-driver' && !args.includes('--help') && !args.includes('-h')) {
  // git starts the driver once per file it merges: load the merge alone, not the whole command line.
  const { mergeDriverMain } = await import('../merge/driver-main.js')
  process.exitCode = mergeDriverMain(args.slice(1), process.cwd(), err)
} else {
  const { runCli } = await import('./program.js')
  process.exitCode = await runCli(args, {
    cwd: process.cwd(),
    out: (text) => process.stdout.write(`${text}\n`),
    err,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
  })
}
