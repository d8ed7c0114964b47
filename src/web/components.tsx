/** Small pieces the pages share: links, alerts, badges, and the statuses of this backlog. */
import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { ApiError, type ItemRow } from './api.js'
import { itemHref } from './route.js'

export const DEFAULT_STATUSES = ['open', 'in_progress', 'blocked', 'done', 'cancelled']
export const PRIORITIES = ['urgent', 'high', 'medium', 'low']

/** The statuses of this backlog's config, in order (from the board's columns once loaded). */
export const StatusesContext = createContext<{ statuses: string[]; learn: (statuses: string[]) => void }>({
  statuses: DEFAULT_STATUSES,
  learn: () => {},
})

export function useStatuses(): string[] {
  return useContext(StatusesContext).statuses
}

/** A message a person should notice: a conflict or a failure. Screen readers announce it. */
export function Alert({ children, onDismiss }: { children: ComponentChildren; onDismiss?: () => void }) {
  return (
    <div class="alert">
      <span role="alert">{children}</span>
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  )
}

/** A failed load, as text. */
export function LoadError({ error, what }: { error: unknown; what: string }) {
  const text = error instanceof ApiError ? `${error.code}: ${error.message}` : String(error)
  return (
    <Alert>
      Could not load {what}. {text}
    </Alert>
  )
}

export function ItemLink({ row }: { row: Pick<ItemRow, 'id' | 'title'> }) {
  return (
    <a href={itemHref(row.id)}>
      <span class="id">{row.id}</span> {row.title}
    </a>
  )
}

export function Priority({ value }: { value: string | undefined }) {
  if (!value) return null
  return <span class={`badge priority priority-${value}`}>{value}</span>
}

export function Status({ value }: { value: string }) {
  return <span class={`badge status status-${value}`}>{value.replace(/_/g, ' ')}</span>
}

export function Tags({ tags }: { tags: string[] | undefined }) {
  if (!tags?.length) return null
  return (
    <span class="tags">
      {tags.map((tag) => (
        <span class="tag" key={tag}>
          +{tag}
        </span>
      ))}
    </span>
  )
}

/** Items as a list of links, or a dash. */
export function ItemList({ rows, label }: { rows: ItemRow[] | undefined; label: string }) {
  if (!rows?.length) return <p class="muted">—</p>
  return (
    <ul aria-label={label} class="links">
      {rows.map((row) => (
        <li key={row.id}>
          <ItemLink row={row} /> <Status value={row.status} />
        </li>
      ))}
    </ul>
  )
}
