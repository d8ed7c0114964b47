/**
 * Reads and writes .git/index so git-backlog can stage its own paths without losing anything git keeps there. The
 * codec lives in index/, one file per part of the format (docs/adr/0016-one-git-reader.md):
 *
 * - format.ts: the types (entries, extensions, the cache tree), the layout's constants and shared byte helpers
 * - read.ts: header and checksum, one pass over the entries (v2/v3 padded, v4 prefix-compressed), extensions
 * - entries.ts: the entry list an index holds, decoded only where asked
 * - write.ts: the file written back, entries and extensions, with the offset table (IEOT) and its end (EOIE)
 * - update.ts: entries set or removed by path, and the positional extensions (EOIE, IEOT, FSMN) dropped or redone
 * - cache-tree.ts: TREE; untracked.ts: UNTR and its EWAH bitmaps. REUC is kept as git wrote it; a split (link) or sparse (sdir) index is refused.
 */

export { findCacheTreeNode, parseCacheTree, serializeCacheTree } from './index/cache-tree.js'
export { findEntries } from './index/entries.js'
export {
  type CacheTreeNode,
  type GitIndex,
  INTENT_TO_ADD,
  type IndexEntry,
  type IndexExtension,
  SKIP_WORKTREE,
} from './index/format.js'
export { type ParseOptions, parseIndex } from './index/read.js'
export { emptyIndex, entryFromStats, invalidateCacheTreePath, updateIndexEntries } from './index/update.js'
export { serializeIndex } from './index/write.js'
