import { describe, expect, it } from 'vitest'
import { blankItem, type Item } from '../core/item.js'
import { createSearchIndex, type SearchableRecord, stemWord } from './search-index.js'

function record(id: string, title: string, fields: Partial<Item> = {}, archived = false): SearchableRecord {
  return { item: Object.assign(blankItem(id, title), fields), archived }
}

function indexOf(...records: SearchableRecord[]) {
  const index = createSearchIndex()
  index.sync(records)
  return index
}

function ids(index: ReturnType<typeof createSearchIndex>, query: string, limit = 50): string[] {
  return index.search(query, { limit }).hits.map((hit) => hit.record.item.id)
}

describe('stemWord', () => {
  it.each([
    ['crash', 'crashes', 'crashed', 'crashing'],
    ['retry', 'retries', 'retried', 'retrying'],
    ['cache', 'caches', 'cached', 'caching'],
    ['create', 'creates', 'created', 'creating'],
    ['log', 'logs', 'logged', 'logging'],
    ['filter', 'filters', 'filtered', 'filtering'],
    ['fix', 'fixes', 'fixed', 'fixing'],
    ['query', 'queries', 'queried', 'querying'],
    ['process', 'processes', 'processed', 'processing'],
  ])('gives %s and its forms one stem', (...forms) => {
    expect(new Set(forms.map(stemWord)).size).toBe(1)
  })

  it('keeps short words, words ending in -ss/-us/-is, and anything with digits or capitals', () => {
    for (const word of ['bug', 'api', 'pass', 'status', 'analysis', 'redis', 'v2', 'k8s', 'oauth2', 'Crashes']) {
      expect(stemWord(word)).toBe(word)
    }
    expect(stemWord('string')).toBe('string') // no vowel would be left before -ing
    expect(stemWord('need')).toBe('need')
  })

  it('does not undouble a short stem', () => {
    expect(stemWord('adding')).toBe('add')
    expect(stemWord('running')).toBe('run')
  })
})

describe('matching words', () => {
  const index = indexOf(
    record('bl-a1', 'HTTPServer drops keep-alive connections'),
    record('bl-a2', 'Rename customer_id to account_id'),
    record('bl-a3', 'Move the feature-store client to its own package'),
    record('bl-a4', 'Überprüfung der Rechnungen', { description: 'Die Prüfung läuft nachts.' }),
    record('bl-a5', 'Each request opens a socket'),
  )

  it('splits camelCase, acronyms included, and keeps the whole word', () => {
    expect(ids(index, 'http server')).toEqual(['bl-a1'])
    expect(ids(index, 'httpserver')).toEqual(['bl-a1'])
    expect(ids(index, 'HTTPServer')).toEqual(['bl-a1'])
  })

  it('splits snake_case and kebab-case, and joins them', () => {
    expect(ids(index, 'customer')).toEqual(['bl-a2'])
    expect(ids(index, 'account_id')).toEqual(['bl-a2'])
    for (const query of ['featurestore', 'feature store', 'feature-store', 'feature_store']) {
      expect(ids(index, query)).toEqual(['bl-a3'])
    }
    expect(ids(index, 'keepalive')).toEqual(['bl-a1'])
  })

  it('reads letters beyond ASCII', () => {
    expect(ids(index, 'überprüfung')).toEqual(['bl-a4'])
    expect(ids(index, 'prüfung')).toEqual(['bl-a4'])
  })

  it('tries typos only when the words as written find nothing', () => {
    // `cach` is one edit from `each`: as `caching` finds nothing exactly, typos are allowed, and `each` is a near miss.
    const cache = indexOf(record('bl-c1', 'Cache the manifest'), record('bl-c2', 'Each run downloads it again'))
    expect(ids(cache, 'caching')).toEqual(['bl-c1'])
    expect(ids(cache, 'manfest')).toEqual(['bl-c1'])
  })

  it('does not index stop words, nor match a query made of them only', () => {
    expect(ids(index, 'the')).toEqual([])
    expect(index.search('   ').hits).toEqual([])
  })
})

