/** The use-cases that write items: init, create, update, remove and writeBody (an edit of the body alone). */

import { editBody } from '../core/body-edit.js'
import { serializeItem } from '../core/codec.js'
import { BacklogError, joinPhrases, mapText, type Phrase, phrase, sentence, slot } from '../core/errors.js'
import { generateId, idKey, isValidPrefix } from '../core/ids.js'
import { type BatchItemInput, batchPosition, type CreateInput, type UpdateInput } from '../core/inputs.js'
import type { Item } from '../core/item.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT, CONFIG_PATH, itemPath } from '../core/layout.js'
import { sharedVerb } from '../core/messages.js'
import {
  applyUpdate,
  buildItem,
  changedFields,
  duplicateFields,
  type ItemChanges,
  type MutationContext,
  updateVerb,
} from '../core/mutations.js'
import { nextOccurrence } from '../core/recurrence.js'
import { installDriverQuietly } from '../merge/install.js'
import { readPackageFile } from '../package-files.js'
import { findCycle } from '../query/graph.js'
import { assertInitialized, type ItemRecord } from '../store/store.js'
import type { UpdatedView } from '../store/updated-times.js'
import type { App, ItemRow } from './index.js'
import {
  type AppCore,
  canonicalStatus,
  distinct,
  MAX_RESULT_ROWS,
  mentionsUpdated,
  planOf,
  plural,
  toRow,
} from './shared.js'

/**
 * The use-cases that write items, over the shared `core`; each commits one change (when auto-commit is on).
 *
 * @example
 * const { create } = writeUseCases(createCore({ cwd: process.cwd() }))
 * await create({ title: 'Fix the login flow', priority: 'high' })
 */
/**
 * The files that make a backlog: the config (from the package's template) and the attributes that route task files
 * to the merge driver, committed together so every clone merges field by field; the driver itself goes into this
 * clone's config.
 */
function backlogFiles(prefix?: string): Array<{ path: string; content: string }> {
  const template = readPackageFile('templates/config.yml')
  return [
    { path: CONFIG_PATH, content: prefix ? template.replace(/^prefix: .*$/m, `prefix: ${prefix}`) : template },
    { path: ATTRIBUTES_PATH, content: ATTRIBUTES_TEXT },
  ]
}

