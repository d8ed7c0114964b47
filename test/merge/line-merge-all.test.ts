/**
 * The merge button's merge for every field an edit can set on its own (153 pairs for each item, about 10 s): only
 * `status` and `done`, which both set the status, conflict (docs/adr/0018-a-layout-the-merge-button-can-merge.md).
 */

import { describe, expect, it } from 'vitest'
import { BASES, conflictingPairs, EDITS } from './line-merge.js'

describe.each(Object.entries(BASES))("git's plain line merge of two branches' edits to a %s item", (_name, base) => {
  it('merges every pair of edits to different fields of every kind cleanly', async () => {
    const conflicts = await conflictingPairs(base, Object.keys(EDITS))
    // Only the pair that changes one field twice conflicts: a layout where nothing ever met would pass it too quietly.
    expect(conflicts).toEqual(['status+done'])
  }, 180_000)
})
