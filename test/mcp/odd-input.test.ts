/**
 * Input a person or agent really sends, through the SDK client: every accepted input reads back as given, and what
 * cannot be stored is refused with the field named and nothing written.
 */

import { describe, expect, it } from 'vitest'
import { callOk, initializedClient, textOf } from '../helpers/mcp.js'

type Rows = { items: Array<{ id: string }> }
type Details = { items: Array<{ id: string; title: string; description: string; notes: Array<{ text: string }> }> }

describe('odd but ordinary input', () => {
  it('stores setext headings, lines that look like conflict markers, and typed-looking titles, and reads them back', async () => {
    const { repo, client } = await initializedClient()
    const description = [
      'Overview',
      '========',
      '',
      'How a merge conflict looks:',
      '',
      '<<<<<<< ours',
      'our line',
      '=======',
      'their line',
      '>>>>>>> theirs',
      '',
      'Details',
      '-------',
      '',
    ].join('\n')
    const titles = ['0b101', '0x1F', 'yes', 'null', '1_000', '12:30', '---', '<<<<<<< HEAD', '=======']
    const created = await callOk<Rows>(client, 'backlog_create', {
      items: titles.map((title) => ({ title, description })),
    })
    const ids = created.items.map((item) => item.id)
    const read = await callOk<Details>(client, 'backlog_get', { id: ids })
    expect(read.items.map((item) => item.title)).toEqual(titles)
    for (const item of read.items) expect(item.description).toBe(description)
    const listed = await callOk<{ problems?: unknown[] }>(client, 'backlog_list', { status: 'all' })
    expect(listed.problems ?? []).toEqual([])
    expect(repo.git('status', '--porcelain')).toBe('')

    // A note and a body edit that look like markers too.
    await callOk(client, 'backlog_update', { id: ids[0], note: '=======\n<<<<<<< not a conflict' })
    await callOk(client, 'write_resource', { id: ids[0], operation: { type: 'append', new_str: '>>>>>>> end\n' } })
    const again = await callOk<Details>(client, 'backlog_get', { id: ids[0] })
    expect(again.items[0]?.notes.at(-1)?.text).toBe('=======\n<<<<<<< not a conflict')
    expect(again.items[0]?.description).toBe(`${description}>>>>>>> end\n`)
  })

  it('refuses text git or YAML cannot hold, naming the field, and writes nothing', async () => {
    const { client, commits } = await initializedClient()
    const { items } = await callOk<Rows>(client, 'backlog_create', { title: 'Target' })
    const id = items[0]!.id
    const before = commits()
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        'backlog_create',
        { title: 'Fix\u0000login' },
        /^INVALID_INPUT: title: holds the control character U\+0000 at character 4/,
      ],
      ['backlog_create', { title: 'Bell \u0007' }, /title: holds the control character U\+0007/],
      [
        'backlog_create',
        { title: 'Broken \ud800 pair' },
        /title: holds a lone surrogate \(U\+D800\), which is not valid Unicode/,
      ],
      ['backlog_create', { title: 'Tab\there' }, /title: holds a tab at character 4; it must be one line/],
      [
        'backlog_create',
        { title: 'Ok', description: 'text\u001b[31mred' },
        /description: holds the control character U\+001B/,
      ],
      [
        'backlog_create',
        { title: 'Ok', tags: ['fine', 'bad\u0000'] },
        /tags\[1\]: holds the control character U\+0000/,
      ],
      ['backlog_create', { title: 'Ok', agent: 'claude\nBacklog-Op: delete' }, /agent: holds a line break/],
      ['backlog_create', { title: 'x'.repeat(501) }, /title: title is longer than 500 characters/],
      [
        'backlog_update',
        { id, note: `n${'o'.repeat(20_000)}` },
        /note: is 20,001 characters long; the limit is 20,000/,
      ],
      ['backlog_update', { id, assignee: 'a\u0085b' }, /assignee: holds the control character U\+0085/],
      [
        'backlog_update',
        { id, attributes: { owner: 'x\u0000' } },
        /attributes: "x\\u0000" holds the control character U\+0000/,
      ],
      ['backlog_update', { id, evidence: ['ok', 'bad\u0000'] }, /evidence\[1\]: holds the control character/],
      ['backlog_search', { query: 'q'.repeat(1_001) }, /query: is 1,001 characters long; the limit is 1,000/],
      [
        'write_resource',
        { id, operation: { type: 'append', new_str: 'a\u0000' } },
        /new_str: holds the control character U\+0000/,
      ],
    ]
    for (const [tool, args, expected] of cases) {
      const result = await client.call(tool, args)
      expect(result.isError, `${tool} ${JSON.stringify(args).slice(0, 60)}`).toBe(true)
      expect(textOf(result)).toMatch(expected)
    }
    expect(commits()).toBe(before)
  })
})

