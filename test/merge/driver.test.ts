/** The driver on the three files git hands it, through the built command line as git runs it. */

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { parseItemFile, serializeItem } from '../../src/core/codec.js'
import { blankItem, type Item } from '../../src/core/item.js'
import { BIN } from '../helpers/repo.js'

const item = (fields: Partial<Item>): string =>
  serializeItem({ ...blankItem('bl-k3m9x2', 'Rotate keys'), created: '2026-11-01T10:00:00Z', ...fields })

/** Writes the three versions to temp files and runs the driver on them as git would. */
function drive(base: string, ours: string, theirs: string, path = '.backlog/tasks/2/bl-k3m9x2.md') {
  const dir = mkdtempSync(join(tmpdir(), 'git-backlog-driver-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const [o, a, b] = ['base', 'ours', 'theirs'].map((name) => join(dir, name))
  writeFileSync(o as string, base)
  writeFileSync(a as string, ours)
  writeFileSync(b as string, theirs)
  const run = spawnSync(process.execPath, [BIN, 'merge-driver', o as string, a as string, b as string, '7', path], {
    cwd: dir,
    encoding: 'utf8',
  })
  return { status: run.status, stderr: run.stderr, result: readFileSync(a as string, 'utf8') }
}

describe('git backlog merge-driver', () => {
  it('settles a field both sides changed by rule, keeps the other value in a note, and exits 0', () => {
    const base = item({ priority: 'medium' })
    const outcome = drive(base, item({ priority: 'low' }), item({ priority: 'urgent' }))
    expect(outcome.status).toBe(0)
    const merged = parseItemFile(outcome.result)
    expect(merged.priority).toBe('urgent')
    expect(merged.notes.map((note) => note.text).join()).toMatch(/priority.*low/)
    expect(outcome.stderr).toMatch(/both sides changed priority/)
  })

  it('gives the same item whichever side is ours', () => {
    const base = item({ tags: ['a'] })
    const ours = item({ tags: ['a', 'b'], status: 'in_progress' })
    const theirs = item({ tags: ['c'], title: 'Rotate the keys' })
    const one = parseItemFile(drive(base, ours, theirs).result)
    const other = parseItemFile(drive(base, theirs, ours).result)
    expect(one).toEqual(other)
    expect(one).toMatchObject({ tags: ['b', 'c'], status: 'in_progress', title: 'Rotate the keys' })
  })

  it('refuses to fold two different items that both sides added under one id', () => {
    const ours = serializeItem({ ...blankItem('TASK-0001', 'Write the docs'), created: '2026-11-01T10:00:00Z' })
    const theirs = serializeItem({ ...blankItem('TASK-0001', 'Fix the build'), created: '2026-11-02T09:00:00Z' })
    const outcome = drive('', ours, theirs, '.backlog/tasks/1/TASK-0001.md')
    expect(outcome.status).toBe(1)
    expect(outcome.stderr).toMatch(/different items \("Write the docs" and "Fix the build"\)/)
    expect(outcome.result).toMatch(/^<<<<<<< /m)
  })

  it('keeps the item a file is named for when git hands it another item too, byte for byte, and stops', () => {
    // git took bl-k3m9x2 (changed on ours, deleted on theirs) for a move to bl-7w2p4q, which theirs added
    const added = serializeItem({ ...blankItem('bl-7w2p4q', 'Audit the tokens'), created: '2026-11-02T09:00:00Z' })
    const crlf = added.replace(/\n/g, '\r\n')
    const outcome = drive(item({}), item({ priority: 'urgent' }), crlf, '.backlog/tasks/q/bl-7w2p4q.md')
    expect(outcome.status).toBe(1)
    expect(outcome.result).toBe(crlf)
    expect(outcome.stderr).toMatch(/git took bl-k3m9x2, changed on our side and deleted on the other, for a move/)
    expect(outcome.stderr).toMatch(/`git backlog resolve` to bring bl-k3m9x2 back as changed/)
    // the other way round: ours is the added item, left as it is
    const mirrored = drive(item({}), added, item({ priority: 'urgent' }), '.backlog/tasks/q/bl-7w2p4q.md')
    expect([mirrored.status, mirrored.result]).toEqual([1, added])
    expect(mirrored.stderr).toMatch(/changed on their side/)
  })

  it('merges one item both sides added as one', () => {
    const ours = item({ tags: ['x'] })
    const theirs = item({ tags: ['y'] })
    const outcome = drive('', ours, theirs)
    expect(outcome.status).toBe(0)
    expect(parseItemFile(outcome.result).tags).toEqual(['x', 'y'])
  })

  it('finishes in bounded time on a hostile file (an alias bomb), leaving a conflict for a person', () => {
    const bomb = (title: string) => {
      const lines = [
        '---',
        'id: bl-k3m9x2',
        `title: ${title}`,
        'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      ]
      for (let level = 1; level < 10; level++) {
        lines.push(
          `a${level}: &a${level} [${Array(10)
            .fill(`*a${level - 1}`)
            .join(', ')}]`,
        )
      }
      return `${[...lines, '---'].join('\n')}\n`
    }
    const started = Date.now()
    const outcome = drive(bomb('Base'), bomb('Ours'), bomb('Theirs'))
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(outcome.status).toBe(1)
    expect(outcome.result).toMatch(/^<<<<<<< /m)
  })

  it("uses git's line merge for a file that is not an item, and for a side that does not parse", () => {
    const lines = 'one\ntwo\nthree\nfour\nfive\n'
    const readme = drive(lines, lines.replace('one', 'ONE'), lines.replace('five', 'FIVE'), '.backlog/tasks/README.md')
    expect(readme).toMatchObject({ status: 0, result: 'ONE\ntwo\nthree\nfour\nFIVE\n' })
    const clash = drive(lines, lines.replace('two', 'TWO'), lines.replace('two', 'Two'), '.backlog/tasks/README.md')
    expect(clash.status).toBe(1)
    expect(clash.result).toMatch(/^<<<<<<< \.backlog\/tasks\/README\.md \(ours\)\nTWO\n=======\nTwo\n>>>>>>> /m)

    const broken = drive(item({}), 'not: [valid\n', item({ priority: 'high' }))
    expect(broken.status).toBe(1)
    expect(broken.stderr).toMatch(/ours side of the merge/)
  })

  it('is what `git merge-file` would not be: both additions to a list kept, no markers', () => {
    const base = item({ tags: ['a'] })
    const [ours, theirs] = [item({ tags: ['a', 'b'] }), item({ tags: ['a', 'c'] })]
    const dir = mkdtempSync(join(tmpdir(), 'git-backlog-plain-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    for (const [name, text] of Object.entries({ base, ours, theirs })) writeFileSync(join(dir, name), text)
    const plain = spawnSync('git', ['merge-file', '-p', 'ours', 'base', 'theirs'], { cwd: dir, encoding: 'utf8' })
    expect(plain.status).toBe(1) // git alone conflicts on two lines added at one place
    expect(parseItemFile(drive(base, ours, theirs).result).tags).toEqual(['a', 'b', 'c'])
  })
})
