import { describe, expect, it } from 'vitest'
import { parseRoute, type Route, routeHref } from './route.js'

describe('parseRoute', () => {
  it('reads each page and its state from the URL', () => {
    expect(parseRoute('/', '')).toEqual({ page: 'board', filter: '' })
    expect(parseRoute('/board', '?filter=%2Bui')).toEqual({ page: 'board', filter: '+ui' })
    expect(parseRoute('/list', '?q=status%3Aopen+priority.above%3Alow')).toEqual({
      page: 'list',
      q: 'status:open priority.above:low',
    })
    expect(parseRoute('/items/bl-x9', '')).toEqual({ page: 'item', id: 'bl-x9' })
    expect(parseRoute('/items/TASK-0001/', '')).toEqual({ page: 'item', id: 'TASK-0001' })
    expect(parseRoute('/activity', '?agent=claude')).toEqual({ page: 'activity', agent: 'claude' })
    expect(parseRoute('/review', '?range=main..feature')).toEqual({ page: 'review', range: 'main..feature' })
  })

  it('names what it does not know, and survives a broken escape', () => {
    expect(parseRoute('/nowhere', '')).toEqual({ page: 'missing', path: '/nowhere' })
    expect(parseRoute('/items/%E0%A4%A', '')).toEqual({ page: 'missing', path: '/items/%E0%A4%A' })
  })
})

describe('routeHref', () => {
  it('is the inverse of parseRoute, leaving empty state out of the URL', () => {
    const routes: Route[] = [
      { page: 'board', filter: '' },
      { page: 'board', filter: '+ui status:open' },
      { page: 'list', q: 'status:open priority.above:low +READY' },
      { page: 'list', q: '', sort: 'due' },
      { page: 'item', id: 'bl-x9/../odd id' },
      { page: 'activity', agent: '' },
      { page: 'review', range: 'main..i14' },
    ]
    for (const route of routes) {
      const url = new URL(routeHref(route), 'http://localhost')
      expect(parseRoute(url.pathname, url.search)).toEqual(route)
    }
    expect(routeHref({ page: 'list', q: '' })).toBe('/list')
    expect(routeHref({ page: 'item', id: 'a/b' })).toBe('/items/a%2Fb')
  })
})
