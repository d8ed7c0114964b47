/** The doctor use-case: check the backlog's setup (merge driver, conflicts, unreadable files, killed writers), and repair. */

import { existsSync, readFileSync } from 'node:fs'
import { join, relative as relativeTo } from 'node:path'
import { inLayout, layoutItemFile } from '../../core/codec.js'
import { isBacklogError } from '../../core/errors.js'
import { ATTRIBUTES_PATH, ATTRIBUTES_TEXT, idFromPath, TASKS_DIR } from '../../core/layout.js'
import { checkDriver, installDriver } from '../../merge/install.js'
import { unmergedBacklogFiles } from '../../store/git/unmerged.js'
import { findOldLeftovers, removeOldLeftovers, restoreFromHead, uncommittedItemFiles } from '../../store/leftovers.js'
import { assertInitialized, type Settled } from '../../store/store.js'
import { upstreamOf } from '../../sync/remote.js'
import { type AppCore, planOf, plural } from '../shared.js'

export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
  /** Set when `fix` repaired it. */
  fixed?: boolean
}

export interface DoctorResult {
  ok: boolean
  checks: DoctorCheck[]
  /** The commit that added the attributes file, when `fix` made one. */
  commit?: string
}

export interface DoctorInput {
  /**
   * Repair what can be repaired: commit item files left uncommitted, move items to the merge-friendly layout, commit
   * the attributes file, set the driver in this clone's config. Each repair that writes files is one commit.
   */
  fix?: boolean
  agent?: string
}

/**
 * Checks the setup (merge attributes and driver, conflicts, unreadable files, upstream, what killed writers left);
 * `fix` repairs what can be repaired.
 *
 * @example
 * const { ok, checks } = await doctor(core, { fix: true })
 */
export async function doctor(core: AppCore, { fix = false, agent }: DoctorInput = {}): Promise<DoctorResult> {
  const { store, contextFor } = core
  assertInitialized(store)
  const settled = await store.settle()
  await store.refresh()
  const checks: DoctorCheck[] = []
  let commit: string | undefined
  let driver = checkDriver(store.repo)

  checks.push(interruptedWrites(settled))
  checks.push(oldLeftovers(core, fix))
  const uncommitted = await uncommittedItems(core, fix, agent)
  checks.push(uncommitted.check)
  commit = uncommitted.commit
  const layout = await itemLayout(core, fix, agent)
  checks.push(layout.check)
  commit = layout.commit ?? commit

  if (!driver.attributes) {
    const check: DoctorCheck = {
      name: 'merge attributes',
      ok: false,
      detail: `${ATTRIBUTES_PATH} does not route task files to the merge driver; concurrent edits merge line by line only.`,
    }
    if (fix) {
      const path = join(store.repo.worktree, ATTRIBUTES_PATH)
      const current = existsSync(path) ? readFileSync(path, 'utf8') : ''
      const text = current ? `${current.replace(/\n?$/, '\n')}${ATTRIBUTES_TEXT}` : ATTRIBUTES_TEXT
      const context = await contextFor(agent)
      const result = await store.mutate(() =>
        planOf(context, { op: 'doctor', verb: 'doctor: route task files to the merge driver', items: [] }, [
          { path: ATTRIBUTES_PATH, content: text },
        ]),
      )
      commit = result.commit ?? commit
      Object.assign(check, { ok: true, fixed: true, detail: `${ATTRIBUTES_PATH} added` })
    }
    checks.push(check)
  } else if (driver.effective !== undefined && driver.effective !== 'backlog') {
    // Another attributes file wins over ours (.git/info/attributes, a parent folder's): git never runs the driver.
    checks.push({
      name: 'merge attributes',
      ok: false,
      detail: `${ATTRIBUTES_PATH} routes *.md to the driver, but git applies merge=${driver.effective} to task files (\`git check-attr merge -- ${TASKS_DIR}/0/x.md\`): another attributes file wins, such as .git/info/attributes; remove the line there to merge field by field.`,
    })
  } else checks.push({ name: 'merge attributes', ok: true, detail: `${ATTRIBUTES_PATH} routes *.md to the driver` })

  if (!driver.configured) {
    const check: DoctorCheck = {
      name: 'merge driver',
      ok: false,
      detail: driver.command
        ? `merge.backlog.driver names a command that cannot run here: ${driver.command}`
        : 'merge.backlog.driver is not set in this clone',
    }
    if (fix) {
      installDriver(store.repo)
      driver = checkDriver(store.repo)
      if (driver.configured) Object.assign(check, { ok: true, fixed: true, detail: `set to ${driver.command}` })
    }
    checks.push(check)
  } else checks.push({ name: 'merge driver', ok: true, detail: driver.command ?? '' })

  const unmerged = [...unmergedBacklogFiles(store.repo).keys()]
  checks.push(
    unmerged.length
      ? {
          name: 'conflicts',
          ok: false,
          detail: `${unmerged.length} task file(s) left in conflict: ${unmerged.slice(0, 5).join(', ')}. Run \`git backlog resolve\`.`,
        }
      : { name: 'conflicts', ok: true, detail: 'no task file in conflict' },
  )

  const problems = store.problems()
  checks.push(
    problems.length
      ? {
          name: 'readable items',
          ok: false,
          detail: problems
            .slice(0, 5)
            .map((problem) => `${problem.path}${problem.line ? `:${problem.line}` : ''}: ${problem.reason}`)
            .join('; '),
        }
      : { name: 'readable items', ok: true, detail: `${store.all().length} items read` },
  )

  const upstream = upstreamOf(store.repo)
  checks.push(
    upstream
      ? {
          name: 'upstream',
          ok: upstream.behind === 0,
          detail: `${upstream.branch} is ${upstream.behind} behind and ${upstream.ahead} ahead of ${upstream.upstream} (as last fetched)${upstream.behind ? '; `git backlog sync` brings it up to date' : ''}`,
        }
      : { name: 'upstream', ok: true, detail: 'no upstream branch (nothing to sync with)' },
  )
  return { ok: checks.every((check) => check.ok), checks, ...(commit ? { commit } : {}) }
}

