/** A repository with a feature branch on which an agent did one of everything a review reports. */

import { onTestFinished } from 'vitest'
import { createApp } from '../../src/app/index.js'
import type { Review, ReviewItem } from '../../src/core/review.js'
import { seededRandom, steppingClock, type TempRepo, tempRepo } from './repo.js'

/** An app over `dir` with a steady clock and ids; `agent` is the acting agent of every call that names none. */
export function appOf(dir: string, agent?: string, start = Date.UTC(2026, 10, 23, 12)) {
  const app = createApp({
    cwd: dir,
    now: steppingClock(start),
    random: seededRandom(agent ? agent.length + 11 : 7),
    identity: { name: 'Ann Agent', email: 'ann@example.com' },
    ...(agent ? { agent: () => agent } : {}),
  })
  onTestFinished(() => app.close())
  return app
}

export function itemOf(review: Review, id: string): ReviewItem {
  const found = review.items.find((item) => item.id === id)
  if (!found) throw new Error(`${id} is not in the review: ${review.items.map((item) => item.id).join(', ')}`)
  return found
}

export function change(item: ReviewItem, kind: string) {
  return item.changes.find((one) => one.kind === kind)
}

/** A repository whose main has a backlog of items, and a branch `feature` where an agent did one of everything. */
export async function featureRepo(): Promise<{ repo: TempRepo; ids: Record<string, string> }> {
  const repo = tempRepo()
  const main = appOf(repo.dir)
  await main.init({ prefix: 'bl' })
  const made = await main.create({
    items: [
      { title: 'Epic one', type: 'epic' },
      { title: 'Epic two', type: 'epic' },
      { title: 'Close me', status: 'in_progress', priority: 'high' },
      { title: 'Reopen me', status: 'done' },
      { title: 'Hand me over', assignee: 'ann' },
      { title: 'Prioritise me', priority: 'low' },
      { title: 'Move me', parent: '#1' },
      { title: 'Delete me' },
      { title: 'Archive me', status: 'cancelled' },
      { title: 'Note me' },
      { title: 'Describe me', description: 'Line one\nLine two\n' },
    ],
  } as never)
  const ids = Object.fromEntries(made.items.map((row) => [row.title, row.id]))
  main.close()
  repo.git('checkout', '-q', '-b', 'feature')
  const agent = appOf(repo.dir, 'claude', Date.UTC(2026, 10, 24, 12))
  const created = await agent.create({ title: 'Brand new', type: 'task', parent: ids['Epic one'] } as never)
  ids['Brand new'] = created.items[0]!.id
  await agent.update({
    id: [ids['Close me']!],
    status: 'done',
    add_evidence: ['PR #12 merged', 'tests green'],
  } as never)
  await agent.update({ id: [ids['Reopen me']!], status: 'open' } as never)
  await agent.update({ id: [ids['Hand me over']!], assignee: 'claude' } as never)
  await agent.update({ id: [ids['Prioritise me']!], priority: 'urgent' } as never)
  await agent.update({ id: [ids['Move me']!], parent: ids['Epic two'] } as never)
  await agent.remove({ id: [ids['Delete me']!] } as never)
  await agent.archive({ id: [ids['Archive me']!], older_than_days: 0 } as never)
  await agent.update({ id: [ids['Note me']!], note: 'Looked into it: the cookie expires early.' } as never)
  await agent.update({ id: [ids['Describe me']!], description: 'Line one\nLine 2\nLine three\n' } as never)
  agent.close()
  return { repo, ids }
}
