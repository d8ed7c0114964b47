/** Recent changes across the backlog, newest first, a page at a time through `next`. */
import { useEffect, useState } from 'preact/hooks'
import { api, type HistoryEntry } from '../api.js'
import { Alert, FilterForm, LoadError } from '../components.js'
import { useData } from '../hooks.js'
import { routeHref } from '../route.js'
import { Timeline } from '../timeline.js'

export function ActivityPage({ agent }: { agent: string }) {
  const first = useData(`activity:${agent}`, () => api.activity({ agent, limit: 30 }))
  const [more, setMore] = useState<HistoryEntry[]>([])
  const [next, setNext] = useState<string | undefined>()
  const [error, setError] = useState<unknown>()
  // A refresh brings the newest page again; what was loaded below it stays only if the pages still meet.
  useEffect(() => {
    setMore([])
    setNext(first.data?.next)
  }, [first.data])

  async function loadMore() {
    if (!next) return
    try {
      const page = await api.activity({ agent, limit: 30, after: next })
      setMore((entries) => [...entries, ...page.entries])
      setNext(page.next)
    } catch (caught) {
      setError(caught)
    }
  }

  const entries = [...(first.data?.entries ?? []), ...more]
  return (
    <div>
      <div class="toolbar">
        <h1>Activity</h1>
        <FilterForm
          label="Agent"
          placeholder="only this agent"
          value={agent}
          href={(text) => routeHref({ page: 'activity', agent: text })}
        />
      </div>
      {first.error !== undefined && <LoadError error={first.error} what="the activity" />}
      {error !== undefined && <Alert onDismiss={() => setError(undefined)}>Could not load more: {String(error)}</Alert>}
      {first.data && <Timeline entries={entries} label="Activity" showItems />}
      {first.data && entries.length === 0 && <p class="muted">No changes yet.</p>}
      {next && (
        <button type="button" class="more" onClick={loadMore}>
          Load more
        </button>
      )}
    </div>
  )
}