/** What settling found: a killed writer's commit finished or taken back, its locks and temporary files removed. */
function interruptedWrites(settled: Settled): DoctorCheck {
  const done = [
    settled.journal === 'forward' ? "finished a killed writer's commit" : '',
    settled.journal === 'landed' ? "dropped the journal of a killed writer's commit, which is in history already" : '',
    settled.journal === 'back' ? "took back a killed writer's files (its branch had moved on)" : '',
    settled.journal === 'abandoned' ? "dropped a killed writer's commit (HEAD is on another branch now)" : '',
    settled.locks.length ? `removed ${plural(settled.locks.length, 'lock')} of killed writers` : '',
    settled.leftovers.length ? `removed ${plural(settled.leftovers.length, 'temporary file')} of killed writers` : '',
  ].filter(Boolean)
  return done.length
    ? { name: 'interrupted writes', ok: true, fixed: true, detail: `${done.join('; ')}` }
    : { name: 'interrupted writes', ok: true, detail: 'none left unsettled' }
}

/** Temporary files that killed writers of older versions left, which nothing else removes. */
function oldLeftovers(core: AppCore, fix: boolean): DoctorCheck {
  const { store } = core
  const found = fix ? removeOldLeftovers(store.repo) : findOldLeftovers(store.repo)
  if (found.length === 0) return { name: 'leftover files', ok: true, detail: 'no temporary files of killed writers' }
  const relative = found.map((path) => relativeTo(store.repo.worktree, path))
  const check: DoctorCheck = {
    name: 'leftover files',
    ok: false,
    detail: `${plural(found.length, 'temporary file')} left by killed writers of an older version (\`git fsck\` calls those in .git/objects "bad sha1 file"): ${relative.slice(0, 3).join(', ')}${found.length > 3 ? ', …' : ''}`,
  }
  if (fix) Object.assign(check, { ok: true, fixed: true, detail: `removed ${plural(found.length, 'temporary file')}` })
  return check
}

/**
 * Item files that differ from the last commit: an older version's writer killed between writing and committing
 * (or a hand edit not yet committed). The fix commits them in one commit, except a deleted item that exists nowhere
 * else, which is brought back: a task is never lost.
 */
