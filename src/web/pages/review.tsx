/** The review of a range: what a branch did to the backlog, item by item, as a reviewer reads a pull request. */
import { api } from '../api.js'
import { FilterForm, LoadError, Status } from '../components.js'
import { valueText } from '../format.js'
import { useData } from '../hooks.js'
import { itemHref, routeHref } from '../route.js'

/** A revision as the API may give it: text, or an object naming it. */
function revisionText(revision: unknown): string {
  if (typeof revision === 'string') return revision
  if (revision && typeof revision === 'object') {
    const record = revision as Record<string, unknown>
    const name = record.ref ?? record.name ?? record.label
    const commit = typeof record.commit === 'string' ? record.commit.slice(0, 7) : undefined
    if (typeof name === 'string') return commit ? `${name} (${commit})` : name
    if (commit) return commit
  }
  return '—'
}

export function ReviewPage({ range }: { range: string }) {
  const review = useData(`review:${range}`, () => api.review(range))
  const data = review.data
  return (
    <div>
      <div class="toolbar">
        <h1>Review</h1>
        <FilterForm
          label="Range"
          placeholder="main (or main..feature)"
          value={range}
          href={(text) => routeHref({ page: 'review', range: text })}
          replace={false}
          submit="Review"
        />
      </div>
      {review.error !== undefined && <LoadError error={review.error} what="the review" />}
      {data && (
        <>
          <p class="muted">
            {revisionText(data.base)} → {revisionText(data.head)}
          </p>
          {data.lost && data.lost.length > 0 && (
            <div role="alert" class="notice problems">
              <ul>
                {data.lost.map((item) => (
                  <li key={item.id} data-lost={item.id}>
                    <span class="id">{item.id}</span> <bdi>{item.title}</bdi> was changed on one side of this merge and
                    deleted on the other, and the merge left it out
                    {item.into ? (
                      <>
                        : git took it for a move to{' '}
                        <a href={itemHref(item.into)}>
                          <span class="id">{item.into}</span>
                        </a>
                        , which got its change instead
                      </>
                    ) : null}
                    . Merge the base into the branch with <code>git backlog sync &lt;base&gt;</code> first, which keeps
                    it.
                  </li>
                ))}
              </ul>
            </div>
          )}
          {data.counts && Object.keys(data.counts).length > 0 && (
            <ul class="counts" aria-label="Counts">
              {Object.entries(data.counts).map(([kind, count]) => (
                <li key={kind}>
                  <strong>{count}</strong> {kind}
                </li>
              ))}
            </ul>
          )}
          {data.items.length === 0 && <p class="muted">No backlog changes in this range.</p>}
          <ul class="review">
            {data.items.map((item) => (
              <li key={item.id} data-id={item.id}>
                <div class="entry-head">
                  <a href={itemHref(item.id)}>
                    <span class="id">{item.id}</span> {item.title}
                  </a>
                  {item.status && <Status value={item.status} />}
                  {item.kinds.map((kind) => (
                    <span key={kind} class={`badge kind kind-${kind}`}>
                      {kind}
                    </span>
                  ))}
                </div>
                <ul class="fields">
                  {item.changes.map((change, index) => (
                    <li key={`${change.kind}-${change.field}-${index}`}>
                      <span class="kind">{change.field ?? change.kind}</span>
                      {change.old !== undefined && `: ${valueText(change.old)}`}
                      {change.new !== undefined && ` → ${valueText(change.new)}`}
                      {change.by && <span class="muted"> by {change.by}</span>}
                      {change.evidence?.length ? (
                        <ul class="evidence">
                          {change.evidence.map((entry) => (
                            <li key={entry}>{entry}</li>
                          ))}
                        </ul>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </>
      )}
      {!data && review.loading && <p class="muted">Loading…</p>}
    </div>
  )
}
