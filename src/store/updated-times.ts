/**
 * When each item last changed, derived rather than stored (docs/how-it-works.md, "When an item last changed"): the
 * author date of the newest commit that changed it, or the file's modification time while it holds an edit not yet
 * committed. A stored `updated:` line would be rewritten by every edit and make every concurrent edit conflict.
 *
 * The dates come from one walk of the backlog's history, kept between processes keyed by the commit walked from;
 * later looks walk only the commits made since (`git log <old>..HEAD`), or the whole history again after a reset or
 * a rebase that left the old tip behind.
 */

import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { TreeEntry } from 'isomorphic-git'
import { idKey } from '../core/ids.js'
import { latestActivity } from '../core/item.js'
import { BACKLOG_DIR } from '../core/layout.js'
import { writeFileAtomicSync } from './atomic-file.js'
import type { BacklogLog } from './backlog-log.js'
import { readHead, resolveHead } from './git/refs.js'
import type { ItemRecord } from './read-model.js'
import type { Repo } from './repo.js'

export interface UpdatedView {
  /** When the item last changed (epoch ms); undefined when neither history nor the item itself dates it. */
  of(record: ItemRecord): number | undefined
}

export interface UpdatedTimes {
  /** Catches up with HEAD (only the commits made since the last look), then answers for any record. */
  view(): Promise<UpdatedView>
  /** Writes what was walked to disk, so the next process starts from it. */
  save(): void
}

const CACHE_FORMAT = 1
/** A server writes the dates once it has been quiet this long, never on a call's path. */
const IDLE_SAVE_MS = 5_000

interface Cache {
  format: number
  head: string
  /** [id key, epoch seconds] */
  times: Array<[string, number]>
}

/**
 * @example
 * const times = createUpdatedTimes(repo, createBacklogLog(repo), join(repo.gitdir, 'backlog', 'updated-cache.json'))
 * const view = await times.view()
 * view.of(store.get('bl-k3m9x2')!) // 1795435203000
 */
export function createUpdatedTimes(repo: Repo, log: BacklogLog, cacheFile?: string): UpdatedTimes {
  let head: string | undefined
  /** Author date (epoch seconds) of the newest change to each item, by id key. */
  let times = new Map<string, number>()
  let unsaved = false
  let loaded = false
  let blobs: { head: string; byFolder: Map<string, Map<string, string>> } | undefined
  const reader = log.reader

  function load(): void {
    loaded = true
    if (!cacheFile) return
    try {
      const data = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cache
      if (data.format !== CACHE_FORMAT || typeof data.head !== 'string' || !Array.isArray(data.times)) return
      head = data.head
      times = new Map(data.times)
    } catch {
      // no dates kept yet, or unreadable ones: walk again
    }
  }

  let idleSave: NodeJS.Timeout | undefined
  function save(): void {
    clearTimeout(idleSave)
    if (!cacheFile || !unsaved || !head) return
    try {
      writeFileAtomicSync(cacheFile, JSON.stringify({ format: CACHE_FORMAT, head, times: [...times] } satisfies Cache))
      unsaved = false
    } catch {
      // a cache that cannot be written only costs speed
    }
  }

  /**
   * Walks what is new since `since` (everything when absent) and keeps each item's latest author date. All of history:
   * git passes over the commits that do not touch the backlog (docs/adr/0016-one-git-reader.md).
   */
  async function walk(since: string | undefined): Promise<void> {
    for await (const { entry } of log.walk(since ? { since } : {})) {
      const time = Date.parse(entry.date) / 1000
      for (const id of entry.ids) {
        const key = idKey(id)
        const known = times.get(key)
        if (known === undefined || time > known) times.set(key, time)
      }
    }
  }

  /** Blob ids by file name, per tree: a commit changes a few folders, the others are shared with the last tip. */
  function blobsOf(tree: string, entries: readonly TreeEntry[]): Map<string, string> {
    const key = `updated blobs ${tree}`
    const known = reader.cache.get<Map<string, string>>(key)
    if (known) return known
    const names = new Map(entries.filter((entry) => entry.type === 'blob').map((entry) => [entry.path, entry.oid]))
    let bytes = 100
    for (const name of names.keys()) bytes += 140 + 2 * name.length
    return reader.cache.set(key, names, bytes)
  }

  /** Blob ids of the files under `.backlog/` in HEAD, by folder then name: what "not yet committed" is measured against. */
  async function headBlobs(tip: string): Promise<Map<string, Map<string, string>>> {
    if (blobs?.head === tip) return blobs.byFolder
    const byFolder = new Map<string, Map<string, string>>()
    const commit = await reader.commit(tip)
    const root = await reader.treeAt(commit.tree, BACKLOG_DIR)
    const visit = async (oid: string, folder: string): Promise<void> => {
      const entries = await reader.tree(oid)
      byFolder.set(folder, blobsOf(oid, entries))
      for (const entry of entries) if (entry.type === 'tree') await visit(entry.oid, `${folder}/${entry.path}`)
    }
    if (root) await visit(root, BACKLOG_DIR)
    blobs = { head: tip, byFolder }
    return byFolder
  }

  /** One catch-up at a time: calls that arrive meanwhile wait for it instead of walking the same commits again. */
  let catchingUp: Promise<void> | undefined
  async function catchUp(): Promise<string | undefined> {
    while (catchingUp) await catchingUp
    // Read after the wait: a tip read before it may be older than the one just walked.
    const tip = resolveHead(repo, readHead(repo))
    if (tip === head) return tip
    catchingUp = (async () => {
      if (!tip) times = new Map()
      else if (head && (await reader.isAncestor(head, tip))) await walk(head)
      else {
        // Dropped first, so a walk cut short by an error is started again from scratch by the next call.
        head = undefined
        times = new Map()
        await walk(undefined)
      }
      head = tip
      unsaved = true
      if (cacheFile) {
        clearTimeout(idleSave)
        idleSave = setTimeout(save, IDLE_SAVE_MS)
        idleSave.unref()
      }
    })()
    try {
      await catchingUp
    } finally {
      catchingUp = undefined
    }
    return tip
  }

  return {
    async view() {
      if (!loaded) load()
      const tip = await catchUp()
      const committed = tip ? await headBlobs(tip) : new Map<string, Map<string, string>>()
      const committedBlob = (path: string) => {
        const slash = path.lastIndexOf('/')
        return committed.get(path.slice(0, slash))?.get(path.slice(slash + 1))
      }
      return {
        of(record) {
          if (record.blob === undefined || committedBlob(record.path) !== record.blob) {
            try {
              return statSync(join(repo.worktree, ...record.path.split('/'))).mtimeMs
            } catch {
              // gone since it was read: fall through to what history knows
            }
          }
          const seconds = times.get(idKey(record.item.id))
          return seconds === undefined ? latestActivity(record.item) : seconds * 1000
        },
      }
    },
    save,
  }
}
