/** The search golden set: queries an agent or a person would type, over a realistic fixture backlog. */

import { beforeAll, describe, expect, it } from 'vitest'
import { ID_ALPHABET } from '../../src/core/ids.js'
import type { Item } from '../../src/core/item.js'
import { createSearchIndex, type SearchableRecord, type SearchOptions } from '../../src/search/search-index.js'
import { ARCHIVED_SEARCH_IDS, searchBacklogItems, searchBacklogRecords } from '../fixtures/search-backlog.js'

const index = createSearchIndex()
const records = searchBacklogRecords()
const byId = new Map(records.map((record) => [record.item.id, record]))

beforeAll(() => {
  index.sync(records)
})

function ids(query: string, options?: SearchOptions): string[] {
  return index.search(query, options).hits.map((hit) => hit.record.item.id)
}

/** All the text search may look at, to check that a hit really contains a word. */
function allText(item: Item): string {
  return [
    item.id,
    item.title,
    item.description,
    ...item.notes.map((note) => note.text),
    ...item.evidence,
    ...item.blocked_reason,
    ...item.tags,
    ...item.references.flatMap((ref) => [ref.title ?? '', ref.url]),
  ].join('\n')
}

describe('the fixture', () => {
  it('is a backlog of about sixty items with unique Crockford ids', () => {
    expect(searchBacklogItems.length).toBeGreaterThanOrEqual(55)
    const seen = new Set(searchBacklogItems.map((item) => item.id))
    expect(seen.size).toBe(searchBacklogItems.length)
    const suffix = new RegExp(`^bl-[${ID_ALPHABET}]{6}$`)
    for (const item of searchBacklogItems) expect(item.id).toMatch(suffix)
  })
})

describe('golden queries: the expected item comes first', () => {
  it.each([
    ['exact title', 'Redesign the login page', 'bl-fbyq9e'],
    ['exact title over a title that repeats the words', 'Dark mode', 'bl-psy8nh'],
    ['id in upper case', 'BL-ZFKNFA', 'bl-zfknfa'],
    ['id', 'bl-k6h2m9', 'bl-k6h2m9'],
    ['both words beat either word', 'login crash', 'bl-zfknfa'],
    ['one word', 'kubernetes', 'bl-gwmj8z'],
    ['one rare word', 'idempotency', 'bl-f2prxf'],
    ['camelCase as written', 'retryWithBackoff', 'bl-cpvqqr'],
    ['camelCase parts', 'retry backoff', 'bl-cpvqqr'],
    ['camelCase parts inside a hook name', 'auth session', 'bl-h5p9v7'],
    ['compound written as one word', 'featurestore', 'bl-sz10bt'],
    ['compound written as two words', 'feature store', 'bl-sz10bt'],
    ['hyphenated word written as one', 'twofactor', 'bl-58s7wc'],
    ['hyphenated word written as two', 'two factor', 'bl-58s7wc'],
    ['snake_case name', 'customer_id', 'bl-hah4v5'],
    ['file name', 'package.json', 'bl-0zetgc'],
    ['plural query, singular text', 'refunds', 'bl-8h259n'],
    ['singular query, plural title', 'invoice', 'bl-6hp34e'],
    ['-ing query, base form in text', 'caching', 'bl-0zetgc'],
    ['-ing query, -ed text', 'rotating', 'bl-16mh7r'],
    ['-ed query, base form in text', 'expired', 'bl-ky9z28'],
    ['-ed query, base form in title', 'translated', 'bl-q11fw1'],
    ['prefix of a long word', 'kube', 'bl-gwmj8z'],
    ['typo: a missing letter', 'kubernets', 'bl-gwmj8z'],
    ['typo in one of two words', 'login crsh', 'bl-zfknfa'],
    ['notes-only word', 'flamegraph', 'bl-0dt7et'],
    ['evidence-only word', 'bisected', 'bl-c1r18s'],
    ['blocked reason only', 'sandbox tenant', 'bl-n5a1sq'],
    ['reference title', 'rfc 6238', 'bl-58s7wc'],
    ['tag-only word', 'k8s', 'bl-gwmj8z'],
    ['two words in title and tags', 'stripe webhooks', 'bl-s3pcyk'],
    ['two words, one of them a plural', 'pull requests', 'bl-20p95n'],
    ['product name in the body', 'PgBouncer', 'bl-a89jdq'],
    ['acronym', 'GDPR', 'bl-c3pa69'],
    ['two acronyms', 'sso saml', 'bl-n5a1sq'],
  ])('%s: %s', (_label, query, expected) => {
    expect(ids(query)[0]).toBe(expected)
  })
})

