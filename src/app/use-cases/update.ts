/** The update use-case: change fields of items by id or by filter, claim work, add the next of a recurring series. */

import { serializeItem } from '../../core/codec.js'
import { BacklogError, joinPhrases, type Phrase, phrase, slot } from '../../core/errors.js'
import { generateId, idKey } from '../../core/ids.js'
import type { UpdateInput } from '../../core/inputs.js'
import type { Item } from '../../core/item.js'
import { itemPath } from '../../core/layout.js'
import { sharedVerb } from '../../core/messages.js'
import {
  applyUpdate,
  buildItem,
  changedFields,
  duplicateFields,
  type ItemChanges,
  type MutationContext,
  updateVerb,
} from '../../core/mutations.js'
import { nextOccurrence } from '../../core/recurrence.js'
import { type FilterNode, parseFilter } from '../../query/filter.js'
import { assertInitialized, type ItemRecord } from '../../store/store.js'
import type { UpdatedView } from '../../store/updated-times.js'
import type { MutationResult } from '../index.js'
import { type AppCore, canonicalStatus, distinct, MAX_RESULT_ROWS, mentionsUpdated, planOf } from '../shared.js'
import { assertLinks, overlay, prefixed, takenWith } from './links.js'
import { versionOf } from './records.js'

export interface UpdateOptions {
  /**
   * The version (`versionOf`) the caller last saw of the one item named by id: if its file is another now, CONFLICT
   * (details.version: the current one) and nothing is written. Checked inside the commit's plan, which runs again on
   * the new file when another writer gets in first, so no write slips between the check and the commit.
   */
  expect?: string
}

/**
 * Changes the items named by id (or matching a filter) in one commit; with `claim`, takes them for the acting agent
 * and starts them, refusing work someone else holds or that waits on open work.
 *
 * @example
 * await update(core, { id: ['bl-x9'], status: 'done' })
 */
export async function update(core: AppCore, input: UpdateInput, options: UpdateOptions = {}): Promise<MutationResult> {
  const { store } = core
  // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
  assertInitialized(store)
  const context = await core.contextFor(input.agent)
  const { id: _id, filter: _filter, all: _all, agent: _agent, claim, ...changes } = input
  changes.status = canonicalStatus(context.config, input.status)
  if (changes.status === undefined) delete changes.status
  let ids: string[] = []
  let changedAny = false
  // A filter is parsed once, for both questions: does it need history, and what does it reach.
  const filter = input.id === undefined && input.filter?.trim() ? parseFilter(input.filter) : undefined
  const updated = await core.changedAt(mentionsUpdated(filter))
  const result = await store.mutate(() => {
    const records = targetsOf(core, input, filter, updated)
    ids = records.map((record) => record.item.id)
    if (options.expect !== undefined) assertVersion(records, options.expect)
    const pending = new Map<string, Item>()
    const lookup = overlay(core, pending)
    const taken = new Set<string>()
    const updates: Array<{ record: ItemRecord; next: Item }> = []
    const followers: Item[] = []
    // The checks run inside the commit: a claim that lost a race to another process is planned again on the
    // winner's version, and refused there.
    if (claim) assertClaimable(core, records, changes as ItemChanges, context)
    for (const record of records) {
      const own = claim ? claimChanges(record.item, changes as ItemChanges, context) : changes
      const next = applyUpdate(record.item, own as ItemChanges, context)
      pending.set(idKey(next.id), next)
      updates.push({ record, next })
    }
    for (const { record, next } of updates) {
      try {
        assertLinks(core, next, record.item, lookup)
      } catch (error) {
        throw records.length > 1 ? prefixed(error, next.id, next.title) : error
      }
      const follower = recurrenceOf(core, record.item, next, context, taken)
      if (follower) followers.push(follower)
    }
    const writes = updates
      .map(({ record, next }) => ({ record, next, text: serializeItem(next, record.text) }))
      .filter(({ record, text }) => text !== record.text)
    changedAny = writes.length > 0
    if (!changedAny) return null
    ids = [...writes.map(({ next }) => next.id), ...followers.map((item) => item.id)]
    const changed = [...new Set(writes.flatMap(({ record, next }) => changedFields(record.item, next)))]
    return planOf(
      context,
      {
        op: 'update',
        verb:
          sharedVerb(writes.map(({ record, next }) => updateVerb(record.item, next, context.config))) +
          (followers.length ? ' (next occurrence added)' : ''),
        changed,
        items: [...writes.map(({ next }) => next), ...followers],
      },
      [
        ...writes.map(({ record, text }) => ({ path: record.path, content: text })),
        ...followers.map((item) => ({ path: itemPath(item.id), content: serializeItem(item) })),
      ],
    )
  })
  return {
    items: core.rowsOf(ids.slice(0, MAX_RESULT_ROWS)),
    ...(ids.length > MAX_RESULT_ROWS ? { total: ids.length } : {}),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: changedAny,
  }
}

