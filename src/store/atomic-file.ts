/** Writes files the way git does: to a temporary name beside them, then renamed into place in one step. */

import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** A temporary name in the same folder, hidden and unique to this process, so a rename is atomic. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
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
