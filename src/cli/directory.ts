/** `-C <path>` before a command, as git has it: run as if started in that folder. */

import { resolve } from 'node:path'

/**
 * The folder to run in and the arguments after the leading `-C` options. Like git, `-C a -C b` is `a/b`, an absolute
 * path starts over, and `-Cpath` is `-C path`; a `-C` without a path is left for the parser to refuse.
 *
 * @example
 * takeDirectory(['-C', 'repo', 'list'], '/src') // { cwd: '/src/repo', args: ['list'] }
 */
export function takeDirectory(args: readonly string[], cwd: string): { cwd: string; args: string[] } {
  let at = 0
  let dir = cwd
  for (;;) {
    const arg = args[at]
    if (arg === '-C' && args[at + 1] !== undefined) {
      dir = resolve(dir, args[at + 1] as string)
      at += 2
    } else if (arg?.startsWith('-C') && arg.length > 2) {
      dir = resolve(dir, arg.slice(2))
      at += 1
    } else return { cwd: dir, args: args.slice(at) }
  }
}
