/**
 * The app: the use-cases of git-backlog, one per thing a person or agent does, bound to the state they share; every
 * edge (MCP, CLI) calls these. Each use-case is a function in use-cases/ named after it (`create` in
 * use-cases/create.ts) taking the `AppCore` of shared.ts; `createApp` only binds them.
 */

import type { ContextBundle } from '../context/context.js'
import type { ItemDetail, ItemRow } from '../core/fields.js'
import type {
  ArchiveInput,
  ContextInput,
  CreateInput,
  DeleteInput,
  ExportInput,
  GetInput,
  HistoryInput,
  LintInput,
  ListInput,
  RestoreInput,
  ReviewInput,
  SearchInput,
  SyncInput,
  UnarchiveInput,
  UndoInput,
  UpdateInput,
  WriteResourceInput,
} from '../core/inputs.js'
import type { Review } from '../core/review.js'
import type { ResolvedFile } from '../merge/resolve.js'
import type { Counts } from '../query/select.js'
import type { AgentFilesResult } from '../store/agent-files.js'
import type { Identity } from '../store/identity.js'
import type { HistoryPage } from '../store/item-history.js'
import type { ItemRecord, Problem, Store } from '../store/store.js'
import type { SyncResult, Upstream } from '../sync/remote.js'
import { createCore } from './shared.js'
import { archive, unarchive } from './use-cases/archive.js'
import { type Board, type BoardInput, board } from './use-cases/board.js'
import { type Briefing, type BriefingInput, briefing } from './use-cases/briefing.js'
import { context } from './use-cases/context.js'
import { create } from './use-cases/create.js'
import { type DoctorInput, type DoctorResult, doctor } from './use-cases/doctor.js'
import { type ExportResult, exportItems } from './use-cases/export.js'
import { get } from './use-cases/get.js'
import { history, restore } from './use-cases/history.js'
import { type CompletionWordsInput, completionWords, type IdsInput, ids } from './use-cases/ids.js'
import { type ImportInput, type ImportResult, importItems } from './use-cases/import.js'
import { type InitInput, type InitResult, init, initAgents } from './use-cases/init.js'
import { type ItemView, itemView } from './use-cases/item-view.js'
import { type LintResult, lint } from './use-cases/lint.js'
import { list } from './use-cases/list.js'
import { type PromptEntry, type PromptInput, prompt, prompts, type RenderedPrompt } from './use-cases/prompts.js'
import { configText, record, records, recordsAndProblems, warm, watch } from './use-cases/records.js'
import { remove } from './use-cases/remove.js'
import { type BacklogSummary, identity, type ResolveInput, resolve, summary, sync } from './use-cases/repository.js'
import { review } from './use-cases/review.js'
import { search } from './use-cases/search.js'
import { type TodosInput, type TodosResult, todos } from './use-cases/todos.js'
import { undo } from './use-cases/undo.js'
import { type UpdateOptions, update } from './use-cases/update.js'
import { writeBody } from './use-cases/write-body.js'

export type { ItemDetail, ItemRow } from '../core/fields.js'
export type { ItemRecord, Problem } from '../store/store.js'
export { plural, toRow } from './shared.js'
export type { Briefing } from './use-cases/briefing.js'
export type { ExportResult } from './use-cases/export.js'
export type { ImportInput, ImportResult } from './use-cases/import.js'
export type { ItemLinks, ItemView } from './use-cases/item-view.js'
export type { LintResult } from './use-cases/lint.js'
export type { PromptEntry, RenderedPrompt } from './use-cases/prompts.js'
export type { UpdateOptions } from './use-cases/update.js'

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
  /**
   * Leave the repository exactly as found (`lint`): the merge driver is not installed into the repository's config,
   * as it otherwise is when a backlog is opened.
   */
  readOnly?: boolean
}

/**
 * What a person or agent can do with the backlog: each method is the use-case of the same name in `use-cases/`
 * (`create` in use-cases/create.ts, `undo` in use-cases/undo.ts...), bound to one `AppCore`.
 */
