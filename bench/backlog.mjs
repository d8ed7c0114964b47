/** A realistic backlog for the benches: items with statuses, tags, parents, dependencies and dates, in one commit. */

import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { serializeItem } from '../dist/core/codec.js'
import { blankItem } from '../dist/core/item.js'
import { itemPath } from '../dist/core/layout.js'
import { newBenchRepo, STATUSES, TAGS } from './common.mjs'

const PRIORITIES = ['urgent', 'high', 'medium', 'low', undefined]
const WORDS = [
  'login',
  'session',
  'cache',
  'invoice',
  'payment',
  'migration',
  'latency',
  'timeout',
  'webhook',
  'export',
].concat(['upload', 'search', 'index', 'report', 'dashboard', 'token', 'billing', 'onboarding', 'retry', 'queue'])

/** A backlog of `count` realistic items, written as files and committed with the real git in one commit. */
export function buildBacklog(count) {
  const { dir, git } = newBenchRepo(count)
  const ids = []
  for (let i = 0; i < count; i++) {
    const id = `bl-${i.toString(32).padStart(6, '0')}${'0123456789abcdefghjkmnpqrstvwxyz'[i % 32]}`
    ids.push(id)
    const item = blankItem(id, `Task ${i}: ${['fix', 'add', 'refactor', 'document'][i % 4]} the ${TAGS[i % 8]} module`)
    item.status = STATUSES[i % STATUSES.length]
    const priority = PRIORITIES[i % PRIORITIES.length]
    if (priority) item.priority = priority
    item.tags = [TAGS[i % 8], TAGS[(i * 3) % 8]].filter((tag, index, all) => all.indexOf(tag) === index)
    if (i % 10 === 0 && i > 0) item.parent = ids[i - 10]
    if (i % 7 === 3) item.depends_on = [ids[i - 3]]
    if (i % 9 === 0) item.due = new Date(Date.UTC(2026, 10, 1) + (i % 60) * 86_400_000).toISOString().slice(0, 10)
    if (i % 4 === 0) item.assignee = ['ann', 'bob', 'claude', 'codex'][(i % 16) >> 2]
    item.created = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString().replace(/\.\d+Z$/, 'Z')
    item.description = `Why: ${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} for item ${i}.\n\n- [ ] first step\n- [ ] second step\n`
    const path = join(dir, itemPath(id))
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, serializeItem(item))
  }
  git('add', '-A')
  git('commit', '-q', '-m', `bench: ${count} items`)
  return { dir, ids }
}
