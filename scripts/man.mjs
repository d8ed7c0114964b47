// Writes the man page dist/man/man1/git-backlog.1 from the command tree of the built library (build.mjs runs it
// after tsc). Generated, not committed, so it always matches the commands; `MANPATH=dist/man man git-backlog` reads it.
import { mkdirSync, writeFileSync } from 'node:fs'
import { manPage } from '../dist/cli/man.js'

mkdirSync('dist/man/man1', { recursive: true })
writeFileSync('dist/man/man1/git-backlog.1', manPage())
