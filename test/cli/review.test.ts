/**
 * `git backlog review` in process: the terminal rendering, the markdown for a pull request (folded long parts, escaped
 * titles), the JSON shape, an empty range, and a bad revision that changes nothing.
 */

import { describe, expect, it } from 'vitest'
import type { Review } from '../../src/core/review.js'
import { runInProcess } from '../helpers/cli.js'
import { appOf, featureRepo } from '../helpers/review.js'

const HOSTILE = '<script>alert(1)</script> | `rm -rf` **[x](http://e.vil)** @everyone'

async function ok(cwd: string, ...args: string[]): Promise<string> {
  const outcome = await runInProcess(cwd, args)
  expect(outcome.code, outcome.stderr).toBe(0)
  return outcome.stdout
}

/** The feature repository with one more item on the branch whose title is trying to break a pull request comment. */
async function hostileRepo() {
  const { repo, ids } = await featureRepo()
  const agent = appOf(repo.dir, 'claude', Date.UTC(2026, 10, 25, 12))
  const made = await agent.create({ title: HOSTILE } as never)
  ids.hostile = made.items[0]!.id
  const long = Array.from({ length: 30 }, (_, line) => `Line ${line} of a long description.`)
  await agent.update({ id: [ids['Describe me']!], description: `${long.join('\n')}\n` } as never)
  agent.close()
  return { repo, ids }
}

describe('git backlog review', () => {
  it('prints each item with its changes and who made them', async () => {
    const { repo, ids } = await featureRepo()
    const text = await ok(repo.dir, 'review', 'main..feature')
    const lines = text.split('\n')
    expect(lines[0]).toBe(
      'Backlog changes: 1 created · 1 closed · 1 deleted · 1 reopened · 1 archived · 1 reassigned · 1 reprioritised · 1 re-parented · 1 with notes · 1 described',
    )
    expect(lines[1]).toMatch(/^main \([0-9a-f]{7}\) → feature \([0-9a-f]{7}\), from their merge base [0-9a-f]{7}$/)
    expect(text).toContain(`${ids['Close me']}  Close me  [task · high · done]  by claude`)
    expect(text).toContain(
      '  closed: in_progress → done, by claude\n    evidence: PR #12 merged\n    evidence: tests green',
    )
    expect(text).toContain(`  created task "Brand new" (open, parent ${ids['Epic one']})`)
    expect(text).toContain('  note added by claude: "Looked into it: the cookie expires early."')
    expect(text).toContain('  assignee: ann → claude')
    expect(text).toContain('  priority: low → urgent')
    expect(text).toContain('  deleted "Delete me"')
    expect(text).toMatch(/ {2}description:\n {4}@@ .* @@\n {5}Line one\n {4}-Line two\n {4}\+Line 2/)
  })

  it('writes markdown for a pull request: counts, folded diffs, escaped titles', async () => {
    const { repo, ids } = await hostileRepo()
    const markdown = await ok(repo.dir, 'review', 'main...feature', '--format', 'markdown')
    expect(markdown).toMatch(/^### Backlog changes: 2 created · 1 closed · 1 deleted · /)
    expect(markdown).toContain(`#### \`${ids['Close me']}\` Close me\n\ntask · high · done · by claude`)
    expect(markdown).toContain('- **closed**: in_progress → done, by claude')
    // A long description diff is folded, in a fence its text cannot close.
    const described = markdown.slice(markdown.indexOf(`#### \`${ids['Describe me']}\``))
    expect(described).toMatch(/<details>\n<summary>Description diff \(20 lines\)<\/summary>\n\n```diff\n@@ /)
    expect(described).toContain('+Line 15 of a long description.\n… 14 more lines\n```\n\n</details>')
    const hostile = markdown.slice(markdown.indexOf(`#### \`${ids.hostile}\``))
    // The hostile title opens no tag, no table cell, no code span, no link and mentions no one.
    const title = (hostile.split('\n')[0] as string).slice(`#### \`${ids.hostile}\` `.length)
    // Brackets escaped, so `(…)` cannot make a link; `|`, backticks and `*` escaped; no mention.
    expect(title).not.toMatch(/<script|(^|[^\\])[|`*[\]]|@everyone/)
    expect(title).toContain('\\[x\\](http://e.vil)')
    expect(title).toContain('&lt;script&gt;')
    expect(markdown).not.toContain('<script>')
  })

  it('prints JSON in a stable shape', async () => {
    const { repo, ids } = await featureRepo()
    const review = JSON.parse(await ok(repo.dir, 'review', 'main..feature', '--json')) as Review
    expect(Object.keys(review)).toEqual([
      'base',
      'head',
      'compared',
      'merge_base',
      'worktree',
      'history',
      'counts',
      'items',
    ])
    expect(review.base).toEqual({ name: 'main', commit: expect.stringMatching(/^[0-9a-f]{40}$/) })
    expect(review.items.find((item) => item.id === ids['Close me'])).toEqual({
      id: ids['Close me'],
      title: 'Close me',
      type: 'task',
      status: 'done',
      priority: 'high',
      path: expect.stringMatching(/^\.backlog\/tasks\//),
      kinds: ['closed'],
      changes: [
        {
          kind: 'closed',
          field: 'status',
          old: 'in_progress',
          new: 'done',
          by: 'claude',
          evidence: ['PR #12 merged', 'tests green'],
        },
      ],
      by: ['claude'],
    })
    expect(await ok(repo.dir, 'review', 'main..feature', '--format', 'json')).toBe(
      await ok(repo.dir, 'review', 'main..feature', '--json'),
    )
  })

  it('says so plainly when nothing changed, and exits 0', async () => {
    const { repo } = await featureRepo()
    expect(await ok(repo.dir, 'review', 'feature..feature')).toMatch(
      /^No backlog changes between feature \([0-9a-f]{7}\) and feature \([0-9a-f]{7}\)\.\n$/,
    )
  })

  it('refuses a bad revision with exit 1 and writes nothing', async () => {
    const { repo } = await featureRepo()
    const before = repo.git('status', '--porcelain')
    const head = repo.git('rev-parse', 'HEAD')
    const missing = await runInProcess(repo.dir, ['review', 'no-such-branch..HEAD'])
    expect(missing.code).toBe(1)
    expect(missing.stdout).toBe('')
    expect(missing.stderr).toMatch(/base: "no-such-branch" names no commit in this repository\. Name a branch/)
    const option = await runInProcess(repo.dir, ['review', '--', '--output=/tmp/x'])
    expect(option.code).toBe(1)
    expect(option.stderr).toMatch(/a range is "<base>\.\.<head>" or one revision/)
    const format = await runInProcess(repo.dir, ['review', '--format', 'html'])
    expect(format.code).toBe(1)
    expect(format.stderr).toMatch(/--format must be terminal, markdown or json/)
    expect(repo.git('status', '--porcelain')).toBe(before)
    expect(repo.git('rev-parse', 'HEAD')).toBe(head)
  })
})
