/** Full-text search over items: a MiniSearch index kept in step with the store's records; stemming, prefixes, typos. */

import MiniSearch, { type MatchInfo, type Query, type SearchResult } from 'minisearch'
import { idKey } from '../core/ids.js'
import { type Item, latestActivity } from '../core/item.js'

/** What the index needs of a record: the store's ItemRecord satisfies it. */
export interface SearchableRecord {
  item: Item
  archived: boolean
}

export interface SearchOptions<R extends SearchableRecord = SearchableRecord> {
  /** At most this many hits (default 20). */
  limit?: number
  /**
   * `recent`: the same result set, ordered by when each item last changed (`changedAt`, or else its latest dated
   * activity: created, started, closed, notes), undated last, ties by relevance. The limit applies after this ordering.
   */
  sort?: 'relevant' | 'recent'
  /** When the record last changed (epoch ms), e.g. from history: what `recent` orders by. */
  changedAt?: (record: R) => number | undefined
  /** The caller's filters; applied before the limit, so `total` counts accepted results only. */
  accept?: (record: R) => boolean
}

export interface SearchHit<R extends SearchableRecord = SearchableRecord> {
  record: R
  score: number
  /** Fields where a query term matched, in the order of SEARCH_FIELDS. */
  matched_fields: string[]
  /** At most 160 characters of the best matching field, around its first hit. */
  snippet: string
}

export interface SearchIndex<R extends SearchableRecord = SearchableRecord> {
  /**
   * Brings the index up to date with these records: only changed ones (by object identity: the store hands out a
   * new record object when an item changes) are re-indexed; missing ones are removed. Cheap when nothing changed
   * (same array identity → return at once).
   */
  sync(records: readonly R[]): void
  search(query: string, options?: SearchOptions<R>): { hits: SearchHit<R>[]; total: number }
  /**
   * Ids (lower-case, idKey) of items matching all the words, exactly or as a prefix, for the filter language's bare
   * words. Strict on purpose, as a filter may select what a bulk update changes: no typo matches (`caching` must not
   * reach "each"), and words that are all stop words (`the`) match nothing.
   */
  matching(words: string): Set<string>
  /**
   * Items that share words with this one (its title and tags), best first, itself left out: any word, exact terms
   * only, so a context call stays cheap even when the title is made of common words.
   */
  similar(item: Item, options?: { limit?: number; accept?: (record: R) => boolean }): R[]
}

/** The indexed fields. Status, type and priority are left out on purpose: `open` must not match every open item. */
export const SEARCH_FIELDS = [
  'id',
  'title',
  'description',
  'notes',
  'evidence',
  'blocked_reason',
  'tags',
  'references',
] as const
export type SearchField = (typeof SEARCH_FIELDS)[number]

const BOOST: Record<string, number> = { title: 3, tags: 2 }
/** Prefix matches (abbreviations: `auth`) weigh more than typos (`auth` ~ `path`); MiniSearch's defaults do not. */
const WEIGHTS = { prefix: 0.5, fuzzy: 0.3 }
const MAX_FUZZY = 2
const DEFAULT_LIMIT = 20
const SNIPPET_LENGTH = 160
/** Context kept before the first hit when a snippet must be cut. */
const SNIPPET_LEAD = 50
/**
 * The field a snippet comes from: the body-like fields first, since callers show the title anyway. A match in the
 * tags or the id alone quotes the start of the description, which says more than the tags.
 */
const SNIPPET_ORDER: readonly SearchField[] = [
  'description',
  'notes',
  'evidence',
  'blocked_reason',
  'references',
  'title',
]

/** Words: letters and digits, joined by `-`, `_` or `.` into one token (`feature-store`, `bl-k3m9x2`, `a.json`). */
const TOKEN = /[\p{L}\p{N}]+(?:[-_.][\p{L}\p{N}]+)*/gu
const SEPARATORS = /[-_.]+/
/** camelCase and PascalCase boundaries, acronyms included: `HTTPServer` → HTTP | Server. */
const CAMEL_BOUNDARY = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u
const STOP_WORDS: ReadonlySet<string> = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'by',
  'for',
  'from',
  'in',
  'is',
  'it',
  'of',
  'on',
  'or',
  'the',
  'this',
  'that',
  'to',
  'was',
  'with',
])

/**
 * A small English suffix stemmer, applied alike to indexed and query words so that `crashes`, `crashed` and
 * `crashing` all meet `crash`. Conservative: only lower-case ASCII words of 4+ letters, and a stem keeps a vowel.
 * The stems are index keys, not words (`cache` → `cach`).
 *
 * @example
 * stemWord('retries') // 'retry'
 * stemWord('logging') // 'log'
 */
