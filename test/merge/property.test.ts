/**
 * A property of merging under the real git with the driver installed: two branches change a common backlog with random
 * scripts of app calls, and `git merge` joins them. Whatever the scripts did, the merge keeps every side's change (or
 * records the value a rule set aside), stops only where prose or a deletion truly clashes, leaves files that parse,
 * and gives the same items whichever branch merges the other.
 *
 * "A deletion truly clashes": an item one side deleted and the other changed stops the merge as git's modify/delete,
 * which git settles before any driver runs (docs/adr/0009-merge-driver-and-sync.md). The property expects exactly those paths, and the body clashes.
 * git's rename detection adds two stops of its own (docs/adr/0021-items-git-takes-for-a-move.md): such an item taken
 * for a move to an item the deleting side added (the driver stops on that file), and an added item git took for the
 * move of an item the other side deleted (rename/delete). After every stopped merge, `resolve` must leave only the
 * body clashes, with every item as its one side or the merge left it.
 * git runs the built driver (dist/bin, as `init` installs it): build after changing the merge code.
 *
 * Runs: BACKLOG_PROPERTY_RUNS (default 20). Replay a failure with the seed (and path) fast-check prints:
 * BACKLOG_TEST_LAYER=stress BACKLOG_PROPERTY_SEED=<seed> BACKLOG_PROPERTY_PATH=<path> \
 *   npx vitest run test/merge/property.test.ts (the stress layer: vitest.config.ts)
 */

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/index.js'
import { parseItemFile } from '../../src/core/codec.js'
import { createInput, updateInput } from '../../src/core/inputs.js'
import { type Item, type Note, SCALAR_FIELDS, STRING_LIST_FIELDS } from '../../src/core/item.js'
import { MERGE_NOTE_AUTHOR } from '../../src/core/merge.js'
import { readConfigAt } from '../../src/merge/driver.js'
import { resolveConflicts } from '../../src/merge/resolve.js'
import { discoverRepo } from '../../src/store/repo.js'
import { git, seededRandom, steppingClock } from '../helpers/repo.js'
import { BASE_ITEMS, type Op, runScript, scriptsArbitrary } from './scripts.js'

const RUNS = Number(process.env.BACKLOG_PROPERTY_RUNS ?? 20)
const SEED = process.env.BACKLOG_PROPERTY_SEED
const PATH = process.env.BACKLOG_PROPERTY_PATH

const START = Date.UTC(2026, 10, 23, 12, 0, 0)
/** Item files: what the driver merges field by field. */
const ITEM_DIRS = ['.backlog/tasks', '.backlog/archive']
/** Other files under .backlog/ the scripts never touch; a merge must leave them as they were. */
const OTHER_FILES = ['.backlog/config.yml', '.backlog/.gitattributes']

/**
 * How often each outcome came up (BACKLOG_PROPERTY_STATS=1): runs where any item had it, of the first merge of each
 * run. A property that never meets a clash or a settled field proves little.
 */
const stats = process.env.BACKLOG_PROPERTY_STATS
  ? (() => {
      const runs = new Map<string, Set<number>>()
      let run = 0
      return {
        next: () => run++,
        count(label: string, ...outcomes: Array<string | false>) {
          if (label !== 'b into a') return
          for (const outcome of outcomes) if (outcome) runs.set(outcome, (runs.get(outcome) ?? new Set()).add(run))
        },
        report: () => Object.fromEntries([...runs].map(([outcome, seen]) => [outcome, `${seen.size}/${run}`])),
      }
    })()
  : undefined

/** Relative path → text of every item file in a working tree. */
type Tree = Map<string, string>

function readTree(dir: string): Tree {
  const tree: Tree = new Map()
  for (const folder of ITEM_DIRS) {
    if (!existsSync(join(dir, folder))) continue
    for (const name of readdirSync(join(dir, folder), { recursive: true })) {
      const path = `${folder}/${String(name)}`
      if (path.endsWith('.md')) tree.set(path, readFileSync(join(dir, path), 'utf8'))
    }
  }
  return tree
}

