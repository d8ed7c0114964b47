/** One item: its fields, description, notes, links and history; every edit a write that names the version it read. */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiError, api, errorText, type HistoryEntry, type ItemPage as ItemData } from '../api.js'
import { Alert, ItemLink, ItemList, LoadError, PRIORITIES, Status, Tags, useStatuses } from '../components.js'
import { formatDate, parseTags, safeHttpUrl, valueText } from '../format.js'
import { useData } from '../hooks.js'
import { renderMarkdown } from '../markdown.js'
import { Timeline } from '../timeline.js'
import { AddReference, EntryEditor, submit, useEdit, type Write } from './item-edit.js'

interface Draft {
  title?: string
  assignee?: string
  tags?: string
  /** YYYY-MM-DD, or empty to clear. */
  due?: string
  parent?: string
}

/** The day of a date or timestamp, as a date input holds it. */
function dayOf(value: string | undefined): string {
  return /^\d{4}-\d{2}-\d{2}/.exec(value ?? '')?.[0] ?? ''
}

/** Ids as the backlog compares them. */
const idKey = (id: string) => id.trim().toLowerCase()

/** The ids an item page shows, as keys: its own and those of its parents, children, dependencies and dependents. */
function idsShown(id: string, data: ItemData | undefined): Set<string> {
  const ids = [id]
  if (data) {
    const { item } = data
    ids.push(item.id, ...(item.depends_on ?? []), ...[item.parent, item.epic].filter((one) => one !== undefined))
    for (const rows of [data.parents, data.children, data.depends_on, data.dependents]) {
      for (const row of rows ?? []) ids.push(row.id)
    }
  }
  return new Set(ids.map(idKey))
}