export interface App {
  /** {@link init} */
  init(input: InitInput): Promise<InitResult>
  /** {@link initAgents}: the backlog's section in AGENTS.md (and CLAUDE.md), the one write outside .backlog/. */
  initAgents(input: { agent?: string }): Promise<AgentFilesResult>
  /** {@link create} */
  create(input: CreateInput): Promise<MutationResult>
  /** {@link importItems}: a peer's backlog brought over in one commit, with what could not be mapped. */
  importItems(input: ImportInput): Promise<ImportResult>
  /** {@link get}: the items found; `missing` lists ids that name no item, when some others were found (else NOT_FOUND). */
  get(input: GetInput): Promise<{ items: ItemDetail[]; missing?: string[] }>
  /** {@link list} */
  list(input: ListInput): Promise<ListResult>
  /** {@link itemView}: one item in full with its version and the items linked to it, from one read. */
  itemView(id: string): Promise<ItemView>
  /** {@link update}; `options.expect` refuses the change when the item is no longer at that version. */
  update(input: UpdateInput, options?: UpdateOptions): Promise<MutationResult>
  /** {@link remove} */
  remove(input: DeleteInput): Promise<MutationResult>
  /** {@link search} */
  search(input: SearchInput): Promise<SearchResult>
  /** {@link context} */
  context(input: ContextInput): Promise<ContextBundle>
  /** {@link writeBody} */
  writeBody(input: WriteResourceInput): Promise<MutationResult>
  /** {@link archive} */
  archive(input: ArchiveInput): Promise<ArchiveResult>
  /** {@link unarchive} */
  unarchive(input: UnarchiveInput): Promise<MutationResult>
  /** {@link undo} */
  undo(input: UndoInput): Promise<UndoResult>
  /** {@link history} */
  history(input: HistoryInput): Promise<HistoryPage>
  /** {@link restore} */
  restore(input: RestoreInput): Promise<MutationResult>
  /** {@link review}: what happened to the backlog between two revisions, for a pull request. */
  review(input: ReviewInput): Promise<Review>
  /** {@link exportItems}: every item a selection matches, in full, for `git backlog export`; writes nothing. */
  export(input: ExportInput): Promise<ExportResult>
  /** {@link ids}: the ids (with titles) that start with a prefix, for shell completion. */
  ids(input: IdsInput): Promise<Array<{ id: string; title: string }>>
  /** {@link completionWords}: the statuses of the config, or the tags in use, that start with a prefix. */
  completionWords(input: CompletionWordsInput): Promise<string[]>
  /** {@link board}: the columns of `git backlog board`. */
  board(input: BoardInput): Promise<Board>
  /** {@link briefing}: what an agent starting a session should know, within a byte budget. */
  briefing(input: BriefingInput): Promise<Briefing>
  /** {@link prompts}: the workflow prompts, built-in or the repository's own (`.backlog/prompts/`). */
  prompts(): Promise<PromptEntry[]>
  /** {@link prompt}: one workflow prompt with its arguments filled in. */
  prompt(input: PromptInput): Promise<RenderedPrompt>
  /** {@link todos}: an agent's todo list mirrored into the items its todos name (started claims, completed closes). */
  todos(input: TodosInput): Promise<TodosResult>
  /** {@link doctor}: checks the setup (merge attributes and driver, conflicts, unreadable files, upstream); `fix` repairs. */
  doctor(input?: DoctorInput): Promise<DoctorResult>
  /** {@link lint}: checks the files under .backlog/ and reports what is wrong, file and line; writes nothing. */
  lint(input?: LintInput): Promise<LintResult>
  /** {@link resolve}: merges task files git left in conflict from the index stages; clean results are staged. */
  resolve(input?: ResolveInput): Promise<{ files: ResolvedFile[] }>
  /** {@link sync}: fetches, merges the upstream and a named base (task files field by field) and pushes the branch. */
  sync(input?: SyncInput): Promise<SyncResult>
  /** {@link recordsAndProblems}: every item's record and the unreadable files, from one read. */
  recordsAndProblems(): Promise<{ records: readonly ItemRecord[]; problems: Problem[] }>
  /** {@link records}: every item's record, read afresh. */
  records(): Promise<readonly ItemRecord[]>
  /** {@link record}: one item's record as last read. */
  record(id: string): Promise<ItemRecord | undefined>
  /** {@link configText}: the text of `.backlog/config.yml`. */
  configText(): Promise<string>
  /** {@link identity}: the git identity a person's commits carry. */
  identity(): Promise<Identity>
  /** {@link watch}: calls `listener` when item files change; returns the unsubscribe. */
  watch(listener: () => void): Promise<() => void>
  /** {@link warm}: reads the backlog ahead of the first call. */
  warm(): Promise<void>
  /** {@link summary}: the repository, branch and size of the backlog, for a server's first line. */
  summary(): Promise<BacklogSummary>
  close(): void
}

/**
 * Creates the app over the repository around `cwd`. Its `store` is there for tests of the store's own behaviour: an
 * edge is handed the `App`, which has none, and goes through the use-cases.
 *
 * @example
 * const app = createApp({ cwd: process.cwd() })
 * await app.create({ title: 'Fix the login flow', priority: 'high' })
 */
export function createApp(options: AppOptions): App & { readonly store: Store } {
  const core = createCore(options)
  const { store, updatedTimes } = core
  return {
    store,
    init: (input) => init(core, input),
    initAgents: (input) => initAgents(core, input),
    create: (input) => create(core, input),
    importItems: (input) => importItems(core, input),
    get: (input) => get(core, input),
    list: (input) => list(core, input),
    itemView: (id) => itemView(core, id),
    update: (input, options) => update(core, input, options),
    remove: (input) => remove(core, input),
    search: (input) => search(core, input),
    context: (input) => context(core, input),
    writeBody: (input) => writeBody(core, input),
    archive: (input) => archive(core, input),
    unarchive: (input) => unarchive(core, input),
    undo: (input) => undo(core, input),
    history: (input) => history(core, input),
    restore: (input) => restore(core, input),
    review: (input) => review(core, input),
    board: (input) => board(core, input),
    export: (input) => exportItems(core, input),
    ids: (input) => ids(core, input),
    completionWords: (input) => completionWords(core, input),
    briefing: (input) => briefing(core, input),
    prompts: () => prompts(core),
    prompt: (input) => prompt(core, input),
    todos: (input) => todos(core, input),
    doctor: (input) => doctor(core, input),
    lint: (input) => lint(core, input),
    resolve: (input) => resolve(core, input),
    sync: (input) => sync(core, input),
    recordsAndProblems: () => recordsAndProblems(core),
    records: () => records(core),
    record: (id) => record(core, id),
    configText: () => configText(core),
    identity: () => identity(core),
    watch: (listener) => watch(core, listener),
    warm: () => warm(core),
    summary: () => summary(core),
    close() {
      updatedTimes.save()
      store.close()
    },
  }
}
