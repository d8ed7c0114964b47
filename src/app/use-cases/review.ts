/** The use-case of a pull request's review: what happened to the backlog between two revisions, item by item. */

import type { ReviewInput } from '../../core/inputs.js'
import { parseRange, type Review, reviewChanges } from '../../core/review.js'
import { readBacklogRange } from '../../store/backlog-range.js'
import { assertInitialized } from '../../store/store.js'
import type { AppCore } from '../shared.js'

/**
 * The backlog's changes between two revisions, as a reviewer reads them. `range` is `<base>..<head>` (or `...`: both
 * compare the merge base with head, as a pull request does), one revision (the base: to HEAD with the working tree's
 * uncommitted changes), or nothing (the upstream's merge base, else the default branch's, to the working tree).
 *
 * @example
 * const { counts, items } = await review(core, { range: 'main..feature' })
 * // counts: { created: 2, closed: 1 }, items[0]: { id: 'bl-k3m9x2', kinds: ['closed'], changes: [...], by: ['claude'] }
 */
export async function review(core: AppCore, input: ReviewInput): Promise<Review> {
  const { store, log, itemHistory } = core
  assertInitialized(store)
  const source = await readBacklogRange(store.repo, log.reader, itemHistory, parseRange(input.range))
  return reviewChanges(source, store.config().closed_statuses)
}
