/**
 * The item page's editors of list fields (dependencies, references, blocked reasons): each entry removed by its own
 * button, a new one added by a small form; every change one write, checked against the version the person saw.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { Written } from '../api.js'

/**
 * Text being edited and the version it began from: the first keystroke fixes the version, so the save is checked
 * against what the person saw when they began, not the version live updates have moved the page to since.
 */
export interface Edit<T> {
  value: T
  /** The version the edit began from; undefined until the first keystroke. */
  base: string | undefined
  edit(next: T): void
  reset(): void
  /** Keeps the text but forgets the version: after a refusal the person has seen the item as it is now. */
  rebase(): void
}

export function useEdit<T>(empty: T, version: string | undefined): Edit<T> {
  const [value, setValue] = useState<T>(empty)
  const [base, setBase] = useState<string | undefined>(undefined)
  return {
    value,
    base,
    edit(next) {
      if (base === undefined) setBase(version)
      setValue(next)
    },
    reset() {
      setValue(empty)
      setBase(undefined)
    },
    rebase() {
      setBase(undefined)
    },
  }
}

/**
 * One write of the page: `run` with the version to expect (`base`, the version an edit began at, or the page's);
 * `after` on success. Resolves true if it was written; a refusal is shown by the page.
 */
export type Write = (run: (version: string) => Promise<Written>, after?: () => void, base?: string) => Promise<boolean>

/** Sends an edit's text; a refused one keeps its text, and a retry is checked against the item as it is now. */
export function submit<T>(draft: Edit<T>, write: Write, run: (version: string) => Promise<Written>): void {
  void write(run, draft.reset, draft.base).then((written) => {
    if (!written) draft.rebase()
  })
}

export interface Entry {
  /** What a removal names to the API (an id, a URL, the text). */
  key: string
  /** How the entry reads on the page. */
  view: ComponentChildren
}

/**
 * A list of entries, each with a Remove button named after it, and a form that adds one. `noun` names both for
 * assistive technology ("Remove dependency bl-x9", "New dependency", "Add dependency").
 */
export function EntryEditor({
  label,
  noun,
  entries,
  version,
  busy,
  write,
  remove,
  add,
  placeholder,
}: {
  /** The list's accessible name. */
  label: string
  noun: string
  entries: Entry[]
  version: string
  busy: boolean
  write: Write
  remove: (key: string, version: string) => Promise<Written>
  /** Without it, entries can only be removed. */
  add?: (text: string, version: string) => Promise<Written>
  placeholder?: string
}) {
  const draft = useEdit('', version)
  return (
    <>
      {entries.length ? (
        <ul aria-label={label} class="links editable">
          {entries.map((entry) => (
            <li key={entry.key}>
              {entry.view}{' '}
              <button
                type="button"
                class="link"
                aria-label={`Remove ${noun} ${entry.key}`}
                disabled={busy}
                onClick={() => void write((now) => remove(entry.key, now))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">—</p>
      )}
      {add && (
        <form
          class="add-entry"
          onSubmit={(event) => {
            event.preventDefault()
            const text = draft.value.trim()
            if (text) submit(draft, write, (now) => add(text, now))
          }}
        >
          <input
            aria-label={`New ${noun}`}
            placeholder={placeholder}
            value={draft.value}
            onInput={(event) => draft.edit(event.currentTarget.value)}
          />
          <button type="submit" disabled={busy || !draft.value.trim()}>
            Add {noun}
          </button>
        </form>
      )}
    </>
  )
}

/** The form that adds a reference: a URL and, if given, its title. */
export function AddReference({
  version,
  busy,
  write,
  add,
}: {
  version: string
  busy: boolean
  write: Write
  add: (reference: { url: string; title?: string }, version: string) => Promise<Written>
}) {
  const draft = useEdit({ url: '', title: '' }, version)
  const url = draft.value.url.trim()
  const title = draft.value.title.trim()
  return (
    <form
      class="add-entry"
      onSubmit={(event) => {
        event.preventDefault()
        if (url) submit(draft, write, (now) => add(title ? { url, title } : { url }, now))
      }}
    >
      <input
        type="url"
        aria-label="Reference URL"
        placeholder="https://…"
        required
        value={draft.value.url}
        onInput={(event) => draft.edit({ ...draft.value, url: event.currentTarget.value })}
      />
      <input
        aria-label="Reference title"
        placeholder="title (optional)"
        value={draft.value.title}
        onInput={(event) => draft.edit({ ...draft.value, title: event.currentTarget.value })}
      />
      <button type="submit" disabled={busy || !url}>
        Add reference
      </button>
    </form>
  )
}
