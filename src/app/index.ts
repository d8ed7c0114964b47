/**
 * The use-cases of git-backlog, one per thing a person or agent does; every edge (MCP, CLI) calls these.
 * One module per family: read.ts, write.ts, archive.ts, history.ts; shared.ts holds the state they share.
 */

import type { ContextBundle } from '../context/context.js'
import type { ItemDetail, ItemRow } from '../core/fields.js'
import type {
  ArchiveInput,
  ContextInput,
  CreateInput,
  DeleteInput,
  GetInput,
  HistoryInput,
  ListInput,
  RestoreInput,
  SearchInput,
  UnarchiveInput,
  UndoInput,
  UpdateInput,
  WriteResourceInput,
} from '../core/inputs.js'
import type { ResolvedFile } from '../merge/resolve.js'
import type { Counts } from '../query/select.js'
import type { HistoryPage } from '../store/item-history.js'
import type { Problem, Store } from '../store/store.js'
import type { SyncResult, Upstream } from '../sync/remote.js'
import { archiveUseCases } from './archive.js'
import { historyUseCases } from './history.js'
import { readUseCases } from './read.js'
import {
  type BacklogSummary,
  type DoctorInput,
  type DoctorResult,
  type ResolveInput,
  repositoryUseCases,
} from './repository.js'
import { createCore } from './shared.js'
import { writeUseCases } from './write.js'

export type { ItemDetail, ItemRow } from '../core/fields.js'
export { plural, toRow } from './shared.js'

export interface ListResult {
  items: ItemRow[]
  /** How many items matched before `limit`. */
  total: number
  truncated: boolean
  counts?: Counts
  problems?: Problem[]
  /** Set when the branch is behind its upstream (as last fetched): `git backlog sync` brings the rest in. */
  upstream?: Upstream
  /** Set when the repository has no backlog yet: creating the first item starts one. */
  no_backlog?: boolean
}

export interface MutationResult {
  /** The items written, at most MAX_RESULT_ROWS of them (`total` says how many there were). */
  items: ItemRow[]
  total?: number
  /** The commit that recorded the change; absent when auto-commit is off or nothing changed. */
  commit?: string
  changed: boolean
  /** Set when this call started the backlog: its config and merge attributes came in the same commit. */
  started_backlog?: boolean
}

export interface SearchResult {
  items: Array<ItemRow & { score: number; matched_fields: string[]; snippet: string }>
  total: number
}

export interface UndoResult extends MutationResult {
  /** The commit taken back, and what it was. */
  reverted: { commit: string; subject: string; op?: string; agent?: string }
}

export interface ArchiveResult extends MutationResult {
  dry_run: boolean
  /** Closed items left in place because they closed less than `older_than_days` ago. */
  too_recent?: number
}

export interface AppOptions {
  cwd: string
  watch?: boolean
  now?: () => Date
  /** Uniform integers in [0, 32) for ids; injected by tests. */
  random?: () => number
  /** The acting agent when a call names none: the MCP client, `--agent` or `BACKLOG_AGENT`. */
  agent?: () => string | undefined
  lockTimeoutMs?: number
  identity?: { name: string; email: string }
}

export interface App {
  readonly store: Store
  init(input: { prefix?: string; agent?: string }): Promise<{ created: boolean; path: string; commit?: string }>
  create(input: CreateInput): Promise<MutationResult>
  /** The items found; `missing` lists ids that name no item, when some others were found (else NOT_FOUND). */
  get(input: GetInput): Promise<{ items: ItemDetail[]; missing?: string[] }>
  list(input: ListInput): Promise<ListResult>
  update(input: UpdateInput): Promise<MutationResult>
  remove(input: DeleteInput): Promise<MutationResult>
  search(input: SearchInput): Promise<SearchResult>
  context(input: ContextInput): Promise<ContextBundle>
  writeBody(input: WriteResourceInput): Promise<MutationResult>
  archive(input: ArchiveInput): Promise<ArchiveResult>
  unarchive(input: UnarchiveInput): Promise<MutationResult>
  undo(input: UndoInput): Promise<UndoResult>
  history(input: HistoryInput): Promise<HistoryPage>
  restore(input: RestoreInput): Promise<MutationResult>
  /** Checks the setup (merge attributes and driver, conflicts, unreadable files, upstream); `fix` repairs. */
  doctor(input?: DoctorInput): Promise<DoctorResult>
  /** Merges task files git left in conflict from the index stages; clean results are staged. */
  resolve(input?: ResolveInput): Promise<{ files: ResolvedFile[] }>
  /** Fetches, merges (task files through the driver) and pushes the current branch. */
  sync(): Promise<SyncResult>
  problems(): Promise<Problem[]>
  /** The repository, branch and size of the backlog, for a server's first line. */
  summary(): Promise<BacklogSummary>
  close(): void
}

/**
 * Creates the app over the repository around `cwd`.
 *
 * @example
 * const app = createApp({ cwd: process.cwd() })
 * await app.create({ title: 'Fix the login flow', priority: 'high' })
 */
export function createApp(options: AppOptions): App {
  const core = createCore(options)
  const { store, updatedTimes } = core
  return {
    store,
    ...writeUseCases(core),
    ...readUseCases(core),
    ...archiveUseCases(core),
    ...historyUseCases(core),
    ...repositoryUseCases(core),

    close() {
      updatedTimes.save()
      store.close()
    },
  }
}