describe('ranking', () => {
  it('needs every word, and falls back to any word only when no item has all', () => {
    const index = indexOf(
      record('bl-b1', 'Login page is slow'),
      record('bl-b2', 'Login crash on Safari'),
      record('bl-b3', 'Crash reporter drops events'),
    )
    expect(index.search('login crash')).toMatchObject({ total: 1, hits: [{ record: { item: { id: 'bl-b2' } } }] })
    expect(new Set(ids(index, 'login reporter'))).toEqual(new Set(['bl-b1', 'bl-b2', 'bl-b3']))
    expect(ids(index, 'login reporter').slice(0, 1)).not.toEqual(['bl-b2']) // each matches one word: no winner by luck
  })

  it('puts the item named by an id-shaped query first, whatever the case', () => {
    const index = indexOf(
      record('bl-k3m9x2', 'Parent epic'),
      record('bl-zz0001', 'Child', { description: 'See bl-k3m9x2. Blocked by bl-k3m9x2 and bl-k3m9x2 again.' }),
    )
    expect(ids(index, 'BL-K3M9X2')).toEqual(['bl-k3m9x2', 'bl-zz0001'])
    expect(ids(index, 'k3m9x2')).toEqual(['bl-k3m9x2', 'bl-zz0001'])
    expect(index.search('k3m9x2').hits[0]!.matched_fields).toEqual(['id'])
    const [first, second] = index.search('bl-k3m9x2').hits
    expect(first!.score).toBeGreaterThan(second!.score)
  })

  it('puts an exact title first, and scores still descend', () => {
    const index = indexOf(
      record('bl-d1', 'Dark mode charts in dark mode', { tags: ['dark-mode'], description: 'dark mode dark mode' }),
      record('bl-d2', 'Dark Mode'),
    )
    const { hits } = index.search('  dark   MODE ')
    expect(hits.map((hit) => hit.record.item.id)).toEqual(['bl-d2', 'bl-d1'])
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score)
  })

  it('weighs a title match over a body match', () => {
    const index = indexOf(
      record('bl-e1', 'Tidy the README', { description: 'Mention the webhook settings.' }),
      record('bl-e2', 'Webhook retries'),
    )
    expect(ids(index, 'webhook')).toEqual(['bl-e2', 'bl-e1'])
  })

  it('does not index status, type or priority', () => {
    const index = indexOf(record('bl-f1', 'Something', { status: 'open', type: 'epic', priority: 'urgent' }))
    for (const word of ['open', 'epic', 'urgent', 'something']) {
      expect(ids(index, word)).toEqual(word === 'something' ? ['bl-f1'] : [])
    }
  })
})

