/** The undo use-case: take back (or, as redo, bring back) a change, keeping every later change to the same items. */

import { BacklogError, phrase, slot } from '../../core/errors.js'
import { idKey } from '../../core/ids.js'
import type { UndoInput } from '../../core/inputs.js'
import type { Item } from '../../core/item.js'
import { idFromPath } from '../../core/layout.js'
import { planRevert, type RevertFile, type RevertibleCommit, revertChooser } from '../../core/revert.js'
import { assertInitialized } from '../../store/store.js'
import type { UndoResult } from '../index.js'
import { type AppCore, planOf, toRow } from '../shared.js'

/** How many commits with nothing left to take back undo passes over before it says so. */
const UNDO_SKIPS = 20

/**
 * Takes back the acting agent's (or person's) latest change not yet undone, or the one `commit` names, or the latest
 * change to `id`; with `redo`, takes back the latest undo (docs/adr/0008-undo-and-history.md).
 *
 * @example
 * await undo(core, { agent: 'claude' })
 */
export async function undo(core: AppCore, input: UndoInput): Promise<UndoResult> {
  const { store, log, itemHistory, contextFor } = core
  assertInitialized(store)
  const context = await contextFor(input.agent)
  const redo = Boolean(input.redo)
  const what = redo ? 'redo' : 'undo'
  let target: RevertibleCommit | undefined
  let items: Item[] = []
  const wanted = input.commit?.toLowerCase()
  const notFound = () => {
    if (wanted !== undefined) {
      return new BacklogError('NOT_FOUND', phrase`No backlog commit ${input.commit} on this branch. ${slot('history')}`)
    }
    const whose = input.id ? `to ${input.id}` : context.agent ? `by ${context.agent}` : `by ${context.author}`
    return new BacklogError(
      'NOT_FOUND',
      phrase`${redo ? `Nothing to redo: no undo ${whose} stands as the latest change` : `Nothing to undo: no change ${whose} that is not undone yet`} on this branch. ${slot('history')}`,
    )
  }
  const result = await store.mutate(async () => {
    const consider = revertChooser({
      ...(context.agent ? { agent: context.agent } : { author: context.author ?? '' }),
      ...(input.id !== undefined ? { id: input.id } : {}),
      redo,
    })
    // History is read newest first only as far as the choice needs: an agent's last change is usually near. The whole
    // branch is in reach, since git passes over commits of code (docs/adr/0016-one-git-reader.md).
    const newer: RevertibleCommit[] = []
    let skipped = 0
    for await (const { entry, boundary } of log.walk()) {
      const verdict = wanted === undefined ? consider(entry) : entry.commit.startsWith(wanted) ? entry : 'next'
      if (verdict === 'none') break
      if (verdict === 'next') {
        newer.push(entry)
        continue
      }
      const chosen = verdict
      if (boundary) {
        throw new BacklogError(
          'NOT_FOUND',
          `The change to ${what}, ${chosen.commit.slice(0, 7)} (${chosen.subject}), is at the edge of this shallow clone: the commit before it was never fetched, so what it changed is not known here. Nothing was written. \`git fetch --unshallow\` (or \`--deepen=50\`) brings older history; then try again.`,
        )
      }
      if (wanted !== undefined && redo && chosen.op !== 'undo') {
        throw new BacklogError(
          'INVALID_INPUT',
          `redo takes back an undo, and ${chosen.commit.slice(0, 7)} (${chosen.subject}) is ${chosen.op === 'edit' ? 'a hand edit' : `a ${chosen.op}`}: undo it with commit and without redo`,
        )
      }
      target = chosen
      const changed = await itemHistory.filesChanged(chosen.commit)
      if (changed.parents > 1) {
        throw new BacklogError(
          'CONFLICT',
          phrase`Cannot ${what} ${chosen.commit.slice(0, 7)} (${chosen.subject}): it is a merge, which brought a whole branch. Undo the changes of that branch one by one, or revert the merge with git. ${slot('history')}`,
        )
      }
      const files = asTheyAreNow(core, changed.files, newer)
      const plan = planRevert(files, {
        config: context.config,
        now: context.now,
        what: `${what} ${chosen.commit.slice(0, 7)} (${chosen.subject})`,
      })
      items = plan.items
      // A commit whose changes are all taken back already (by hand, say) is passed over, so undo walks on.
      if (plan.changes.length === 0 && wanted === undefined && skipped < UNDO_SKIPS) {
        skipped++
        newer.push(entry)
        continue
      }
      if (plan.changes.length === 0) return null
      return planOf(
        context,
        { op: redo ? 'redo' : 'undo', verb: what, items: plan.items, reverts: chosen.commit },
        plan.changes,
      )
    }
    throw notFound()
  })
  const reverted = target as RevertibleCommit
  return {
    items: items.map((item) => {
      const record = store.get(item.id)
      return record ? toRow(record) : { id: item.id, title: item.title, type: item.type, status: item.status }
    }),
    ...(result.commit ? { commit: result.commit } : {}),
    changed: result.changes.length > 0,
    reverted: {
      commit: reverted.commit,
      subject: reverted.subject,
      ...(reverted.op ? { op: reverted.op } : {}),
      ...(reverted.agent ? { agent: reverted.agent } : {}),
    },
  }
}

/**
 * The files of the commit to take back, each with what it holds now (where the item lives now, if it moved) and the
 * newest later commit that changed its item, for planRevert.
 */
function asTheyAreNow(
  core: AppCore,
  files: ReadonlyArray<Pick<RevertFile, 'path' | 'before' | 'after'>>,
  newer: readonly RevertibleCommit[],
): RevertFile[] {
  const { store } = core
  return files.map((file) => {
    const id = idFromPath(file.path)
    const later = newer.find((commit) => id !== undefined && commit.ids.some((one) => idKey(one) === idKey(id)))
    let current = store.textAt(file.path)
    // Archived or brought back since: the item is taken back where it lives now.
    const moved = current === undefined && id !== undefined ? store.get(id) : undefined
    if (moved) current = moved.text
    return {
      ...file,
      ...(current === undefined ? {} : { current }),
      ...(moved ? { currentPath: moved.path } : {}),
      ...(later ? { laterCommit: later.commit } : {}),
    }
  })
}
