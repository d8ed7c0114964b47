/**
 * The merge button's merge: every pair of the edits issue 13 names, to different fields of one item, merges cleanly
 * with git's plain line merge (docs/adr/0018-a-layout-the-merge-button-can-merge.md). The pairs of every field an edit
 * can set run in the stress layer (line-merge-all.test.ts).
 */

import { describe, expect, it } from 'vitest'
import { BASES, conflictingPairs, EDITS } from './line-merge.js'

describe.each(Object.entries(BASES))("git's plain line merge of two branches' edits to a %s item", (_name, base) => {
  it('merges every pair of edits to different fields cleanly, each clean merge holding both edits', async () => {
    const conflicts = await conflictingPairs(base, Object.keys(EDITS).slice(0, 9))
    // Only the pair that changes one field twice conflicts: a layout where nothing ever met would pass it too quietly.
    expect(conflicts).toEqual(['status+done'])
  }, 60_000)
})