describe('hits', () => {
  const long =
    'This paragraph sets the scene with plenty of words that say nothing in particular about the problem at hand, ' +
    'and it keeps going for a while so that the interesting part sits far from the start. The flamegraph shows the ' +
    'renderer spending most of its time in layout, which is where the fix belongs. After that the text goes on and ' +
    'on about other things, unrelated follow-ups, meetings and plans that nobody will read in a search result.'

  it('quote the best field around the first hit, cut at words, within 160 characters', () => {
    const index = indexOf(record('bl-g1', 'Slow renderer', { description: long }))
    const [hit] = index.search('flamegraph').hits
    expect(hit!.matched_fields).toEqual(['description'])
    expect(hit!.snippet.length).toBeLessThanOrEqual(160)
    expect(hit!.snippet).toMatch(/^….*The flamegraph shows the renderer.*…$/)
    expect(long).toContain(` ${hit!.snippet.slice(1, -1)} `) // whole words only
    expect(index.search('flamegraph').hits[0]!.snippet).toBe(hit!.snippet)
  })

  it('quote the start of the text when the hit is there, the end when it is there', () => {
    const index = indexOf(record('bl-g2', 'x', { description: long }))
    const start = index.search('paragraph').hits[0]!.snippet
    expect(start.startsWith('This paragraph')).toBe(true)
    expect(start.endsWith('…')).toBe(true)
    const end = index.search('nobody').hits[0]!.snippet
    expect(end.endsWith('search result.')).toBe(true)
    expect(end.length).toBeGreaterThan(140)
  })

  it('prefer the body to the title, and the description to the tags', () => {
    const index = indexOf(
      record('bl-h1', 'Webhook retries', { notes: [{ at: '2026-01-01T00:00:00Z', text: 'Webhook fired twice.' }] }),
      record('bl-h2', 'Other', { tags: ['webhook'], description: 'Something about deliveries.' }),
      record('bl-h3', 'Webhook', { tags: [] }),
    )
    const snippets = Object.fromEntries(index.search('webhook').hits.map((hit) => [hit.record.item.id, hit]))
    expect(snippets['bl-h1']).toMatchObject({ matched_fields: ['title', 'notes'], snippet: 'Webhook fired twice.' })
    expect(snippets['bl-h2']).toMatchObject({ matched_fields: ['tags'], snippet: 'Something about deliveries.' })
    expect(snippets['bl-h3']).toMatchObject({ matched_fields: ['title'], snippet: 'Webhook' })
  })

  it('list references and evidence among matched fields', () => {
    const index = indexOf(
      record('bl-j1', 'Upgrade', {
        references: [{ url: 'https://example.com/changelog', title: 'Vendor changelog' }],
        evidence: ['changelog reviewed'],
      }),
    )
    expect(index.search('changelog').hits[0]!.matched_fields).toEqual(['evidence', 'references'])
  })
})

describe('search options', () => {
  const many = Array.from({ length: 30 }, (_, i) =>
    record(`bl-m${String(i).padStart(2, '0')}`, `Payment task ${i}`, {
      status: i % 3 === 0 ? 'open' : 'done',
      created: i < 25 ? `2026-01-${String(i + 1).padStart(2, '0')}` : undefined,
    }),
  )
  const index = indexOf(...many)

  it('limits hits, counts all matches, and filters before the limit', () => {
    expect(index.search('payment').hits).toHaveLength(20)
    expect(index.search('payment', { limit: 5 })).toMatchObject({ total: 30 })
    const open = index.search('payment', { limit: 4, accept: (r) => r.item.status === 'open' })
    expect(open.total).toBe(10)
    expect(open.hits).toHaveLength(4)
    for (const hit of open.hits) expect(hit.record.item.status).toBe('open')
  })

  it('sorts by latest activity on request, notes included, undated last', () => {
    const noted = record('bl-n1', 'Payment notes', {
      created: '2025-01-01',
      notes: [{ at: '2026-03-01T10:00:00Z', text: 'still failing' }],
    })
    const mixed = indexOf(...many, noted)
    const recent = mixed.search('payment', { sort: 'recent', limit: 100 }).hits.map((hit) => hit.record.item.id)
    expect(recent.slice(0, 3)).toEqual(['bl-n1', 'bl-m24', 'bl-m23'])
    expect(new Set(recent.slice(-5))).toEqual(new Set(['bl-m25', 'bl-m26', 'bl-m27', 'bl-m28', 'bl-m29']))
    expect(recent).toHaveLength(31)
  })
})

