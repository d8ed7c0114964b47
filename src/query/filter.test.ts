import { describe, expect, it } from 'vitest'
import { type BacklogConfig, DEFAULT_CONFIG } from '../core/config.js'
import { isBacklogError } from '../core/errors.js'
import { blankItem, type Item } from '../core/item.js'
import { compileFilter, type FilterEnv, type FilterNode, filterFields, parseFilter } from './filter.js'

// Sunday 2026-11-22 13:02 local: `friday` is 2026-11-27, `eow` is today, `sow` is Monday 2026-11-16.
const NOW = new Date(2026, 10, 22, 13, 2)

function item(id: string, fields: Partial<Item> = {}): Item {
  return { ...blankItem(id, fields.title ?? id), ...fields }
}

/** A FilterEnv over a real array of items: dependencies are looked up, not stubbed. */
function envFor(items: readonly Item[], extra: Partial<FilterEnv> = {}): FilterEnv {
  const config: BacklogConfig = DEFAULT_CONFIG
  const byId = new Map(items.map((entry) => [entry.id.toLowerCase(), entry]))
  const isClosed = (entry: Item) => config.closed_statuses.includes(entry.status)
  return {
    now: NOW,
    config,
    hasOpenDependency: (entry) =>
      entry.depends_on.some((id) => {
        const target = byId.get(id.toLowerCase())
        return !target || !isClosed(target)
      }),
    isBlocking: (entry) =>
      !isClosed(entry) &&
      items.some(
        (other) => !isClosed(other) && other.depends_on.some((id) => id.toLowerCase() === entry.id.toLowerCase()),
      ),
    ...extra,
  }
}

function matching(filter: string, items: readonly Item[], extra: Partial<FilterEnv> = {}): string[] {
  const node = parseFilter(filter)
  if (!node) return items.map((entry) => entry.id)
  const test = compileFilter(node, envFor(items, extra))
  return items.filter(test).map((entry) => entry.id)
}

function errorOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(isBacklogError(error) && error.code).toBe('INVALID_INPUT')
    return (error as Error).message
  }
  throw new Error('expected an error')
}

const parseError = (filter: string) => errorOf(() => parseFilter(filter))
const compileError = (filter: string, items: Item[] = []) =>
  errorOf(() => compileFilter(parseFilter(filter) as FilterNode, envFor(items)))