describe('an item grown past what can be read', () => {
  it('is refused before it is written: appends stop at the item file limit', async () => {
    const { client, commits } = await initializedClient()
    const { items } = await callOk<Rows>(client, 'backlog_create', { title: 'Growing' })
    const id = items[0]!.id
    const chunk = `${'x'.repeat(99)}\n`.repeat(1_990)
    let refused: string | undefined
    for (let n = 0; n < 12 && !refused; n++) {
      const result = await client.call('write_resource', { id, operation: { type: 'append', new_str: chunk } })
      if (result.isError) refused = textOf(result)
    }
    expect(refused).toMatch(
      /^INVALID_INPUT: .* would be 2\.\d MB; an item file may be at most 2 MB. Nothing was written/,
    )
    const before = commits()
    // It still reads, and still takes edits.
    await callOk(client, 'backlog_update', { id, status: 'in_progress' })
    expect(commits()).toBe(before + 1)
  })
})

describe('hostile files and queries', () => {
  it('reports an alias bomb and an oversized file as problems, in milliseconds, while everything else works', async () => {
    const { repo, client } = await initializedClient()
    const { items } = await callOk<Rows>(client, 'backlog_create', { title: 'A good item' })
    const lines = ['---', 'id: bl-bomb01', 'title: Bomb', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]']
    for (let level = 1; level < 10; level++)
      lines.push(
        `a${level}: &a${level} [${Array(10)
          .fill(`*a${level - 1}`)
          .join(', ')}]`,
      )
    repo.write('.backlog/tasks/1/bl-bomb01.md', `${[...lines, '---'].join('\n')}\n`)
    repo.write(
      '.backlog/tasks/2/bl-huge02.md',
      `---\nid: bl-huge02\ntitle: Huge\n---\n${'x'.repeat(3 * 1024 * 1024)}\n`,
    )

    const started = Date.now()
    const listed = await callOk<{ items: Array<{ id: string }>; problems: Array<{ path: string; reason: string }> }>(
      client,
      'backlog_list',
      {},
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(listed.items.map((item) => item.id)).toEqual([items[0]!.id])
    expect(listed.problems.map((problem) => [problem.path, problem.reason])).toEqual([
      ['.backlog/tasks/1/bl-bomb01.md', expect.stringMatching(/YAML aliases of lists or mappings .* are not allowed/)],
      ['.backlog/tasks/2/bl-huge02.md', expect.stringMatching(/the file is 3\.0 MB; an item file may be at most 2 MB/)],
    ])
    const shown = await client.call('backlog_get', { id: 'bl-bomb01' })
    expect(textOf(shown)).toMatch(
      /^MALFORMED_ITEM: bl-bomb01 is in \.backlog\/tasks\/1\/bl-bomb01\.md, which cannot be read/,
    )
    const edit = await client.call('backlog_update', { id: 'bl-bomb01', priority: 'high' })
    expect(textOf(edit)).toMatch(/^MALFORMED_ITEM/)
    // Writes, search and context go on.
    await callOk(client, 'backlog_update', { id: items[0]!.id, status: 'in_progress' })
    await callOk(client, 'backlog_search', { query: 'good' })
    await callOk(client, 'backlog_context', { id: items[0]!.id })
  })

  it('refuses a filter nested past any reasonable depth with a clear error', async () => {
    const { client } = await initializedClient()
    const deep = `${'('.repeat(2_000)}status:open${')'.repeat(2_000)}`
    const result = await client.call('backlog_list', { filter: deep })
    expect(textOf(result)).toMatch(/^INVALID_INPUT: .*nests parentheses and negations more than 64 deep/)
    const negations = await client.call('backlog_list', { filter: `${'not '.repeat(2_000)}status:open` })
    expect(textOf(negations)).toMatch(/^INVALID_INPUT: .*more than 64 deep/)
    const fine = await client.call('backlog_list', { filter: `${'('.repeat(30)}status:open${')'.repeat(30)}` })
    expect(fine.isError, textOf(fine)).toBeFalsy()
  })
})
