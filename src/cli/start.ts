#!/usr/bin/env node
/**
 * The executable's first file: runs the bundle (git-backlog.cjs beside it) from V8's code cache. Compiling the
 * bundle's code took a third of a command's time; with the cache a command starts from compiled code. The cache is
 * made by the first run that finds none (or one V8 refuses: another node, another build) and kept in the user's cache
 * folder; a cache that cannot be read or written only costs that time (docs/adr/0013-fast-start.md).
 */

import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { constants, Script } from 'node:vm'
import * as zlib from 'node:zlib'

/** A long-running server writes its cache this long after it started, if it has not exited by then. */
const SERVER_CACHE_AFTER_MS = 5_000
/** Caches of other builds kept (a global install and a project's, a developer's last builds); older ones are removed. */
const KEPT_CACHES = 4

/**
 * The name of this bundle's cache: V8 checks only the length of the code a cache was made from, so the name holds
 * a checksum of the code itself (and node's version, which V8 checks too). Node before 20.15 has no crc32: the
 * file's size and time stand in.
 */
function cacheName(bytes: Buffer, file: string): string {
  const crc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32
  let sum: string
  if (crc32) sum = crc32(bytes).toString(16)
  else {
    const { mtimeMs, size } = statSync(file)
    sum = `${size}-${mtimeMs}`
  }
  return `${sum}-${process.version}-${process.arch}.v8cache`
}

/** Removes all but the newest caches. */
function prune(folder: string): void {
  const caches = readdirSync(folder)
    .filter((name) => name.endsWith('.v8cache'))
    .map((name) => ({ file: join(folder, name), time: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time)
  for (const { file } of caches.slice(KEPT_CACHES)) unlinkSync(file)
}

/** The cache folder: `GIT_BACKLOG_CACHE_DIR`, else the user's (`$XDG_CACHE_HOME`, `~/.cache`); `off` for none. */
function cacheDir(): string | undefined {
  const asked = process.env.GIT_BACKLOG_CACHE_DIR
  if (asked === 'off') return undefined
  if (asked) return asked
  try {
    return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'git-backlog')
  } catch {
    return undefined
  }
}

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'git-backlog.cjs')
const bytes = readFileSync(bundle)
const source = bytes.toString('utf8')
const folder = cacheDir()
let cacheFile: string | undefined
let cached: Buffer | undefined
if (folder) {
  cacheFile = join(folder, cacheName(bytes, bundle))
  try {
    cached = readFileSync(cacheFile)
  } catch {
    // none yet: this run makes it
  }
}

const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cached ? { cachedData: cached } : {}),
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
})

if (cacheFile && (!cached || script.cachedDataRejected)) {
  const file = cacheFile
  let saved = false
  // After the command ran, the cache holds the code it compiled on the way, not only the top level.
  const save = () => {
    if (saved) return
    saved = true
    try {
      mkdirSync(dirname(file), { recursive: true })
      const temporary = `${file}.${process.pid}.tmp`
      writeFileSync(temporary, script.createCachedData())
      renameSync(temporary, file)
      prune(dirname(file))
    } catch {
      // no cache this time: the next run tries again
    }
  }
  process.once('exit', save)
  setTimeout(save, SERVER_CACHE_AFTER_MS).unref()
}

const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
