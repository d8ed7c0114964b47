/**
 * Live updates: one EventSource on /api/events; the changes of each 150 ms reach the subscribers at once, with the ids
 * of the items they changed and of the items those point at (undefined: anything may have changed).
 */

type Listener = (ids: string[] | undefined) => void
const listeners = new Set<Listener>()
const WINDOW_MS = 150
let timer: ReturnType<typeof setTimeout> | undefined
let pendingIds: Set<string> | undefined = new Set()
let source: EventSource | undefined

/** Opens the one connection (once); the browser reconnects by itself when the server restarts. */
export function startLive(): void {
  if (source || typeof EventSource === 'undefined') return
  source = new EventSource('/api/events')
  source.addEventListener('change', (event) => {
    let ids: string[] | undefined
    try {
      const change = JSON.parse((event as MessageEvent<string>).data) as { ids?: string[]; links?: string[] }
      // The items a changed one points at (its parent, its dependencies) count as changed: their pages list it.
      ids = change.ids && [...change.ids, ...(change.links ?? [])]
    } catch {
      ids = undefined
    }
    // One change without ids means "anything may have changed": so does the whole burst.
    if (!ids) pendingIds = undefined
    else if (pendingIds) for (const id of ids) pendingIds.add(id)
    // Not reset by the next change: under a steady stream of changes the subscribers still hear every 150 ms.
    if (timer === undefined) timer = setTimeout(flush, WINDOW_MS)
  })
}

function flush(): void {
  timer = undefined
  const ids = pendingIds ? [...pendingIds] : undefined
  pendingIds = new Set()
  for (const listener of listeners) listener(ids)
}

/** Calls `listener` after changes; returns the unsubscribe. */
export function onChange(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
