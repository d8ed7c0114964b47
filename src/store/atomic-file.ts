/**
 * Writes files the way git does: to a temporary name beside them, then renamed into place in one step. Every
 * temporary name says it is git-backlog's, on which host (a short hash of the host name) and by which process, so
 * what a killed writer leaves behind is recognisably ours and can be removed once that process is gone (see
 * leftovers.ts). Only these exact shapes are ever taken for ours:
 *
 * - a temporary file: `.<name>.git-backlog-<host>-<pid>-<8 hex>.tmp` (hidden, so never a ref or an item);
 * - a quarantine folder in `objects/`: `tmp_objdir-git-backlog-<host>-<pid>-<8 hex>`.
 */

import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { basename, dirname, join } from 'node:path'

/** This host, as temporary names carry it: processes of other hosts (or containers) are never judged by our pids. */
const HOST = createHash('sha1').update(hostname()).digest('hex').slice(0, 6)

const TEMPORARY_FILE = /^\..+\.git-backlog-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}\.tmp$/
const QUARANTINE = /^tmp_objdir-git-backlog-([0-9a-f]{6})-(\d+)-[0-9a-f]{8}$/

/** A unique tag for a temporary name of this process: `git-backlog-<host>-<pid>-<8 hex>`. */
export function temporaryTag(): string {
  return `git-backlog-${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`
}

/** A temporary name in the same folder, hidden and unique to this process, so a rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${temporaryTag()}.tmp`)
}

/** The name of a new quarantine folder (created under `objects/` by git/objects.ts). */
export function quarantineName(): string {
  return `tmp_objdir-${temporaryTag()}`
}

function ownerOf(pattern: RegExp, name: string): number | undefined {
  const match = pattern.exec(name)
  return match && match[1] === HOST ? Number(match[2]) : undefined
}

/**
 * The pid of the process of this host that made a temporary file, from its name; undefined for any other name.
 *
 * @example
 * temporaryOwner(`.bl-k3m9x2.md.${temporaryTag()}.tmp`) // process.pid
 */
export function temporaryOwner(name: string): number | undefined {
  return ownerOf(TEMPORARY_FILE, name)
}

/** The pid of the process of this host that made a quarantine folder, from its name; undefined for any other name. */
export function quarantineOwner(name: string): number | undefined {
  return ownerOf(QUARANTINE, name)
}

/**
 * Writes `data` to `path` atomically, creating folders as needed: readers see the old or the new file, never half.
 * Synchronous because it serves the commit's critical section, a handful of small files written one after another
 * under a lock, where each asynchronous round trip would cost more than the write itself.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temporary = temporaryPathFor(path)
  try {
    writeFileSync(temporary, data)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(temporary, data)
  }
  try {
    renameSync(temporary, path)
  } catch (error) {
    try {
      unlinkSync(temporary)
    } catch {
      // already gone
    }
    throw error
  }
}

/** Removes a file synchronously; a file that is already gone is not an error. */
export function removeFileSync(path: string): void {
  try {
    unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