export function stemWord(word: string): string {
  if (word.length < 4 || !/^[a-z]+$/.test(word)) return word
  let w = word
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`
  else if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1)

  if (w.endsWith('ied') && w.length > 4) w = `${w.slice(0, -3)}y`
  else w = stripSuffix(w, 'ing', 3) ?? stripSuffix(w, 'ed', 3) ?? w

  w = stripSuffix(w, 'er', 4) ?? stripSuffix(w, 'ly', 4) ?? w
  // A final e goes, so `create`, `created` and `creating` share `creat`; not after another e (`free`).
  if (w.length >= 4 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1)
  return w
}

function stripSuffix(word: string, suffix: string, minStem: number): string | undefined {
  if (!word.endsWith(suffix)) return undefined
  const stem = word.slice(0, -suffix.length)
  if (stem.length < minStem || !/[aeiouy]/.test(stem)) return undefined
  // `logging` → `logg` → `log`, but `passing` keeps `pass` and `adding` keeps `add`.
  if (stem.length > 3 && /([^aeiouylsz])\1$/.test(stem)) return stem.slice(0, -1)
  return stem
}

interface ExpandedToken {
  /** Forms of the whole token: as written when it has separators (`bl-k3m9x2`), and joined (`featurestore`). */
  wholes: string[]
  /** The parts of a compound token (`feature`, `store`), empty for a simple word. */
  parts: string[]
}

const NOTHING: ExpandedToken = { wholes: [], parts: [] }

function normalizeWord(word: string): string | undefined {
  const lower = word.toLowerCase()
  if (STOP_WORDS.has(lower) || (lower.length === 1 && !/\d/.test(lower))) return undefined
  return stemWord(lower)
}

/** Splits a token into its whole forms and its parts, the same way for indexing and for queries. */
function expandToken(token: string): ExpandedToken {
  const pieces = token.split(SEPARATORS).flatMap((piece) => piece.split(CAMEL_BOUNDARY))
  if (pieces.length === 1) {
    const word = normalizeWord(token)
    return word === undefined ? NOTHING : { wholes: [word], parts: [] }
  }
  const wholes: string[] = []
  const lower = token.toLowerCase()
  if (SEPARATORS.test(token)) wholes.push(lower)
  const joined = stemWord(pieces.join('').toLowerCase())
  if (!wholes.includes(joined)) wholes.push(joined)
  const parts: string[] = []
  for (const piece of pieces) {
    const word = normalizeWord(piece)
    if (word !== undefined && !parts.includes(word)) parts.push(word)
  }
  return { wholes, parts }
}

/** Caches the terms of each token: a backlog repeats its vocabulary, so indexing 10,000 items stems few words. */
const termCache = new Map<string, string[]>()
const TERM_CACHE_LIMIT = 100_000

function termsOf(token: string): string[] {
  let terms = termCache.get(token)
  if (terms === undefined) {
    const { wholes, parts } = expandToken(token)
    terms = parts.length === 0 ? wholes : [...new Set([...wholes, ...parts])]
    if (termCache.size >= TERM_CACHE_LIMIT) termCache.clear()
    termCache.set(token, terms)
  }
  return terms
}

/** The text of one field of an item, as indexed and as snippets quote it. */
function fieldText(item: Item, field: SearchField): string {
  switch (field) {
    case 'id':
      return idKey(item.id)
    case 'title':
      return item.title
    case 'description':
      return item.description
    case 'notes':
      return item.notes.map((note) => note.text).join('\n')
    case 'evidence':
      return item.evidence.join('\n')
    case 'blocked_reason':
      return item.blocked_reason.join('\n')
    case 'tags':
      return item.tags.join(' ')
    case 'references':
      return item.references.map((ref) => (ref.title ? `${ref.title} ${ref.url}` : ref.url)).join('\n')
  }
}

function normalizeTitle(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase()
}

/** One MiniSearch query per query word, which matches through any of its forms (whole, joined, or all its parts). */
function queryWords(query: string, typos: boolean): Query[] {
  const expanded = (query.match(TOKEN) ?? []).map(expandToken).filter((token) => token.wholes.length > 0)
  return expanded.map(({ wholes, parts }, index): Query => {
    const last = index === expanded.length - 1
    const forms = wholes.map((term) => leaf(term, last, typos))
    if (parts.length > 1) {
      const each = parts.map((part, i) => leaf(part, last && i === parts.length - 1, typos))
      forms.push({ combineWith: 'AND', queries: each })
    }
    return forms.length === 1 ? forms[0]! : { combineWith: 'OR', queries: forms }
  })
}

/** One term: prefixes for the word being typed (the last) and for longer words; typos in plain words of 4+ letters. */
function leaf(term: string, last: boolean, typos: boolean): Query {
  const prefix = term.length >= 4 || (last && term.length >= 2)
  const fuzzy = typos && canHaveTypo(term) ? 0.2 : false
  return { combineWith: 'OR', queries: [term], prefix, fuzzy }
}

/** Ids, numbers and short words are matched as written: one edit away from `bl-k3m9x2` is another item. */
function canHaveTypo(term: string): boolean {
  return term.length >= 4 && /^[a-z]+$/.test(term)
}

/**
 * The searches to try, strictest first, until one finds something: every word exactly or as a prefix; every word
 * allowing typos; then (if `anyWord`) any word, typos allowed. Typos are only tried when needed, as they bring
 * near-misses (`caching` ~ `each`) and cost most of a query's time.
 */
function queryStages(query: string, anyWord: boolean): Query[] {
  const strict = queryWords(query, false)
  if (strict.length === 0) return []
  const stages: Query[] = [{ combineWith: 'AND', queries: strict }]
  const typosPossible = (query.match(TOKEN) ?? []).some((token) => termsOf(token).some((term) => canHaveTypo(term)))
  const tolerant = typosPossible ? queryWords(query, true) : strict
  if (typosPossible) stages.push({ combineWith: 'AND', queries: tolerant })
  if (anyWord && tolerant.length > 1) stages.push({ combineWith: 'OR', queries: tolerant })
  return stages
}

/** Fields where a term matched, in SEARCH_FIELDS order. */
function matchedFields(match: MatchInfo): SearchField[] {
  const found = new Set<string>()
  for (const fields of Object.values(match)) for (const field of fields) found.add(field)
  return SEARCH_FIELDS.filter((field) => found.has(field))
}

/**
 * A short excerpt of the best matching field around its first hit: whitespace collapsed, cut at word boundaries,
 * `…` where text was left out, never longer than 160 characters. Deterministic: the same item and match give the
 * same snippet.
 */
function buildSnippet(item: Item, match: MatchInfo, fields: readonly SearchField[]): string {
  const field = SNIPPET_ORDER.find((name) => fields.includes(name) && fieldText(item, name).trim() !== '')
  const source = field ?? (item.description.trim() !== '' ? 'description' : 'title')
  const text = fieldText(item, source).replace(/\s+/g, ' ').trim()
  if (text.length <= SNIPPET_LENGTH) return text

  const wanted = new Set(Object.keys(match).filter((term) => match[term]?.includes(source)))
  let hitAt = 0
  if (wanted.size > 0) {
    for (const found of text.matchAll(TOKEN)) {
      if (termsOf(found[0]).some((term) => wanted.has(term))) {
        hitAt = found.index
        break
      }
    }
  }
  // Some context before the hit, but no less text than fits when the hit is near the end.
  let start = Math.min(Math.max(0, hitAt - SNIPPET_LEAD), text.length - (SNIPPET_LENGTH - 1))
  if (start > 0 && text[start - 1] !== ' ') {
    const space = text.indexOf(' ', start)
    start = space === -1 || space >= hitAt ? start : space + 1
  }
  const room = SNIPPET_LENGTH - (start > 0 ? 1 : 0)
  let end = Math.min(text.length, start + room)
  if (end < text.length) {
    end -= 1 // room for the closing ellipsis
    const space = text.lastIndexOf(' ', end)
    if (space > hitAt && space > start) end = space
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trimEnd()}${end < text.length ? '…' : ''}`
}

