#!/usr/bin/env node
/** The `git-backlog` executable (git runs it for `git backlog ...`). */

import { runCli } from './program.js'

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
})
