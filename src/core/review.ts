/**
 * What happened to the backlog between two states, item by item, for a person reviewing a pull request: which items
 * were created, closed, reopened, moved, reassigned, deleted, archived; which notes were added and how descriptions
 * changed; and who did it. Pure: the two versions of each item file and the commits between are handed in
 * (store/backlog-range.ts reads them).
 */

import { idKey } from './ids.js'
import { type Item, type Note, PRIORITIES } from './item.js'
import { diffItems, type FieldChange } from './item-diff.js'
import { ARCHIVE_DIR } from './layout.js'

/** One side of an item file: where it is, and the item read from it or why it could not be read. */
export interface ReviewSide {
  path: string
  item?: Item
  /** The parse error of a file that cannot be read. */
  error?: string
}

/** An item whose file differs between the two states. */
export interface ReviewVersions {
  id: string
  before?: ReviewSide
  after?: ReviewSide
  /** The working tree's file differs from HEAD's: part of the change is not committed. */
  uncommitted?: boolean
}

/** A commit between the two states that changed item files, with its field changes per item. */
export interface ReviewCommit {
  commit: string
  /** The `Backlog-Agent` trailer, else the author. */
  by: string
  items: ReadonlyArray<{ id: string; changes: readonly FieldChange[] }>
}

/** A revision as named and the commit it resolved to. */
export interface ReviewRevision {
  name: string
  commit: string
}

/** What is compared: the store's reading of a range. */
export interface ReviewSource {
  base: ReviewRevision
  head: ReviewRevision
  /** The commit whose backlog is the "before": the merge base, or base itself when the clone holds no merge base. */
  compared: string
  /** False when this clone holds no merge base of base and head (a shallow clone): base's own tree is compared. */
  merge_base: boolean
  /** Uncommitted changes of the working tree count as part of head. */
  worktree: boolean
  /** The commits between, oldest first; undefined when that history is not in this clone. */
  commits?: readonly ReviewCommit[]
  items: readonly ReviewVersions[]
  /** Items a merge at head left out (see `Review.lost`). */
  lost?: readonly LostInMerge[]
}

/**
 * An item that one side of a merge changed and the other deleted, and that the merge left out without a conflict: git
 * took it for a move to an item the deleting side added, which got its change (docs/adr/0021-items-git-takes-for-a-move.md).
 * A hosting service's merge button does this; a merge through the driver stops instead.
 */
export interface LostInMerge {
  id: string
  /** Its title as the side that changed it left it. */
  title: string
  /** The item git gave its change to, when git's own diff of the merge names one. */
  into?: string
}

/** The kinds of change, in the order of importance a review lists them. */
export const CHANGE_KINDS = [
  'created',
  'closed',
  'deleted',
  'reopened',
  'archived',
  'unarchived',
  'unreadable',
  'status',
  'assignee',
  'priority',
  'due',
  'parent',
  'title',
  'tags',
  'notes',
  'description',
  'field',
] as const
export type ChangeKind = (typeof CHANGE_KINDS)[number]

/** Kinds that make an item one of the first a reviewer should see: it came, went or finished. */
const HEADLINE_KINDS: ReadonlySet<ChangeKind> = new Set(['created', 'closed', 'deleted'])

/**
 * One change of one item. `old` and `new` are the values before and after (absent: not set); for `tags` the tags
 * removed and added, for `notes` the notes added (`{ text, by, at }`) and the texts removed, for `description` a short
 * unified diff in `new`. `field` names the field of a `field` change (and of every other kind but the moves).
 */
export interface ReviewChange {
  kind: ChangeKind
  field?: string
  old?: unknown
  new?: unknown
  /** Who made it: the closing commit's agent or author; absent when not known (history missing, or uncommitted). */
  by?: string
  /** A close: the item's evidence after it. */
  evidence?: string[]
}

export interface ReviewItem {
  id: string
  /** The title after the change (before it, for a deletion). */
  title: string
  type?: string
  status?: string
  priority?: string
  /** Where the file is after (for a deletion, where it was). */
  path: string
  /** Where it was, when it moved. */
  from?: string
  /** The kinds of its changes, each once, most important first. */
  kinds: ChangeKind[]
  changes: ReviewChange[]
  /** Agents (or authors) of the commits between that changed it, in the order they did; absent when unknown. */
  by?: string[]
  /** Part of the change is in the working tree, not committed. */
  uncommitted?: boolean
}

export interface Review {
  base: ReviewRevision
  head: ReviewRevision
  compared: string
  merge_base: boolean
  worktree: boolean
  /** `missing` when the history between is not in this clone: changes are known, who made each is not. */
  history: 'complete' | 'missing'
  /** How many items have a change of each kind (kinds with none left out). */
  counts: Partial<Record<ChangeKind, number>>
  /** Most important first: created, closed and deleted, then reopened, archived...; then priority urgent → low; then id. */
  items: ReviewItem[]
  /** When head is a merge: items it left out though one side changed them (see `LostInMerge`); absent when none. */
  lost?: LostInMerge[]
}

