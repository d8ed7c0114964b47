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
 * Which live changes reload the data: every one (true), none (false), or those whose changed ids the function wants.
 * A change that names no ids may have changed anything, and always reloads.
 */
export type Live = boolean | ((ids: string[]) => boolean)

/**
 * `load()` now, whenever `key` changes, and after each live change `live` wants. The previous data stays on screen
 * while the next loads, so a refresh keeps scroll and focus; an answer that arrives after a newer request started is
 * dropped. Live reloads never overlap: a change that arrives while a load is in flight is followed by one more load
 * when it ends, however many changes came meanwhile (an agent writing 20 times a second costs a load at a time).
 */
export function useData<T>(key: string, load: () => Promise<T>, live: Live = true): Data<T> {
  const [data, setData] = useState<T | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(true)
  const latest = useRef(0)
  const loader = useRef(load)
  loader.current = load
  const wants = useRef(live)
  wants.current = live
  /** Loads in flight, and whether a live change came during them. */
  const running = useRef(0)
  const again = useRef(false)

  const reload = useCallback(async function run(): Promise<void> {
    const request = ++latest.current
    running.current++
    setLoading(true)
    try {
      const value = await loader.current()
      if (request !== latest.current) return
      setData(value)
      setError(undefined)
    } catch (caught) {
      if (request === latest.current) setError(caught)
    } finally {
      running.current--
      if (request === latest.current) setLoading(false)
      if (running.current === 0 && again.current) {
        again.current = false
        void run()
      }
    }
  }, [])

  // The key says when to load again.
  useEffect(() => {
    void reload()
  }, [key])
  useEffect(
    () =>
      onChange((ids) => {
        const filter = wants.current
        if (filter === false || (ids && typeof filter === 'function' && !filter(ids))) return
        if (running.current > 0) again.current = true
        else void reload()
      }),
    [reload],
  )
  useEffect(
    () => () => {
      again.current = false
    },
    [],
  )

  const set = useCallback((value: T) => {
    latest.current++
    setData(value)
    setError(undefined)
    setLoading(false)
  }, [])
  return { data, error, loading, reload, set }
}
