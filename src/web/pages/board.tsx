/** The board: one column per status, cards dragged (or moved with `m`) between them, each move a write with `expect`. */
import { useContext, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { api, type Board, type BoardColumn, errorText, type ItemRow } from '../api.js'
import { Alert, FilterForm, LoadError, Priority, StatusesContext, Tags } from '../components.js'
import { useData } from '../hooks.js'
import { navigate } from '../nav.js'
import { itemHref, routeHref } from '../route.js'

/** Cards a column renders at first and per "Show more": 10,000 items stay fast because only these are in the DOM. */
const PAGE = 100

export function BoardPage({ filter }: { filter: string }) {
  const { learn } = useContext(StatusesContext)
  // Each column is cut to `limit` cards by the server, so 10,000 items never cross the wire; "Show more" asks for more.
  const [limit, setLimit] = useState(PAGE)
  useEffect(() => setLimit(PAGE), [filter])
  const board = useData<Board>(`board:${filter}:${limit}`, () => api.board(filter, limit))
  const [message, setMessage] = useState<string | undefined>()
  useEffect(() => {
    if (board.data) learn(board.data.columns.map((column) => column.status))
  }, [board.data, learn])

  async function move(id: string, to: string) {
    const data = board.data
    if (!data) return
    const from = data.columns.find((column) => column.items.some((row) => row.id === id))
    const row = from?.items.find((candidate) => candidate.id === id)
    if (!from || !row || from.status === to) return
    // Shown at once; the answer (or the refresh after a refusal) settles it.
    board.set({
      ...data,
      columns: data.columns.map((column) =>
        column.status === from.status
          ? { ...column, total: column.total - 1, items: column.items.filter((other) => other.id !== id) }
          : column.status === to
            ? { ...column, total: column.total + 1, items: [{ ...row, status: to }, ...column.items] }
            : column,
      ),
    })
    // A card moved with the keyboard keeps the focus in its new column.
    const hadFocus = (document.activeElement as HTMLElement | null)?.closest?.('article')?.dataset.id === id
    if (hadFocus)
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`article[data-id="${CSS.escape(id)}"]`)?.focus())
    try {
      // The card carries the version of the item the board read: if the item changed since (moved by someone else,
      // say), the server refuses the move as CONFLICT instead of undoing their change.
      await api.update(id, row.version, { status: to })
      setMessage(undefined)
    } catch (error) {
      setMessage(`${row.id} was not moved: ${errorText(error)}`)
    }
    await board.reload()
  }

  return (
    <div class="board-page">
      <div class="toolbar">
        <h1>Board</h1>
        <FilterForm
          label="Board query"
          placeholder="filter, e.g. +ui priority.above:low"
          value={filter}
          href={(text) => routeHref({ page: 'board', filter: text })}
        />
      </div>
      {message && <Alert onDismiss={() => setMessage(undefined)}>{message}</Alert>}
      {board.error !== undefined && <LoadError error={board.error} what="the board" />}
      {board.data && (
        <div class="board">
          {board.data.columns.map((column) => (
            <Column
              key={column.status}
              column={column}
              statuses={board.data?.columns.map((other) => other.status) ?? []}
              onMove={move}
              onMore={() => setLimit(limit + PAGE)}
            />
          ))}
        </div>
      )}
      {!board.data && board.loading && <p class="muted">Loading…</p>}
    </div>
  )
}