/** Stamps that follow the status: said by the move itself. */
const STATUS_STAMPS = new Set(['closed', 'started'])
const SCALAR_KINDS: Record<string, ChangeKind> = {
  status: 'status',
  assignee: 'assignee',
  priority: 'priority',
  due: 'due',
  parent: 'parent',
  title: 'title',
  description: 'description',
}

function isArchived(path: string): boolean {
  return path.startsWith(`${ARCHIVE_DIR}/`)
}

/** Notes added and removed, whole: a review shows who wrote each one. */
function notesChange(before: readonly Note[], after: readonly Note[]): ReviewChange | undefined {
  const key = (note: Note) => `${note.at}\u0000${note.by ?? ''}\u0000${note.text}`
  const remaining = new Map<string, number>()
  for (const note of before) remaining.set(key(note), (remaining.get(key(note)) ?? 0) + 1)
  const added: Note[] = []
  for (const note of after) {
    const count = remaining.get(key(note)) ?? 0
    if (count > 0) remaining.set(key(note), count - 1)
    else added.push(note)
  }
  const removed: string[] = []
  for (const note of before) {
    const count = remaining.get(key(note)) ?? 0
    if (count === 0) continue
    remaining.set(key(note), count - 1)
    removed.push(note.text)
  }
  if (!added.length && !removed.length) return undefined
  return {
    kind: 'notes',
    field: 'notes',
    ...(removed.length ? { old: removed } : {}),
    ...(added.length
      ? { new: added.map((note) => ({ text: note.text, ...(note.by ? { by: note.by } : {}), at: note.at })) }
      : {}),
  }
}

/** The commit among `commits` that last moved the item into a closed status: its agent or author. */
function closer(
  id: string,
  commits: readonly ReviewCommit[] | undefined,
  closed: readonly string[],
): string | undefined {
  let found: string | undefined
  for (const commit of commits ?? []) {
    for (const item of commit.items) {
      if (idKey(item.id) !== idKey(id)) continue
      const status = item.changes.find((change) => change.field === 'status')
      if (!status || !closed.includes(String(status.new))) continue
      if (status.old === undefined || !closed.includes(String(status.old))) found = commit.by
    }
  }
  return found
}

function created(item: Item): ReviewChange {
  return {
    kind: 'created',
    new: {
      title: item.title,
      type: item.type,
      status: item.status,
      ...(item.parent ? { parent: item.parent } : {}),
      ...(item.priority ? { priority: item.priority } : {}),
      ...(item.assignee ? { assignee: item.assignee } : {}),
      ...(item.tags.length ? { tags: item.tags } : {}),
      ...(item.depends_on.length ? { depends_on: item.depends_on } : {}),
      ...(item.due ? { due: item.due } : {}),
      ...(item.description ? { description: item.description } : {}),
    },
  }
}

/** The changes between two readable versions, as a reviewer reads them. */
function fieldChanges(before: Item, after: Item, closed: readonly string[]): ReviewChange[] {
  const changes: ReviewChange[] = []
  const diff = diffItems(before, after)
  const statusMoved = diff.some((change) => change.field === 'status')
  for (const change of diff) {
    const { field } = change
    if (field === 'notes') {
      const notes = notesChange(before.notes, after.notes)
      if (notes) changes.push(notes)
      continue
    }
    if (statusMoved && STATUS_STAMPS.has(field)) continue
    // A close shows the evidence it came with.
    if (field === 'evidence' && closed.includes(after.status) && !closed.includes(before.status)) continue
    if (field === 'status') {
      const wasClosed = closed.includes(before.status)
      const isClosed = closed.includes(after.status)
      const kind: ChangeKind = isClosed && !wasClosed ? 'closed' : wasClosed && !isClosed ? 'reopened' : 'status'
      changes.push({
        kind,
        field,
        old: before.status,
        new: after.status,
        ...(kind === 'closed' && after.evidence.length ? { evidence: [...after.evidence] } : {}),
      })
      continue
    }
    if (field === 'tags') {
      const removed = before.tags.filter((tag) => !after.tags.includes(tag))
      const added = after.tags.filter((tag) => !before.tags.includes(tag))
      if (!removed.length && !added.length) continue
      changes.push({
        kind: 'tags',
        field,
        ...(removed.length ? { old: removed } : {}),
        ...(added.length ? { new: added } : {}),
      })
      continue
    }
    const kind = SCALAR_KINDS[field] ?? 'field'
    changes.push({
      kind,
      field,
      ...('old' in change ? { old: change.old } : {}),
      ...('new' in change ? { new: change.new } : {}),
    })
  }
  return changes
}