describe('parseFilter: grammar', () => {
  it('returns undefined for an empty filter', () => {
    expect(parseFilter('')).toBeUndefined()
    expect(parseFilter('   ')).toBeUndefined()
  })

  it('joins adjacent terms with and, binds or looser, and groups with parentheses', () => {
    expect(parseFilter('+a or +b +c')).toEqual({
      kind: 'or',
      nodes: [
        { kind: 'tag', tag: 'a' },
        {
          kind: 'and',
          nodes: [
            { kind: 'tag', tag: 'b' },
            { kind: 'tag', tag: 'c' },
          ],
        },
      ],
    })
    expect(parseFilter('(+a OR +b) AND +c')).toEqual({
      kind: 'and',
      nodes: [
        {
          kind: 'or',
          nodes: [
            { kind: 'tag', tag: 'a' },
            { kind: 'tag', tag: 'b' },
          ],
        },
        { kind: 'tag', tag: 'c' },
      ],
    })
  })

  it('negates with not, ! and -tag', () => {
    expect(parseFilter('not +a')).toEqual({ kind: 'not', node: { kind: 'tag', tag: 'a' } })
    expect(parseFilter('!(+a or +b)')).toMatchObject({ kind: 'not', node: { kind: 'or' } })
    expect(parseFilter('-a')).toEqual({ kind: 'not', node: { kind: 'tag', tag: 'a' } })
    expect(parseFilter('-blocked')).toEqual({ kind: 'not', node: { kind: 'virtual', tag: 'BLOCKED' } })
  })

  it('merges consecutive bare words into one text term; a quoted word stays one phrase', () => {
    expect(parseFilter('fix login')).toEqual({ kind: 'text', words: 'fix login', phrase: false })
    expect(parseFilter('"login page" fix')).toEqual({
      kind: 'and',
      nodes: [
        { kind: 'text', words: 'login page', phrase: true },
        { kind: 'text', words: 'fix', phrase: false },
      ],
    })
    expect(parseFilter('fix +ui login')).toMatchObject({
      kind: 'and',
      nodes: [{ words: 'fix' }, { kind: 'tag' }, { words: 'login' }],
    })
  })

  it('reads field names and modifiers in any case, with aliases', () => {
    expect(parseFilter('Due.BEFORE:friday')).toMatchObject({ field: 'due', operator: 'lt', value: 'friday' })
    expect(parseFilter('tag:x')).toMatchObject({ field: 'tags', operator: 'eq' })
    expect(parseFilter('depends.has:bl-1')).toMatchObject({ field: 'depends_on', operator: 'contains' })
    expect(parseFilter('meta.owner:ann')).toMatchObject({ field: 'meta.owner', attribute: true, operator: 'eq' })
    expect(parseFilter('meta.owner.not:ann')).toMatchObject({ field: 'meta.owner', attribute: true, operator: 'ne' })
  })

  it('reads quoted values with spaces and escapes, and a value with balanced parentheses', () => {
    expect(parseFilter('assignee:"Ann Lee"')).toMatchObject({ field: 'assignee', value: 'Ann Lee' })
    expect(parseFilter("title.contains:'login page'")).toMatchObject({ value: 'login page' })
    expect(parseFilter('title:"say \\"hi\\" \\\\ now"')).toMatchObject({ value: 'say "hi" \\ now' })
    expect(parseFilter('title.regex:"^\\d+$"')).toMatchObject({ value: '^\\d+$' })
    expect(parseFilter('(title.regex:(a|b))')).toMatchObject({ operator: 'regex', value: '(a|b)' })
  })

  it('treats a whole filter that is an item id as id:<it>, or the word as text', () => {
    expect(parseFilter(' bl-k3m9x2 ')).toMatchObject({
      kind: 'or',
      nodes: [{ kind: 'field', field: 'id', operator: 'eq', value: 'bl-k3m9x2' }, { kind: 'text' }],
    })
    expect(parseFilter('TASK-12')).toMatchObject({ nodes: [{ field: 'id', value: 'TASK-12' }, { kind: 'text' }] })
    // A hyphenated word is id-shaped too: it still finds the text.
    const followUp = blankItem('bl-aaaaaa', 'Write the follow-up email')
    expect(compileFilter(parseFilter('follow-up') as FilterNode, envFor([followUp]))(followUp)).toBe(true)
    expect(parseFilter('bl-k3m9x2 bl-x')).toMatchObject({ kind: 'text' })
  })

  it('reads an empty value as "absent" and field.not: as "present"', () => {
    expect(parseFilter('due:')).toMatchObject({ field: 'due', operator: 'exists', value: 'false' })
    expect(parseFilter('assignee:""')).toMatchObject({ operator: 'exists', value: 'false' })
    expect(parseFilter('due.not:')).toMatchObject({ operator: 'exists', value: 'true' })
  })
})

