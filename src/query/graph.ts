/**
 * The work graph: who depends on whom, derived once per change of the backlog. It answers what filters and lists ask
 * of every item (is it blocked, does it block someone) in constant time.
 */

import { idKey } from '../core/ids.js'
import type { Item } from '../core/item.js'

export interface WorkGraph {
  /** The item with this id (case-insensitive), archived ones included. */
  get(id: string): Item | undefined
  /** Ids of the item's dependencies that are not closed, or that do not exist (a missing item cannot be done). */
  openDependencies(item: Item): string[]
  hasOpenDependency(item: Item): boolean
  /** Items that are not closed and depend on this one. */
  openDependents(item: Item): Item[]
  /** True when an item that is not closed depends on this one, and this one is not closed itself. */
  isBlocking(item: Item): boolean
  /** Items whose dependencies name this one, closed or not. */
  dependents(item: Item): Item[]
  /** Items whose parent or epic is this one. */
  children(item: Item): Item[]
  /** True when a child (by parent or epic) is not closed. */
  hasOpenChildren(item: Item): boolean
}

/**
 * Builds the graph over every item.
 *
 * @example
 * const graph = buildWorkGraph(items, (status) => status === 'done')
 * graph.hasOpenDependency(task) // true while a dependency is not done
 */
export function buildWorkGraph(items: readonly Item[], isClosed: (status: string) => boolean): WorkGraph {
  const byKey = new Map<string, Item>()
  const dependentsOf = new Map<string, Item[]>()
  const childrenOf = new Map<string, Item[]>()
  const push = (map: Map<string, Item[]>, key: string, item: Item) => {
    const list = map.get(key)
    if (list) list.push(item)
    else map.set(key, [item])
  }
  for (const item of items) {
    byKey.set(idKey(item.id), item)
    for (const dependency of item.depends_on) push(dependentsOf, idKey(dependency), item)
    if (item.parent) push(childrenOf, idKey(item.parent), item)
    if (item.epic && item.epic !== item.parent) push(childrenOf, idKey(item.epic), item)
  }
  const openDependencies = (item: Item) =>
    item.depends_on.filter((dependency) => {
      const target = byKey.get(idKey(dependency))
      return !target || !isClosed(target.status)
    })
  const openDependents = (item: Item) =>
    (dependentsOf.get(idKey(item.id)) ?? []).filter((dependent) => !isClosed(dependent.status))
  return {
    get: (id) => byKey.get(idKey(id)),
    openDependencies,
    hasOpenDependency: (item) => item.depends_on.length > 0 && openDependencies(item).length > 0,
    openDependents,
    isBlocking: (item) => !isClosed(item.status) && dependentsOf.has(idKey(item.id)) && openDependents(item).length > 0,
    dependents: (item) => dependentsOf.get(idKey(item.id)) ?? [],
    children: (item) => childrenOf.get(idKey(item.id)) ?? [],
    hasOpenChildren: (item) => childrenOf.get(idKey(item.id))?.some((child) => !isClosed(child.status)) ?? false,
  }
}

/**
 * A dependency cycle through `start`, as the ids along it (`a → b → a`), or undefined when there is none.
 * `dependencies` gives an item's dependencies, with the change being checked applied.
 *
 * @example
 * findCycle('a', (id) => ({ a: ['b'], b: ['a'] })[id] ?? []) // ['a', 'b', 'a']
 */
export function findCycle(start: string, dependencies: (id: string) => readonly string[]): string[] | undefined {
  const startKey = idKey(start)
  const visited = new Set<string>()
  const path: string[] = [start]
  const walk = (id: string): boolean => {
    for (const next of dependencies(id)) {
      const key = idKey(next)
      if (key === startKey) {
        path.push(start)
        return true
      }
      if (visited.has(key)) continue
      visited.add(key)
      path.push(next)
      if (walk(next)) return true
      path.pop()
    }
    return false
  }
  return walk(start) ? path : undefined
}
