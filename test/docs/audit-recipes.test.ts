/**
 * The git log recipes of docs/how-it-works.md ("Finding things in history"), each run on a backlog made with the CLI
 * that has a close by an agent, a bulk close, a cancellation, a bulk cancellation, a reopen, a note and an undo, and
 * checked for what it must find. Also: bulk subjects name the verb the items share.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDocRepo, type DocRepo } from './doc-repo.js'
import { readPage } from './markdown.js'

const PAGE = 'docs/how-it-works.md'
const SECTION = 'Finding things in history'

/** The recipes block of the section: each recipe is its comment lines and its command, between blank lines. */
function recipes(): Array<{ title: string; command: string }> {
  const page = readPage(PAGE)
  const heading = page.headings.find((one) => one.text === SECTION)
  if (!heading) throw new Error(`${PAGE} has no "## ${SECTION}"`)
  const end = page.headings.find((one) => one.line > heading.line && one.level <= heading.level)?.line ?? Infinity
  const block = page.blocks.find(
    (one) => one.line > heading.line && one.line < end && one.lang === 'sh' && /^git log /m.test(one.text),
  )
  if (!block) throw new Error(`${PAGE}: no block of git log recipes under "## ${SECTION}"`)
  return block.text
    .split(/\n\s*\n/)
    .map((chunk) => chunk.trim())
    .filter(Boolean)
    .map((chunk) => {
      const lines = chunk.split('\n')
      return {
        title: lines
          .filter((line) => line.startsWith('#'))
          .join(' ')
          .replace(/^#\s*/, ''),
        command: lines.filter((line) => !line.startsWith('#')).join('\n'),
      }
    })
}

const CLOSED = ['bl-7q0zht', 'bl-wd4f1n', 'bl-f1aky9', 'bl-r3cv0k', 'bl-m1e5t0', 'bl-dcs0f7']

describe(`the git log recipes of ${PAGE}`, () => {
  let repo: DocRepo
  const run = (command: string): string => {
    const outcome = repo.bash(`set -eo pipefail\n${command}`)
    expect(outcome.code, `${command}\n${outcome.stderr}`).toBe(0)
    return outcome.stdout
  }
  const hashOf = (subject: string): string => run(`git log -1 --format=%H --grep='^${subject}'`).trim()

  beforeAll(() => {
    repo = createDocRepo({ example: true })
    const made = repo.bash(
      [
        'set -e',
        'BACKLOG_AGENT=claude git backlog done bl-7q0zht',
        'git backlog done bl-wd4f1n bl-f1aky9',
        'BACKLOG_AGENT=codex git backlog update bl-r3cv0k --status cancelled',
        'git backlog update bl-m1e5t0 bl-dcs0f7 --status cancelled',
        'git backlog update bl-k3m9x2 --status open',
        'BACKLOG_AGENT=claude git backlog note bl-7q0zht "Follow-up: rate-limit the endpoint"',
        'BACKLOG_AGENT=claude git backlog undo',
      ].join('\n'),
    )
    if (made.code !== 0) throw new Error(made.stderr)
  })
  afterAll(() => repo?.remove())

  it('made commits whose subjects name the verb, for one item or many', () => {
    const subjects = run('git log --format=%s').split('\n')
    expect(subjects).toEqual(
      expect.arrayContaining([
        'done bl-7q0zht: Registration ceremony endpoint',
        'done 2 items: bl-wd4f1n, bl-f1aky9',
        'close bl-r3cv0k: Account recovery by email link',
        'close 2 items: bl-m1e5t0, bl-dcs0f7',
        'reopen bl-k3m9x2: Store passkey credentials',
      ]),
    )
  })

  /** What each recipe must print; a recipe the docs add without a check here fails the last test. */
  const checks: Array<{ matches: RegExp; check: (output: string) => void }> = [
    {
      matches: /--oneline -- \.backlog\/$/,
      check: (output) => {
        for (const subject of ['done 2 items: ', 'close 2 items: ', 'close bl-r3cv0k', 'reopen bl-k3m9x2', 'undo '])
          expect(output).toContain(subject)
      },
    },
    {
      matches: /^git log --format=.* --grep='\^Backlog-Id: bl-7q0zht\$'$/,
      check: (output) => {
        expect(output).toMatch(/ {2}done bl-7q0zht: /)
        expect(output).toMatch(/ {2}update bl-7q0zht: /)
        expect(output).toMatch(/ {2}undo bl-7q0zht: /)
        expect(output).not.toMatch(/bl-wd4f1n|bl-r3cv0k/)
      },
    },
    {
      matches: /^git log -E --grep='\^\(done\|close\) '/,
      check: (output) => {
        const listed = [...output.matchAll(/^Backlog-Id: (\S+)$/gm)].map((match) => match[1])
        expect(listed.sort()).toEqual([...CLOSED].sort())
        expect(output).toMatch(/^Backlog-Agent: claude$/m)
        expect(output).toMatch(/^Backlog-Agent: codex$/m)
        expect(output).not.toContain('reopen')
        // The agent stands on its own line, never glued to a subject or a name.
        expect(output).not.toMatch(/\S(claude|codex)|(claude|codex)\S/)
      },
    },
    {
      matches: /^git log -1 -E --all-match /,
      check: (output) => {
        expect(output.trim()).toMatch(/^[0-9a-f]{7} \d{4}-\d\d-\d\d Test Person {2}Backlog-Agent: claude$/)
        expect(hashOf('done bl-7q0zht')).toMatch(new RegExp(`^${output.slice(0, 7)}`))
      },
    },
    {
      matches: /--grep='\^Backlog-Agent: claude\$'$/,
      check: (output) => {
        expect(output).toContain('done bl-7q0zht')
        expect(output).toContain('update bl-7q0zht')
        expect(output).toContain('undo bl-7q0zht')
        expect(output).not.toMatch(/close|done 2 items/)
      },
    },
    {
      matches: /--grep='\^Backlog-Op: \(undo\|redo\)\$'/,
      check: (output) => {
        expect(output).toMatch(/^[0-9a-f]{7} undo bl-7q0zht: /m)
        expect(output).toContain(`reverts ${hashOf('update bl-7q0zht')}`)
      },
    },
  ]

  for (const recipe of recipes()) {
    it(`"${recipe.title}" finds what it says`, () => {
      const check = checks.find((one) => one.matches.test(recipe.command))
      if (!check) throw new Error(`no check for the recipe "${recipe.title}": ${recipe.command}; add one here`)
      check.check(run(recipe.command))
    })
  }
})