async function uncommittedItems(
  core: AppCore,
  fix: boolean,
  agent: string | undefined,
): Promise<{ check: DoctorCheck; commit?: string }> {
  const { store, contextFor } = core
  const found = uncommittedItemFiles(store.repo)
  if (found.length === 0)
    return { check: { name: 'uncommitted items', ok: true, detail: 'every item file is committed' } }
  const vanished = found.filter(({ path, status }) => {
    if (!status.includes('D')) return false
    const id = idFromPath(path)
    return !id || store.get(id) === undefined
  })
  const check: DoctorCheck = {
    name: 'uncommitted items',
    ok: false,
    detail: `${plural(found.length, 'item file')} differ from the last commit (${found
      .slice(0, 3)
      .map(({ path, status }) => `${status.trim()} ${path}`)
      .join(
        ', ',
      )}${found.length > 3 ? ', …' : ''}): a writer stopped before it committed, or an edit by hand. --fix commits them${vanished.length ? ` and brings back ${plural(vanished.length, 'deleted item')} that exist nowhere else` : ''}.`,
  }
  if (!fix) return { check }
  restoreFromHead(
    store.repo,
    vanished.map(({ path }) => path),
  )
  const restored = new Set(vanished.map(({ path }) => path))
  const rest = found.filter(({ path }) => !restored.has(path))
  let commit: string | undefined
  if (rest.length) {
    const context = await contextFor(agent)
    const result = await store.mutate(() =>
      planOf(
        context,
        { op: 'doctor', verb: `doctor: commit ${plural(rest.length, 'item file')} left uncommitted`, items: [] },
        rest.map(({ path }) => ({ path, content: store.bytesAt(path) ?? null })),
      ),
    )
    commit = result.commit
  }
  await store.refresh()
  Object.assign(check, {
    ok: true,
    fixed: true,
    detail: [
      rest.length ? `committed ${plural(rest.length, 'item file')}` : '',
      vanished.length ? `brought back ${plural(vanished.length, 'deleted item')}` : '',
    ]
      .filter(Boolean)
      .join(', '),
  })
  return { check, ...(commit ? { commit } : {}) }
}

/**
 * Items whose files are not in the merge-friendly layout yet (written by an older version, or by hand): each moves on
 * its next write, and `fix` moves them all in one commit, so that no pull request carries the move of an item it
 * did not otherwise change (docs/adr/0018-a-layout-the-merge-button-can-merge.md).
 */
async function itemLayout(
  core: AppCore,
  fix: boolean,
  agent: string | undefined,
): Promise<{ check: DoctorCheck; commit?: string }> {
  const { store, contextFor } = core
  const name = 'item layout'
  const outside = () => store.all().filter((record) => !inLayout(record.text))
  const found = outside()
  if (found.length === 0) {
    return { check: { name, ok: true, detail: 'every item file is in the layout that merges line by line' } }
  }
  const check: DoctorCheck = {
    name,
    ok: false,
    detail: `${plural(found.length, 'item file')} not in the layout that merges line by line (${found
      .slice(0, 3)
      .map((record) => record.path)
      .join(
        ', ',
      )}${found.length > 3 ? ', …' : ''}): each moves on its next change; --fix moves them all in one commit.`,
  }
  if (!fix) return { check }
  const context = await contextFor(agent)
  let moved = 0
  let stuck: string[] = []
  const result = await store.mutate(() => {
    // Planned inside the commit, on the files as they are then: a writer may have moved some meanwhile.
    const files: Array<{ path: string; content: string }> = []
    stuck = []
    for (const record of outside()) {
      try {
        files.push({ path: record.path, content: layoutItemFile(record.text, record.item.id) })
      } catch (error) {
        // One file that cannot be written stops no one else's move; it is named below.
        if (!isBacklogError(error)) throw error
        stuck.push(`${record.path} (${error.message})`)
      }
    }
    moved = files.length
    if (moved === 0) return null
    const verb = `doctor: move ${plural(moved, 'item file')} to the layout that merges line by line`
    return planOf(context, { op: 'doctor', verb, items: [] }, files)
  })
  await store.refresh()
  Object.assign(check, {
    ok: stuck.length === 0,
    fixed: moved > 0,
    detail: [
      moved ? `moved ${plural(moved, 'item file')} to the layout` : '',
      stuck.length ? `could not move ${stuck.join('; ')}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  })
  return { check, ...(result.commit ? { commit: result.commit } : {}) }
}
