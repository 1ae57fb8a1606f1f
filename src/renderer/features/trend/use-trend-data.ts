import { useEffect } from 'react'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { serverNow, useSystemStore } from '../../stores/system-store'
import { fromSeries } from '../../lib/trend-buffer'
import { TREND_WINDOW_MS, useTrendStore } from '../../stores/trend-store'

/**
 * Loads the last 10 minutes of `signal` (about one point per pixel of `width()`) whenever the signal changes
 * and after every resync (a reconnect leaves a gap that only history can fill). Live samples are appended by the
 * session as they arrive; the retry counter re-runs the query on demand.
 */
export function useTrendData(signal: string | undefined, width: () => number, retry: number): void {
  const syncs = useSystemStore((s) => s.syncs)
  useEffect(() => {
    useTrendStore.getState().start(signal)
    // Without a link the query would only time out; the resync after reconnect bumps `syncs` and runs it.
    if (!signal || syncs === 0 || useSystemStore.getState().link.state !== 'open') return
    const to = Math.round(serverNow())
    const points = Math.max(2, Math.min(10_000, Math.round(width())))
    getApi()
      .rpc.call('trends.query', { signals: [signal], from: to - TREND_WINDOW_MS, to, points })
      .then(
        (r) => useTrendStore.getState().loaded(signal, fromSeries(r.series.find((s) => s.signal === signal))),
        (e) => useTrendStore.getState().failed(signal, toErrorShape(e)),
      )
    // width is read once per query on purpose: resizing redraws, it does not re-query.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signal, syncs, retry])
}
