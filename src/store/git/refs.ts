/**
 * HEAD and branch refs as files, read the way git reads them and moved with compare-and-swap under a lock.
 * Synchronous: these run inside the commit's critical section, where each file is a few bytes.
 */

import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BacklogError } from '../../core/errors.js'
import { writeFileAtomicSync } from '../atomic-file.js'
import type { Repo } from '../repo.js'
import { formatZone } from './objects.js'

export const ZERO_OID = '0000000000000000000000000000000000000000'

/** What HEAD points at: a branch (which may not have a commit yet) or a detached commit. */
export type Head = { kind: 'branch'; ref: string } | { kind: 'detached'; oid: string }

const OID = /^[0-9a-f]{40}$/

export function readHead(repo: Repo): Head {
  const text = readFileSync(join(repo.gitdir, 'HEAD'), 'utf8').trim()
  if (text.startsWith('ref: ')) return { kind: 'branch', ref: text.slice(5).trim() }
  if (OID.test(text)) return { kind: 'detached', oid: text }
  throw new BacklogError(
    'REPO_UNSUPPORTED',
    `HEAD holds "${text.slice(0, 60)}", which is neither a ref nor a commit id`,
  )
}

/** Per-worktree refs live in the gitdir; branches, tags and packed-refs in the common dir. */
function refFile(repo: Repo, ref: string): string {
  const perWorktree = ref === 'HEAD' || ref.startsWith('refs/worktree/') || ref.startsWith('refs/bisect/')
  return join(perWorktree ? repo.gitdir : repo.commondir, ref)
}

function readPackedRef(repo: Repo, ref: string): string | undefined {
  let text: string
  try {
    text = readFileSync(join(repo.commondir, 'packed-refs'), 'utf8')
  } catch {
    return undefined
  }
  for (const line of text.split('\n')) {
    if (line.length > 41 && line[40] === ' ' && line.slice(41) === ref) return line.slice(0, 40)
  }
  return undefined
}

/** The commit a ref points at, following symbolic refs; undefined for a branch without commits. */
export function resolveRef(repo: Repo, ref: string, depth = 0): string | undefined {
  if (depth > 5) throw new BacklogError('REPO_UNSUPPORTED', `${ref} is a chain of symbolic refs that does not end`)
  let text: string | undefined
  try {
    text = readFileSync(refFile(repo, ref), 'utf8').trim()
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'EISDIR') throw error
  }
  if (text === undefined) return readPackedRef(repo, ref)
  if (text.startsWith('ref: ')) return resolveRef(repo, text.slice(5).trim(), depth + 1)
  if (!OID.test(text))
    throw new BacklogError('REPO_UNSUPPORTED', `${ref} holds "${text.slice(0, 60)}", not a commit id`)
  return text
}

/** The ref that a commit on this HEAD moves, and where its lock file goes. */
export function targetOf(repo: Repo, head: Head): { ref: string; file: string } {
  const ref = head.kind === 'branch' ? head.ref : 'HEAD'
  return { ref, file: refFile(repo, ref) }
}

export function resolveHead(repo: Repo, head: Head): string | undefined {
  return head.kind === 'branch' ? resolveRef(repo, head.ref) : head.oid
}

/** Writes the ref's new value. The caller holds the ref's lock and has compared the old value under it. */
export function writeRef(repo: Repo, head: Head, oid: string): void {
  writeFileAtomicSync(targetOf(repo, head).file, `${oid}\n`)
}

export interface ReflogEntry {
  old: string | undefined
  new: string
  name: string
  email: string
  timestamp: number
  timezoneOffset: number
  message: string
}

function reflogFiles(repo: Repo, head: Head): string[] {
  const files = [join(repo.gitdir, 'logs', 'HEAD')]
  if (head.kind === 'branch') files.push(join(repo.commondir, 'logs', head.ref))
  return files
}

/** The commit the last line of a reflog moved to, read from the file's tail; undefined for an empty or missing log. */
function lastReflogTarget(file: string): string | undefined {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const size = fstatSync(fd).size
    const length = Math.min(size, 4096)
    const tail = Buffer.alloc(length)
    readSync(fd, tail, 0, length, size - length)
    const lines = tail.toString('utf8').trimEnd().split('\n')
    return lines[lines.length - 1]?.split(' ')[1]
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Appends the reflog lines git would write: one for the branch, one for HEAD. With `once`, a log that already ends
 * with this move is left alone (finishing the move of a writer killed after some of its lines).
 */
export function appendReflogs(repo: Repo, head: Head, entry: ReflogEntry, once = false): void {
  const summary = entry.message.split('\n', 1)[0] ?? ''
  const line = `${entry.old ?? ZERO_OID} ${entry.new} ${entry.name} <${entry.email}> ${entry.timestamp} ${formatZone(entry.timezoneOffset)}\t${summary}\n`
  for (const file of reflogFiles(repo, head)) {
    if (once && lastReflogTarget(file) === entry.new) continue
    mkdirSync(dirname(file), { recursive: true })
    appendFileSync(file, line)
  }
}
