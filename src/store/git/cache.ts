/** The one cache of a repository's reader: least recently used first out, bounded by an estimate of the bytes held. */

export interface ByteCache {
  get<T>(key: string): T | undefined
  /** Keeps `value`, counted as `bytes`, dropping the least recently used entries until the total is within bound. */
  set<T>(key: string, value: T, bytes: number): T
  delete(key: string): void
  clear(): void
  /** How many entries and (estimated) bytes are held, and the bound. */
  readonly stats: { entries: number; bytes: number; maxBytes: number }
}

/**
 * A cache bounded by bytes, not entries: a tree of 10,000 items and a commit of one line are not the same weight.
 * Sizes are estimates given by the caller (text length, entry counts), close enough to keep the total in bound.
 * A value larger than the whole bound is handed back without being kept.
 *
 * @example
 * const cache = createByteCache(1024)
 * cache.set('tree abc…', entries, 300)
 * cache.get<TreeEntry[]>('tree abc…') // entries, now the most recently used
 */
export function createByteCache(maxBytes: number): ByteCache {
  const entries = new Map<string, { value: unknown; bytes: number }>()
  let bytes = 0
  return {
    get<T>(key: string): T | undefined {
      const entry = entries.get(key)
      if (!entry) return undefined
      // Map keeps insertion order: taken out and put back, the entry becomes the newest.
      entries.delete(key)
      entries.set(key, entry)
      return entry.value as T
    },
    set<T>(key: string, value: T, size: number): T {
      const old = entries.get(key)
      if (old) {
        entries.delete(key)
        bytes -= old.bytes
      }
      if (size > maxBytes) return value
      entries.set(key, { value, bytes: size })
      bytes += size
      for (const [oldest, entry] of entries) {
        if (bytes <= maxBytes) break
        entries.delete(oldest)
        bytes -= entry.bytes
      }
      return value
    },
    delete(key) {
      const old = entries.get(key)
      if (!old) return
      entries.delete(key)
      bytes -= old.bytes
    },
    clear() {
      entries.clear()
      bytes = 0
    },
    get stats() {
      return { entries: entries.size, bytes, maxBytes }
    },
  }
}
