/** Each importer over its fixture (written in the tool's own format), and the mapping onto this repository's items. */

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type BacklogConfig, DEFAULT_CONFIG } from '../../src/core/config.js'
import type { Item } from '../../src/core/item.js'
import { blankDraft } from '../../src/import/draft.js'
import { importSource, mapDrafts, type SourceFile } from '../../src/import/index.js'
import { runInProcess } from '../helpers/cli.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'import')

function filesOf(dir: string): SourceFile[] {
  return readdirSync(join(FIXTURES, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(md|yml|json|jsonl)$/.test(name))
    .sort()
    .map((name) => ({ path: name, text: readFileSync(join(FIXTURES, dir, name), 'utf8') }))
}

function imported(source: string, dir: string, config: BacklogConfig = DEFAULT_CONFIG) {
  const read = importSource(source).read(filesOf(dir))
  const mapped = mapDrafts(read.drafts, { config, exists: () => false })
  const byId = new Map(mapped.items.map((entry) => [entry.item.id, entry]))
  const item = (id: string): Item => {
    const found = byId.get(id)?.item
    if (!found) throw new Error(`no ${id} among ${[...byId.keys()].join(', ')}`)
    return found
  }
  const problems = (id: string) => mapped.reports.find((report) => report.id === id)?.problems ?? []
  return { read, mapped, item, problems, archived: (id: string) => byId.get(id)?.archived }
}

describe('beads', () => {
  const { mapped, item, problems, read } = imported('beads', 'beads')

  it('keeps the ids, maps statuses, priorities 0-4, epics and parent-child, blocks and other links', () => {
    expect(mapped.items.map((entry) => entry.item.id)).toEqual(['bd-a1f3', 'bd-b2c4', 'bd-c5d6', 'bd-d7e8', 'bd-e7f8'])
    expect(item('bd-a1f3')).toMatchObject({ type: 'epic', status: 'open', priority: 'high', tags: ['auth'] })
    expect(item('bd-b2c4')).toMatchObject({
      status: 'done',
      priority: 'urgent',
      assignee: 'claude',
      parent: 'bd-a1f3',
      epic: 'bd-a1f3',
      created: '2026-10-01T09:05:00Z',
      closed: '2026-10-03T16:40:00Z',
      evidence: ['Migration 0042 applied'],
      notes: [{ at: '2026-10-02T14:02:00Z', by: 'claude', text: 'Credential ids are up to 1023 bytes; using bytea.' }],
    })
    expect(item('bd-c5d6')).toMatchObject({
      status: 'in_progress',
      tags: ['bug', 'ui'],
      depends_on: ['bd-b2c4'],
      attributes: { related: ['bd-e7f8'] },
    })
    expect(item('bd-d7e8').attributes).toEqual({ estimated_minutes: 90, discovered_from: ['bd-c5d6'] })
    expect(item('bd-d7e8').description).toContain('## Acceptance Criteria\n\n- [ ] codes shown once')
  })

  it('says what it could not map, per item', () => {
    expect(problems('bd-d7e8')).toEqual([
      'priority 4 (backlog) read as low: there is no lower priority here',
      'depends_on bd-zz99: no such item in the source or here; dropped',
    ])
    expect(item('bd-d7e8').depends_on).toEqual([])
    expect(problems('bd-e7f8')[0]).toMatch(/^status "deferred" is not one of open, .*: set to open/)
    expect(read.notes.join('\n')).toMatch(/updated_at is not imported/)
  })

  it('refuses a line that is not JSON, naming it', () => {
    expect(() =>
      importSource('beads').read([{ path: 'issues.jsonl', text: '{"id":"bd-1","title":"A"}\n{oops\n' }]),
    ).toThrow(/issues\.jsonl line 2 is not valid JSON/)
  })
})

describe('GitHub issues', () => {
  const { item, problems, mapped } = imported('github', 'github')

  it('makes gh-N ids, a milestone item the issues sit under, comments as notes', () => {
    expect(mapped.items.map((entry) => entry.item.id)).toEqual(['gh-milestone-1', 'gh-12', 'gh-15', 'gh-18', 'gh-20'])
    expect(item('gh-milestone-1')).toMatchObject({ type: 'milestone', due: '2026-12-01T00:00:00Z' })
    expect(item('gh-12')).toMatchObject({
      status: 'open',
      assignee: 'ann',
      parent: 'gh-milestone-1',
      tags: ['enhancement', 'good first issue'],
      references: [{ url: 'https://github.com/acme/web/issues/12', title: 'GitHub issue #12' }],
      attributes: { github_issue: 12 },
      description: 'The sign-in page needs a passkey button.\n\nSee the design doc.\n',
    })
    expect(item('gh-12').notes.map((note) => note.by)).toEqual(['bob', 'ann'])
    expect(item('gh-15')).toMatchObject({ status: 'done', closed: '2026-09-05T17:00:00Z', tags: ['bug'] })
    expect(problems('gh-12')).toEqual(['assignees bob dropped: one assignee here'])
  })

  it('reads stateReason: closed as not planned is cancelled; closed without it, or open with it empty, as before', () => {
    expect(item('gh-20')).toMatchObject({ status: 'cancelled', closed: '2026-09-06T10:00:00Z' })
    expect(item('gh-15').status).toBe('done')
    expect(item('gh-18').status).toBe('open')
  })

  it('asks gh for stateReason wherever it gives the command: help, errors, the CLI example and the docs', async () => {
    const fields = (text: string) => /gh issue list [^|`\n]*--json ([\w,]+)/.exec(text)?.[1]?.split(',') ?? []
    const docs = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'migrating.md'), 'utf8')
    const help = await runInProcess(process.cwd(), ['import', '--help'])
    let error = ''
    try {
      importSource('github').read([])
    } catch (thrown) {
      error = (thrown as Error).message
    }
    for (const text of [importSource('github').about, error, help.stdout, docs]) {
      expect(fields(text)).toContain('stateReason')
      expect(fields(text)).toContain('closedAt')
    }
  })

  it('keeps the close date of a reopened issue as closed_before, and says so', () => {
    const text = JSON.stringify([{ number: 4, title: 'Back again', state: 'OPEN', closedAt: '2026-09-01T10:00:00Z' }])
    const read = importSource('github').read([{ path: '-', text }])
    const { items, reports } = mapDrafts(read.drafts, { config: DEFAULT_CONFIG, exists: () => false })
    expect(items[0]?.item).toMatchObject({ status: 'open', closed: undefined })
    expect(items[0]?.item.attributes.closed_before).toBe('2026-09-01T10:00:00Z')
    expect(reports[0]?.problems).toEqual([
      'closed 2026-09-01T10:00:00Z in the source, but not closed now (open): the date kept as closed_before',
    ])
  })

  it('drops a comment without a date, and says so, as beads does', () => {
    const gh = importSource('github').read([
      { path: '-', text: JSON.stringify([{ number: 1, title: 'A', comments: [{ body: 'undated' }, { body: '' }] }]) },
    ]).drafts[0]
    const bd = importSource('beads').read([
      {
        path: 'issues.jsonl',
        text: `${JSON.stringify({ id: 'bd-1', title: 'A', comments: [{ text: 'undated' }] })}\n`,
      },
    ]).drafts[0]
    for (const draft of [gh, bd]) {
      expect(draft?.notes).toEqual([])
      expect(draft?.problems).toEqual(['a comment without a date dropped: notes here are dated'])
    }
  })

  it('refuses JSON that is not the array gh prints', () => {
    expect(() => importSource('github').read([{ path: '-', text: '{"number": 1}' }])).toThrow(
      /not a JSON array of issues/,
    )
  })
})

describe('taskwarrior', () => {
  const { item, problems } = imported('taskwarrior', 'taskwarrior')

  it('maps statuses, H/M/L, projects, dates, depends as a comma string, annotations, UDAs', () => {
    expect(item('tw-5f1c2a9e0b7d')).toMatchObject({
      status: 'open',
      priority: 'high',
      tags: ['docs', 'release'],
      due: '2026-09-15T17:00:00Z',
      created: '2026-09-01T10:00:00Z',
      notes: [{ at: '2026-09-02T08:00:00Z', text: 'Mention the passkey work' }],
      attributes: { taskwarrior_uuid: '5f1c2a9e-0b7d-4c1e-9a3f-2b6d8e4f1a01', project: 'web' },
    })
    expect(item('tw-8b2e6f103c4d')).toMatchObject({
      status: 'in_progress',
      started: '2026-09-03T09:00:00Z',
      depends_on: ['tw-5f1c2a9e0b7d'],
    })
    expect(item('tw-8b2e6f103c4d').attributes.estimate).toBe(3)
    expect(item('tw-c3d4e5f6a7b8')).toMatchObject({ status: 'done', closed: '2026-08-30T16:00:00Z' })
    expect(item('tw-d4e5f6a7b8c9').status).toBe('cancelled')
    expect(item('tw-e5f6a7b8c9d0')).toMatchObject({ status: 'open', wait: '2026-11-01T00:00:00Z' })
    expect(item('tw-f6a7b8c9d0e1')).toMatchObject({ status: 'open', recur: 'weekly' })
    expect(problems('tw-8b2e6f103c4d')).toEqual([
      'depends_on 77aa0000-1111-4222-8333-444455556666: no such item in the source or here; dropped',
    ])
    expect(problems('tw-a7b8c9d0e1f2')).toEqual([
      'priority "X" is not urgent, high, medium or low: kept as source_priority',
      'recurrence "2h" is not one read here: kept as source_recur, the item does not recur',
    ])
  })

  it('does not repeat the title as the first line of the description', () => {
    const text = JSON.stringify([
      { uuid: '11111111-2222-4333-8444-555555555555', description: 'Ship it\nafter the review', status: 'pending' },
      { uuid: '21111111-2222-4333-8444-555555555555', description: 'One line', status: 'pending' },
    ])
    const [long, short] = importSource('taskwarrior').read([{ path: '-', text }]).drafts
    expect(long).toMatchObject({ title: 'Ship it', description: 'after the review\n' })
    expect(short).toMatchObject({ title: 'One line', description: '' })
  })

  it('lets only the template of a recurring task recur; an occurrence keeps the rule as source_recur', () => {
    const template = '11111111-2222-4333-8444-555555555555'
    const text = JSON.stringify([
      { uuid: template, description: 'Water the plants', status: 'recurring', recur: 'weekly', mask: '-' },
      {
        uuid: '21111111-2222-4333-8444-555555555555',
        description: 'Water the plants',
        status: 'pending',
        recur: 'weekly',
        parent: template,
        imask: 0,
      },
    ])
    const read = importSource('taskwarrior').read([{ path: '-', text }])
    const { items, reports } = mapDrafts(read.drafts, { config: DEFAULT_CONFIG, exists: () => false })
    expect(items[0]?.item.recur).toBe('weekly')
    expect(items[1]?.item).toMatchObject({
      recur: undefined,
      attributes: { source_recur: 'weekly', recurrence_of: ['tw-111111112222'] },
    })
    expect(reports[1]?.problems).toContain(
      'an occurrence of a recurring task: its rule "weekly" kept as source_recur; only the template recurs here',
    )
  })

  it('reads old exports, one object a line', () => {
    const text = '{"uuid":"11111111-2222-4333-8444-555555555555","description":"A","status":"pending"}\n'
    expect(importSource('taskwarrior').read([{ path: '-', text }]).drafts[0]?.id).toBe('tw-111111112222')
  })
})

describe('backloghq', () => {
  const { item, problems } = imported('backloghq', 'backloghq')

  it('reads task_list JSON: _id, agent, annotations, depends by UUID', () => {
    expect(item('bq-0c9e1f2a3b4c')).toMatchObject({
      status: 'in_progress',
      priority: 'high',
      assignee: 'claude',
      notes: [{ at: '2026-10-02T09:05:00Z', text: 'Streaming, not one big JSON' }],
      attributes: { project: 'api', backlog_uuid: '0c9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f01' },
    })
    expect(item('bq-1d0f2a3b4c5d').depends_on).toEqual(['bq-0c9e1f2a3b4c'])
    expect(item('bq-2e1a3b4c5d6e')).toMatchObject({ status: 'done', priority: 'low', closed: '2026-09-20T15:00:00Z' })
    expect(problems('bq-1d0f2a3b4c5d')).toEqual([
      'its doc is kept apart by backlog and is not in the export: not imported',
    ])
  })
})

describe('backloghq across files', () => {
  it('makes ids across the export and its archive segments at once', () => {
    const task = (_id: string) => ({ _id, description: _id, status: 'pending' })
    const read = importSource('backloghq').read([
      { path: 'tasks.json', text: JSON.stringify([task('0c9e1f2a-3b4c-4d5e-8f6a-7b8c9d0e1f01')]) },
      { path: 'archive/archive-2026-Q1.json', text: JSON.stringify([task('0c9e1f2a-3b4c-4aaa-8f6a-7b8c9d0e1f02')]) },
    ])
    const { items, reports } = mapDrafts(read.drafts, { config: DEFAULT_CONFIG, exists: () => false })
    expect(items.map((entry) => entry.item.id)).toEqual(['bq-0c9e1f2a3b4c4d5e', 'bq-0c9e1f2a3b4c4aaa'])
    expect(reports).toEqual([])
  })
})

describe('Backlog.md', () => {
  const config: BacklogConfig = { ...DEFAULT_CONFIG, statuses: [...DEFAULT_CONFIG.statuses, 'review'] }
  const { item, problems, archived, mapped } = imported('backlog.md', 'backlog.md/backlog', config)

  it('keeps ids, reads sections, milestones, subtasks, drafts, completed and archived tasks', () => {
    expect(mapped.items.map((entry) => entry.item.id).sort()).toEqual(
      ['draft-1', 'm-1', 'task-1', 'task-2', 'task-2.1', 'task-3', 'task-4', 'task-5'].sort(),
    )
    expect(item('task-1')).toMatchObject({
      status: 'done',
      assignee: 'ann',
      created: '2026-08-01T09:00:00Z',
      closed: '2026-08-03T17:30:00Z',
      evidence: ['CI on GitHub Actions; the page is served by the dev server.'],
    })
    expect(item('task-1').description).toBe(
      'Repository, CI and the first page.\n\n## Acceptance Criteria\n\n- [x] #1 CI runs on every push\n- [x] #2 The first page is served\n',
    )
    expect(item('task-2')).toMatchObject({
      status: 'in_progress',
      priority: 'high',
      parent: 'm-1',
      depends_on: ['task-1'],
      tags: ['frontend', 'payments'],
      references: [{ url: 'https://example.com/checkout-design' }],
      attributes: { reporter: 'bob' },
      notes: [
        { at: '2026-08-06T12:15:00Z', by: 'ann', text: "The payment provider's test keys are in the team vault." },
      ],
    })
    expect(item('task-2').description).toContain('## Implementation Plan\n\n1. Static page')
    expect(item('task-2').description).not.toContain('SECTION')
    expect(item('task-2.1')).toMatchObject({ parent: 'task-2', status: 'review' })
    expect(item('m-1')).toMatchObject({ type: 'milestone', title: 'v1.0' })
    expect(item('task-3')).toMatchObject({ priority: 'urgent', attributes: { estimate: 5 } })
    expect(item('draft-1').tags).toEqual(['draft'])
    expect(archived('task-4')).toBe(true)
    expect(item('task-5')).toMatchObject({ status: 'cancelled' })
    expect(archived('task-5')).toBe(true)
  })

  it('says what it could not map', () => {
    expect(problems('task-2')).toEqual(['assignees claude dropped: one assignee here'])
    expect(problems('task-3')).toEqual(['depends_on task-99: no such item in the source or here; dropped'])
    expect(problems('task-5')).toEqual([
      'archived in Backlog.md with status "To Do": imported as cancelled, into the archive',
    ])
  })

  it('maps a status the config lacks onto the first one, and says so', () => {
    const plain = imported('backlog.md', 'backlog.md/backlog')
    expect(plain.item('task-2.1').status).toBe('open')
    expect(plain.problems('task-2.1')[0]).toMatch(/^status "Review" is not one of open/)
  })

  it('names the file and line of bad frontmatter', () => {
    const text = '---\nid: task-9\ntitle: [unclosed\n---\n'
    expect(() => importSource('backlog.md').read([{ path: 'tasks/task-9 - X.md', text }])).toThrow(
      /tasks\/task-9 - X\.md: the frontmatter is not valid YAML \(line \d+\)/,
    )
  })
})

describe('backlog-mcp', () => {
  const { item, problems, read } = imported('backlog-mcp', 'backlog-mcp')

  it('keeps TASK-0001 ids, epics, parents, evidence, blocked reasons, references', () => {
    expect(item('EPIC-0001')).toMatchObject({ type: 'epic', status: 'in_progress' })
    expect(item('TASK-0001')).toMatchObject({
      status: 'done',
      parent: 'EPIC-0001',
      epic: 'EPIC-0001',
      evidence: ['Indexed 1,204 documents in 3.1 s'],
      references: [{ url: 'https://github.com/acme/search/pull/7', title: 'The indexing PR' }],
      closed: '2026-09-02T18:00:00Z',
    })
    expect(item('TASK-0002')).toMatchObject({
      status: 'blocked',
      parent: 'TASK-0001',
      epic: 'EPIC-0001',
      blocked_reason: ['Waiting for the tokenizer fix'],
    })
    expect(item('CRON-0001')).toMatchObject({
      type: 'task',
      attributes: { source_type: 'cron', schedule: '0 3 * * *', command: 'npm run reindex', enabled: true },
    })
    expect(item('TASK-0001').description).toBe('Build the index on start.\n')
    expect(problems('CRON-0001')[0]).toMatch(/^type "cron" is not an item type here: imported as a task/)
    expect(read.notes).toContain('1 markdown file(s) without an id in their frontmatter skipped')
  })
})

describe('mapping drafts', () => {
  const config = DEFAULT_CONFIG

  it('makes ids of source ids that are not ids here, the same each time, and keeps the old one', () => {
    const drafts = () => [blankDraft('ADR 0001', 'Use git'), blankDraft('ADR 0002', 'Use YAML')]
    const first = mapDrafts(drafts(), { config, exists: () => false })
    const second = mapDrafts(drafts(), { config, exists: () => false })
    expect(first.items.map((entry) => entry.item.id)).toEqual(['bl-adr-0001', 'bl-adr-0002'])
    expect(second.items.map((entry) => entry.item.id)).toEqual(['bl-adr-0001', 'bl-adr-0002'])
    expect(first.items[0]?.item.attributes.imported_id).toBe('ADR 0001')
    expect(first.reports.map((report) => report.problems)).toEqual([
      ['id ADR 0001 is not an id here: imported as bl-adr-0001'],
      ['id ADR 0002 is not an id here: imported as bl-adr-0002'],
    ])
    const long = `T-${'x'.repeat(70)}`
    const cut = mapDrafts([blankDraft(long, 'Long')], { config, exists: () => false })
    expect(cut.reports[0]?.problems).toEqual([`id ${long} is not an id here: imported as bl-t-${'x'.repeat(56)}`])
  })

  it('renames a duplicate id and says so; links go to the first', () => {
    const a = blankDraft('T-1', 'First')
    const b = blankDraft('t-1', 'Second')
    const c = blankDraft('T-2', 'Third')
    c.depends_on = ['T-1']
    const { items, reports } = mapDrafts([a, b, c], { config, exists: () => false })
    expect(items.map((entry) => entry.item.id)).toEqual(['T-1', 't-1-2', 'T-2'])
    expect(items[2]?.item.depends_on).toEqual(['T-1'])
    expect(reports[0]?.problems).toEqual(['id t-1 appears more than once in the source: this one is t-1-2'])
  })

  it('keeps links to items the repository has, and breaks dependency cycles and parent loops', () => {
    const a = blankDraft('a-1', 'A')
    const b = blankDraft('b-1', 'B')
    const c = blankDraft('c-1', 'C')
    a.depends_on = ['b-1', 'bl-here1']
    b.depends_on = ['c-1']
    c.depends_on = ['a-1']
    a.parent = 'c-1'
    c.parent = 'a-1'
    const { items, reports } = mapDrafts([a, b, c], { config, exists: (id) => id === 'bl-here1' })
    expect(items[0]?.item.depends_on).toEqual(['b-1', 'bl-here1'])
    expect(items[2]?.item.depends_on).toEqual([])
    expect(reports.find((report) => report.id === 'c-1')?.problems).toContain(
      'depends_on a-1 dropped: it closes a cycle (a-1 → b-1 → c-1 → a-1)',
    )
    expect([items[0]?.item.parent, items[2]?.item.parent].filter(Boolean)).toHaveLength(1)
  })

  it('maps statuses by what they mean onto a config of its own', () => {
    const own: BacklogConfig = {
      ...config,
      statuses: ['todo', 'doing', 'finished', 'dropped'],
      started_statuses: ['doing'],
      closed_statuses: ['finished', 'dropped'],
    }
    const draft = (name: string, meaning?: 'open' | 'in_progress' | 'done' | 'cancelled') => {
      const one = blankDraft(`x-${name}`, name)
      one.status = { name, ...(meaning ? { meaning } : {}) }
      return one
    }
    const { items } = mapDrafts(
      [
        draft('In Progress', 'in_progress'),
        draft('Done', 'done'),
        draft('deleted', 'cancelled'),
        draft('TODO', 'open'),
      ],
      { config: own, exists: () => false },
    )
    expect(items.map((entry) => entry.item.status)).toEqual(['doing', 'finished', 'dropped', 'todo'])
  })

  it('makes tags --tag can name: a comma becomes -, and the change is said', () => {
    const draft = blankDraft('x-1', 'Labels')
    draft.tags = ['help, wanted', 'good first issue', 'a,b']
    const { items, reports } = mapDrafts([draft], { config, exists: () => false })
    expect(items[0]?.item.tags).toEqual(['help-wanted', 'good first issue', 'a-b'])
    expect(reports[0]?.problems).toEqual([
      'tag "help, wanted" holds a comma, which --tag reads as two tags: imported as "help-wanted"',
      'tag "a,b" holds a comma, which --tag reads as two tags: imported as "a-b"',
    ])
  })

  it('checks every item with the schema items are made with here: a list it cannot take is cut, and said', () => {
    const draft = blankDraft('x-1', 'Many tags')
    draft.tags = Array.from({ length: 501 }, (_, index) => `t${index}`)
    const { items, reports } = mapDrafts([draft], { config, exists: () => false })
    expect(items[0]?.item.tags).toHaveLength(500)
    expect(reports[0]?.problems).toEqual(['tags has 501 entries; the limit is 500: the first 500 kept'])
  })

  it('fits texts: a long title is cut and kept whole in the description, control characters go', () => {
    const draft = blankDraft('x-1', `${'a'.repeat(600)}`)
    draft.description = 'bell\u0007 here\n'
    const { items, reports } = mapDrafts([draft], { config, exists: () => false })
    expect(items[0]?.item.title).toHaveLength(500)
    expect(items[0]?.item.description).toBe(`${'a'.repeat(600)}\n\nbell here\n`)
    expect(reports[0]?.problems).toEqual([
      'title cut to 500 characters; the whole title starts the description',
      'description: control characters removed',
    ])
  })
})

describe('git-backlog (its own export)', () => {
  it('says what it drops: a note without a date or text, a reference without a url', () => {
    const text = JSON.stringify({
      items: [
        {
          id: 'bl-k3m9x2',
          title: 'Store passkey credentials',
          status: 'open',
          notes: [{ text: 'no date' }, { at: '2026-11-11T14:02:00Z' }, { at: '2026-11-11T14:03:00Z', text: 'kept' }],
          references: [{ title: 'no url' }, { url: 'https://example.com/spec' }],
        },
      ],
    })
    const read = importSource('git-backlog').read([{ path: 'backlog.json', text }])
    const mapped = mapDrafts(read.drafts, { config: DEFAULT_CONFIG, exists: () => false })
    const item = mapped.items[0]?.item
    expect(item?.notes?.map((note) => note.text)).toEqual(['kept'])
    expect(item?.references).toEqual([{ url: 'https://example.com/spec' }])
    expect(mapped.reports.find((report) => report.id === 'bl-k3m9x2')?.problems).toEqual([
      'a reference without a url dropped',
      'a note without a date dropped',
      'a note without text dropped',
    ])
  })
})