describe('sync', () => {
  it('re-indexes a record only when a new object replaces it', () => {
    const first = record('bl-p1', 'Alpha')
    const index = indexOf(first)
    // Records are immutable by contract: an in-place edit is not seen, even with a new array.
    first.item.title = 'Beta'
    index.sync([first])
    expect(ids(index, 'alpha')).toEqual(['bl-p1'])
    expect(ids(index, 'beta')).toEqual([])

    index.sync([record('bl-p1', 'Beta')])
    expect(ids(index, 'alpha')).toEqual([])
    expect(ids(index, 'beta')).toEqual(['bl-p1'])
  })

  it('ignores a second call with the same array', () => {
    const list = [record('bl-q1', 'Alpha')]
    const index = indexOf(...list)
    index.sync(list)
    list.push(record('bl-q2', 'Alpha again'))
    index.sync(list)
    expect(ids(index, 'alpha')).toEqual(['bl-q1'])
  })

  it('adds, removes and re-adds items, matching ids in any case', () => {
    const index = createSearchIndex()
    const a = record('BL-R1', 'Gamma')
    const b = record('bl-r2', 'Gamma delta')
    index.sync([a, b])
    expect(index.matching('gamma')).toEqual(new Set(['bl-r1', 'bl-r2']))
    index.sync([b])
    expect(index.matching('gamma')).toEqual(new Set(['bl-r2']))
    expect(index.search('bl-r1').total).toBe(0)
    index.sync([a, b])
    expect(ids(index, 'bl-r1')[0]).toBe('BL-R1')
    index.sync([])
    expect(index.search('gamma')).toEqual({ hits: [], total: 0 })
  })

  it('keeps the last of two records with one id', () => {
    const index = indexOf(record('bl-s1', 'Old title'), record('BL-S1', 'New title'))
    expect(ids(index, 'title')).toEqual(['BL-S1'])
    expect(ids(index, 'old')).toEqual([])
  })
})

describe('matching', () => {
  const index = indexOf(
    record('bl-t1', 'Login crash on Safari'),
    record('bl-t2', 'Login page redesign'),
    record('bl-t3', 'Database pool exhausted'),
  )

  it('returns the ids that match every word, exactly or as a prefix, never by a typo', () => {
    expect(index.matching('login')).toEqual(new Set(['bl-t1', 'bl-t2']))
    expect(index.matching('login crash')).toEqual(new Set(['bl-t1']))
    expect(index.matching('log')).toEqual(new Set(['bl-t1', 'bl-t2']))
    // A filter may choose what a bulk update changes: near misses stay out (search still finds them).
    expect(index.matching('databse')).toEqual(new Set())
    expect(index.search('databse').hits.map((hit) => hit.record.item.id)).toEqual(['bl-t3'])
  })

  it('never falls back to any word', () => {
    expect(index.matching('login database')).toEqual(new Set())
  })

  it('finds similar items by shared title words, never the item itself', () => {
    const first = index.search('bl-t1').hits[0]!.record.item
    expect(index.similar(first).map((found) => found.item.id)).toEqual(['bl-t2'])
    expect(index.similar(first, { accept: () => false })).toEqual([])
  })

  it('matches nothing for words that are all stop words', () => {
    expect(index.matching('the')).toEqual(new Set())
  })
})

describe('keeping in step with the store', () => {
  it('answers after a series of position-stable writes as an index built fresh on the result', () => {
    const words = ['login', 'crash', 'payment', 'webhook', 'cache', 'timeout', 'export', 'session']
    let records: SearchableRecord[] = Array.from({ length: 200 }, (_, i) =>
      record(`bl-${String(i).padStart(4, '0')}`, `${words[i % 8]} ${words[(i * 3) % 8]} ${i}`),
    )
    const kept = indexOf(...records)
    let next = 200
    for (let step = 0; step < 80; step++) {
      records = [...records]
      const at = (step * 37) % records.length
      if (step % 5 === 0) records.push(record(`bl-${next++}`, `${words[step % 8]} new ${step}`))
      else if (step % 5 === 1) {
        const last = records.pop()!
        if (at < records.length) records[at] = last
      } else records[at] = record(records[at]!.item.id, `${words[(step * 5) % 8]} edited ${step}`)
      kept.sync(records)
      const fresh = indexOf(...records)
      // The same hits. Not the same order: ties come in the order items were indexed, and a replaced item's old
      // terms still count in term frequencies until MiniSearch vacuums (as with every sync since the first).
      const scored = (index: ReturnType<typeof createSearchIndex>, query: string) =>
        index
          .search(query, { limit: 500 })
          .hits.map((hit) => hit.record.item.id)
          .sort()
      for (const query of [...words, 'edited', 'new']) {
        expect(scored(kept, query), `${step} ${query}`).toEqual(scored(fresh, query))
      }
    }
  })
})