describe('golden queries: the expected items are in the top 3', () => {
  it.each([
    ['prefix: auth finds authentication', 'auth', ['bl-58s7wc', 'bl-w4d020']],
    ['prefix of a word being typed', 'onboard', ['bl-dm52yx']],
    ['typo: authetication', 'authetication', ['bl-w4d020', 'bl-58s7wc']],
    ['typo: databse', 'databse', ['bl-a89jdq']],
    ['typo: notifcations', 'notifcations', ['bl-866c91', 'bl-tysbrx']],
    ['tag shared by two items only', 'observability', ['bl-1716q2', 'bl-avjm0s']],
    ['three words', 'safari cookies login', ['bl-zfknfa']],
  ])('%s: %s', (_label, query, expected) => {
    const top = ids(query).slice(0, 3)
    for (const id of expected) expect(top).toContain(id)
  })
})

describe('fields that are not indexed', () => {
  it('`done` matches no item by its status', () => {
    expect(records.filter((record) => record.item.status === 'done').length).toBeGreaterThan(5)
    expect(ids('done')).toEqual([])
  })

  it('`open` matches only items whose text says open', () => {
    const hits = ids('open', { limit: 100 })
    expect(new Set(hits)).toEqual(new Set(['bl-gmx8b1', 'bl-p3n72c', 'bl-dtfadk', 'bl-dwetbc']))
    for (const id of hits) expect(allText(byId.get(id)!.item)).toMatch(/open/i)
  })

  it('`epic` finds the item about epics, not the epics', () => {
    expect(ids('epic', { limit: 100 })).toEqual(['bl-at6j1k'])
  })

  it('`in_progress` and `blocked` match words, not statuses', () => {
    expect(ids('in_progress', { limit: 100 })).toEqual(['bl-xrpfqc'])
    const blocked = ids('blocked', { limit: 100 })
    expect(blocked).toContain('bl-zfknfa')
    for (const id of blocked) expect(byId.get(id)!.item.status).not.toBe('blocked')
  })

  it('`urgent` and `task` match words, not priorities and types', () => {
    expect(records.filter((record) => record.item.priority === 'urgent').length).toBeGreaterThan(1)
    expect(ids('urgent')).toEqual([])
    // Nearly every item is a task; only the two whose text says "tasks" match.
    expect(new Set(ids('task', { limit: 100 }))).toEqual(new Set(['bl-p3n72c', 'bl-at6j1k']))
  })
})

describe('hits', () => {
  it('name the fields that matched and quote the best one', () => {
    const [notes] = index.search('flamegraph').hits
    expect(notes?.matched_fields).toEqual(['notes'])
    expect(notes?.snippet).toContain('flamegraph')
    const [evidence] = index.search('bisected').hits
    expect(evidence?.matched_fields).toEqual(['evidence'])
    expect(evidence?.snippet).toContain('Bisected to commit 4f9e2ab')
    const [login] = index.search('login crash').hits
    expect(login?.matched_fields).toEqual(['title', 'description', 'references'])
    expect(login?.snippet).toMatch(/login form crashes/)
  })

  it('keep every snippet within 160 characters', () => {
    for (const query of ['auth', 'the', 'payments', 'search', 'ci', 'database', 'onboarding']) {
      for (const hit of index.search(query, { limit: 100 }).hits) expect(hit.snippet.length).toBeLessThanOrEqual(160)
    }
  })
})