export function ItemPage({ id }: { id: string }) {
  // A live change reloads the page only if it touched an item the page shows, and the history only for the item's own.
  const page = useData<ItemData>(
    `item:${id}`,
    () => api.item(id),
    (ids) => {
      const shown = idsShown(id, page.data)
      return ids.some((changed) => shown.has(idKey(changed)))
    },
  )
  const history = useData(
    `history:${id}`,
    () => api.history(id),
    (ids) => ids.some((changed) => idKey(changed) === idKey(id) || idKey(changed) === idKey(page.data?.item.id ?? id)),
  )
  const [olderHistory, setOlderHistory] = useState<HistoryEntry[]>([])
  const [historyNext, setHistoryNext] = useState<string | undefined>()
  const [message, setMessage] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  // Each edit keeps the version it started from: live updates move the page's version on, but an edit must be checked
  // against what the person saw when they began it, or it would write over a change made meanwhile.
  const fields = useEdit<Draft>({}, page.data?.version)
  const draft = fields.value
  const [note, setNote] = useState('')
  const descriptionEdit = useEdit<string | undefined>(undefined, page.data?.version)
  const description = descriptionEdit.value
  const statuses = useStatuses()

  useEffect(() => {
    fields.reset()
    setNote('')
    descriptionEdit.reset()
    setMessage(undefined)
  }, [id])
  useEffect(() => {
    setOlderHistory([])
    setHistoryNext(history.data?.next)
  }, [history.data])

  const item = page.data?.item
  const html = useMemo(() => (item?.description ? renderMarkdown(item.description) : ''), [item?.description])
  useEffect(() => {
    if (item) document.title = `${item.id} ${item.title} · git-backlog`
  }, [item])

  /**
   * One write: on success the page shows what the server answered; on a conflict, the item as it is now. `base`: the
   * version the edit started from (default: the one on the page now, for a one-step change). True if written.
   */
  const write: Write = async (run, after, base) => {
    const data = page.data
    if (!data) return false
    setBusy(true)
    try {
      // The page as written: the links (parent, dependencies) may have changed with it.
      const { commit: _commit, ...written } = await run(base ?? data.version)
      page.set(written)
      setMessage(undefined)
      after?.()
      return true
    } catch (error) {
      setMessage(errorText(error))
      if (error instanceof ApiError && error.conflict) {
        const body = error.body as Partial<ItemData> | undefined
        if (body?.item && body.version && body.parents) page.set(body as ItemData)
        else void page.reload()
      }
      return false
    } finally {
      setBusy(false)
      void history.reload()
    }
  }

  if (page.error !== undefined && !page.data) return <LoadError error={page.error} what={`item ${id}`} />
  if (!page.data || !item) return <p class="muted">Loading…</p>
  const data = page.data
  const statusChoices = statuses.includes(item.status) ? statuses : [...statuses, item.status]
  const changedFields: Record<string, unknown> = {}
  if (draft.title !== undefined && draft.title.trim() !== item.title) changedFields.title = draft.title.trim()
  if (draft.assignee !== undefined && draft.assignee.trim() !== (item.assignee ?? '')) {
    changedFields.assignee = draft.assignee.trim()
  }
  if (draft.tags !== undefined && parseTags(draft.tags).join(' ') !== (item.tags ?? []).join(' ')) {
    changedFields.tags = parseTags(draft.tags)
  }
  // An empty due or parent clears it.
  if (draft.due !== undefined && draft.due !== dayOf(item.due)) changedFields.due = draft.due
  if (draft.parent !== undefined && draft.parent.trim() !== (item.parent ?? '')) {
    changedFields.parent = draft.parent.trim()
  }
  const dependencyRows = new Map((data.depends_on ?? []).map((row) => [idKey(row.id), row]))
  const dirty = Object.keys(changedFields).length > 0
  const historyEntries = [...(history.data?.entries ?? []), ...olderHistory]

  return (
    <article class="item-page" aria-labelledby="item-title">
      {data.parents && data.parents.length > 0 && (
        <nav aria-label="Parents" class="breadcrumb">
          <ol>
            {/* The API names the direct parent first; the trail reads from the top down, its middle left out when long. */}
            {trail([...data.parents].reverse()).map((parent) =>
              typeof parent === 'number' ? (
                <li key="skipped" class="muted" title={`${parent} more parents`}>
                  … {parent} more
                </li>
              ) : (
                <li key={parent.id}>
                  <ItemLink row={parent} />
                </li>
              ),
            )}
          </ol>
        </nav>
      )}
      <h1 id="item-title">{item.title}</h1>
      <p class="item-sub">
        <span class="id">{item.id}</span> <Status value={item.status} /> <span class="muted">{item.type}</span>{' '}
        <Tags tags={item.tags} />
      </p>
      {message && <Alert onDismiss={() => setMessage(undefined)}>{message}</Alert>}

      <div class="item-grid">
        <div class="item-main">
          <section>
            <div class="section-head">
              <h2>Description</h2>
              {description === undefined && (
                <button type="button" onClick={() => descriptionEdit.edit(item.description ?? '')}>
                  Edit description
                </button>
              )}
            </div>
            {description === undefined ? (
              item.description ? (
                // The only HTML the viewer inserts: renderMarkdown sanitises it with DOMPurify.
                <div class="description" dangerouslySetInnerHTML={{ __html: html }} />
              ) : (
                <div class="description muted">No description.</div>
              )
            ) : (
              <form
                onSubmit={(event) => {
                  event.preventDefault()
                  // Refused: the page shows the item as it is now, and Save again applies this text on top of it.
                  submit(descriptionEdit, write, (version) => api.writeDescription(item.id, description, version))
                }}
              >
                <textarea
                  aria-label="Description"
                  rows={14}
                  value={description}
                  onInput={(event) => descriptionEdit.edit(event.currentTarget.value)}
                />
                <div class="buttons">
                  <button type="submit" disabled={busy}>
                    Save description
                  </button>
                  <button type="button" onClick={descriptionEdit.reset}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </section>

          <section>
            <h2>Notes</h2>
            {item.notes?.length ? (
              <ul class="notes">
                {item.notes.map((entry, index) => (
                  <li key={`${entry.at}-${index}`}>
                    <div class="muted small">
                      {entry.at ? formatDate(entry.at) : ''} {entry.by ? `· ${entry.by}` : ''}
                    </div>
                    <div class="note-text">{entry.text}</div>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No notes.</p>
            )}
            <form
              onSubmit={(event) => {
                event.preventDefault()
                const text = note.trim()
                if (text)
                  void write(
                    (version) => api.addNote(item.id, text, version),
                    () => setNote(''),
                  )
              }}
            >
              <textarea
                aria-label="Note"
                rows={3}
                value={note}
                onInput={(event) => setNote(event.currentTarget.value)}
              />
              <button type="submit" disabled={busy || !note.trim()}>
                Add note
              </button>
            </form>
          </section>

          {item.evidence?.length ? (
            <section>
              <h2>Evidence</h2>
              <ul class="evidence">
                {item.evidence.map((entry, index) => (
                  <li key={`${index}-${entry}`}>{valueText(entry)}</li>
                ))}
              </ul>
            </section>
          ) : null}

          {item.status === 'blocked' || item.blocked_reason?.length ? (
            <section>
              <h2>Blocked because</h2>
              <EntryEditor
                label="Blocked because"
                noun="reason"
                entries={(item.blocked_reason ?? []).map((entry) => ({ key: entry.trim(), view: valueText(entry) }))}
                version={data.version}
                busy={busy}
                write={write}
                remove={(reason, version) => api.update(item.id, version, { remove_blocked_reason: [reason] })}
                // A reason is given while the item is blocked; one left from before can still be removed.
                add={
                  item.status === 'blocked'
                    ? (reason, version) => api.update(item.id, version, { add_blocked_reason: [reason] })
                    : undefined
                }
                placeholder="waiting for…"
              />
            </section>
          ) : null}

          <section>
            <h2>History</h2>
            {history.error !== undefined && <LoadError error={history.error} what="the history" />}
            <Timeline entries={historyEntries} label="History" only={item.id} />
            {historyNext && (
              <button
                type="button"
                class="more"
                onClick={async () => {
                  try {
                    const older = await api.history(item.id, historyNext)
                    setOlderHistory((entries) => [...entries, ...older.entries])
                    setHistoryNext(older.next)
                  } catch (error) {
                    setMessage(errorText(error))
                  }
                }}
              >
                Load older
              </button>
            )}
          </section>
        </div>

        <aside class="item-side" aria-label="Fields">
          <label>
            Status
            <select
              aria-label="Status"
              value={item.status}
              disabled={busy}
              onChange={(event) => {
                const status = event.currentTarget.value
                void write((version) => api.update(item.id, version, { status }))
              }}
            >
              {statusChoices.map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </label>
          <label>
            Priority
            <select
              aria-label="Priority"
              value={item.priority ?? ''}
              disabled={busy}
              onChange={(event) => {
                const priority = event.currentTarget.value
                void write((version) => api.update(item.id, version, { priority }))
              }}
            >
              <option value="">none</option>
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {priority}
                </option>
              ))}
            </select>
          </label>
          <form
            class="fields-form"
            onSubmit={(event) => {
              event.preventDefault()
              // Refused: the page shows the item as it is now, and Save again applies these fields on top of it.
              if (dirty) submit(fields, write, (version) => api.update(item.id, version, changedFields))
            }}
          >
            <label>
              Title
              <input
                aria-label="Title"
                value={draft.title ?? item.title}
                onInput={(event) => fields.edit({ ...draft, title: event.currentTarget.value })}
              />
            </label>
            <label>
              Assignee
              <input
                aria-label="Assignee"
                value={draft.assignee ?? item.assignee ?? ''}
                onInput={(event) => fields.edit({ ...draft, assignee: event.currentTarget.value })}
              />
            </label>
            <label>
              Tags
              <input
                aria-label="Tags"
                placeholder="comma or space separated"
                value={draft.tags ?? (item.tags ?? []).join(', ')}
                onInput={(event) => fields.edit({ ...draft, tags: event.currentTarget.value })}
              />
            </label>
            <div class="with-clear">
              <label>
                Due
                <input
                  type="date"
                  aria-label="Due"
                  value={draft.due ?? dayOf(item.due)}
                  onInput={(event) => fields.edit({ ...draft, due: event.currentTarget.value })}
                />
              </label>
              <button
                type="button"
                class="link"
                aria-label="Clear due date"
                disabled={(draft.due ?? dayOf(item.due)) === ''}
                onClick={() => fields.edit({ ...draft, due: '' })}
              >
                Clear
              </button>
            </div>
            <label>
              Parent
              <input
                aria-label="Parent"
                placeholder="an item id (empty: none)"
                value={draft.parent ?? item.parent ?? ''}
                onInput={(event) => fields.edit({ ...draft, parent: event.currentTarget.value })}
              />
            </label>
            <div class="buttons">
              <button type="submit" disabled={busy || !dirty}>
                Save
              </button>
              {dirty && (
                <button type="button" onClick={fields.reset}>
                  Discard
                </button>
              )}
            </div>
          </form>

          <dl class="facts">
            <dt>Created</dt>
            <dd>{formatDate(item.created)}</dd>
            <dt>Started</dt>
            <dd>{formatDate(item.started)}</dd>
            <dt>Closed</dt>
            <dd>{formatDate(item.closed)}</dd>
            <dt>Updated</dt>
            <dd>{formatDate(item.updated)}</dd>
            {item.epic && (
              <>
                <dt>Epic</dt>
                <dd>
                  <a href={`/items/${encodeURIComponent(item.epic)}`}>{item.epic}</a>
                </dd>
              </>
            )}
            {Object.entries(item.attributes ?? {}).map(([key, value]) => (
              <>
                <dt key={`k-${key}`}>{key}</dt>
                <dd key={`v-${key}`}>{valueText(value)}</dd>
              </>
            ))}
          </dl>

          <h2>References</h2>
          <EntryEditor
            label="References"
            noun="reference"
            entries={(item.references ?? []).map((reference) => {
              const href = safeHttpUrl(reference.url)
              const text = reference.title || reference.url
              return {
                key: reference.url,
                view: href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer">
                    {text}
                  </a>
                ) : (
                  <span>{text}</span>
                ),
              }
            })}
            version={data.version}
            busy={busy}
            write={write}
            remove={(url, version) => api.update(item.id, version, { remove_references: [url] })}
          />
          <AddReference
            version={data.version}
            busy={busy}
            write={write}
            add={(reference, version) => api.update(item.id, version, { add_references: [reference] })}
          />
          <h2>Depends on</h2>
          <EntryEditor
            label="Depends on"
            noun="dependency"
            entries={(item.depends_on ?? []).map((dependency) => {
              const row = dependencyRows.get(idKey(dependency))
              return {
                key: dependency,
                view: row ? (
                  <>
                    <ItemLink row={row} /> <Status value={row.status} />
                  </>
                ) : (
                  <span class="id">{dependency}</span>
                ),
              }
            })}
            version={data.version}
            busy={busy}
            write={write}
            remove={(dependency, version) => api.update(item.id, version, { remove_depends_on: [dependency] })}
            add={(dependency, version) => api.update(item.id, version, { add_depends_on: [dependency] })}
            placeholder="an item id"
          />
          <h2>Dependents</h2>
          <ItemList rows={data.dependents} label="Dependents" />
          <h2>Children</h2>
          <ItemList rows={data.children} label="Children" />
        </aside>
      </div>
    </article>
  )
}

/** A parent chain of more than four: its top, how many are left out, and the two nearest the item. */
function trail<T>(chain: T[]): Array<T | number> {
  if (chain.length <= 4) return chain
  return [chain[0] as T, chain.length - 3, ...chain.slice(-2)]
}
