/** Ctrl+K (Cmd+K): a search box over /api/search; arrows choose, Enter opens, Esc closes and gives focus back. */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks'
import { api, errorText, type ItemRow } from './api.js'
import { navigate } from './nav.js'
import { itemHref } from './route.js'

const TYPING_MS = 120

export function Spotlight({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState('')
  const [results, setResults] = useState<Array<ItemRow & { snippet?: string }>>([])
  const [active, setActive] = useState(0)
  const [error, setError] = useState<string | undefined>()
  const input = useRef<HTMLInputElement>(null)
  const latest = useRef(0)

  // Focused before the next key arrives, so what is typed right after Ctrl+K lands in the box.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null
    input.current?.focus()
    return () => before?.focus?.()
  }, [])

  useEffect(() => {
    const text = query.trim()
    if (!text) {
      setResults([])
      return
    }
    const request = ++latest.current
    const timer = setTimeout(async () => {
      try {
        const found = await api.search(text, 20)
        if (request !== latest.current) return
        setResults(found.items)
        setActive(0)
        setError(undefined)
      } catch (caught) {
        if (request === latest.current) setError(errorText(caught))
      }
    }, TYPING_MS)
    return () => clearTimeout(timer)
  }, [query])

  function open(row: ItemRow | undefined) {
    if (!row) return
    onClose()
    navigate(itemHref(row.id))
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click on the backdrop closes the dialog; Esc does too
    <div
      class="backdrop"
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose()
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault()
          onClose()
        }
      }}
    >
      <div role="dialog" aria-modal="true" aria-label="Search" class="spotlight">
        <input
          ref={input}
          type="text"
          aria-label="Search"
          placeholder="Search items…"
          aria-controls="spotlight-results"
          aria-activedescendant={results[active] ? `spotlight-${active}` : undefined}
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') {
              event.preventDefault()
              setActive((index) => Math.min(index + 1, results.length - 1))
            } else if (event.key === 'ArrowUp') {
              event.preventDefault()
              setActive((index) => Math.max(index - 1, 0))
            } else if (event.key === 'Enter') {
              event.preventDefault()
              open(results[active])
            }
          }}
        />
        {error && (
          <div role="alert" class="alert">
            {error}
          </div>
        )}
        <div role="listbox" id="spotlight-results" aria-label="Results" class="results">
          {results.map((row, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard chooses from the input (arrows and Enter)
            <div
              key={row.id}
              id={`spotlight-${index}`}
              role="option"
              tabIndex={-1}
              aria-selected={index === active}
              class={index === active ? 'active' : ''}
              onClick={() => open(row)}
              onMouseMove={() => setActive(index)}
            >
              <span class="id">{row.id}</span> <span class="title">{row.title}</span>{' '}
              <span class="muted small">{row.status}</span>
              {row.snippet && <div class="muted small snippet">{row.snippet}</div>}
            </div>
          ))}
          {query.trim() && results.length === 0 && !error && <div class="muted small">No matches.</div>}
        </div>
      </div>
    </div>
  )
}
