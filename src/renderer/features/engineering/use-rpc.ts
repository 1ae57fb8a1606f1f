import { useCallback, useEffect, useRef, useState } from 'react'
import { getApi, type Rpc } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import type { ErrorShape } from '../../../shared/model'
import { useSystemStore } from '../../stores/system-store'

export interface Loaded<T> {
  data?: T
  error?: ErrorShape
  loading: boolean
  reload(): Promise<void>
}

/**
 * One call, made again when `key` changes, after a reconnect, every `everyMs` while mounted (and the link is up),
 * or on `reload()`. The last good answer stays on screen next to a later error.
 */
export function useRpc<T>(fetch: (rpc: Rpc) => Promise<T>, key: string, everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ErrorShape; loading: boolean; key: string }>({ loading: true, key })
  const syncs = useSystemStore((s) => s.syncs)
  const linkUp = useSystemStore((s) => s.link.state === 'open')
  const fetchRef = useRef(fetch)
  fetchRef.current = fetch
  const seq = useRef(0)
  const reload = useCallback(async () => {
    const n = ++seq.current
    setState((s) => ({ ...s, loading: true }))
    try {
      const data = await fetchRef.current(getApi().rpc)
      if (n === seq.current) setState({ data, loading: false, key })
    } catch (e) {
      if (n === seq.current) setState((s) => ({ data: s.key === key ? s.data : undefined, error: toErrorShape(e), loading: false, key }))
    }
  }, [key])
  useEffect(() => {
    void reload()
  }, [reload, syncs])
  useEffect(() => {
    if (!everyMs || !linkUp) return
    let busy = false
    const t = setInterval(() => {
      if (busy || document.hidden) return
      busy = true
      void reload().finally(() => (busy = false))
    }, everyMs)
    return () => clearInterval(t)
  }, [everyMs, linkUp, reload])
  const current = state.key === key
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, loading: state.loading || !current, reload }
}
