/** The shell: navigation, the page the URL names, the spotlight, and the statuses every page shares. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks'
import { api } from './api.js'
import { DEFAULT_STATUSES, StatusesContext } from './components.js'
import { useData } from './hooks.js'
import { type LiveState, onLiveState } from './live.js'
import { handleLinkClick, onNavigate } from './nav.js'
import { ActivityPage } from './pages/activity.js'
import { BoardPage } from './pages/board.js'
import { ItemPage } from './pages/item.js'
import { ListPage } from './pages/list.js'
import { ReviewPage } from './pages/review.js'
import { parseRoute, type Route } from './route.js'
import { Spotlight } from './spotlight.js'

const currentRoute = (): Route => parseRoute(location.pathname, location.search)

const NAV: Array<{ label: string; href: string; pages: Route['page'][] }> = [
  { label: 'Board', href: '/board', pages: ['board'] },
  { label: 'List', href: '/list', pages: ['list'] },
  { label: 'Activity', href: '/activity', pages: ['activity'] },
  { label: 'Review', href: '/review', pages: ['review'] },
]

const TITLES: Record<Route['page'], string> = {
  board: 'Board',
  list: 'List',
  item: 'Item',
  activity: 'Activity',
  review: 'Review',
  missing: 'Not found',
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'board':
      return <BoardPage filter={route.filter} />
    case 'list':
      return <ListPage q={route.q} sort={route.sort ?? ''} />
    case 'item':
      return <ItemPage key={route.id} id={route.id} />
    case 'activity':
      return <ActivityPage agent={route.agent} />
    case 'review':
      return <ReviewPage range={route.range} />
    case 'missing':
      return (
        <div>
          <h1>Not found</h1>
          <p>
            Nothing lives at {route.path}. Try the <a href="/board">board</a>.
          </p>
        </div>
      )
  }
}

export function App() {
  const [route, setRoute] = useState(currentRoute)
  const [spotlight, setSpotlight] = useState(false)
  const [statuses, setStatuses] = useState(DEFAULT_STATUSES)

  useEffect(() => onNavigate(() => setRoute(currentRoute())), [])
  useEffect(() => {
    if (route.page !== 'item') document.title = `${TITLES[route.page]} · git-backlog`
  }, [route])
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault()
        setSpotlight((open) => !open)
      }
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('click', handleLinkClick)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('click', handleLinkClick)
    }
  }, [])

  // The board learns the config's statuses; only a real change re-renders the pages.
  const learn = useCallback((next: string[]) => {
    setStatuses((known) => {
      const merged = [
        ...next,
        ...known.filter((status) => !next.includes(status) && !DEFAULT_STATUSES.includes(status)),
      ]
      return merged.join() === known.join() ? known : merged
    })
  }, [])
  const statusesValue = useMemo(() => ({ statuses, learn }), [statuses, learn])

  return (
    <StatusesContext.Provider value={statusesValue}>
      {/* While the search is open, the page behind it is out of reach: of the keyboard, and of the accessibility tree. */}
      <div class="shell" inert={spotlight} aria-hidden={spotlight ? 'true' : undefined}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/board" aria-label="git-backlog home">
            git-backlog
          </a>
          <nav aria-label="Main">
            {NAV.map((link) => (
              <a key={link.href} href={link.href} aria-current={link.pages.includes(route.page) ? 'page' : undefined}>
                {link.label}
              </a>
            ))}
          </nav>
          <button type="button" class="search-button" onClick={() => setSpotlight(true)} aria-keyshortcuts="Control+K">
            Search <kbd>Ctrl K</kbd>
          </button>
        </header>
        <Notices />
        <main id="main" tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
      {spotlight && <Spotlight onClose={() => setSpotlight(false)} />}
    </StatusesContext.Provider>
  )
}

/**
 * What the pages cannot show by themselves: item files that cannot be read (they are missing from every page), and
 * live updates that stopped reaching the page.
 */
function Notices() {
  const [live, setLive] = useState<LiveState>('connecting')
  useEffect(() => onLiveState(setLive), [])
  const unreadable = useData('problems', () => api.items({ limit: 1 }))
  const problems = unreadable.data?.problems ?? []
  return (
    <div class="notices">
      {(live === 'reconnecting' || live === 'stopped') && (
        <p role="status" class="notice">
          Live updates are off ({live === 'stopped' ? 'the server refused them; trying again soon' : 'reconnecting'}
          ): this page shows what it last loaded, and catches up once they are back.
        </p>
      )}
      {problems.length > 0 && (
        <div role="alert" class="notice problems">
          <p>
            {problems.length === 1 ? '1 item file cannot' : `${problems.length} item files cannot`} be read, so the
            pages leave {problems.length === 1 ? 'it' : 'them'} out:
          </p>
          <ul>
            {problems.slice(0, 5).map((problem) => (
              <li key={problem.path}>
                <code>
                  {problem.path}
                  {problem.line ? `:${problem.line}` : ''}
                </code>{' '}
                {problem.reason} {problem.fix}
              </li>
            ))}
          </ul>
          {problems.length > 5 && (
            <p>
              and {problems.length - 5} more: <code>git backlog lint</code> lists them all.
            </p>
          )}
        </div>
      )}
    </div>
  )
}
