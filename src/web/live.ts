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
/** A stream the server refused (too many open, say) is tried again after this long. */
const RETRY_MS = 10_000

/** Whether changes reach the page: `connecting` at first, `live`, `reconnecting` after a drop, `stopped` when refused. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'stopped'
let state: LiveState = 'connecting'
const stateListeners = new Set<(state: LiveState) => void>()

function setState(next: LiveState): void {
  if (next === state) return
  state = next
  for (const listener of stateListeners) listener(state)
}

/** Calls `listener` when the live state changes; returns the unsubscribe. */
export function onLiveState(listener: (state: LiveState) => void): () => void {
  stateListeners.add(listener)
  listener(state)
  return () => stateListeners.delete(listener)
}

/** Opens the one connection (once); the browser reconnects by itself when the server restarts. */
export function startLive(): void {
  if (source || typeof EventSource === 'undefined') return
  connect()
}

function connect(): void {
  const stream = new EventSource('/api/events')
  source = stream
  stream.addEventListener('open', () => {
    // Reconnected (every open but the first follows a drop): what changed meanwhile was never told, so anything may
    // have changed.
    if (state !== 'connecting') {
      pendingIds = undefined
      timer ??= setTimeout(flush, WINDOW_MS)
    }
    setState('live')
  })
  stream.addEventListener('error', () => {
    if (stream.readyState !== EventSource.CLOSED) return setState('reconnecting')
    // Refused (a 503, no stream): the browser gives up on its own, so this tries again later.
    setState('stopped')
    stream.close()
    setTimeout(connect, RETRY_MS)
  })
  stream.addEventListener('change', (event) => {
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
