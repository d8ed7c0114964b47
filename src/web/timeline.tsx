/** A list of commits: when, who (agent or author), the commit's short id, and each field's old → new. */
import { useState } from 'preact/hooks'
import type { HistoryEntry } from './api.js'
import { changeText, formatDate, shortCommit, whoMade } from './format.js'
import { itemHref } from './route.js'

export function Timeline({
  entries,
  label,
  showItems = false,
  only,
}: {
  entries: HistoryEntry[]
  label: string
  showItems?: boolean
  /** Only this item's changes (an item page). */
  only?: string
}) {
  return (
    <ol aria-label={label} class="timeline">
      {entries.map((entry) => {
        const items = only ? entry.items.filter((item) => item.id.toLowerCase() === only.toLowerCase()) : entry.items
        return (
          <li key={entry.commit}>
            <div class="entry-head">
              <time dateTime={entry.date}>{formatDate(entry.date)}</time>
              <span class="who">{whoMade(entry)}</span>
              <code class="commit" title={entry.commit}>
                {shortCommit(entry.commit)}
              </code>
              {entry.op && <span class="badge op">{entry.op}</span>}
            </div>
            <div class="subject">{entry.subject}</div>
            {!showItems && items.length > 0 && (
              <ul class="fields">
                {items.flatMap((item) =>
                  (item.changes ?? []).map((change, index) => (
                    <ChangeLine key={`${item.id}-${change.field}-${index}`} change={change} />
                  )),
                )}
              </ul>
            )}
            {showItems && items.length > 0 && (
              <ul class="changes">
                {items.map((item) => (
                  <li key={item.id}>
                    <a href={itemHref(item.id)} class="id">
                      {item.id}
                    </a>
                    {item.changes?.length ? (
                      <ul class="fields">
                        {item.changes.map((change, index) => (
                          <ChangeLine key={`${change.field}-${index}`} change={change} />
                        ))}
                      </ul>
                    ) : null}
                  </li>
                ))}
                {entry.more_items ? (
                  <li class="muted">
                    and {entry.more_items} more item{entry.more_items === 1 ? '' : 's'} (each item's page shows its
                    change)
                  </li>
                ) : null}
              </ul>
            )}
          </li>
        )
      })}
    </ol>
  )
}

/** Longer than this, a change shows its start and a button for the rest (a description rewritten whole, say). */
const LONG_CHANGE = 400

/** One field's change, old → new; a long one cut to its start until asked for in full. */
function ChangeLine({ change }: { change: { field: string; old?: unknown; new?: unknown } }) {
  const [whole, setWhole] = useState(false)
  const text = changeText(change)
  if (text.length <= LONG_CHANGE || whole) return <li>{text}</li>
  return (
    <li>
      {text.slice(0, LONG_CHANGE - 100)}…{' '}
      <button type="button" class="link" onClick={() => setWhole(true)}>
        Show all ({text.length.toLocaleString('en')} characters)
      </button>
    </li>
  )
}
