/** Use-cases about the repository around the backlog: what it is (summary), conflicts (resolve), syncing. */

import { BacklogError } from '../../core/errors.js'
import type { SyncInput } from '../../core/inputs.js'
import { type ResolvedFile, resolveConflicts } from '../../merge/resolve.js'
import { readHead } from '../../store/git/refs.js'
import { unmergedBacklogFiles } from '../../store/git/unmerged.js'
import type { Identity } from '../../store/identity.js'
import { assertNotBusy } from '../../store/repo.js'
import { assertInitialized } from '../../store/store.js'
import { type SyncResult, syncBranch } from '../../sync/remote.js'
import type { AppCore } from '../shared.js'

/** What a server says about the backlog it serves when it starts. */
export interface BacklogSummary {
  repository: string
  /** The branch checked out, or `detached at <short id>`. */
  branch: string
  initialized: boolean
  items: number
  /** Item files that cannot be read. */
  problems: number
}

export interface ResolveInput {
  /** Only these task files (repository paths); default every task file in conflict. */
  paths?: string[]
}

/**
 * The repository, branch and size of the backlog, for a server's first line.
 *
 * @example
 * const { branch, items } = await summary(core)
 */
export async function summary(core: AppCore): Promise<BacklogSummary> {
  const { store } = core
  const head = readHead(store.repo)
  const initialized = store.isInitialized()
  if (initialized) await store.refresh()
  return {
    repository: store.repo.worktree,
    branch: head.kind === 'branch' ? head.ref.replace(/^refs\/heads\//, '') : `detached at ${head.oid.slice(0, 7)}`,
    initialized,
    items: initialized ? store.all().length : 0,
    problems: initialized ? store.problems().length : 0,
  }
}

/**
 * Merges task files git left in conflict from the index stages; clean results are staged.
 *
 * @example
 * const { files } = await resolve(core, { paths: ['.backlog/tasks/9/bl-x9.md'] })
 */
export async function resolve(core: AppCore, { paths }: ResolveInput = {}): Promise<{ files: ResolvedFile[] }> {
  const { store, contextFor } = core
  const context = await contextFor(undefined)
  if (paths) {
    // Checked before anything is written: a bad path changes nothing.
    const unmerged = unmergedBacklogFiles(store.repo)
    const missing = paths.filter((path) => !unmerged.has(path))
    if (missing.length) {
      throw new BacklogError(
        'NOT_FOUND',
        `${missing.join(', ')}: not a task file in conflict. \`git status\` lists the files left unmerged.`,
      )
    }
  }
  const results: ResolvedFile[] = resolveConflicts(store.repo, {
    config: context.config,
    now: context.date,
    ...(paths ? { paths } : {}),
  })
  return { files: results }
}

/**
 * Fetches and merges the upstream (task files field by field), then the named base if any, and pushes the current
 * branch.
 *
 * @example
 * const result = await sync(core, { base: 'origin/main' })
 */
export async function sync(core: AppCore, { base }: SyncInput = {}): Promise<SyncResult> {
  const { store, contextFor } = core
  assertInitialized(store)
  assertNotBusy(store.repo)
  const context = await contextFor(undefined)
  const result = syncBranch(store.repo, {
    config: context.config,
    now: context.date,
    ...(base !== undefined ? { base } : {}),
  })
  await store.refresh()
  return result
}

/**
 * The git identity the commits of a person's (not an agent's) changes carry: user.name and user.email.
 *
 * @example
 * (await identity(core)).email // 'ann@example.com'
 */
export async function identity(core: AppCore): Promise<Identity> {
  const { name, email } = await core.store.author()
  return { name, email }
}