/** The results with the pinned keys first, in order, scored just above the best other hit: scores still descend. */
function pinFirst(results: SearchResult[], pinnedKeys: readonly string[]): SearchResult[] {
  const found = new Map<string, SearchResult>()
  const rest: SearchResult[] = []
  for (const result of results) {
    if (pinnedKeys.includes(result.id)) found.set(result.id, result)
    else rest.push(result)
  }
  const top = rest[0]?.score ?? 0
  const pinned = pinnedKeys.map((key, i): SearchResult => {
    // An item named by its id suffix may match no term at all: its id is what matched.
    const result = found.get(key) ?? { id: key, terms: [], queryTerms: [], match: { [key]: ['id'] } }
    return { ...result, score: top + pinnedKeys.length - i }
  })
  return [...pinned, ...rest]
}

/**
 * An in-memory full-text index over the backlog's items. Call `sync` with the store's records before searching:
 * unchanged records (same objects) cost a map lookup each; changed ones are re-indexed one by one. Only ids are
 * stored in MiniSearch; the records live in a map of our own.
 *
 * Matching: every query word, exactly or as a prefix; when that finds nothing, every word allowing typos; then any
 * word. Ranking: BM25 with title ×3 and tags ×2; an exact id (`bl-k3m9x2`, any case) comes first, then items whose
 * title is exactly the query.
 *
 * @example
 * const index = createSearchIndex()
 * index.sync(store.all())
 * index.search('login crash', { limit: 5, accept: (r) => !r.archived }).hits[0]?.record.item.id
 */
