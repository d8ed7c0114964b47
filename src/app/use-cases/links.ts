/** What create and update both check and name: links between items, ids free to draw, errors of one batch item. */

import { BacklogError, phrase, sentence } from '../../core/errors.js'
import { idKey } from '../../core/ids.js'
import type { Item } from '../../core/item.js'
import { findCycle } from '../../query/graph.js'
import type { AppCore } from '../shared.js'

/**
 * Items this call writes, over the store: links are checked against both, so items of one call may point at each
 * other and a change is checked with every other change of the same call applied.
 */
export function overlay(core: AppCore, pending: Map<string, Item>): (id: string) => Item | undefined {
  return (id: string): Item | undefined => pending.get(idKey(id)) ?? core.store.get(id)?.item
}

/**
 * Links must point at items that exist, and an item may not be its own ancestor or depend on itself, directly or
 * through others. Only links the call adds are checked: a parent deleted long ago must not block an unrelated edit.
 * Messages name items by `label`: a batch names its own items as the caller did, `#1`, `#2`.
 *
 * @example
 * assertLinks(core, next, record.item, overlay(core, pending)) // throws INVALID_INPUT on a loop
 */
export function assertLinks(
  core: AppCore,
  item: Item,
  previous: Item | undefined,
  lookup: (id: string) => Item | undefined,
  label: (id: string) => string = (id) => id,
): void {
  const named = (target: string, field: string) => {
    const found = lookup(target)
    if (found) return found.id
    return core.require(target, field).item.id
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
          `parent: ${label(String(item.parent))} is inside ${label(item.id)}, so this would make a loop`,
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
        `depends_on: this would make a dependency cycle (${cycle.map(label).join(' → ')}); remove one of these dependencies`,
      )
    }
  }
}

/** The ids taken in the store, plus `extra` (drawn by this call already, as id keys). */
export function takenWith(core: AppCore, extra: Set<string>): { size: number; has(id: string): boolean } {
  const taken = core.store.takenIds()
  return { size: taken.size + extra.size, has: (id: string) => extra.has(idKey(id)) || taken.has(id) }
}

/** An error of one item of a batch, with the item named so the caller knows which to fix. Nothing was written. */
export function prefixed(error: unknown, where: string, title: string): unknown {
  if (!where || !(error instanceof BacklogError)) return error
  const message = phrase`${where} ("${title}"): ${sentence(error.phrase)} Nothing was written.`
  return new BacklogError(error.code, message, error.details, {
    cause: error,
  })
}
