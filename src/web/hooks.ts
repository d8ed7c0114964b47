/** Data for a page: loaded on mount and when its key changes, reloaded in place on a live change. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { onChange } from './live.js'

export interface Data<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => Promise<void>
  /** Replaces the data by what a write answered, without a round trip. */
  set: (data: T) => void
}

/**
 * `load()` now, whenever `key` changes, and after each live change. The previous data stays on screen while the next
 * loads, so a refresh keeps scroll and focus; an answer that arrives after a newer request started is dropped.
 */
export function useData<T>(key: string, load: () => Promise<T>, live = true): Data<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(true)
  const latest = useRef(0)
  const loader = useRef(load)
  loader.current = load

  const reload = useCallback(async () => {
    const request = ++latest.current
    setLoading(true)
    try {
      const value = await loader.current()
      if (request !== latest.current) return
      setData(value)
      setError(undefined)
    } catch (caught) {
      if (request === latest.current) setError(caught)
    } finally {
      if (request === latest.current) setLoading(false)
    }
  }, [])

  // The key says when to load again.
  useEffect(() => {
    void reload()
  }, [key])
  useEffect(() => (live ? onChange(() => void reload()) : undefined), [live, reload])

  const set = useCallback((value: T) => {
    latest.current++
    setData(value)
    setError(undefined)
    setLoading(false)
  }, [])
  return { data, error, loading, reload, set }
}