export function createSearchIndex<R extends SearchableRecord = SearchableRecord>(): SearchIndex<R> {
  /** What is indexed under each key: the record, and its title as indexed (to remove it even if edited in place). */
  const entries = new Map<string, { record: R; title: string }>()
  /** The record objects in the index and their keys: an unchanged record is recognised by identity alone. */
  const keyOf = new Map<R, string>()
  /** Normalized title → keys of the items bearing it, for the exact-title rule. */
  const titles = new Map<string, string | Set<string>>()
  /** The prefixes of the ids seen (`bl`), so that a bare suffix (`k3m9x2`) names its item. */
  const idPrefixes = new Set<string>()
  let synced: readonly R[] | undefined

  const engine = new MiniSearch<R>({
    fields: [...SEARCH_FIELDS],
    idField: 'id',
    storeFields: [],
    extractField: (record, field) => fieldText(record.item, field as SearchField),
    tokenize: (text, field) => (field === 'id' ? [text] : (text.match(TOKEN) ?? [])),
    // An id is one term (`bl-k3m9x2`); its suffix alone finds the item through the pinning rule instead.
    processTerm: (term, field) => (field === 'id' ? term : termsOf(term)),
    // Our query trees carry terms that are already processed.
    searchOptions: { tokenize: (text) => [text], processTerm: (term) => term },
  })

  function recordOf(key: string): R {
    return entries.get(key)!.record
  }

  function add(key: string, record: R): void {
    engine.add(record)
    const title = normalizeTitle(record.item.title)
    entries.set(key, { record, title })
    keyOf.set(record, key)
    // Most titles are one item's: a set only for those that are not.
    const keys = titles.get(title)
    if (keys === undefined || keys === key) titles.set(title, key)
    else if (typeof keys === 'string') titles.set(title, new Set([keys, key]))
    else keys.add(key)
    const dash = key.indexOf('-')
    if (dash > 0) idPrefixes.add(key.slice(0, dash))
  }

  function remove(key: string): void {
    const entry = entries.get(key)
    if (entry === undefined) return
    engine.discard(key)
    entries.delete(key)
    keyOf.delete(entry.record)
    const keys = titles.get(entry.title)
    if (keys === key) titles.delete(entry.title)
    else if (typeof keys === 'object') {
      keys.delete(key)
      if (keys.size === 0) titles.delete(entry.title)
    }
  }

  function sync(list: readonly R[]): void {
    if (list === synced) return
    const previous = synced
    synced = list
    if (previous && syncChanged(previous, list)) return
    // A new array of mostly the same records costs one identity lookup per record; only new objects are indexed.
    const fresh: R[] = []
    for (const record of list) if (!keyOf.has(record)) fresh.push(record)
    for (const record of fresh) {
      const key = idKey(record.item.id)
      remove(key)
      add(key, record)
    }
    // With each item listed once (as the store does), equal sizes mean nothing was deleted.
    if (entries.size === list.length) return
    const listed = new Set(list.map((record) => keyOf.get(record) ?? idKey(record.item.id)))
    for (const key of [...entries.keys()]) if (!listed.has(key)) remove(key)
  }

  /**
   * Re-indexes only the positions where `list` holds another record than `previous`: the store keeps each item at its
   * position from one version to the next, so a write costs a pointer comparison per item and the changed items' own
   * indexing. False (nothing done) when too much differs or the list is not position-stable; `sync` then compares
   * records by identity.
   */
  function syncChanged(previous: readonly R[], list: readonly R[]): boolean {
    const longest = Math.max(previous.length, list.length)
    const limit = Math.max(64, longest / 4)
    const gone: R[] = []
    const come: R[] = []
    for (let position = 0; position < longest; position++) {
      const before = previous[position]
      const after = list[position]
      if (before === after) continue
      if (before) gone.push(before)
      if (after) come.push(after)
      if (gone.length + come.length > limit) return false
    }
    const staying = new Set(come)
    for (const record of gone) {
      const key = keyOf.get(record)
      if (key !== undefined && !staying.has(record)) remove(key)
    }
    for (const record of come) {
      if (keyOf.has(record)) continue
      const key = idKey(record.item.id)
      remove(key)
      add(key, record)
    }
    return entries.size === list.length
  }

  /** The key of the item the query names by id (`BL-K3M9X2`) or by id suffix (`k3m9x2`), if any. */
  function namedItem(query: string): string | undefined {
    const key = idKey(query)
    if (key === '') return undefined
    if (entries.has(key)) return key
    for (const prefix of idPrefixes) {
      const full = `${prefix}-${key}`
      if (entries.has(full)) return full
    }
    return undefined
  }

  /** Runs a query; `skip` is the key of an item to leave out (the one `similar` starts from). */
  function run(query: Query, accept: ((record: R) => boolean) | undefined, skip?: string): SearchResult[] {
    const test =
      skip === undefined
        ? accept && ((result: SearchResult) => accept(recordOf(result.id as string)))
        : (result: SearchResult) => result.id !== skip && (!accept || accept(recordOf(result.id as string)))
    const options = { boost: BOOST, weights: WEIGHTS, maxFuzzy: MAX_FUZZY, ...(test ? { filter: test } : {}) }
    return engine.search(query, options)
  }

  function search(query: string, options: SearchOptions<R> = {}): { hits: SearchHit<R>[]; total: number } {
    const limit = Math.max(0, options.limit ?? DEFAULT_LIMIT)
    const accept = options.accept
    let results: SearchResult[] = []
    for (const stage of queryStages(query, true)) {
      results = run(stage, accept)
      if (results.length > 0) break
    }

    // Pinned first: the item whose id is the query, then items titled exactly as the query.
    const pinnedKeys: string[] = []
    const named = namedItem(query)
    if (named !== undefined && (!accept || accept(recordOf(named)))) pinnedKeys.push(named)
    const titled = titles.get(normalizeTitle(query))
    for (const key of typeof titled === 'string' ? [titled] : (titled ?? [])) {
      if (!pinnedKeys.includes(key) && (!accept || accept(recordOf(key)))) pinnedKeys.push(key)
    }
    const ordered = pinnedKeys.length === 0 ? results : pinFirst(results, pinnedKeys)

    let chosen = ordered
    if (options.sort === 'recent') {
      const changedAt = options.changedAt ?? ((record: R) => latestActivity(record.item))
      const dated = ordered.map((result, rank) => ({ result, rank, at: changedAt(recordOf(result.id)) }))
      dated.sort((a, b) => {
        if (a.at !== b.at) {
          if (a.at === undefined) return 1
          if (b.at === undefined) return -1
          return b.at - a.at
        }
        return a.rank - b.rank
      })
      chosen = dated.map((entry) => entry.result)
    }

    const hits = chosen.slice(0, limit).map((result): SearchHit<R> => {
      const record = recordOf(result.id)
      const fields = matchedFields(result.match)
      return {
        record,
        score: result.score,
        matched_fields: fields,
        snippet: buildSnippet(record.item, result.match, fields),
      }
    })
    return { hits, total: ordered.length }
  }

  function matching(words: string): Set<string> {
    // The first stage: every word, exactly or as a prefix. The later ones (typos, any word) are for ranking searches.
    const [strict] = queryStages(words, false)
    if (!strict) return new Set()
    return new Set(run(strict, undefined).map((result) => result.id as string))
  }

  function similar(item: Item, options: { limit?: number; accept?: (record: R) => boolean } = {}): R[] {
    const own = idKey(item.id)
    const terms = [
      ...new Set(
        (`${item.title} ${item.tags.join(' ')}`.match(TOKEN) ?? []).flatMap((token) => expandToken(token).wholes),
      ),
    ]
    if (terms.length === 0) return []
    // The item itself is left out by its key, which is what MiniSearch answers with: no idKey per result.
    const results = run({ combineWith: 'OR', queries: terms }, options.accept, own)
    return results.slice(0, options.limit ?? 5).map((result) => recordOf(result.id as string))
  }

  return { sync, search, matching, similar }
}
