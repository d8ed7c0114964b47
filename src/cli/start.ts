#!/usr/bin/env node
/**
 * The executable's first file: runs the bundle (git-backlog.cjs beside it) from V8's code cache. Compiling the
 * bundle's code took a third of a command's time; with the cache a command starts from compiled code. The cache is
 * made by the first run that finds none (or one V8 refuses: another node, another build) and kept in the user's cache
 * folder; a cache that cannot be read or written only costs that time (docs/adr/0015-fast-start.md).
 */

import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import * as vm from 'node:vm'
import { takeDirectory } from './directory.js'

/** A long-running server writes its cache this long after it started, if it has not exited by then. */
const SERVER_CACHE_AFTER_MS = 5_000
/** Bump when the cache file's layout changes (see HEADER), so two versions of this file never read each other's. */
const CACHE_FORMAT = 'c1'
/** Caches of other builds kept (a global install and a project's, a developer's last builds); older ones are removed. */
const KEPT_CACHES = 4

/**
 * The name of this bundle's cache. V8 checks only the length of the code a cache was made from, so the name holds a
 * hash of the code itself (0.4 ms for the bundle), of node's version and of the flags it runs with, which V8 checks
 * too: a cache is only ever offered to the code and the node it was made by.
 */
function cacheName(bytes: Buffer, runtimeFlags: string): string {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? '', runtimeFlags].join('\0')
  const sum = createHash('sha256').update(bytes).update('\0').update(flags).digest('hex').slice(0, 32)
  return `${sum}-${process.version}-${process.arch}-${CACHE_FORMAT}.v8cache`
}

/** Removes all but the newest caches. */
function prune(folder: string): void {
  const names = readdirSync(folder)
  // Temporary files of runs that could not finish their write (a full disk, a kill).
  for (const name of names) {
    const file = join(folder, name)
    if (name.endsWith('.tmp') && Date.now() - statSync(file).mtimeMs > 60_000) unlinkSync(file)
  }
  const caches = names
    .filter((name) => name.endsWith('.v8cache'))
    .map((name) => ({ file: join(folder, name), time: statSync(join(folder, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time)
  for (const { file } of caches.slice(KEPT_CACHES)) unlinkSync(file)
}

/** The cache folder: `GIT_BACKLOG_CACHE_DIR`, else the user's (`$XDG_CACHE_HOME`, `~/.cache`); `off` for none. */
function cacheDir(): string | undefined {
  const asked = process.env.GIT_BACKLOG_CACHE_DIR
  if (asked === 'off') return undefined
  if (asked) return isAbsolute(asked) ? asked : undefined
  try {
    // The XDG rule: a relative XDG_CACHE_HOME is ignored (it would put the cache in whatever folder a command runs in).
    const xdg = process.env.XDG_CACHE_HOME
    return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'git-backlog')
  } catch {
    return undefined
  }
}

/**
 * Whether code in `folder` can be trusted to be ours: a folder another user can write to (a shared /tmp, say) could
 * hold a cache planted to run their code as us.
 */
function ownFolder(folder: string): boolean {
  try {
    const { uid, mode } = statSync(folder)
    return (process.getuid === undefined || uid === process.getuid()) && (mode & 0o022) === 0
  } catch {
    return true // not made yet: this run makes it, as ours
  }
}

/**
 * A cache file: a header line naming the commands whose code it holds (`git-backlog-cache <cmd>,<cmd>`), then V8's
 * data. A command not among them adds its code once: a cache made by `list` lacks what `add` compiles on its way.
 */
const HEADER = 'git-backlog-cache '

function readCache(file: string): { commands: Set<string>; data: Buffer } | undefined {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch {
    return undefined // none yet: this run makes it
  }
  const newline = bytes.indexOf(10)
  if (newline < 0 || bytes.toString('latin1', 0, HEADER.length) !== HEADER) return undefined
  const commands = bytes.toString('latin1', HEADER.length, newline).split(',').filter(Boolean)
  return { commands: new Set(commands), data: bytes.subarray(newline + 1) }
}

/** The command, as the cache knows it: the first argument after any `-C <path>` when it looks like one, else none. */
const first = takeDirectory(process.argv.slice(2), '.').args[0] ?? ''
const command = /^[a-z][a-z-]{0,20}$/.test(first) ? first : ''
/**
 * A server runs for hours and holds the whole backlog: V8's defaults let its heap grow to several times what is live
 * between collections. At 10,000 items after a session of writes, lists, searches and contexts an MCP server stood at
 * 269-273 MiB RSS (peak 353-370) with 68 MiB live; with this flag at 134-143 MiB (peak 160-167), lists as fast, a
 * context about twice as slow (bench/read-model.mjs, 2026-12-05). `--heap-growing-percent=10` was 179 MiB at no cost
 * seen. Set before any code is compiled, so the code cache is made and checked under it (V8 refuses a cache made under
 * other flags: the server's cache has its own name).
 */
const runtimeFlags = command === 'mcp' || command === 'serve' ? '--optimize-for-size' : ''
if (runtimeFlags) setFlagsFromString(runtimeFlags)

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'git-backlog.cjs')
const bytes = readFileSync(bundle)
const source = bytes.toString('utf8')
const chosen = cacheDir()
const folder = chosen && ownFolder(chosen) ? chosen : undefined
const cacheFile = folder ? join(folder, cacheName(bytes, runtimeFlags)) : undefined
const cached = cacheFile ? readCache(cacheFile) : undefined

// vm.constants is node 20.12's: before it, the bundle has no import() to serve anyway (esbuild turns its own into
// functions).
const { constants } = vm as { constants?: typeof vm.constants }
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cached ? { cachedData: cached.data } : {}),
  ...(constants ? { importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
})

const usable = cached && !script.cachedDataRejected
if (cacheFile && (!usable || (command && !cached.commands.has(command)))) {
  const file = cacheFile
  const commands = usable ? [...cached.commands, command] : [command]
  let saved = false
  // After the command ran, the cache holds the code it compiled on the way (and what it was started from).
  const save = () => {
    if (saved) return
    saved = true
    // A name no one can guess, made new (never through a link someone left), readable by us alone.
    const temporary = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      const header = Buffer.from(`${HEADER}${commands.filter(Boolean).join(',')}\n`, 'latin1')
      writeFileSync(temporary, Buffer.concat([header, script.createCachedData()]), { flag: 'wx', mode: 0o600 })
      renameSync(temporary, file)
      prune(dirname(file))
    } catch {
      // no cache this time: the next run tries again
      try {
        unlinkSync(temporary)
      } catch {
        // never made, or gone already
      }
    }
  }
  process.once('exit', save)
  setTimeout(save, SERVER_CACHE_AFTER_MS).unref()
}

const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle))