/** The records an update reaches: by id (one or many) or by filter, as a list with that filter would show them. */
function targetsOf(
  core: AppCore,
  input: UpdateInput,
  filter: FilterNode | undefined,
  updated: UpdatedView['of'] | undefined,
): ItemRecord[] {
  const { store } = core
  if (input.id !== undefined) {
    return distinct(input.id.map((id) => core.require(id)))
  }
  if (filter === undefined && !input.all) {
    throw new BacklogError(
      'INVALID_INPUT',
      'filter is empty, which would change every active item; say all: true if that is what you want',
    )
  }
  return core.selector.select(store.all(), store.config(), {
    ...(filter ? { filter } : { filter: '' }),
    sort: 'id',
    ...(updated ? { updated } : {}),
  }).records
}

/**
 * A claim takes work that can be started now: every item claimed that someone else holds, that is closed, or that
 * waits on open dependencies or open children is named in one CONFLICT, and nothing is written.
 */
function assertClaimable(core: AppCore, records: ItemRecord[], changes: ItemChanges, context: MutationContext): void {
  const claimant = claimantOf(changes, context)
  const { config } = context
  const graph = core.selector.graph(core.store.all(), config)
  const described = (id: string) => {
    const item = graph.get(id)
    return item ? `${item.id} (${item.status}, "${item.title}")` : `${id} (no such item)`
  }
  const named = (ids: string[]) =>
    ids.length > 5
      ? `${ids.slice(0, 5).map(described).join(', ')} and ${ids.length - 5} more`
      : ids.map(described).join(', ')
  const refusals: Array<string | Phrase> = []
  for (const { item } of records) {
    if (item.assignee && idKey(item.assignee) !== idKey(claimant)) {
      refusals.push(
        phrase`${item.id} is claimed by ${item.assignee} (status ${item.status}): pick another item, or ask them to release it (${slot('release')})`,
      )
      continue
    }
    if (config.closed_statuses.includes(item.status)) {
      refusals.push(`${item.id} is ${item.status} already`)
      continue
    }
    // Claiming what you hold and have started changes nothing, whatever it waits on.
    if (item.assignee && config.started_statuses.includes(item.status)) continue
    const dependencies = graph.openDependencies(item)
    const children = graph
      .children(item)
      .filter((child) => !config.closed_statuses.includes(child.status))
      .map((child) => child.id)
    if (dependencies.length) {
      refusals.push(
        phrase`${item.id} depends on open work: ${named(dependencies)}. Finish those first (or claim one of them), or take the dependency off with ${slot('remove_depends_on')} if ${item.id} does not need it`,
      )
    }
    if (children.length) {
      refusals.push(
        phrase`${item.id} has open children: ${named(children)}. Claim one of them instead (${slot('ready')}), or finish them first`,
      )
    }
  }
  if (refusals.length === 0) return
  const first = records[0]?.item
  throw new BacklogError(
    'CONFLICT',
    phrase`${joinPhrases(refusals, '. ')}. Nothing was written.`,
    records.length === 1 && first ? { id: first.id, ...(first.assignee ? { assignee: first.assignee } : {}) } : {},
  )
}

/** The next item of a recurring series, when `next` completes `previous`; undefined when there is none. */
function recurrenceOf(
  core: AppCore,
  previous: Item,
  next: Item,
  context: MutationContext,
  taken: Set<string>,
): Item | undefined {
  if (!next.recur || previous.status === next.status) return undefined
  if (!context.config.closed_statuses.includes(next.status) || next.status === 'cancelled') return undefined
  const dates = nextOccurrence(next, context.date)
  if (!dates) return undefined
  // Done, reopened and done again: the next occurrence is already there.
  const title = next.title.toLowerCase()
  const exists = core.store
    .all()
    .some(
      ({ item }) => item.recur && item.due === dates.due && item.title.toLowerCase() === title && item.id !== next.id,
    )
  if (exists) return undefined
  const id = generateId(context.config.prefix, takenWith(core, taken), core.random)
  taken.add(idKey(id))
  return buildItem({ ...duplicateFields(next), ...dates }, id, context)
}

/** Who a claim is for: the assignee given, else the acting agent or person. */
function claimantOf(changes: ItemChanges, context: MutationContext): string {
  const claimant = changes.assignee ?? context.agent ?? context.author
  if (!claimant) throw new BacklogError('INVALID_INPUT', 'claim needs a name: give assignee, or act as an agent')
  return claimant
}

/**
 * The changes of a claim (checked by assertClaimable first): the claimant takes the item and starts it; claiming what
 * you hold already changes nothing.
 */
function claimChanges(item: Item, changes: ItemChanges, context: MutationContext): ItemChanges {
  const claimant = claimantOf(changes, context)
  const { config } = context
  const started = config.started_statuses.includes(item.status) ? item.status : config.started_statuses[0]
  return { ...changes, assignee: claimant, ...(changes.status || !started ? {} : { status: started }) }
}

/** `expect` names one item's version; a file changed since the caller read it is a CONFLICT. */
function assertVersion(records: ItemRecord[], expect: string): void {
  const [record] = records
  if (!record || records.length !== 1) {
    throw new BacklogError('INVALID_INPUT', 'expect goes with exactly one id')
  }
  const version = versionOf(record)
  if (version !== expect) {
    throw new BacklogError(
      'CONFLICT',
      `${record.item.id} changed since version ${expect} was read (now ${version}): look at it again and redo the change on it`,
      { id: record.item.id, version },
    )
  }
}
