/** The list: every matching item in a table, the filter language in a search box, the filter in the URL. */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../api.js'
import { FilterForm, LoadError, Priority, Status, Tags } from '../components.js'
import { formatDate } from '../format.js'
import { useData } from '../hooks.js'
import { navigate } from '../nav.js'
import { itemHref, routeHref } from '../route.js'

/** Rows fetched (and rendered) per page: "Show more" asks for the next page's worth. */
const PAGE = 200
const TYPING_MS = 300
/** The list's orders (the API's `sort`); the first is its default. */
const SORTS = ['urgency', 'priority', 'due', 'created', 'updated', 'id', 'title']

export function ListPage({ q, sort }: { q: string; sort: string }) {
  const [limit, setLimit] = useState(PAGE)
  useEffect(() => setLimit(PAGE), [q, sort])
  const list = useData(`list:${q}:${sort}:${limit}`, () =>
    api.items({ filter: q, limit, counts: true, ...(sort ? { sort } : {}) }),
  )
  const rows = list.data?.items ?? []
  const total = list.data?.total ?? rows.length

  return (
    <div>
      <div class="toolbar">
        <h1>List</h1>
        <FilterForm
          label="Filter"
          placeholder="status:open priority.above:low +READY"
          value={q}
          href={(text) => routeHref({ page: 'list', q: text, sort })}
          typingMs={TYPING_MS}
        />
        <label class="sort">
          Sort{' '}
          <select
            value={sort || SORTS[0]}
            onChange={(event) => {
              const next = event.currentTarget.value
              navigate(routeHref({ page: 'list', q, sort: next === SORTS[0] ? '' : next }), true)
            }}
          >
            {SORTS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <span class="muted" aria-live="polite">
          {list.data ? `${total} item${total === 1 ? '' : 's'}` : list.loading ? 'Loading…' : ''}
        </span>
      </div>
      {list.error !== undefined && <LoadError error={list.error} what="the items" />}
      <table class="items">
        <thead>
          <tr>
            <th scope="col">ID</th>
            <th scope="col">Title</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Tags</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id} data-id={row.id}>
              <td class="id">{row.id}</td>
              <td>
                <a href={itemHref(row.id)}>{row.title}</a>
              </td>
              <td>
                <Status value={row.status} />
              </td>
              <td>
                <Priority value={row.priority} />
              </td>
              <td>{row.assignee ?? ''}</td>
              <td>
                <Tags tags={row.tags} />
              </td>
              <td>{row.due ? formatDate(row.due) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && rows.length === 0 && <p class="muted">No items match.</p>}
      {list.data && total > rows.length && (
        <button type="button" class="more" onClick={() => setLimit(limit + PAGE)} disabled={list.loading}>
          Show more ({total - rows.length} more)
        </button>
      )}
    </div>
  )
}
