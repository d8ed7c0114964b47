/** The storage contract the app uses: items read from the working tree, changes written through the commit protocol. */

import { type FSWatcher, watch as fsWatch, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type BacklogConfig, DEFAULT_CONFIG, parseConfig } from '../core/config.js'
import { BacklogError } from '../core/errors.js'
import { decodeItemBytes, encodeItemText } from '../core/file-bytes.js'
import { BACKLOG_DIR, CONFIG_PATH, isBacklogPath } from '../core/layout.js'
import { VERSION } from '../package-files.js'
import { type CommitPlan, type CommitResult, createCommitter, type Settled } from './commit.js'
import { createObjectStore } from './git/objects.js'
import { readHead, resolveHead } from './git/refs.js'
import { unmergedBacklogFiles } from './git/unmerged.js'
import { type CommitSettings, type Identity, resolveCommitSettings } from './identity.js'
import { loadCommitChanges, saveCommitChanges } from './index-repair.js'
import { createReadModel, MAX_ITEM_BYTES, type Problem, type ReadModel, stampOf } from './read-model.js'
import { discoverRepo, type Repo } from './repo.js'

/** Bump when the parsed Item shape changes, so caches written by older code are ignored. */
const ITEM_CACHE_FORMAT = 2
/** How long the index must be quiet before a server looks for entries a concurrent `git commit` dropped. */
const HEAL_DEBOUNCE_MS = 100

export type { CommitPlan, CommitResult, FileChange, Settled } from './commit.js'
export type { ItemRecord, Problem } from './read-model.js'

/** Item reads are the read model's own (see read-model.ts for what each promises). */
export interface Store extends Pick<ReadModel, 'get' | 'all' | 'takenIds' | 'problems' | 'problemFor' | 'onChange'> {
  readonly repo: Repo
  /** True once `.backlog/config.yml` exists. */
  isInitialized(): boolean
  /** The project config as it is in the working tree now (defaults when there is none). */
  config(): BacklogConfig
  /**
   * Brings items, problems and config up to date with the working tree, after settling what a killed writer left
   * (see `settle`).
   */
  refresh(): Promise<void>
  /** Finishes or takes back a killed writer's commit and removes its locks and temporary files; reports what it did. */
  settle(): Promise<Settled>
  /** The git identity commits are made as (asked of git once). */
  author(): Promise<Identity>
  /**
   * Plans and commits one mutation. `plan` runs on a freshly refreshed store and may run more than once when
   * another writer moves the branch meanwhile, so it must derive everything from the store it is given.
   */
  mutate(plan: () => CommitPlan | null | Promise<CommitPlan | null>): Promise<CommitResult>
  /** The working tree's text of a file under `.backlog/` (as the read model decodes it), or undefined when there is none. */
  textAt(path: string): string | undefined
  /** The working tree's bytes of a file under `.backlog/`, or undefined when there is none. */
  bytesAt(path: string): Uint8Array | undefined
  /** Reads everything a first call needs (items, the last commit's trees) ahead of time; errors are ignored. */
  warm(): Promise<void>
  close(): void
}

export interface StoreOptions {
  cwd: string
  /** Watch `.backlog/` for hand edits (long-running servers); one-shot commands scan once instead. */
  watch?: boolean
  now?: () => Date
  identity?: Identity
  lockTimeoutMs?: number
}

/**
 * Opens the backlog of the repository around `cwd`.
 *
 * @example
 * const store = openStore({ cwd: process.cwd() })
 * await store.refresh()
 * store.all().length
 */
