/**
 * A backlog commit must not hide a person's edit from git. git trusts an index entry whose file stat matches, except
 * when the file changed in the same second the index was written ("racily clean", see git's racy-git.txt): such
 * entries are re-checked by content, and git smudges them (size 0) whenever it rewrites the index later. An index
 * rewritten with a newer time that copies those entries as they were makes a same-size edit made in that second
 * invisible: `git diff` and `git status` show nothing, `git add` stages nothing, and `git commit` leaves it out.
 * Found by the concurrent-writers test (a person's `git commit` said "nothing to commit" after editing a file).
 */

import { utimesSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { tempRepo } from '../helpers/repo.js'

/** One fixed second in the past: the second in which the person's file and git's index were both written. */
const SECOND = Date.UTC(2026, 0, 1) / 1000

describe('the index a backlog commit writes', () => {
  it('keeps an edit made in the same second as the last index write visible to git', async () => {
    const repo = tempRepo({ 'src/x.ts': 'x = 1\n' })
    const app = createApp({ cwd: repo.dir })
    await app.init({})
    const file = join(repo.dir, 'src', 'x.ts')

    // git compares change times too; start at the top of a second so the steps below share one.
    await sleep(1_000 - (Date.now() % 1_000) + 10)
    // The person stages an edit and git writes the index in the same second (times set, so the second is known).
    repo.write('src/x.ts', 'x = 2\n')
    utimesSync(file, SECOND + 0.1, SECOND + 0.1)
    repo.git('add', 'src/x.ts')
    utimesSync(join(repo.dir, '.git', 'index'), SECOND + 0.2, SECOND + 0.2)
    // ...and edits again within that second, keeping the size: only the content tells the versions apart.
    repo.write('src/x.ts', 'x = 3\n')
    utimesSync(file, SECOND + 0.9, SECOND + 0.9)
    expect(repo.git('diff', '--name-only')).toBe('src/x.ts\n')

    // An agent's commit rewrites the index.
    await app.create({ title: 'Written while the person edits' })
    app.close()

    expect(repo.git('diff', '--name-only')).toBe('src/x.ts\n')
    repo.git('add', 'src/x.ts')
    repo.git('commit', '-q', '-m', 'person')
    expect(repo.git('show', 'HEAD:src/x.ts')).toBe('x = 3\n')
  })
})
