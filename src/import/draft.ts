/**
 * What every importer reads a peer's backlog into: drafts that still name each other by the source's ids, with what
 * could not be carried over said per item. src/import/map.ts turns drafts into items of this repository.
 */

import type { Note, Reference } from '../core/item.js'

/** What a source status means, whatever the source calls it; mapped onto the repository's own statuses. */
export type StatusMeaning = 'open' | 'in_progress' | 'blocked' | 'done' | 'cancelled'

/** One item as the source has it, its links still in the source's ids. */
export interface Draft {
  /** The id as the source names it: what other drafts' links use. */
  sourceId: string
  /**
   * The id wanted here, when the source id is not one (a GitHub number, a taskwarrior UUID): chosen by the importer,
   * deterministically, so a second import of the same source meets the same ids.
   */
  id?: string
  /** Longer forms of `id` (more digits of the same UUID), taken in order when `id` is another item's here. */
  ids?: string[]
  /**
   * The source's own identity of the item (a UUID), kept as the attribute named: an item here holding the same value
   * is this item, imported before, whatever id it was given then.
   */
  key?: { attribute: string; value: string }
  title: string
  type?: string
  /** The source's status word, and what it means when the importer knows. */
  status: { name: string; meaning?: StatusMeaning }
  priority?: string
  assignee?: string
  /** Links, in source ids. */
  parent?: string
  epic?: string
  depends_on: string[]
  tags: string[]
  due?: string
  scheduled?: string
  wait?: string
  recur?: string
  until?: string
  references: Reference[]
  evidence: string[]
  blocked_reason: string[]
  created?: string
  started?: string
  closed?: string
  notes: Note[]
  /** Fields of the source kept as the item's own attributes. */
  attributes: Record<string, unknown>
  /**
   * Attributes that name other items (beads' `related`, taskwarrior's recurrence template), in source ids: written
   * with the ids they get here.
   */
  linked: Record<string, string[]>
  description: string
  /** Goes to `.backlog/archive/` (Backlog.md's completed and archived tasks): out of the working set, still there. */
  archived?: boolean
  /**
   * The fields are this tool's own, as another repository of it wrote them (`git backlog export`): nothing is added
   * that the source lacks (no epic inferred from a parent).
   */
  exact?: boolean
  /** What could not be carried over, in words a person reads (`assignees bob, eve dropped: one assignee here`). */
  problems: string[]
}

/** What an importer read: the drafts, and what it says of the source as a whole (files skipped, fields ignored). */
export interface SourceRead {
  drafts: Draft[]
  notes: string[]
}

/** A file of the source: its path (relative to what was named) and its text. */
export interface SourceFile {
  path: string
  text: string
}

/** A draft with nothing set but its identity: importers fill in the rest. */
export function blankDraft(sourceId: string, title: string): Draft {
  return {
    sourceId,
    title,
    status: { name: 'open', meaning: 'open' },
    depends_on: [],
    tags: [],
    references: [],
    evidence: [],
    blocked_reason: [],
    notes: [],
    attributes: {},
    linked: {},
    description: '',
    problems: [],
  }
}
