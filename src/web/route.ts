/** The viewer's routes: what a URL shows, and the URL of each page, so the address bar holds the whole state. */

export type Route =
  | { page: 'board'; filter: string }
  | { page: 'list'; q: string; sort?: string }
  | { page: 'item'; id: string }
  | { page: 'activity'; agent: string }
  | { page: 'review'; range: string }
  | { page: 'missing'; path: string }

/**
 * The route of a location's path and query string.
 *
 * @example
 * parseRoute('/items/bl-x9', '') // { page: 'item', id: 'bl-x9' }
 */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search)
  const path = pathname.replace(/\/+$/, '') || '/'
  if (path === '/' || path === '/board') return { page: 'board', filter: params.get('filter') ?? '' }
  if (path === '/list') {
    const sort = params.get('sort')
    return sort ? { page: 'list', q: params.get('q') ?? '', sort } : { page: 'list', q: params.get('q') ?? '' }
  }
  if (path === '/activity') return { page: 'activity', agent: params.get('agent') ?? '' }
  if (path === '/review') return { page: 'review', range: params.get('range') ?? '' }
  const item = /^\/items\/([^/]+)$/.exec(path)
  if (item?.[1]) {
    try {
      return { page: 'item', id: decodeURIComponent(item[1]) }
    } catch {
      return { page: 'missing', path }
    }
  }
  return { page: 'missing', path }
}

/** A path with a query string, leaving out empty parameters. */
function withQuery(path: string, params: Record<string, string>): string {
  const query = new URLSearchParams(Object.entries(params).filter(([, value]) => value !== ''))
  const text = query.toString()
  return text ? `${path}?${text}` : path
}

/**
 * The URL of a route: the inverse of {@link parseRoute}.
 *
 * @example
 * routeHref({ page: 'list', q: 'status:open' }) // '/list?q=status%3Aopen'
 */
export function routeHref(route: Route): string {
  switch (route.page) {
    case 'board':
      return withQuery('/board', { filter: route.filter })
    case 'list':
      return withQuery('/list', { q: route.q, sort: route.sort ?? '' })
    case 'item':
      return `/items/${encodeURIComponent(route.id)}`
    case 'activity':
      return withQuery('/activity', { agent: route.agent })
    case 'review':
      return withQuery('/review', { range: route.range })
    case 'missing':
      return route.path
  }
}

/** The href of an item's page. */
export function itemHref(id: string): string {
  return routeHref({ page: 'item', id })
}