export function writeUseCases(core: AppCore): Pick<App, 'init' | 'create' | 'update' | 'remove' | 'writeBody'> {
  const { store, selector, random, changedAt, contextFor, require, rowsOf } = core

  /**
   * Items this call writes, over the store: links are checked against both, so items of one call may point at each
   * other and a change is checked with every other change of the same call applied.
   */
  function overlay(pending: Map<string, Item>) {
    return (id: string): Item | undefined => pending.get(idKey(id)) ?? store.get(id)?.item
  }

  /**
   * Links must point at items that exist, and an item may not be its own ancestor or depend on itself, directly or
   * through others. Only links the call adds are checked: a parent deleted long ago must not block an unrelated edit.
   */
  function assertLinks(item: Item, previous: Item | undefined, lookup: (id: string) => Item | undefined): void {
    const named = (target: string, field: string) => {
      const found = lookup(target)
      if (found) return found.id
      return require(target, field).item.id
    }
    for (const field of ['parent', 'epic'] as const) {
      const target = item[field]
      if (target === undefined || target === previous?.[field]) continue
      if (idKey(target) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', `${field}: an item cannot be its own ${field}`)
      }
      item[field] = named(target, field)
    }
    if (item.parent !== previous?.parent) {
      const seen = new Set([idKey(item.id)])
      for (let parent = item.parent; parent !== undefined; parent = lookup(parent)?.parent) {
        if (seen.has(idKey(parent))) {
          throw new BacklogError(
            'INVALID_INPUT',
            `parent: ${item.parent} is inside ${item.id}, so this would make a loop`,
          )
        }
        seen.add(idKey(parent))
      }
    }
    const before = new Set(previous?.depends_on.map(idKey))
    let added = false
    item.depends_on = item.depends_on.map((dependency) => {
      if (before.has(idKey(dependency))) return dependency
      if (idKey(dependency) === idKey(item.id)) {
        throw new BacklogError('INVALID_INPUT', 'depends_on: an item cannot depend on itself')
      }
      added = true
      return named(dependency, 'depends_on')
    })
    if (added) {
      const cycle = findCycle(item.id, (id) =>
        idKey(id) === idKey(item.id) ? item.depends_on : (lookup(id)?.depends_on ?? []),
      )
      if (cycle) {
        throw new BacklogError(
          'INVALID_INPUT',
          `depends_on: this would make a dependency cycle (${cycle.join(' → ')}); remove one of these dependencies`,
        )
      }
    }
  }

  /** Items outside `removed` whose parent, epic or dependencies name one of the removed ids. */
  function referencesTo(removed: Set<string>): string[] {
    const found: string[] = []
    for (const { item } of store.all()) {
      if (removed.has(idKey(item.id))) continue
      const links = [item.parent, item.epic, ...item.depends_on].filter((link): link is string => link !== undefined)
      const hit = links.find((link) => removed.has(idKey(link)))
      if (hit)
        found.push(`${item.id} (${hit === item.parent ? 'parent' : hit === item.epic ? 'epic' : 'depends_on'} ${hit})`)
    }
    return found
  }

  /**
   * A claim takes work that can be started now: every item claimed that someone else holds, that is closed, or that
   * waits on open dependencies or open children is named in one CONFLICT, and nothing is written.
   */
  function assertClaimable(records: ItemRecord[], changes: ItemChanges, context: MutationContext): void {
    const claimant = claimantOf(changes, context)
    const { config } = context
    const graph = selector.graph(store.all(), config)
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
  function recurrenceOf(previous: Item, next: Item, context: MutationContext, taken: Set<string>): Item | undefined {
    if (!next.recur || previous.status === next.status) return undefined
    if (!context.config.closed_statuses.includes(next.status) || next.status === 'cancelled') return undefined
    const dates = nextOccurrence(next, context.date)
    if (!dates) return undefined
    // Done, reopened and done again: the next occurrence is already there.
    const title = next.title.toLowerCase()
    const exists = store
      .all()
      .some(
        ({ item }) => item.recur && item.due === dates.due && item.title.toLowerCase() === title && item.id !== next.id,
      )
    if (exists) return undefined
    const id = generateId(context.config.prefix, takenWith(taken), random)
    taken.add(idKey(id))
    const follower = buildItem({ ...duplicateFields(next), ...dates }, id, context)
    return follower
  }

  function takenWith(extra: Set<string>) {
    const taken = store.takenIds()
    return { size: taken.size + extra.size, has: (id: string) => extra.has(idKey(id)) || taken.has(id) }
  }

  /** Builds the items of a create call: one, a duplicate, or a batch whose items may name each other as `#N`. */
  function plannedItems(input: CreateInput, context: MutationContext): Item[] {
    const { items: batch, duplicate_of, agent: _agent, ...fields } = input
    let inputs: BatchItemInput[]
    if (batch) {
      const { title: _title, ...defaults } = fields
      inputs = batch.map((entry) => ({ ...defaults, ...entry }))
    } else if (duplicate_of !== undefined) {
      const source = require(duplicate_of).item
      inputs = [{ ...duplicateFields(source), ...fields, title: fields.title ?? source.title }]
    } else {
      inputs = [fields as BatchItemInput]
    }
    const taken = new Set<string>()
    const ids = inputs.map(() => {
      const id = generateId(context.config.prefix, takenWith(taken), random)
      taken.add(idKey(id))
      return id
    })
    const resolve = (value: string, where: string) => {
      const position = batchPosition(value)
      if (position === undefined) return value
      if (!batch) throw new BacklogError('INVALID_INPUT', `${where}: "${value}" names an item of a batch; use an id`)
      const id = ids[position - 1]
      if (id === undefined) {
        throw new BacklogError(
          'INVALID_INPUT',
          `${where}: "${value}" names item ${position}, but this call has ${plural(ids.length, 'item')} (#1 to #${ids.length})`,
        )
      }
      return id
    }
    // The ids drawn for this call mean nothing to the caller if it fails: errors name the items as it did, by #N.
    const asWritten = (error: unknown, position: number, title: string) => {
      if (!batch) return error
      const named = prefixed(error, `items[${position}]`, title)
      if (!(named instanceof BacklogError)) return named
      const message = mapText(named.phrase, (text) =>
        ids.reduce((all, id, index) => all.replaceAll(id, `#${index + 1}`), text),
      )
      return new BacklogError(named.code, message, named.details, { cause: error })
    }
    const built = inputs.map((entry, position) => {
      try {
        const resolved: BatchItemInput = {
          ...entry,
          ...(entry.status !== undefined ? { status: canonicalStatus(context.config, entry.status) } : {}),
          ...(entry.parent !== undefined ? { parent: resolve(entry.parent, 'parent') } : {}),
          ...(entry.epic !== undefined ? { epic: resolve(entry.epic, 'epic') } : {}),
          ...(entry.depends_on ? { depends_on: entry.depends_on.map((dep) => resolve(dep, 'depends_on')) } : {}),
        }
        return buildItem(resolved, ids[position] as string, context)
      } catch (error) {
        throw asWritten(error, position, entry.title)
      }
    })
    const pending = new Map(built.map((item) => [idKey(item.id), item]))
    const lookup = overlay(pending)
    built.forEach((item, position) => {
      try {
        assertLinks(item, undefined, lookup)
      } catch (error) {
        throw asWritten(error, position, item.title)
      }
    })
    return built
  }

  /** The records an update reaches: by id (one or many) or by filter, as a list with that filter would show them. */
  function targetsOf(input: UpdateInput, updated: UpdatedView['of'] | undefined): ItemRecord[] {
    if (input.id !== undefined) {
      return distinct(input.id.map((id) => require(id)))
    }
    const filter = input.filter?.trim() ?? ''
    if (filter === '' && !input.all) {
      throw new BacklogError(
        'INVALID_INPUT',
        'filter is empty, which would change every active item; say all: true if that is what you want',
      )
    }
    return selector.select(store.all(), store.config(), { filter, sort: 'id', ...(updated ? { updated } : {}) }).records
  }

  return {
    async init({ prefix, agent }) {
      if (prefix !== undefined && !isValidPrefix(prefix)) {
        throw new BacklogError(
          'INVALID_INPUT',
          `prefix "${prefix}" must be 1-16 letters and digits, starting with a letter`,
        )
      }
      if (store.isInitialized()) return { created: false, path: CONFIG_PATH }
      const context = await contextFor(agent)
      const result = await store.mutate(() =>
        store.isInitialized()
          ? null
          : planOf(context, { op: 'init', verb: 'init backlog', items: [] }, backlogFiles(prefix)),
      )
      installDriverQuietly(store.repo)
      return {
        created: result.changes.length > 0,
        path: CONFIG_PATH,
        ...(result.commit ? { commit: result.commit } : {}),
      }
    },

    async create(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      const context = await contextFor(input.agent)
      let created: Item[] = []
      let starts = false
      const result = await store.mutate(() => {
        created = plannedItems(input, context)
        // The first item in a repository without a backlog starts one in the same commit (docs/adr/0013-…), so an
        // agent with no shell can begin.
        starts = !store.isInitialized()
        return planOf(
          context,
          {
            op: 'create',
            verb: input.duplicate_of ? 'duplicate' : 'add',
            items: created,
          },
          [
            ...(starts ? backlogFiles() : []),
            ...created.map((item) => ({ path: itemPath(item.id), content: serializeItem(item) })),
          ],
        )
      })
      if (starts) installDriverQuietly(store.repo)
      return {
        items: rowsOf(created.map((item) => item.id)),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: true,
        ...(starts ? { started_backlog: true } : {}),
      }
    },

    async update(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      const { id: _id, filter: _filter, all: _all, agent: _agent, claim, ...changes } = input
      changes.status = canonicalStatus(context.config, input.status)
      if (changes.status === undefined) delete changes.status
      let ids: string[] = []
      let changedAny = false
      const updated = await changedAt(input.id === undefined && mentionsUpdated(input.filter))
      const result = await store.mutate(() => {
        const records = targetsOf(input, updated)
        ids = records.map((record) => record.item.id)
        const pending = new Map<string, Item>()
        const lookup = overlay(pending)
        const taken = new Set<string>()
        const updates: Array<{ record: ItemRecord; next: Item }> = []
        const followers: Item[] = []
        // The checks run inside the commit: a claim that lost a race to another process is planned again on the
        // winner's version, and refused there.
        if (claim) assertClaimable(records, changes as ItemChanges, context)
        for (const record of records) {
          const own = claim ? claimChanges(record.item, changes as ItemChanges, context) : changes
          const next = applyUpdate(record.item, own as ItemChanges, context)
          pending.set(idKey(next.id), next)
          updates.push({ record, next })
        }
        for (const { record, next } of updates) {
          try {
            assertLinks(next, record.item, lookup)
          } catch (error) {
            throw records.length > 1 ? prefixed(error, next.id, next.title) : error
          }
          const follower = recurrenceOf(record.item, next, context, taken)
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
        items: rowsOf(ids.slice(0, MAX_RESULT_ROWS)),
        ...(ids.length > MAX_RESULT_ROWS ? { total: ids.length } : {}),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: changedAny,
      }
    },

    async remove(input) {
      // store.mutate reads the working tree afresh for its plan; refreshing here too would scan twice.
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let removed: ItemRow[] = []
      const result = await store.mutate(() => {
        const records = distinct(input.id.map((id) => require(id)))
        const dangling = referencesTo(new Set(records.map((record) => idKey(record.item.id))))
        if (dangling.length) {
          throw new BacklogError(
            'CONFLICT',
            phrase`Other items point at what you are deleting: ${dangling.slice(0, 10).join(', ')}${dangling.length > 10 ? ` and ${dangling.length - 10} more` : ''}. Delete them in the same call, or update them first (${slot('unlink')}). Nothing was deleted.`,
            { items: dangling },
          )
        }
        removed = records.map(toRow)
        return planOf(
          context,
          {
            op: 'delete',
            verb: 'rm',
            items: records.map((record) => record.item),
          },
          records.map((record) => ({ path: record.path, content: null })),
        )
      })
      return { items: removed, ...(result.commit ? { commit: result.commit } : {}), changed: true }
    },

    async writeBody(input) {
      assertInitialized(store)
      const context = await contextFor(input.agent)
      let id = input.id
      const result = await store.mutate(() => {
        const record = require(input.id)
        id = record.item.id
        const next = {
          ...structuredClone(record.item),
          description: editBody(record.item.description, input.operation),
        }
        const text = serializeItem(next, record.text)
        if (text === record.text) return null
        return planOf(
          context,
          {
            op: 'update',
            verb: 'edit',
            changed: ['description'],
            items: [next],
          },
          [{ path: record.path, content: text }],
        )
      })
      return {
        items: rowsOf([id]),
        ...(result.commit ? { commit: result.commit } : {}),
        changed: result.changes.length > 0,
      }
    },
  }
}

/** An error of one item of a batch, with the item named so the caller knows which to fix. Nothing was written. */
function prefixed(error: unknown, where: string, title: string): unknown {
  if (!where || !(error instanceof BacklogError)) return error
  const message = phrase`${where} ("${title}"): ${sentence(error.phrase)} Nothing was written.`
  return new BacklogError(error.code, message, error.details, {
    cause: error,
  })
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
