/** Files shipped with the package (package.json, templates/), found from wherever this code runs: src/, dist/ or the bundle. */

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

function packageRoot(): string {
  if (root) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('git-backlog: cannot find its own package.json')
    dir = parent
  }
  root = dir
  return dir
}

/** The text of a file of the package, by its path from the package root, e.g. `templates/config.yml`. */
export function readPackageFile(path: string): string {
  return readFileSync(join(packageRoot(), path), 'utf8')
}

export const VERSION: string = (JSON.parse(readPackageFile('package.json')) as { version: string }).version

/** The absolute path of a file of the package, e.g. `dist/bin/git-backlog.js`. */
export function packagePath(path: string): string {
  return join(packageRoot(), path)
}

/** How to start this installation of `git-backlog`: a program and the arguments that come before a command. */
export interface Launch {
  command: string
  args: string[]
}

/**
 * The command line that starts this installation: this node and this package's bin by absolute path, so it works
 * whether the package is installed globally, in a project or run from a clone; from an npx cache, which may be
 * cleared, `npx` itself at this version.
 *
 * @example
 * selfLaunch() // { command: '/usr/bin/node', args: ['/usr/lib/node_modules/git-backlog/dist/bin/git-backlog.js'] }
 */
export function selfLaunch(): Launch {
  const bin = packagePath('dist/bin/git-backlog.js')
  if (/[\\/]_npx[\\/]/.test(bin)) return { command: 'npx', args: ['--yes', `git-backlog@${VERSION}`] }
  return { command: process.execPath, args: [bin] }
}

/** The names of the files in a folder of the package, e.g. `templates/prompts`, sorted. */
export function listPackageFiles(dir: string): string[] {
  return readdirSync(join(packageRoot(), dir)).sort()
}
