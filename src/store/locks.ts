/** Git-compatible lock files (`index.lock`, `refs/heads/x.lock`): exclusive create, bounded wait, dead owners recovered. */

import { randomBytes } from 'node:crypto'
import {
  closeSync,
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

const OWNER_PREFIX = 'git-backlog lock'

export interface HeldLock {
  readonly path: string
  /** Removes the lock file. Safe to call twice: the second call does nothing, so a lock is never released for someone else. */
  release(): Promise<void>
}

export interface LockOptions {
  /** Give up after this long with REPO_LOCKED. */
  timeoutMs?: number
}

interface Owner {
  pid: number
  host: string
}

function parseOwner(text: string): Owner | undefined {
  const match = /^git-backlog lock pid=(\d+) host=(\S+)/.exec(text)
  return match ? { pid: Number(match[1]), host: match[2] ?? '' } : undefined
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Moves aside a lock whose owner was a git-backlog process on this host that no longer runs. The lock is renamed, not
 * unlinked, and its content checked afterwards: if another process took the lock in between, it is linked back.
 */
function recoverIfDead(path: string): boolean {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return true // gone already: try again at once
  }
  const owner = parseOwner(text)
  if (!owner || owner.host !== hostname() || isAlive(owner.pid)) return false
  const aside = `${path}.dead-${owner.pid}-${randomBytes(4).toString('hex')}`
  try {
    renameSync(path, aside)
  } catch {
    return true
  }
  const moved = readText(aside) ?? ''
  if (moved !== text) {
    // We moved a live lock taken after our read: put it back unless someone holds the name again.
    ignoreErrors(() => linkSync(aside, path))
  }
  ignoreErrors(() => unlinkSync(aside))
  return true
}

function readText(path: string): string | undefined {
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
  const deadline = Date.now() + (options.timeoutMs ?? 10_000)
  const content = `${OWNER_PREFIX} pid=${process.pid} host=${hostname()} nonce=${randomBytes(6).toString('hex')}\n`
  let delay = 1
  for (;;) {
    try {
      const fd = openSync(path, 'wx')
      try {
        writeSync(fd, content)
      } finally {
        closeSync(fd)
      }
      let released = false
      return {
        path,
        async release() {
          if (released) return
          released = true
          try {
            unlinkSync(path)
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
          }
        },
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') {
        mkdirSync(dirname(path), { recursive: true })
        continue
      }
      if (code !== 'EEXIST') throw error
    }
    if (recoverIfDead(path)) continue
    if (Date.now() >= deadline) {
      const text = readText(path)
      let age = 0
      ignoreErrors(() => {
        age = Math.round((Date.now() - statSync(path).mtimeMs) / 1000)
      })
      throw new BacklogError(
        'REPO_LOCKED',
        `Could not lock the repository: ${describeHolder(path, text)} (held for ${age}s). Nothing was written; try again.`,
        { path },
      )
    }
    await sleep(delay + Math.random() * delay)
    delay = Math.min(delay * 2, 50)
  }
}
