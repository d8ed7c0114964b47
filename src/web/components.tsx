/** Small pieces the pages share: links, alerts, badges, the filter form, and the statuses of this backlog. */
import type { ComponentChildren } from 'preact'
import { createContext } from 'preact'
import { useContext, useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, type ItemRow } from './api.js'
import { navigate } from './nav.js'
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

/**
 * The one-field form at the top of the board, list, activity and review pages. Its text is the page's state in the
 * URL: submitting goes to `href(text)` (replacing the history entry unless `replace` is false), and with `typingMs` a
 * pause in typing does too. The field follows the URL when it changes (Back, Forward, a link).
 */
export function FilterForm({
  label,
  value,
  href,
  placeholder,
  replace = true,
  typingMs,
  submit,
}: {
  /** The field's accessible name. */
  label: string
  /** The text in the URL now. */
  value: string
  /** The URL that shows `text`. */
  href: (text: string) => string
  placeholder?: string
  replace?: boolean
  typingMs?: number
  /** A submit button's text; without it, Enter submits. */
  submit?: string
}) {
  const [draft, setDraft] = useState(value)
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => setDraft(value), [value])
  useEffect(() => () => clearTimeout(typing.current), [])

  function apply(text: string): void {
    clearTimeout(typing.current)
    navigate(href(text.trim()), replace)
  }

  return (
    <form
      class="filter"
      onSubmit={(event) => {
        event.preventDefault()
        apply(draft)
      }}
    >
      <input
        type="text"
        aria-label={label}
        placeholder={placeholder}
        value={draft}
        onInput={(event) => {
          const text = event.currentTarget.value
          setDraft(text)
          if (typingMs === undefined) return
          clearTimeout(typing.current)
          typing.current = setTimeout(() => apply(text), typingMs)
        }}
      />
      {submit && <button type="submit">{submit}</button>}
    </form>
  )
}
