/**
 * Pairs of edits to one item through the merge button's merge: git's plain line merge, no custom driver. Each edit is
 * made through the app on its own branch from main, then `git merge` with `merge=text` for item files
 * (docs/adr/0018-a-layout-the-merge-button-can-merge.md).
 */

import { spawnSync } from 'node:child_process'
import { expect } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { parseItemFile } from '../../src/core/codec.js'
import { createInput, type UpdateInput, updateInput } from '../../src/core/inputs.js'
import { GIT_ENV, tempRepo } from '../helpers/repo.js'
import table from './line-merge-edits.json' with { type: 'json' }

type Edit = { update: Omit<UpdateInput, 'id'> } | { append: string }

/** The edits (issue 13's nine first, then every other field an edit can set on its own), shared with the bench. */
export const EDITS = table.edits as Record<string, Edit>
/** Pairs that change one field twice: `done` sets the status too. */
export const SAME_FIELD = new Set(['status+done'])

/** An item with a title and a body, and one with most fields set and a note. */
export const BASES = table.bases

const identity = { name: 'Test Person', email: 'test@example.com' }

async function edit(dir: string, id: string, parent: string, name: string): Promise<void> {
  const app = createApp({ cwd: dir, identity })
  try {
    const spec = EDITS[name] as Edit
    if ('append' in spec) {
      await app.writeBody({ id, operation: { type: 'append', new_str: spec.append }, agent: name })
    } else {
      const fields = JSON.parse(JSON.stringify(spec.update).replaceAll('PARENT', parent))
      await app.update(updateInput.parse({ id, ...fields, agent: name }))
    }
  } finally {
    app.close()
  }
}

/**
 * Makes an item from `base` on main, then for each pair of `names` two branches that each make one edit, and merges
 * them with git's line merge. Checks that each clean merge holds both edits; returns the pairs that conflicted.
 */
export async function conflictingPairs(base: (typeof BASES)[keyof typeof BASES], names: string[]): Promise<string[]> {
  const repo = tempRepo()
  const app = createApp({ cwd: repo.dir, identity })
  await app.init({})
  const parent = (await app.create(createInput.parse({ title: 'An epic', type: 'epic' }))).items[0]!.id
  const id = (await app.create(createInput.parse({ ...base }))).items[0]!.id
  if ('priority' in base) await app.update(updateInput.parse({ id, note: 'First look: a cookie issue.' }))
  app.close()
  // The line merge for item files whatever .gitattributes says: info/attributes wins over it.
  repo.write('.git/info/attributes', '*.md merge=text\n')
  const path = `.backlog/tasks/${id.slice(-1)}/${id}.md`

  const conflicts: string[] = []
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      repo.git('checkout', '-q', '-B', 'a', 'main')
      await edit(repo.dir, id, parent, a)
      repo.git('checkout', '-q', '-B', 'b', 'main')
      await edit(repo.dir, id, parent, b)
      const merged = spawnSync('git', ['merge', '-q', '--no-edit', 'a'], {
        cwd: repo.dir,
        env: { ...process.env, ...GIT_ENV },
        encoding: 'utf8',
      })
      if (merged.status === 0) {
        const item = parseItemFile(repo.read(path))
        const ours = parseItemFile(repo.git('show', `b:${path}`))
        const theirs = parseItemFile(repo.git('show', `a:${path}`))
        // Both edits are in the result: each field as the side that changed it left it.
        for (const side of [ours, theirs]) {
          for (const field of ['title', 'type', 'status', 'priority', 'assignee', 'parent', 'due', 'recur'] as const) {
            const baseValue = parseItemFile(repo.git('show', `main:${path}`))[field]
            if (side[field] !== baseValue) expect(item[field], `${a}+${b}: ${field}`).toBe(side[field])
          }
          expect(item.notes.length).toBeGreaterThanOrEqual(side.notes.length)
          for (const list of ['tags', 'depends_on', 'evidence', 'blocked_reason'] as const)
            expect(item[list], `${a}+${b}: ${list}`).toEqual(expect.arrayContaining(side[list]))
        }
        if (a === 'body' || b === 'body') expect(item.description).toContain('A paragraph added at the end.')
      } else {
        conflicts.push(`${a}+${b}`)
        repo.git('merge', '--abort')
      }
      repo.git('checkout', '-q', 'main')
    }
  }
  expect(repo.git('fsck', '--no-progress', '--no-dangling').trim()).toBe('')
  return conflicts
}
