/** Files shipped with the package (package.json, templates/), found from wherever this code runs: src/, dist/ or the bundle. */

import { existsSync, readFileSync } from 'node:fs'
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
