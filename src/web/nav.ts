/** Client routing over the History API: one place that changes the URL and tells the app. */

type Listener = () => void
const listeners = new Set<Listener>()

/** Calls `listener` after every navigation (links, back and forward); returns the unsubscribe. */
export function onNavigate(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

window.addEventListener('popstate', () => {
  for (const listener of listeners) listener()
})

/** Goes to `href` in the page; `replace` for a state change that should not add a step to Back (a filter typed). */
export function navigate(href: string, replace = false): void {
  const current = location.pathname + location.search
  if (href === current) return
  if (replace) history.replaceState(null, '', href)
  else {
    history.pushState(null, '', href)
    window.scrollTo(0, 0)
  }
  for (const listener of listeners) listener()
}

/** A click on an in-app link that the app handles (a plain left click; a modified one opens a tab as usual). */
export function handleLinkClick(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  ) {
    return
  }
  const anchor = (event.target as Element | null)?.closest?.('a')
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return
  const url = new URL(anchor.href, location.href)
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return
  event.preventDefault()
  navigate(url.pathname + url.search)
}
