// Which pairs of edits to different fields of one item merge cleanly with git's plain line merge (what a hosting
// service's merge button does: no custom driver): for each pair, two branches each make one edit through the app, then
// `git merge` with `merge=text` for item files. Run for a sparse item (title and body) and a full one (every field set).
// Usage: npm run build && node bench/line-merge.mjs [--all]   (--all: every field an edit can set, 153 pairs)

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../dist/app/index.js'
import { createInput, updateInput, writeResourceInput } from '../dist/core/inputs.js'
import table from '../test/merge/line-merge-edits.json' with { type: 'json' }
import { BENCH_ENV } from './common.mjs'

// The edits and items of test/merge/line-merge.ts: the first nine are the edits issue 13 names.
const ISSUE_EDITS = 9
const EDITS = Object.fromEntries(Object.entries(table.edits).slice(0, ISSUE_EDITS))
const BASES = table.bases

const git = (dir, ...args) =>
  execFileSync('git', args, { cwd: dir, env: BENCH_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const ALL = process.argv.includes('--all')
const edits = ALL ? table.edits : EDITS

async function edit(dir, id, parent, name) {
  const app = createApp({ cwd: dir, identity: { name: 'Bench', email: 'bench@example.com' } })
  try {
    const spec = edits[name]
    const fields = JSON.parse(JSON.stringify(spec.update ?? {}).replaceAll('PARENT', parent))
    if (spec.update) await app.update(updateInput.parse({ id, ...fields, agent: name }))
    else
      await app.writeBody(
        writeResourceInput.parse({ id, operation: { type: 'append', new_str: spec.append }, agent: name }),
      )
  } finally {
    app.close()
  }
}

/** One repository per base: the item made on main, then for each pair two branches from it and a merge. */
async function measure(baseName) {
  const dir = mkdtempSync(join(tmpdir(), 'line-merge-'))
  git(dir, 'init', '-q', '-b', 'main')
  writeFileSync(join(dir, 'README.md'), '# x\n')
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', 'initial')
  const app = createApp({ cwd: dir, identity: { name: 'Bench', email: 'bench@example.com' } })
  await app.init({})
  await app.create(createInput.parse({ title: 'An epic to hang items on', type: 'epic', agent: 'setup' }))
  const parent = app.store.all()[0].item.id
  const made = await app.create(createInput.parse({ ...BASES[baseName], agent: 'setup' }))
  const id = made.items[0].id
  // A note already there, so a new one appends to a list rather than starting one (in the full base).
  if (baseName === 'full')
    await app.update(updateInput.parse({ id, note: 'First look: a cookie issue.', agent: 'setup' }))
  app.close()
  // The plain line merge for item files, whatever .gitattributes says (info/attributes wins).
  writeFileSync(join(dir, '.git', 'info', 'attributes'), '*.md merge=text\n')
  const names = Object.keys(edits)
  const results = []
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [names[i], names[j]]
      git(dir, 'checkout', '-q', '-B', 'a', 'main')
      await edit(dir, id, parent, a)
      git(dir, 'checkout', '-q', '-B', 'b', 'main')
      await edit(dir, id, parent, b)
      const merged = spawnSync('git', ['merge', '-q', '--no-edit', 'a'], { cwd: dir, env: BENCH_ENV, encoding: 'utf8' })
      const clean = merged.status === 0
      if (!clean) git(dir, 'merge', '--abort')
      results.push({ a, b, clean })
      git(dir, 'checkout', '-q', 'main')
    }
  }
  rmSync(dir, { recursive: true, force: true })
  return results
}

for (const base of Object.keys(BASES)) {
  const results = await measure(base)
  const conflicts = results.filter((result) => !result.clean)
  console.log(`${base} item: ${results.length - conflicts.length} of ${results.length} pairs merge cleanly`)
  for (const { a, b } of conflicts) console.log(`  conflict: ${a} + ${b}`)
}