export function openStore({
  cwd,
  watch = false,
  now = () => new Date(),
  identity,
  lockTimeoutMs,
}: StoreOptions): Store {
  const repo = discoverRepo(cwd)
  const model = createReadModel({
    worktree: repo.worktree,
    watchFiles: watch,
    cache: { file: join(repo.gitdir, 'backlog', 'items-cache.json'), key: `${ITEM_CACHE_FORMAT}:${VERSION}` },
  })
  let resolvedSettings: Promise<CommitSettings> | undefined
  const settings = () => {
    resolvedSettings ??= resolveCommitSettings(repo.worktree).then((found) => ({ ...found, ...identity }))
    return resolvedSettings
  }
  const author = async (): Promise<Identity> => {
    const { name, email } = await settings()
    return { name, email }
  }
  const objects = createObjectStore(repo.commondir)
  /** What recent commits changed, kept between processes for the index repair of the next commit (index-repair.ts). */
  const changesFile = join(repo.commondir, 'backlog', 'commit-changes.json')
  const committer = createCommitter({
    repo,
    objects,
    settings,
    now,
    ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }),
  })

  // A person's `git commit` that read the index just before a backlog commit writes it back without the new files
  // (git reads the index before it takes index.lock). A server watches the index and puts such entries back; a
  // one-shot command leaves it to the next backlog commit, which does the same.
  let indexWatcher: FSWatcher | undefined
  if (watch) {
    let pending: NodeJS.Timeout | undefined
    try {
      indexWatcher = fsWatch(repo.gitdir, { persistent: false }, (_event, name) => {
        if (name?.toString() !== 'index') return
        clearTimeout(pending)
        pending = setTimeout(() => void committer.heal(), HEAL_DEBOUNCE_MS)
        pending.unref()
      })
      indexWatcher.on('error', () => indexWatcher?.close())
    } catch {
      // no watching here: backlog commits still heal the index
    }
  }

  const configFile = join(repo.worktree, CONFIG_PATH)
  let config: { stamp: string; value: BacklogConfig } | undefined
  function readConfig(): BacklogConfig {
    let stamp = 'missing'
    try {
      const info = statSync(configFile)
      stamp = stampOf(info)
    } catch {
      // no config yet: defaults
    }
    if (config?.stamp === stamp) return config.value
    const value = stamp === 'missing' ? { ...DEFAULT_CONFIG } : parseConfig(readFileSync(configFile, 'utf8'))
    config = { stamp, value }
    return value
  }

  function bytesAt(path: string): Buffer | undefined {
    if (!isBacklogPath(path)) throw new BacklogError('PATH_OUTSIDE_BACKLOG', `${path} is not under .backlog/`)
    try {
      return readFileSync(join(repo.worktree, ...path.split('/')))
    } catch {
      return undefined
    }
  }

  /**
   * Items whose body holds git's conflict markers while git has the file in conflict: unreadable until the merge of
   * that file is finished. (The same lines in a file git does not have in conflict are the item's own text.)
   */
  let conflicted = new Map<string, Problem>()
  /** What git has unmerged, asked again only when the index changed: a body may hold markers as its own text. */
  let unmergedAt: { stamp: string; paths: ReadonlyMap<string, unknown> } | undefined
  function findConflicted(): Map<string, Problem> {
    const suspects = model.withConflictMarkers()
    if (suspects.size === 0) return conflicted.size ? new Map() : conflicted
    const index = statSync(join(repo.gitdir, 'index'), { throwIfNoEntry: false })
    const stamp = index ? stampOf(index) : ''
    if (unmergedAt?.stamp !== stamp) unmergedAt = { stamp, paths: unmergedBacklogFiles(repo) }
    const unmerged = unmergedAt.paths
    const found = new Map<string, Problem>()
    for (const path of suspects) {
      if (!unmerged.has(path)) continue
      found.set(path, {
        path,
        reason:
          'git conflict markers: the merge of this file is unfinished. `git backlog resolve` merges it field by field; or keep the lines you want, remove the <<<<<<< ======= >>>>>>> lines, then `git add` the file',
        fix: 'Finish the merge of this file, then `git add` it.',
      })
    }
    return found
  }

  /** An item file the read model would refuse to read is never written: refused as the input it came from. */
  function assertItemSize(path: string, content: Uint8Array | null): void {
    const item = path.startsWith(`${BACKLOG_DIR}/tasks/`) || path.startsWith(`${BACKLOG_DIR}/archive/`)
    if (!item || content === null || content.length <= MAX_ITEM_BYTES) return
    throw new BacklogError(
      'INVALID_INPUT',
      `${path} would be ${(content.length / 1024 / 1024).toFixed(1)} MB; an item file may be at most ${MAX_ITEM_BYTES / 1024 / 1024} MB. Nothing was written; put the bulk in a file the item links to (references).`,
      { path },
    )
  }

  /** What killed writers left: their journal and locks (committer), their temporary files in `.backlog/` (read model). */
  async function settle(): Promise<Settled> {
    const settled = await committer.settle()
    settled.leftovers.push(...model.removeLeftovers())
    return settled
  }

  return {
    repo,
    isInitialized() {
      try {
        return statSync(configFile).isFile()
      } catch {
        return false
      }
    },
    config: readConfig,
    async refresh() {
      await settle()
      readConfig()
      await model.refresh()
      conflicted = findConflicted()
    },
    settle,
    get(id) {
      const record = model.get(id)
      return record && conflicted.has(record.path) ? undefined : record
    },
    all: () => (conflicted.size ? model.all().filter((record) => !conflicted.has(record.path)) : model.all()),
    takenIds: () => model.takenIds(),
    problems: () => (conflicted.size ? [...model.problems(), ...conflicted.values()] : model.problems()),
    problemFor(id) {
      const record = model.get(id)
      return (record && conflicted.get(record.path)) ?? model.problemFor(id)
    },
    onChange: (listener) => model.onChange(listener),
    textAt(path) {
      const bytes = bytesAt(path)
      return bytes && decodeItemBytes(bytes).text
    },
    bytesAt,
    author,
    async mutate(plan) {
      loadCommitChanges(objects, changesFile)
      await settle()
      const result = await committer.commit(
        async () => {
          await model.refresh()
          const planned = await plan()
          // An edit keeps the bytes of the lines it did not change: line endings, bytes that are not UTF-8.
          if (!planned) return null
          const changes = planned.changes.map((change) => {
            const content =
              typeof change.content === 'string'
                ? encodeItemText(change.content, model.rawOf(change.path))
                : change.content
            assertItemSize(change.path, content)
            // The file as the plan read it: if someone edits it before the commit, the plan runs again on their edit.
            const basis = model.blobOf(change.path)
            return { ...change, content, ...(basis === undefined ? {} : { basis }) }
          })
          return { ...planned, changes }
        },
        { autoCommit: readConfig().auto_commit },
      )
      for (const change of result.changes) {
        if (change.path.startsWith(`${BACKLOG_DIR}/tasks/`) || change.path.startsWith(`${BACKLOG_DIR}/archive/`)) {
          model.noteWritten(change.path, change.content)
        }
      }
      return result
    },
    async warm() {
      try {
        await settle()
        await model.refresh()
        const tip = resolveHead(repo, readHead(repo))
        if (tip) await objects.warm(tip)
      } catch {
        // warming is an optimization: the call that needs the data will report any problem
      }
    },
    close: () => {
      indexWatcher?.close()
      model.close()
      saveCommitChanges(objects, changesFile, now().getTime() / 1000)
    },
  }
}

/** Fails with NOT_INITIALIZED unless the backlog exists, telling how to create it. */
export function assertInitialized(store: Store): void {
  if (!store.isInitialized()) {
    throw new BacklogError(
      'NOT_INITIALIZED',
      `No backlog in ${store.repo.worktree} yet: creating the first item starts one (or \`git backlog init\` makes an empty .backlog/)`,
    )
  }
}