describe('options', () => {
  it('sort: recent returns the same set ordered by latest activity, undated last', () => {
    const relevant = ids('auth', { limit: 100 })
    const recent = ids('auth', { limit: 100, sort: 'recent' })
    expect(new Set(recent)).toEqual(new Set(relevant))
    expect(recent).not.toEqual(relevant)

    const activity = (id: string): number => {
      const item = byId.get(id)!.item
      const dates = [item.created, item.started, item.closed, ...item.notes.map((note) => note.at)]
      return Math.max(-1, ...dates.filter((date) => date !== undefined).map((date) => Date.parse(date)))
    }
    const times = recent.map(activity)
    expect(times).toEqual([...times].sort((a, b) => b - a))
    expect(recent[0]).toBe('bl-ky9z28') // the password reset item, created 2026-02-14
    expect(activity(recent.at(-1)!)).toBe(-1)
  })

  it('applies the accept filter before the limit', () => {
    const open = (record: SearchableRecord) => record.item.status === 'open'
    const unfiltered = ids('auth', { limit: 2 })
    // A filter applied after the limit would leave fewer than two hits here.
    expect(unfiltered.filter((id) => byId.get(id)!.item.status === 'open').length).toBeLessThan(2)

    const result = index.search('auth', { limit: 2, accept: open })
    expect(result.hits).toHaveLength(2)
    for (const hit of result.hits) expect(hit.record.item.status).toBe('open')
    const allOpen = ids('auth', { limit: 100 }).filter((id) => byId.get(id)!.item.status === 'open')
    expect(result.total).toBe(allOpen.length)
    expect(result.hits.map((hit) => hit.record.item.id)).toEqual(allOpen.slice(0, 2))
  })

  it('leaves archived items out through accept', () => {
    expect(ids('travis')).toEqual(['bl-dtfadk'])
    const live = index.search('travis', { accept: (record) => !record.archived })
    expect(live).toEqual({ hits: [], total: 0 })
    for (const id of ARCHIVED_SEARCH_IDS) {
      const title = byId.get(id)!.item.title
      expect(ids(title, { accept: (record) => !record.archived })).not.toContain(id)
    }
  })

  it('counts every accepted match in total, beyond the limit', () => {
    const result = index.search('onboarding', { limit: 2 })
    expect(result.hits).toHaveLength(2)
    expect(result.total).toBe(ids('onboarding', { limit: 100 }).length)
    expect(result.total).toBeGreaterThan(4)
  })
})

describe('after sync', () => {
  it('finds a new item, updates an edited one and forgets a removed one at once', () => {
    const live = createSearchIndex()
    const list = searchBacklogRecords()
    live.sync(list)
    expect(live.search('zeppelin').total).toBe(0)

    const created = { item: { ...list[0]!.item, id: 'bl-7q0zht', title: 'Zeppelin delivery option' }, archived: false }
    live.sync([...list, created])
    expect(live.search('zeppelin').hits.map((hit) => hit.record.item.id)).toEqual(['bl-7q0zht'])

    const position = list.findIndex((record) => record.item.id === 'bl-gwmj8z')
    const edited = list.slice()
    const title = 'Nomad jobs restart when memory spikes'
    edited[position] = { item: { ...list[position]!.item, title }, archived: false }
    edited.push(created)
    live.sync(edited)
    expect(live.search('nomad').hits[0]?.record.item.id).toBe('bl-gwmj8z')
    expect(live.search('kubernetes').total).toBe(0)
    expect(live.matching('nomad')).toEqual(new Set(['bl-gwmj8z']))

    live.sync(edited.filter((record) => record.item.id !== 'bl-7q0zht'))
    expect(live.search('zeppelin').total).toBe(0)
    expect(live.matching('zeppelin').size).toBe(0)
  })
})
