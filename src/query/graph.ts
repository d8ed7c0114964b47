/**
 * The work graph: who depends on whom, kept in step with the backlog write by write. It answers what filters and
 * lists ask of every item (is it blocked, does it block someone) in constant time.
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
 * The graph kept in step with the backlog: a write removes the old version of an item and adds the new one, instead
 * of building the graph again over every item. Its answers look items up as they are now, so a status changed by a
 * write is seen by every item that depends on it without touching them.
 *
 * @example
 * const graph = new LiveWorkGraph((status) => status === 'done')
 * graph.add(task)
 * graph.remove(task)
 * graph.add({ ...task, status: 'done' })
 */
export class LiveWorkGraph implements WorkGraph {
  readonly #byKey = new Map<string, Item>()
  readonly #dependentsOf = new Map<string, Item[]>()
  readonly #childrenOf = new Map<string, Item[]>()

  // The answers are bound functions, so they can be handed on alone (`hasOpenDependency: graph.hasOpenDependency`).
  constructor(private readonly isClosed: (status: string) => boolean) {}

  /** Adds an item (the one kept for its id, if two share one: the last added). */
  add(item: Item): void {
    this.#byKey.set(idKey(item.id), item)
    for (const dependency of item.depends_on) push(this.#dependentsOf, idKey(dependency), item)
    if (item.parent) push(this.#childrenOf, idKey(item.parent), item)
    if (item.epic && item.epic !== item.parent) push(this.#childrenOf, idKey(item.epic), item)
  }

  /** Takes out an item added before (the same object), with the edges it brought. */
  remove(item: Item): void {
    const key = idKey(item.id)
    if (this.#byKey.get(key) === item) this.#byKey.delete(key)
    for (const dependency of item.depends_on) pull(this.#dependentsOf, idKey(dependency), item)
    if (item.parent) pull(this.#childrenOf, idKey(item.parent), item)
    if (item.epic && item.epic !== item.parent) pull(this.#childrenOf, idKey(item.epic), item)
  }

  readonly get = (id: string): Item | undefined => {
    return this.#byKey.get(idKey(id))
  }

  readonly openDependencies = (item: Item): string[] => {
    return item.depends_on.filter((dependency) => {
      const target = this.#byKey.get(idKey(dependency))
      return !target || !this.isClosed(target.status)
    })
  }

  readonly hasOpenDependency = (item: Item): boolean => {
    return item.depends_on.length > 0 && this.openDependencies(item).length > 0
  }

  readonly openDependents = (item: Item): Item[] => {
    return this.dependents(item).filter((dependent) => !this.isClosed(dependent.status))
  }

  readonly isBlocking = (item: Item): boolean => {
    return !this.isClosed(item.status) && this.#dependentsOf.has(idKey(item.id)) && this.openDependents(item).length > 0
  }

  readonly dependents = (item: Item): Item[] => {
    return this.dependentsOfKey(idKey(item.id))
  }

  /** Items whose dependencies name this id (an idKey), whether an item has it or not. */
  readonly dependentsOfKey = (key: string): Item[] => {
    return this.#dependentsOf.get(key) ?? []
  }

  readonly children = (item: Item): Item[] => {
    return this.#childrenOf.get(idKey(item.id)) ?? []
  }

  readonly hasOpenChildren = (item: Item): boolean => {
    return this.#childrenOf.get(idKey(item.id))?.some((child) => !this.isClosed(child.status)) ?? false
  }
}

function push(map: Map<string, Item[]>, key: string, item: Item): void {
  const list = map.get(key)
  if (list) list.push(item)
  else map.set(key, [item])
}

/** Removes one occurrence of `item` (an item may name the same dependency twice), keeping the others' order. */
function pull(map: Map<string, Item[]>, key: string, item: Item): void {
  const list = map.get(key)
  if (!list) return
  const at = list.lastIndexOf(item)
  if (at >= 0) list.splice(at, 1)
  if (list.length === 0) map.delete(key)
}

/**
 * Builds the graph over every item.
 *
 * @example
 * const graph = buildWorkGraph(items, (status) => status === 'done')
 * graph.hasOpenDependency(task) // true while a dependency is not done
 */
export function buildWorkGraph(items: readonly Item[], isClosed: (status: string) => boolean): LiveWorkGraph {
  const graph = new LiveWorkGraph(isClosed)
  for (const item of items) graph.add(item)
  return graph
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