function tryGit(dir: string, ...args: string[]): { status: number; output: string } {
  try {
    return { status: 0, output: git(dir, ...args) }
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string }
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` }
  }
}

/** Unmerged paths from `git status --porcelain` (DD AU UD UA DU AA UU) and their codes. */
function unmergedPaths(dir: string): Map<string, string> {
  const unmerged = new Map<string, string>()
  for (const line of git(dir, 'status', '--porcelain', '--untracked-files=all').split('\n')) {
    const code = line.slice(0, 2)
    if (/^(DD|AU|UD|UA|DU|AA|UU)$/.test(code)) unmerged.set(line.slice(3), code)
  }
  return unmerged
}

/** A body with conflict markers as tokens: plain lines, and each clash as its two sides sorted (marker order aside). */
function bodyTokens(description: string): string[] {
  const tokens: string[] = []
  let block: { ours: string[]; theirs: string[]; part: 'ours' | 'base' | 'theirs' } | undefined
  for (const line of description.split('\n')) {
    if (line.startsWith('<<<<<<<')) block = { ours: [], theirs: [], part: 'ours' }
    else if (block && line.startsWith('|||||||')) block.part = 'base'
    else if (block && line === '=======') block.part = 'theirs'
    else if (block && line.startsWith('>>>>>>>')) {
      tokens.push(`CLASH ${JSON.stringify([block.ours.join('\n'), block.theirs.join('\n')].sort())}`)
      block = undefined
    } else if (block) {
      if (block.part !== 'base') block[block.part].push(line)
    } else tokens.push(line)
  }
  expect(block, 'a conflict block is not closed').toBeUndefined()
  return tokens
}

/**
 * Parses a merged file. `parseItemFile` refuses conflict markers anywhere (so the app never reads a half-merged file);
 * a file the driver left with a body clash must still have a frontmatter that parses on its own, then the raw body.
 */
function parseMerged(text: string): { item: Item; markers: boolean } {
  if (!/^(<{7}|>{7})/m.test(text)) return { item: parseItemFile(text), markers: false }
  const closing = /^---[ \t]*\n/m.exec(text.slice(4))
  if (!text.startsWith('---\n') || !closing) throw new Error('no frontmatter before the markers')
  const end = 4 + closing.index + closing[0].length
  const item = parseItemFile(text.slice(0, end))
  const body = text.slice(end)
  return { item: { ...item, description: body.startsWith('\n') ? body.slice(1) : body }, markers: true }
}

const noteKey = (note: Note) => JSON.stringify([note.at, note.by ?? null, note.text])
const isMergeNote = (note: Note) => note.by === MERGE_NOTE_AUTHOR
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y)

/**
 * Checks one merged item against the three versions (invariant 3) and returns whether its body was expected to clash.
 * Scalars: a one-sided change wins; both changed differently: one of the two, and a note by the merge keeps the other.
 * Lists: a one-sided change wins whole; else both sides' additions and neither side's removals (by the merge key).
 * Notes: every note of either side, plus exactly one merge note per settled scalar. Body: lines one side changed
 * taken; lines both changed differently left as a clash with both texts.
 */
function checkItem(where: string, base: Item, ours: Item, theirs: Item, merged: Item): boolean {
  const settled: string[] = []
  for (const field of ['id', 'title', 'type', 'status', ...SCALAR_FIELDS] as const) {
    const [o, a, b, m] = [base[field], ours[field], theirs[field], merged[field]]
    const what = `${where} ${field} (base ${o}, ours ${a}, theirs ${b})`
    if (a === b || b === o) expect(m, what).toBe(a)
    else if (a === o) expect(m, what).toBe(b)
    else {
      expect([a, b], what).toContain(m)
      settled.push(`${field} was ${(m === a ? b : a) ?? '(none)'}`)
    }
  }
  for (const field of STRING_LIST_FIELDS) {
    const [o, a, b, m] = [base[field], ours[field], theirs[field], merged[field]]
    const what = `${where} ${field} (base ${o}, ours ${a}, theirs ${b})`
    if (same(a, b) || same(b, o)) expect(m, what).toEqual(a)
    else if (same(a, o)) expect(m, what).toEqual(b)
    else {
      // tags and ids merge case-insensitively, free text exactly
      const key = field === 'tags' || field === 'depends_on' ? (k: string) => k.toLowerCase() : (k: string) => k
      const [ko, ka, kb] = [o, a, b].map((list) => new Set(list.map(key))) as [Set<string>, Set<string>, Set<string>]
      const expected = new Set([...ko].filter((k) => ka.has(k) && kb.has(k)))
      for (const k of [...ka, ...kb]) if (!ko.has(k)) expected.add(k)
      expect(m.map(key).sort(), what).toEqual([...expected].sort())
    }
  }
  expect(merged.references, `${where} references`).toEqual(ours.references)
  expect(merged.attributes, `${where} attributes`).toEqual(ours.attributes)

  const kept = merged.notes.filter((note) => !isMergeNote(note))
  const sides = new Set([...ours.notes, ...theirs.notes].map(noteKey))
  expect(kept.map(noteKey).sort(), `${where} notes of both sides`).toEqual([...sides].sort())
  const mergeNotes = merged.notes.filter(isMergeNote).map((note) => note.text)
  expect(mergeNotes.length, `${where} merge notes ${JSON.stringify(mergeNotes)} for ${settled}`).toBe(settled.length)
  for (const text of settled) {
    expect(
      mergeNotes.some((note) => note.includes(text)),
      `${where}: no merge note says "${text}": ${mergeNotes}`,
    ).toBe(true)
  }

  const [lo, la, lb] = [base, ours, theirs].map((item) => item.description.split('\n')) as [
    string[],
    string[],
    string[],
  ]
  // The scripts only replace paragraphs, so the three bodies line up line by line.
  expect([la.length, lb.length], `${where} body lines`).toEqual([lo.length, lo.length])
  const expected = lo.map((line, n) => {
    const [a, b] = [la[n] as string, lb[n] as string]
    if (a === b || b === line) return a
    if (a === line) return b
    return `CLASH ${JSON.stringify([a, b].sort())}`
  })
  expect(bodyTokens(merged.description), `${where} description`).toEqual(expected)
  return expected.some((line) => line.startsWith('CLASH '))
}

interface MergeResult {
  exit: number
  output: string
  unmerged: Map<string, string>
  tree: Tree
}

/** Merges `theirs` into a fresh worktree checked out at `ours`, and what it left. */
function mergeInto(repo: string, dir: string, ours: string, theirs: string): MergeResult {
  git(repo, 'worktree', 'add', '-q', '--detach', dir, ours)
  const merged = tryGit(dir, 'merge', '--no-edit', '-q', theirs)
  return { exit: merged.status, output: merged.output, unmerged: unmergedPaths(dir), tree: readTree(dir) }
}

/**
 * Checks invariants 1-3 of a merge of `theirs` into `ours`: exactly the predicted paths are unmerged (a body clash:
 * UU; an item one side deleted and the other changed: git's modify/delete, which never reaches a driver), every item
 * file parses, every item merged as `checkItem` says, files one side added or deleted follow that side.
 */
function checkMerge(label: string, result: MergeResult, base: Tree, ours: Tree, theirs: Tree): void {
  try {
    checkMergeResult(label, result, base, ours, theirs)
  } catch (error) {
    // what git and the driver said (a driver that did not run at all shows here)
    if (error instanceof Error) error.message += `\n\ngit merge (exit ${result.exit}) said:\n${result.output}`
    throw error
  }
}

function checkMergeResult(label: string, result: MergeResult, base: Tree, ours: Tree, theirs: Tree): void {
  const expectedUnmerged = new Map<string, string>()
  const paths = new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])
  for (const path of paths) {
    const [o, a, b] = [base.get(path), ours.get(path), theirs.get(path)]
    const m = result.tree.get(path)
    const where = `${label}: ${path}`
    if (o === undefined) {
      // created by one side (random ids never collide across the sides here)
      expect(a === undefined || b === undefined, `${where} added on both sides`).toBe(true)
      expect(m, `${where} added by one side`).toBe(a ?? b)
      stats?.count(label, 'created')
      const code = result.unmerged.get(path)
      if (code === 'UD' || code === 'DU') {
        // git took an item both sides deleted for a move to this one on the side that added it, and stops on the
        // other side's deletion of that item (rename/delete); the added item stays in the tree and resolve keeps it
        const stop = new RegExp(`CONFLICT \\(rename/delete\\): \\S+ renamed to ${path.replace(/[.]/g, '\\.')} in`)
        expect(result.output, `${where} stopped only by git's rename/delete`).toMatch(stop)
        expectedUnmerged.set(path, code)
        stats?.count(label, 'rename/delete')
      }
    } else if (a === undefined || b === undefined) {
      const kept = a ?? b
      if (kept === undefined || kept === o) {
        expect(m, `${where} deleted by one side`).toBeUndefined()
        stats?.count(label, 'deleted')
      } else if (result.unmerged.has(path)) {
        stats?.count(label, 'modify/delete')
        // modify/delete: git keeps the changed version in the working tree and stops
        expectedUnmerged.set(path, a === undefined ? 'DU' : 'UD')
        expect(m, `${where} changed on one side, deleted on the other`).toBe(kept)
      } else {
        // git took it for a move to an item the deleting side added (small items look alike): the driver keeps that
        // file's own item as written (checked as an added file) and stops there, naming this one for `resolve`
        stats?.count(label, 'taken for a move')
        expect(m, `${where} taken for a move`).toBeUndefined()
        const id = parseItemFile(kept).id
        const named = new RegExp(`git-backlog merge: (\\S+): git took ${id}, changed on`).exec(result.output)
        expect(named, `${where}: the driver names ${id}, taken for a move\n${result.output}`).not.toBeNull()
        const target = named?.[1] as string
        expect(base.has(target), `${where} taken for a move to ${target}, an added item`).toBe(false)
        expectedUnmerged.set(target, 'UU')
      }
    } else {
      expect(m, `${where} kept by both sides`).toBeDefined()
      const text = m as string
      let merged: ReturnType<typeof parseMerged>
      try {
        merged = parseMerged(text)
      } catch (error) {
        throw new Error(`${where} does not parse after the merge:\n${text}`, { cause: error })
      }
      const clash = checkItem(where, parseItemFile(o), parseItemFile(a), parseItemFile(b), merged.item)
      expect(merged.markers, `${where}: markers only where both sides rewrote the same lines\n${text}`).toBe(clash)
      if (clash) expectedUnmerged.set(path, 'UU')
      const driven = a !== o && b !== o && a !== b
      stats?.count(
        label,
        driven && 'changed on both sides',
        clash && 'body clash',
        merged.item.notes.some(isMergeNote) && 'settled',
      )
    }
  }
  for (const path of result.tree.keys()) expect(paths.has(path), `${label}: ${path} came from nowhere`).toBe(true)
  expect(Object.fromEntries(result.unmerged), `${label}: unmerged paths\n${result.output}`).toEqual(
    Object.fromEntries(expectedUnmerged),
  )
  expect(result.exit === 0, `${label}: merge exit ${result.exit}\n${result.output}`).toBe(expectedUnmerged.size === 0)
}

