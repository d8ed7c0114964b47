/**
 * Git-compatible lock files (`index.lock`, `refs/heads/x.lock`): exclusive create, bounded wait, dead owners recovered.
 * A lock appears with its owner already written in it (a temporary file hard-linked to the lock's name), so a process
 * killed at any instant leaves either no lock or one that names it, never an empty lock no one can tell apart from
 * git's own. The owner line names the pid, the host, the boot and a nonce: a pid that runs again after a restart (a
 * server that is pid 1 in its container, say) is not mistaken for the owner.
 */

import { randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BacklogError } from '../core/errors.js'
import { removeFileSync, temporaryPathFor } from './atomic-file.js'

const OWNER_PREFIX = 'git-backlog lock'

export interface HeldLock {
  readonly path: string
  /** The owner line written in the lock: who holds it, down to this acquisition. */
  readonly owner: string
  /**
   * Removes the lock file if it is still ours. Safe to call twice: the second call does nothing, so a lock is never
   * released for someone else.
   */
  release(): Promise<void>
}

export interface LockOptions {
  /** Give up after this long with REPO_LOCKED. */
  timeoutMs?: number
}

interface Owner {
  pid: number
  host: string
  boot?: string
}

/** This machine's boot, where the system tells it (Linux): pids start over at every boot. */
const BOOT = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
  } catch {
    return ''
  }
})()

/** The owner lines of the locks this process holds right now. */
const held = new Set<string>()

function parseOwner(text: string): Owner | undefined {
  const match = /^git-backlog lock pid=(\d+) host=(\S+)(?: boot=(\S+))?/.exec(text)
  if (!match) return undefined
  return { pid: Number(match[1]), host: match[2] ?? '', ...(match[3] ? { boot: match[3] } : {}) }
}

/** True when a process with this pid runs on this host (or runs as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * True when `pid` names another process of this host that no longer runs: the maker of a temporary file of ours
 * (atomic-file.ts names them by pid) that can be removed. Undefined (a name not of ours) is never gone.
 */
export function isGoneProcess(pid: number | undefined): boolean {
  return pid !== undefined && pid !== process.pid && !isProcessAlive(pid)
}

/**
 * True when the git-backlog process an owner line names is gone: of this host, and of an earlier boot, or this very
 * process without that lock (an earlier run under the same pid), or a pid that no longer runs. A line of another host
 * is never judged: there is no telling.
 */
export function isOwnerGone(text: string): boolean {
  const owner = parseOwner(text)
  if (!owner || owner.host !== hostname()) return false
  if (owner.boot && BOOT && owner.boot !== BOOT) return true
  if (owner.pid === process.pid) return !held.has(text)
  return !isProcessAlive(owner.pid)
}

/**
 * Moves aside a lock whose owner was a git-backlog process of this host that is gone. The lock is renamed, not
 * unlinked, and its content checked afterwards: if another process took the lock in between, it is linked back.
 * Returns true when the caller may try to take the lock again at once (it was recovered, or it is gone).
 */
function recoverIfDead(path: string): boolean {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    // Gone already: try again at once. Anything else (a folder in the way, no permission) is waited out and reported.
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
  if (!isOwnerGone(text)) return false
  const aside = temporaryPathFor(path)
  try {
    renameSync(path, aside)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
  const moved = readLockOwner(aside) ?? ''
  if (moved !== text) {
    // We moved a live lock taken after our read: put it back unless someone holds the name again.
    ignoreErrors(() => linkSync(aside, path))
  }
  ignoreErrors(() => unlinkSync(aside))
  return true
}

/** The text of a lock file (its owner line, when the lock is ours), or undefined when there is none. */
export function readLockOwner(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

function ignoreErrors(action: () => void): void {
  try {
    action()
  } catch {
    // best effort
  }
}

function describeHolder(path: string, text: string | undefined): string {
  const owner = text ? parseOwner(text) : undefined
  if (owner) return `git-backlog process ${owner.pid} on ${owner.host} holds ${path}`
  return `${path} exists: another git process is running, or one crashed and left it. If no git command is running, remove that file`
}

/**
 * Takes a lock file with O_EXCL, as git does, writing our pid and host into it so a crashed owner can be recovered.
 * Waits with backoff up to `timeoutMs`, then fails with REPO_LOCKED naming the holder.
 *
 * @example
 * const lock = await acquireLock('/repo/.git/index.lock')
 * try { ... } finally { await lock.release() }
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<HeldLock> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const deadline = Date.now() + timeoutMs
  const owner = `${OWNER_PREFIX} pid=${process.pid} host=${hostname()}${BOOT ? ` boot=${BOOT}` : ''} nonce=${randomBytes(6).toString('hex')}\n`
  let written: string | undefined
  let delay = 1
  try {
    for (;;) {
      if (!written || !existsSync(written)) written = writeOwner(path, owner)
      if (takeLock(path, written, owner)) {
        held.add(owner)
        let released = false
        return {
          path,
          owner,
          async release() {
            if (released) return
            released = true
            held.delete(owner)
            // Only our own: had someone judged us gone and taken it over, theirs stays.
            if (readLockOwner(path) === owner) removeFileSync(path)
          },
        }
      }
      const recovered = recoverIfDead(path)
      if (Date.now() >= deadline) {
        const text = readLockOwner(path)
        let age = 0
        ignoreErrors(() => {
          age = Math.round((Date.now() - statSync(path).mtimeMs) / 1000)
        })
        throw new BacklogError(
          'REPO_LOCKED',
          `Could not lock the repository: ${describeHolder(path, text)} (held for ${age}s, waited ${Math.round(timeoutMs / 1000)}s). Nothing was written; try again.`,
          { path },
        )
      }
      // Even a lock just recovered yields to the event loop before the next try: nothing here ever spins.
      await sleep(recovered ? 0 : delay + Math.random() * delay)
      if (!recovered) delay = Math.min(delay * 2, 50)
    }
  } finally {
    if (written) removeFileSync(written)
  }
}

/** Creates a file that must not exist yet (O_EXCL, as git creates its locks) holding `content`. */
function createExclusive(path: string, content: string): void {
  const fd = openSync(path, 'wx')
  try {
    writeSync(fd, content)
  } finally {
    closeSync(fd)
  }
}

/** The owner's text in a temporary file beside the lock, to be linked to the lock's name; undefined if that fails. */
function writeOwner(path: string, content: string): string | undefined {
  const temporary = temporaryPathFor(path)
  try {
    mkdirSync(dirname(path), { recursive: true })
    createExclusive(temporary, content)
    return temporary
  } catch {
    removeFileSync(temporary)
    return undefined
  }
}

/**
 * Takes the lock if it is free: links the owner file to the lock's name (atomic, fails if it exists), or where the
 * file system has no hard links, creates it exclusively and writes the owner into it.
 */
function takeLock(path: string, written: string | undefined, content: string): boolean {
  try {
    if (written) {
      try {
        linkSync(written, path)
        return true
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EEXIST' || code === 'ENOENT') return false
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error
      }
    }
    createExclusive(path, content)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code === 'ENOENT') {
      mkdirSync(dirname(path), { recursive: true })
      return false
    }
    throw error
  }
}

/**
 * Removes `path` if it is a lock left by a git-backlog process of this host that is gone (a writer killed while
 * holding it), so the person's own git is not kept out. Returns true when it did.
 */
export function clearDeadLock(path: string): boolean {
  return readLockOwner(path) !== undefined && recoverIfDead(path) && !existsSync(path)
}
