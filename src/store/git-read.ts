/**
 * Reading git objects with isomorphic-git: the one place that loads it, and the read-only file system it reads
 * through. Writes never go through here (see git-objects.ts).
 */

import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'

let loaded: Promise<typeof import('isomorphic-git')['default']> | undefined

/**
 * isomorphic-git, loaded on first use: most calls never read an object this process did not write, and loading it
 * costs a fifth of the server's start-up.
 */
export function isomorphicGit(): Promise<typeof import('isomorphic-git')['default']> {
  loaded ??= import('isomorphic-git').then((module) => module.default)
  return loaded
}

const MISSING = Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' })
const refuseWrite = async () => {
  throw new Error('git objects are only read through this file system')
}

/**
 * A read-only file system for isomorphic-git over node's synchronous calls. A walk reads thousands of small objects
 * one after another: through fs.promises each read waits on the thread pool, and each loose-object miss (every object
 * of a pack is looked for as a loose file first) builds an error with a stack. A shared miss and synchronous reads
 * cut a cold walk of 500 packed commits with their trees from about 1.2 s to 0.8 s (two busy cores).
 */
export const readOnlyFs = {
  promises: {
    async readFile(path: string, options?: BufferEncoding | { encoding?: BufferEncoding | null }) {
      // isomorphic-git also asks for files with no path; existsSync would build an error for each such call.
      if (typeof path !== 'string' || !existsSync(path)) throw MISSING
      return readFileSync(path, options)
    },
    async readdir(path: string) {
      return readdirSync(path)
    },
    async stat(path: string) {
      const info = statSync(path, { throwIfNoEntry: false })
      if (!info) throw MISSING
      return info
    },
    async lstat(path: string) {
      const info = lstatSync(path, { throwIfNoEntry: false })
      if (!info) throw MISSING
      return info
    },
    async readlink(path: string) {
      return readlinkSync(path)
    },
    writeFile: refuseWrite,
    unlink: refuseWrite,
    mkdir: refuseWrite,
    rmdir: refuseWrite,
    symlink: refuseWrite,
    chmod: refuseWrite,
  },
}