/**
 * `git backlog resolve` after a merge that stopped: every item is as the merge or its one side left it, an item changed
 * on one side and deleted on the other is back as changed (also one git took for a move), and only descriptions both
 * sides rewrote are still left for a person.
 */
function checkResolved(label: string, dir: string, merge: MergeResult, base: Tree, ours: Tree, theirs: Tree): void {
  if (merge.exit === 0) return
  resolveConflicts(discoverRepo(dir), { config: readConfigAt(dir), now: new Date() })
  const [unmerged, tree] = [unmergedPaths(dir), readTree(dir)]
  const clashes = [...merge.unmerged].filter(
    ([path, code]) => code === 'UU' && /^<{7}/m.test(merge.tree.get(path) ?? ''),
  )
  for (const path of new Set([...base.keys(), ...ours.keys(), ...theirs.keys()])) {
    const [o, a, b] = [base.get(path), ours.get(path), theirs.get(path)]
    const where = `${label}, resolved: ${path}`
    if (o === undefined) expect(tree.get(path), `${where} added by one side`).toBe(a ?? b)
    else if (a === undefined || b === undefined) {
      const kept = a ?? b
      expect(tree.get(path), `${where} changed on one side, deleted on the other`).toBe(kept === o ? undefined : kept)
    } else if (!unmerged.has(path)) expect(tree.get(path), `${where} as merged`).toBe(merge.tree.get(path))
  }
  expect(Object.fromEntries(unmerged), `${label}, resolved: only the body clashes left`).toEqual(
    Object.fromEntries(clashes),
  )
}