function changesOf(versions: ReviewVersions, closed: readonly string[]): ReviewChange[] {
  const { before, after } = versions
  if (!after) return [{ kind: 'deleted', ...(before?.item ? { old: before.item.title } : {}) }]
  const changes: ReviewChange[] = []
  if (before && isArchived(before.path) !== isArchived(after.path)) {
    changes.push({ kind: isArchived(after.path) ? 'archived' : 'unarchived', old: before.path, new: after.path })
  }
  if (after.error !== undefined || before?.error !== undefined) {
    changes.push({
      kind: 'unreadable',
      ...(before?.error !== undefined ? { old: before.error } : {}),
      ...(after.error !== undefined ? { new: after.error } : {}),
    })
  }
  if (!after.item) return changes
  if (!before) {
    changes.push(created(after.item))
    if (closed.includes(after.item.status)) {
      changes.push({
        kind: 'closed',
        field: 'status',
        new: after.item.status,
        ...(after.item.evidence.length ? { evidence: [...after.item.evidence] } : {}),
      })
    }
    const notes = notesChange([], after.item.notes)
    if (notes) changes.push(notes)
    return changes
  }
  if (!before.item) return changes
  return [...changes, ...fieldChanges(before.item, after.item, closed)]
}

function rank(item: ReviewItem): number {
  const first = item.kinds[0]
  if (first === undefined) return CHANGE_KINDS.length
  // Created, closed and deleted items share the first place; a mere edit comes after every move of status.
  return HEADLINE_KINDS.has(first) ? 0 : CHANGE_KINDS.indexOf(first)
}

function priorityRank(priority: string | undefined): number {
  const index = (PRIORITIES as readonly string[]).indexOf(priority ?? '')
  return index === -1 ? PRIORITIES.length : index
}

/**
 * The review of a range: each item whose file differs, with its changes and who made them, most important first
 * (created, closed and deleted; then reopened, archived, unarchived, unreadable, status moves, then other edits; within
 * each, priority urgent → low, then id).
 *
 * @example
 * const review = reviewChanges(source, ['done', 'cancelled'])
 * review.counts // { created: 1, closed: 2, status: 1 }
 * review.items[0] // { id: 'bl-k3m9x2', title: 'Fix login', kinds: ['closed'], changes: [{ kind: 'closed', old: 'in_progress', new: 'done', by: 'claude', evidence: ['PR #12'] }], by: ['claude'] }
 */
export function reviewChanges(source: ReviewSource, closedStatuses: readonly string[]): Review {
  const items: ReviewItem[] = []
  for (const versions of source.items) {
    const changes = changesOf(versions, closedStatuses)
    if (changes.length === 0) continue
    const who = source.commits ? closer(versions.id, source.commits, closedStatuses) : undefined
    for (const change of changes) {
      if (change.kind === 'closed' && who !== undefined) change.by = who
    }
    const shown = versions.after?.item ?? versions.before?.item
    const side = versions.after ?? versions.before
    const by = source.commits
      ? [
          ...new Set(
            source.commits
              .filter((commit) => commit.items.some((item) => idKey(item.id) === idKey(versions.id)))
              .map((commit) => commit.by),
          ),
        ]
      : undefined
    const kinds = [...new Set(changes.map((change) => change.kind))].sort(
      (a, b) => CHANGE_KINDS.indexOf(a) - CHANGE_KINDS.indexOf(b),
    )
    items.push({
      id: shown?.id ?? versions.id,
      title: shown?.title ?? '',
      ...(shown ? { type: shown.type, status: shown.status } : {}),
      ...(shown?.priority ? { priority: shown.priority } : {}),
      path: side?.path ?? '',
      ...(versions.before && versions.after && versions.before.path !== versions.after.path
        ? { from: versions.before.path }
        : {}),
      kinds,
      changes: changes.sort((a, b) => CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind)),
      ...(by ? { by } : {}),
      ...(versions.uncommitted ? { uncommitted: true } : {}),
    })
  }
  items.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      priorityRank(a.priority) - priorityRank(b.priority) ||
      (idKey(a.id) < idKey(b.id) ? -1 : idKey(a.id) > idKey(b.id) ? 1 : 0),
  )
  const counts: Partial<Record<ChangeKind, number>> = {}
  for (const kind of CHANGE_KINDS) {
    const count = items.filter((item) => item.kinds.includes(kind)).length
    if (count) counts[kind] = count
  }
  return {
    base: source.base,
    head: source.head,
    compared: source.compared,
    merge_base: source.merge_base,
    worktree: source.worktree,
    history: source.commits ? 'complete' : 'missing',
    counts,
    items,
    ...(source.lost?.length ? { lost: [...source.lost] } : {}),
  }
}

/**
 * What a range text names: `<base>..<head>` or `<base>...<head>` (a side left empty is HEAD, as in git), or one
 * revision (the base; head is HEAD with the working tree), or nothing (the default base, HEAD and the working tree).
 *
 * @example
 * parseRange('main..feature') // { base: 'main', head: 'feature', worktree: false }
 * parseRange('origin/main')   // { base: 'origin/main', worktree: true }
 */
export function parseRange(text: string | undefined): { base?: string; head?: string; worktree: boolean } {
  const range = (text ?? '').trim()
  if (range === '') return { worktree: true }
  const match = /^(.*?)\.{2,3}(.*)$/.exec(range)
  if (!match) return { base: range, worktree: true }
  return { base: match[1] || 'HEAD', head: match[2] || 'HEAD', worktree: false }
}
