/**
 * Writes files the way git does: to a temporary name beside them, then renamed into place in one step. Every
 * temporary name carries `git-backlog` and the writer's pid, so what a killed writer leaves behind is recognisably
 * ours and can be removed once that process is gone (see leftovers.ts).
 */

import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** The mark in every temporary name this tool makes: `.<name>.git-backlog-<pid>-<hex>.tmp`, `tmp_objdir-git-backlog-<pid>-<hex>`. */
export const TEMPORARY_MARK = 'git-backlog-'

const OWN_TEMPORARY = /git-backlog-(\d+)-[0-9a-f]+(?:\.tmp)?$/

/** A unique suffix for this process: `git-backlog-<pid>-<hex>`. */
export function temporaryTag(): string {
  return `${TEMPORARY_MARK}${process.pid}-${randomBytes(4).toString('hex')}`
}

/** A temporary name in the same folder, hidden and unique to this process, so a rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${temporaryTag()}.tmp`)
}

/**
 * The pid of the process that made a temporary file or folder of ours, from its name; undefined for any other name.
 *
 * @example
 * temporaryOwner('.bl-k3m9x2.md.git-backlog-4242-0a1b2c3d.tmp') // 4242
 */
export function temporaryOwner(name: string): number | undefined {
  const match = OWN_TEMPORARY.exec(name)
  return match ? Number(match[1]) : undefined
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