/** What must not depend on which side merged which: each path's parsed item (merge-note times and marker order aside). */
function snapshot(result: MergeResult): Record<string, unknown> {
  const view: Record<string, unknown> = {}
  for (const [path, text] of result.tree) {
    const { item } = parseMerged(text)
    view[path] = {
      ...item,
      // the driver stamps its notes with the wall clock: the two merges ran at different moments
      notes: item.notes.map((note) => (isMergeNote(note) ? { ...note, at: 'merge time' } : note)),
      description: bodyTokens(item.description),
      unmerged: result.unmerged.has(path) ? (result.unmerged.get(path) === 'UU' ? 'clash' : 'modify/delete') : false,
    }
  }
  return view
}

describe('merging random concurrent edits with the driver under the real git', () => {
  let template: string
  let ids: string[]

  beforeAll(async () => {
    template = mkdtempSync(join(tmpdir(), 'git-backlog-property-'))
    git(template, 'init', '-q', '-b', 'main')
    const app = createApp({ cwd: template, now: steppingClock(START), random: seededRandom(3), agent: () => 'setup' })
    await app.init({})
    ids = (await app.create(createInput.parse({ items: BASE_ITEMS }))).items.map((row) => row.id)
    await app.update(updateInput.parse({ id: ids[0], note: 'Started with the staging keys' }))
    app.close()
    const driver = git(template, 'config', '--get', 'merge.backlog.driver')
    expect(driver, 'the driver runs the built bin: npm run build first').toMatch(/git-backlog\.js" merge-driver %O/)
    expect(git(template, 'status', '--porcelain')).toBe('')
  })
  afterAll(() => rmSync(template, { recursive: true, force: true }))

  it('keeps every change of both sides, stops only on real clashes, and is symmetric', async () => {
    const property = fc.asyncProperty(
      scriptsArbitrary,
      fc.integer({ min: -8, max: 8 }),
      async (scripts: { a: Op[]; b: Op[] }, skew: number) => {
        stats?.next()
        const root = mkdtempSync(join(tmpdir(), 'git-backlog-property-run-'))
        try {
          const repo = join(root, 'repo')
          cpSync(template, repo, { recursive: true })
          const sides = [
            { branch: 'a', script: scripts.a, agent: 'claude', seed: 11, start: START + 3_600_000 },
            { branch: 'b', script: scripts.b, agent: 'codex', seed: 29, start: START + 3_600_000 + skew * 1000 },
          ]
          for (const side of sides) {
            const dir = join(root, side.branch)
            git(repo, 'worktree', 'add', '-q', '-b', side.branch, dir, 'main')
            const app = createApp({
              cwd: dir,
              now: steppingClock(side.start),
              random: seededRandom(side.seed),
              agent: () => side.agent,
            })
            try {
              await runScript(app, ids, side.script)
            } finally {
              app.close()
            }
            expect(git(dir, 'status', '--porcelain'), `branch ${side.branch} committed everything`).toBe('')
          }
          const [base, ours, theirs] = [repo, join(root, 'a'), join(root, 'b')].map(readTree) as [Tree, Tree, Tree]

          const ab = mergeInto(repo, join(root, 'a-merges-b'), 'a', 'b')
          checkMerge('b into a', ab, base, ours, theirs)
          const ba = mergeInto(repo, join(root, 'b-merges-a'), 'b', 'a')
          checkMerge('a into b', ba, base, theirs, ours)
          expect(snapshot(ba), 'the same items whichever side merges').toEqual(snapshot(ab))
          checkResolved('b into a', join(root, 'a-merges-b'), ab, base, ours, theirs)
          checkResolved('a into b', join(root, 'b-merges-a'), ba, base, theirs, ours)
          for (const file of OTHER_FILES) {
            const merged = readFileSync(join(root, 'a-merges-b', file), 'utf8')
            expect(merged, `${file} as it was`).toBe(readFileSync(join(repo, file), 'utf8'))
          }
        } finally {
          rmSync(root, { recursive: true, force: true })
        }
      },
    )
    await fc.assert(property, {
      numRuns: RUNS,
      ...(SEED ? { seed: Number(SEED) } : {}),
      ...(PATH ? { path: PATH } : {}),
    })
    if (stats) console.log('runs with each outcome:', stats.report())
  }, 600_000)
})