function Column({
  column,
  statuses,
  onMove,
  onMore,
}: {
  column: BoardColumn
  statuses: string[]
  onMove: (id: string, to: string) => void
  onMore: () => void
}) {
  const [over, setOver] = useState(false)
  const rows = column.items
  const wip = column.wip ?? column.items.filter((row) => row.assignee).length
  const overLimit = column.limit !== undefined && column.total > column.limit
  return (
    <section
      aria-label={column.status}
      data-status={column.status}
      class={`column${over ? ' over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault()
        if (event.dataTransfer) event.dataTransfer.dropEffect = 'move'
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault()
        setOver(false)
        const id = event.dataTransfer?.getData('text/plain')
        if (id) onMove(id, column.status)
      }}
    >
      <header class="column-head">
        <h2>{column.status.replace(/_/g, ' ')}</h2>
        <span
          class={`count${overLimit ? ' over-limit' : ''}`}
          data-count={column.total}
          {...(column.limit === undefined ? {} : { 'data-limit': column.limit })}
          title={
            column.limit === undefined
              ? 'items in this column'
              : `items in this column, of a limit of ${column.limit} (wip_limits in .backlog/config.yml)${overLimit ? ': over it' : ''}`
          }
        >
          {column.total}
          {column.limit !== undefined ? ` / ${column.limit}` : ''}
          {overLimit && <span class="visually-hidden">, over the limit</span>}
        </span>
        <span class="wip" title="work in progress: cards with an assignee">
          WIP {wip}
        </span>
      </header>
      <div class="cards">
        {rows.map((row) => (
          <Card key={row.id} row={row} statuses={statuses} onMove={onMove} />
        ))}
      </div>
      {column.total > column.items.length && column.items.length >= PAGE && (
        <button type="button" class="more" onClick={onMore}>
          Show more ({column.total - column.items.length} more)
        </button>
      )}
      {column.total > column.items.length && column.items.length < PAGE && (
        <p class="muted small">
          {column.total - column.items.length} more not shown (
          <a href={routeHref({ page: 'list', q: `status:${column.status}` })}>see the list</a>)
        </p>
      )}
    </section>
  )
}

/** Focus moves between cards with the arrow keys: up and down in a column, left and right across columns. */
function moveFocus(card: HTMLElement, key: string): void {
  const section = card.closest('section')
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    const sibling = key === 'ArrowUp' ? card.previousElementSibling : card.nextElementSibling
    ;(sibling as HTMLElement | null)?.focus()
    return
  }
  const columns = [...(card.closest('.board')?.querySelectorAll('section') ?? [])]
  const index = columns.indexOf(section as HTMLElement)
  const next = columns[index + (key === 'ArrowLeft' ? -1 : 1)]
  next?.querySelector<HTMLElement>('article')?.focus()
}

function Card({
  row,
  statuses,
  onMove,
}: {
  row: ItemRow
  statuses: string[]
  onMove: (id: string, to: string) => void
}) {
  const [moving, setMoving] = useState(false)
  const cardRef = useRef<HTMLElement>(null)
  const selectRef = useRef<HTMLSelectElement>(null)
  const browsing = useRef(false)
  // Before the next key arrives: the key after `m` is meant for the menu, not the card.
  useLayoutEffect(() => {
    browsing.current = false
    if (moving) selectRef.current?.focus()
  }, [moving])
  function commit(to: string) {
    setMoving(false)
    cardRef.current?.focus()
    if (to) onMove(row.id, to)
  }
  return (
    // A card is focusable so the keyboard can move it (`m`) and open it (Enter), as the browser tests expect.
    <article
      ref={cardRef}
      data-id={row.id}
      draggable={true}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable, so the keyboard can move (m) and open (Enter) it
      tabIndex={0}
      class="card"
      aria-label={`${row.id} ${row.title}`}
      aria-keyshortcuts="m Enter"
      onDragStart={(event) => {
        event.dataTransfer?.setData('text/plain', row.id)
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move'
      }}
      onKeyDown={(event) => {
        if (event.target !== event.currentTarget) return
        if (event.key === 'm' || event.key === 'M') {
          event.preventDefault()
          setMoving(true)
        } else if (event.key === 'Enter') {
          navigate(itemHref(row.id))
        } else if (event.key.startsWith('Arrow')) {
          event.preventDefault()
          moveFocus(event.currentTarget, event.key)
        }
      }}
    >
      <a class="card-title" href={itemHref(row.id)} tabIndex={-1} draggable={false}>
        {row.title}
      </a>
      <div class="card-meta">
        <span class="id">{row.id}</span>
        <Priority value={row.priority} />
        {row.assignee && <span class="assignee">@{row.assignee}</span>}
        <Tags tags={row.tags} />
      </div>
      {moving && (
        <select
          ref={selectRef}
          aria-label="Move to…"
          onChange={(event) => {
            // Chrome changes a closed select on every arrow key: browsing the statuses moves nothing until Enter.
            if (!browsing.current) commit(event.currentTarget.value)
          }}
          onBlur={() => setMoving(false)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.preventDefault()
              setMoving(false)
              cardRef.current?.focus()
            } else if (event.key === 'Enter') {
              event.preventDefault()
              commit(event.currentTarget.value)
            } else if ((event.key === 'ArrowDown' || event.key === 'ArrowUp') && !event.altKey) {
              browsing.current = true
            } else {
              browsing.current = false
            }
          }}
        >
          <option value="">Move to…</option>
          {statuses
            .filter((status) => status !== row.status)
            .map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
        </select>
      )}
    </article>
  )
}