describe('parseFilter: errors name the column and the token', () => {
  it('reports a missing value, unmatched parentheses and quotes', () => {
    expect(parseError('+a status:')).toBe('filter: expected a value after "status:" at column 11')
    expect(parseError('status: +a')).toBe('filter: expected a value after "status:" at column 8')
    expect(parseError('due.before:')).toMatch(/^filter: expected a value after "due.before:" at column 12/)
    expect(parseError('(+a or +b')).toBe('filter: unmatched "(" at column 1')
    expect(parseError('+a (+b')).toBe('filter: unmatched "(" at column 4')
    expect(parseError('+a)')).toBe('filter: unmatched ")" at column 3')
    expect(parseError(')')).toBe('filter: unmatched ")" at column 1')
    expect(parseError('()')).toBe('filter: empty parentheses at column 1')
    expect(parseError('assignee:"Ann Lee')).toBe('filter: unterminated quote at column 10: "Ann Lee')
    expect(parseError("fix 'login")).toBe("filter: unterminated quote at column 5: 'login")
  })

  it('reports dangling keywords', () => {
    expect(parseError('+a or')).toBe('filter: expected a term after "or" at column 6')
    expect(parseError('or +a')).toBe('filter: expected a term before "or" at column 1')
    expect(parseError('+a and or +b')).toBe('filter: expected a term after "and" at column 8')
    expect(parseError('not')).toBe('filter: expected a term after "not" at column 4')
    expect(parseError('+a !')).toBe('filter: expected a term after "!" at column 5')
  })

  it('reports an unknown modifier with the valid ones', () => {
    const message = parseError('due.befor:friday')
    expect(message).toMatch(/^filter: unknown modifier "befor" in "due.befor:friday" at column 1 \(one of is, eq, /)
    expect(message).toContain('startswith')
    expect(parseError('+a status.is.not:open')).toMatch(/unknown modifier "is.not" in "status.is.not:open" at column 4/)
  })

  it('reports a value that is not a date, and how to write one with spaces', () => {
    expect(parseError('due.before:soon')).toMatch(
      /^filter: "soon" is not a date in "due.before:soon" at column 1; try /,
    )
    expect(parseError('+a due:2026-13-01')).toMatch(/"2026-13-01" is not a date in "due:2026-13-01" at column 4/)
    expect(parseError('due.in:today,someday,whenever')).toMatch(/"whenever" is not a date/)
    // Bare words are text, so an unquoted date with a space cannot work: say how to write it.
    expect(parseError('due.before:next friday')).toBe(
      'filter: "next" is not a date in "due.before:next" at column 1; a date with spaces needs quotes: ' +
        'due.before:"next friday" (or due.before:next_friday)',
    )
  })

  it('reports bad regexes, exists values, priorities, types and urgency values', () => {
    expect(parseError('title.regex:"(a"')).toMatch(
      /^filter: invalid regex "\(a" in "title.regex:\\?"\(a\\?"" at column 1: /,
    )
    expect(parseError(`title.regex:${'a'.repeat(201)}`)).toMatch(/a regex is at most 200 characters/)
    expect(parseError('due.exists:maybe')).toMatch(/exists takes true or false, not "maybe"/)
    expect(parseError('priority:highest')).toMatch(
      /unknown priority "highest" in "priority:highest" at column 1 \(one of urgent, high, medium, low, H, M, L, U or none\)/,
    )
    expect(parseError('type:story')).toMatch(
      /unknown type "story" in "type:story" at column 1 \(one of task, epic, folder, artifact, milestone\)/,
    )
    expect(parseError('urgency.gt:high')).toMatch(/urgency compares numbers, not "high"/)
    expect(parseError('urgency.contains:3')).toMatch(/urgency compares with is, not, gt, gte, lt or lte/)
    expect(parseError('tags.gt:a')).toMatch(/tags is a list: compare it with is, not, contains/)
    expect(parseError(':x')).toBe('filter: expected a field name before ":" at column 1')
    expect(parseError('see 10:30')).toMatch(/"10" is not a field name in "10:30" at column 5/)
  })
})

describe('compileFilter: fields and modifiers', () => {
  const items = [
    item('bl-1', {
      title: 'Fix login page',
      description: 'fix the redirect after login',
      status: 'open',
      priority: 'high',
      assignee: 'Ann Lee',
      parent: 'bl-9',
      tags: ['ui', 'Auth'],
      depends_on: ['bl-2'],
      evidence: ['PR #12 merged'],
      references: [{ url: 'https://example.com/spec', title: 'Login spec' }],
      notes: [{ at: '2026-11-20T10:00:00Z', text: 'seen on Safari' }],
      attributes: { project: 'web', estimate: 5, meta: { owner: 'ann' }, labels: ['x', 'y'] },
    }),
    item('bl-2', {
      title: 'Write docs',
      description: 'Document the API',
      status: 'in_progress',
      priority: 'L',
      type: 'epic',
      tags: ['docs'],
      attributes: { project: 'api', estimate: '2', review: '2026-11-20', Flag: true },
    }),
    item('bl-3', {
      title: 'Plan release',
      status: 'done',
      priority: 'urgent',
      recur: 'weekly',
      attributes: { estimate: 13 },
    }),
  ]
  const ids = (filter: string) => matching(filter, items)

  it('compares text fields case-insensitively with is, not, contains, startswith, endswith, in and regex', () => {
    expect(ids('assignee:"ann lee"')).toEqual(['bl-1'])
    expect(ids('assignee.is:ANN')).toEqual([])
    expect(ids('assignee.not:"Ann Lee"')).toEqual(['bl-2', 'bl-3'])
    expect(ids('title.contains:LOGIN')).toEqual(['bl-1'])
    expect(ids('title.has:o')).toEqual(['bl-1', 'bl-2'])
    expect(ids('title.startswith:write')).toEqual(['bl-2'])
    expect(ids('title.starts:plan')).toEqual(['bl-3'])
    expect(ids('title.left:fix')).toEqual(['bl-1'])
    expect(ids('title.endswith:DOCS')).toEqual(['bl-2'])
    expect(ids('title.ends:page')).toEqual(['bl-1'])
    expect(ids('title.right:release')).toEqual(['bl-3'])
    expect(ids('title.in:"write docs,plan release"')).toEqual(['bl-2', 'bl-3'])
    expect(ids('title.regex:^(fix|plan)\\b')).toEqual(['bl-1', 'bl-3'])
    expect(ids('title.match:"docs$"')).toEqual(['bl-2'])
    expect(ids('title.eq:"write docs"')).toEqual(['bl-2'])
    expect(ids('title.equals:"write docs"')).toEqual(['bl-2'])
    expect(ids('title.isnt:"write docs"')).toEqual(['bl-1', 'bl-3'])
    expect(ids('title.ne:"write docs"')).toEqual(['bl-1', 'bl-3'])
    expect(ids('recur:weekly')).toEqual(['bl-3'])
    expect(ids('parent:BL-9')).toEqual(['bl-1'])
    expect(ids('id:BL-2')).toEqual(['bl-2'])
    expect(ids('bl-2')).toEqual(['bl-2'])
  })

  it('tests presence with field:, field.not: and exists', () => {
    expect(ids('assignee:')).toEqual(['bl-2', 'bl-3'])
    expect(ids('assignee.not:')).toEqual(['bl-1'])
    expect(ids('assignee.exists:true')).toEqual(['bl-1'])
    expect(ids('assignee.exists:FALSE')).toEqual(['bl-2', 'bl-3'])
    expect(ids('tags:')).toEqual(['bl-3'])
    expect(ids('tags.exists:true')).toEqual(['bl-1', 'bl-2'])
    expect(ids('description:')).toEqual(['bl-3'])
    expect(ids('project:')).toEqual(['bl-3'])
    expect(ids('project.exists:true')).toEqual(['bl-1', 'bl-2'])
  })

  it('regression (description.startswith:fix was silently empty in the peer): starts/ends in lower case work', () => {
    expect(ids('description.startswith:fix')).toEqual(['bl-1'])
    expect(ids('description.endswith:api')).toEqual(['bl-2'])
  })

  it('checks statuses against the config and names the valid ones', () => {
    expect(ids('status:open')).toEqual(['bl-1'])
    expect(ids('status:IN_PROGRESS')).toEqual(['bl-2'])
    expect(ids('status.not:done')).toEqual(['bl-1', 'bl-2'])
    expect(ids('status.in:open,done')).toEqual(['bl-1', 'bl-3'])
    expect(ids('status.startswith:in')).toEqual(['bl-2'])
    expect(compileError('status:pending')).toBe(
      'filter: unknown status "pending" in "status:pending" at column 1 (one of open, in_progress, blocked, done, cancelled)',
    )
    const custom = { ...DEFAULT_CONFIG, statuses: ['todo', 'doing', 'done'] }
    const todo = item('bl-7', { status: 'todo' })
    expect(compileFilter(parseFilter('status:todo')!, { ...envFor([todo]), config: custom })(todo)).toBe(true)
  })

  it('checks types', () => {
    expect(ids('type:epic')).toEqual(['bl-2'])
    expect(ids('type.not:epic')).toEqual(['bl-1', 'bl-3'])
  })

  it('matches priorities by name or letter and compares them by rank (none lowest)', () => {
    const none = item('bl-4')
    const all = [...items, none]
    expect(matching('priority:high', all)).toEqual(['bl-1'])
    expect(matching('priority:H', all)).toEqual(['bl-1'])
    expect(matching('priority:l', all)).toEqual(['bl-2'])
    expect(matching('priority:none', all)).toEqual(['bl-4'])
    expect(matching('priority:', all)).toEqual(['bl-4'])
    expect(matching('priority.not:H', all)).toEqual(['bl-2', 'bl-3', 'bl-4'])
    expect(matching('priority.above:medium', all)).toEqual(['bl-1', 'bl-3'])
    expect(matching('priority.below:medium', all)).toEqual(['bl-2', 'bl-4'])
    expect(matching('priority.gte:high', all)).toEqual(['bl-1', 'bl-3'])
    expect(matching('priority.lte:low', all)).toEqual(['bl-2', 'bl-4'])
    expect(matching('priority.in:U,L', all)).toEqual(['bl-2', 'bl-3'])
  })

  it('tests lists by element: equal, containing, starting, ending, in, regex, none equal', () => {
    expect(ids('tags:auth')).toEqual(['bl-1'])
    expect(ids('tag:AUTH')).toEqual(['bl-1'])
    expect(ids('tags:aut')).toEqual([])
    expect(ids('tags.contains:ut')).toEqual(['bl-1'])
    expect(ids('tags.startswith:do')).toEqual(['bl-2'])
    expect(ids('tags.endswith:I')).toEqual(['bl-1'])
    expect(ids('tags.in:docs,nope')).toEqual(['bl-2'])
    expect(ids('tags.regex:^d')).toEqual(['bl-2'])
    expect(ids('tags.not:ui')).toEqual(['bl-2', 'bl-3'])
    expect(ids('depends_on:bl-2')).toEqual(['bl-1'])
    expect(ids('depends:BL-2')).toEqual(['bl-1'])
    expect(ids('evidence.contains:"pr #12"')).toEqual(['bl-1'])
    expect(ids('notes.contains:safari')).toEqual(['bl-1'])
    expect(ids('notes:')).toEqual(['bl-2', 'bl-3'])
    expect(ids('references.contains:example.com')).toEqual(['bl-1'])
    expect(ids('references:"login spec"')).toEqual(['bl-1'])
    expect(ids('blocked_reason.exists:true')).toEqual([])
  })

  it('matches +tag and -tag case-insensitively', () => {
    expect(ids('+auth')).toEqual(['bl-1'])
    expect(ids('+UI -docs')).toEqual(['bl-1'])
    expect(ids('-ui')).toEqual(['bl-2', 'bl-3'])
  })

  it('reads user attributes, nested paths, lists and numbers', () => {
    expect(ids('project:web')).toEqual(['bl-1'])
    expect(ids('PROJECT:WEB')).toEqual(['bl-1'])
    expect(ids('project.not:web')).toEqual(['bl-2', 'bl-3'])
    expect(ids('project.in:web,api')).toEqual(['bl-1', 'bl-2'])
    expect(ids('meta.owner:ann')).toEqual(['bl-1'])
    expect(ids('meta.owner.startswith:a')).toEqual(['bl-1'])
    expect(ids('labels:y')).toEqual(['bl-1'])
    expect(ids('flag:true')).toEqual(['bl-2'])
    // Numbers compare as numbers, stored as YAML numbers or as numeric strings: 13 > 3 although "13" < "3".
    expect(ids('estimate.gt:3')).toEqual(['bl-1', 'bl-3'])
    expect(ids('estimate.lt:5')).toEqual(['bl-2'])
    expect(ids('estimate.lte:5')).toEqual(['bl-1', 'bl-2'])
    expect(ids('estimate.gte:13')).toEqual(['bl-3'])
    expect(ids('estimate:2')).toEqual(['bl-2'])
    expect(ids('estimate:2.0')).toEqual(['bl-2'])
    // A date-looking value compares as a date.
    expect(ids('review.before:today')).toEqual(['bl-2'])
    expect(ids('review.after:2026-11-20')).toEqual([])
    expect(ids('review.by:2026-11-20')).toEqual(['bl-2'])
    // A missing attribute matches nothing but its negations.
    expect(ids('nothing:x')).toEqual([])
    expect(ids('nothing.gt:3')).toEqual([])
    expect(ids('not nothing:x')).toEqual(['bl-1', 'bl-2', 'bl-3'])
    expect(ids('nothing.exists:false')).toEqual(['bl-1', 'bl-2', 'bl-3'])
  })

  it('regression (project:web auth errored in the peer): an attribute and text combine', () => {
    const more = [...items, item('bl-5', { title: 'Auth tokens', attributes: { project: 'api' } })]
    expect(matching('project:web auth', more)).toEqual(['bl-1'])
    expect(matching('project:api auth', more)).toEqual(['bl-5'])
  })

  it('compares urgency through env.urgency', () => {
    const urgency = (entry: Item) => ({ 'bl-1': 9.5, 'bl-2': 3, 'bl-3': 0 })[entry.id] ?? 0
    expect(matching('urgency.gt:3', items, { urgency })).toEqual(['bl-1'])
    expect(matching('urgency.gte:3', items, { urgency })).toEqual(['bl-1', 'bl-2'])
    expect(matching('urgency.lt:3', items, { urgency })).toEqual(['bl-3'])
    expect(matching('urgency.lte:3', items, { urgency })).toEqual(['bl-2', 'bl-3'])
    expect(matching('urgency:9.5', items, { urgency })).toEqual(['bl-1'])
    expect(matching('urgency.not:0', items, { urgency })).toEqual(['bl-1', 'bl-2'])
    expect(compileError('urgency.gt:3')).toMatch(/urgency is not available here/)
  })

  it('searches bare words in title, description, tags, notes, evidence and blocked reasons', () => {
    expect(ids('fix login')).toEqual(['bl-1'])
    expect(ids('LOGIN redirect')).toEqual(['bl-1'])
    expect(ids('login docs')).toEqual([])
    expect(ids('safari')).toEqual(['bl-1'])
    expect(ids('"pr #12"')).toEqual(['bl-1'])
    expect(ids('"page fix"')).toEqual([])
    expect(ids('page fix')).toEqual(['bl-1'])
    expect(ids('api or release')).toEqual(['bl-2', 'bl-3'])
  })

  it('hands bare words to env.text when given', () => {
    const asked: string[] = []
    const text = (words: string) => {
      asked.push(words)
      return (entry: Item) => entry.id === 'bl-3'
    }
    expect(matching('fix login -ui', items, { text })).toEqual(['bl-3'])
    expect(asked).toEqual(['fix login'])
  })

  it('combines and, or, not and parentheses', () => {
    expect(ids('(+docs or +ui) priority:H')).toEqual(['bl-1'])
    expect(ids('(+docs or +ui)priority:L')).toEqual(['bl-2'])
    expect(ids('+docs or +ui priority:L')).toEqual(['bl-2'])
    expect(ids('not +ui')).toEqual(['bl-2', 'bl-3'])
    expect(ids('!+ui !+docs')).toEqual(['bl-3'])
    expect(ids('NOT (status:open or status:done)')).toEqual(['bl-2'])
    expect(ids('+ui and +auth')).toEqual(['bl-1'])
  })
})

describe('compileFilter: dates', () => {
  const items = [
    item('d-26', { due: '2026-11-26' }),
    item('d-27', { due: '2026-11-27' }),
    item('d-28', { due: '2026-11-28' }),
    item('d-22', { due: '2026-11-22' }),
    item('d-ts', { due: '2026-11-22T09:00:00Z' }),
    item('d-none'),
    item('d-junk', { due: 'soon' }),
  ]
  const ids = (filter: string) => matching(filter, items)

  it('compares a stored day as the whole day: before excludes it, by includes it', () => {
    expect(ids('due.before:friday')).toEqual(['d-26', 'd-22', 'd-ts'])
    expect(ids('due.by:friday')).toEqual(['d-26', 'd-27', 'd-22', 'd-ts'])
    expect(ids('due.lte:friday')).toEqual(ids('due.by:friday'))
    expect(ids('due.after:friday')).toEqual(['d-28'])
    expect(ids('due.gte:friday')).toEqual(['d-27', 'd-28'])
    expect(ids('due:friday')).toEqual(['d-27'])
    expect(ids('due.not:friday')).toEqual(['d-26', 'd-28', 'd-22', 'd-ts', 'd-none', 'd-junk'])
    expect(ids('due.in:friday,2026-11-28')).toEqual(['d-27', 'd-28'])
  })

  it('regression (due.before:"next friday" failed in the peer): quoted and underscored dates with spaces work', () => {
    expect(ids('due.before:"next friday"')).toEqual(ids('due.before:friday'))
    expect(ids('due.before:next_friday')).toEqual(ids('due.before:friday'))
  })

  it('regression (due.by:eow matched nothing in the peer): due.by:eow includes all of Sunday', () => {
    expect(ids('due.by:eow')).toEqual(['d-22', 'd-ts'])
  })

  it('matches due:today for the day and for a timestamp within it', () => {
    const local = new Date(2026, 10, 22, 9).toISOString().replace(/\.\d+Z$/, 'Z')
    expect(
      matching('due:today', [
        item('a', { due: '2026-11-22' }),
        item('b', { due: local }),
        item('c', { due: '2026-11-23' }),
      ]),
    ).toEqual(['a', 'b'])
  })

  it('compares instants: now-7d, and a timestamp before now', () => {
    const created = [
      item('old', { created: new Date(2026, 10, 14, 12).toISOString() }),
      item('new', { created: new Date(2026, 10, 16, 12).toISOString() }),
    ]
    expect(matching('created.after:now-7d', created)).toEqual(['new'])
    expect(matching('created.before:now-7d', created)).toEqual(['old'])
    expect(matching('created.after:"7 days ago"', created)).toEqual(['new'])
  })

  it('keeps string modifiers on dates as text', () => {
    expect(ids('due.startswith:2026-11-2')).toEqual(['d-26', 'd-27', 'd-28', 'd-22', 'd-ts'])
    expect(ids('due:')).toEqual(['d-none'])
    expect(ids('due.exists:true')).toHaveLength(6)
  })
})

describe('compileFilter: virtual tags', () => {
  const items = [
    item('open', {}),
    item('doing', { status: 'in_progress' }),
    item('stuck', { status: 'blocked' }),
    item('waits-on-open', { depends_on: ['open'] }),
    item('waits-on-done', { depends_on: ['done'] }),
    item('waits-on-missing', { depends_on: ['gone'] }),
    item('done', { status: 'done', due: '2026-11-01' }),
    item('late', { due: '2026-11-21' }),
    item('due-today', { due: '2026-11-22', tags: ['READY'] }),
    item('due-tomorrow', { due: '2026-11-23', notes: [{ at: '2026-11-22T10:00:00Z', text: 'n' }] }),
    item('due-soon', { due: '2026-11-29' }),
    item('due-later', { due: '2026-12-20' }),
    item('waiting', { wait: '2026-11-25' }),
    item('waited', { wait: '2026-11-22' }),
    item('scheduled', { scheduled: '2026-12-01' }),
    item('scheduled-past', { scheduled: '2026-11-20' }),
    item('cancelled', { status: 'cancelled' }),
  ]
  const ids = (filter: string) => matching(filter, items)

  it('READY: open, not started, not blocked, no open dependency, not waiting, not scheduled ahead', () => {
    expect(ids('+READY')).toEqual([
      'open',
      'waits-on-done',
      'late',
      'due-today',
      'due-tomorrow',
      'due-soon',
      'due-later',
      'waited',
      'scheduled-past',
    ])
  })

  it('BLOCKED, UNBLOCKED and BLOCKING follow real dependencies', () => {
    expect(ids('+BLOCKED')).toEqual(['stuck', 'waits-on-open', 'waits-on-missing'])
    expect(ids('+UNBLOCKED')).toEqual(items.map((entry) => entry.id).filter((id) => !ids('+BLOCKED').includes(id)))
    expect(ids('+BLOCKING')).toEqual(['open'])
  })

  it('regression (-BLOCKED matched everything in the peer): a virtual tag negates', () => {
    expect(ids('-BLOCKED')).toEqual(ids('+UNBLOCKED'))
    expect(ids('-blocked')).not.toContain('stuck')
  })

  it('regression (+ACTIVE or +OVERDUE was a syntax error in the peer): virtual tags combine with or', () => {
    expect(ids('+ACTIVE or +OVERDUE')).toEqual(['doing', 'late'])
    expect(ids('(+active or +overdue) -late')).toEqual(['doing', 'late'])
  })

  it('dates: OVERDUE from the day after, TODAY, TOMORROW, WEEK, DUE within 7 days', () => {
    expect(ids('+OVERDUE')).toEqual(['late'])
    expect(ids('+TODAY')).toEqual(['due-today'])
    expect(ids('+TOMORROW')).toEqual(['due-tomorrow'])
    expect(ids('+WEEK')).toEqual(['late', 'due-today'])
    expect(ids('+DUE')).toEqual(['late', 'due-today', 'due-tomorrow', 'due-soon'])
  })

  it('WAITING, SCHEDULED, TAGGED, ANNOTATED, ACTIVE, OPEN, CLOSED', () => {
    expect(ids('+WAITING')).toEqual(['waiting'])
    expect(ids('+SCHEDULED')).toEqual(['scheduled', 'scheduled-past'])
    expect(ids('+TAGGED')).toEqual(['due-today'])
    expect(ids('+ANNOTATED')).toEqual(['due-tomorrow'])
    expect(ids('+ACTIVE')).toEqual(['doing'])
    expect(ids('+CLOSED')).toEqual(['done', 'cancelled'])
    expect(ids('+COMPLETED')).toEqual(['done', 'cancelled'])
    expect(ids('+OPEN')).toHaveLength(items.length - 2)
    expect(ids('+PENDING')).toEqual(ids('+OPEN'))
  })

  it('tag:READY means the real tag', () => {
    expect(ids('tag:READY')).toEqual(['due-today'])
    expect(ids('tags:ready')).toEqual(['due-today'])
  })
})

describe('filterFields', () => {
  const fields = (filter: string) => [...filterFields(parseFilter(filter) as FilterNode)].sort()

  it('lists the fields tested, lower case, virtual tags by what they read', () => {
    expect(fields('Status:open due.before:friday')).toEqual(['due', 'status'])
    expect(fields('+bug -old fix login')).toEqual(['tags'])
    expect(fields('(Project:web or meta.Owner:ann) not priority:H')).toEqual(['meta.owner', 'priority', 'project'])
    expect(fields('+READY')).toContain('status')
    expect(fields('+active or +overdue')).toEqual(['due', 'status'])
    // Negated virtual tags ask for what is not so: they say nothing about closed items.
    expect(fields('-CLOSED')).toEqual([])
    expect(fields('-ACTIVE')).toEqual([])
    expect(fields('not +READY')).toEqual([])
    expect(fields('+COMPLETED')).toEqual(['status'])
    expect(fields('+BLOCKED')).toEqual(['depends_on'])
    expect(fields('+WAITING')).toEqual(['wait'])
    // A whole filter shaped like an id may be a word: it says nothing about which items to show.
    expect(fields('bl-k3m9x2')).toEqual([])
    expect(fields('tag:x depends:y')).toEqual(['depends_on', 'tags'])
  })
})
