import { useEffect, useRef, useState } from 'react'
import { getApi } from '../../api/client'
import { toErrorShape } from '../../api/errors'
import { serverNow, useSystemStore } from '../../stores/system-store'
import { fromSeries } from '../../lib/trend-buffer'
import { sameWallTimeDaysBefore } from '../../lib/trend-time'
import { compareDstNotes, overlayByWallClock } from '../../lib/trend-compare'
import { COMPARE_DAYS } from '../../lib/trend-view'
import { compareKey, useTrendStore } from '../../stores/trend-store'

/**
 * A zoom or pan settles this long before history is asked for: dragging does not flood the server. The first change
 * after a quiet spell (a range picked, the first step of a gesture) is asked for at once.
 */
const SETTLE_MS = 150
/**
 * A live buffer that passes this many times the queried points is queried again, decimated: each redraw walks every
 * pen's points (joined on one time axis), so they are kept near the pixels (see `npm run bench:ui`).
 */
const LIVE_CAP = 2
/** Per signal and call: the server lowers it when many pens would pass its reply budget. */
const MAX_POINTS = 4000

/**
 * Loads every pen's history for the trend's range (about one point per pixel of `width()`) whenever the pens, the range
 * or the link change, and each compared pen's earlier period, laid over now point by point at the same wall-clock time
 * in the plant zone (an hour that vanishes or repeats on either side is dropped or left without overlay, and said so).
 * In live mode, live samples are appended by the session as they arrive; `retry` re-runs the queries on demand.
 * `breakGaps(signal)`: whether a pen's silences are outages (periodic sources) or unchanged values (by exception).
 */
export function useTrendData(width: () => number, retry: number, breakGaps: (signal: string) => boolean): void {
  const syncs = useSystemStore((s) => s.syncs)
  const signalsKey = useTrendStore((s) => s.pens.map((p) => p.signal).join('\n'))
  const compareKeyStr = useTrendStore((s) => s.pens.map((p) => (p.compare && p.compare !== 'none' ? compareKey(p.signal, p.compare) : '')).join('\n'))
  const range = useTrendStore((s) => s.range)
  const refresh = useTrendStore((s) => s.refresh)
  const timeZone = useTrendStore((s) => s.timeZone)
  const [compareTick, setCompareTick] = useState(0)
  const lastRange = useRef<{ range: unknown; at: number }>({ range, at: -Infinity })

  useEffect(() => {
    const signals = signalsKey ? signalsKey.split('\n') : []
    if (signals.length === 0 || syncs === 0 || useSystemStore.getState().link.state !== 'open') return
    let cancelled = false
    let settle = false
    if (lastRange.current.range !== range) {
      const now = performance.now()
      settle = range.kind === 'fixed' && now - lastRange.current.at < SETTLE_MS
      lastRange.current = { range, at: now }
    }
    const timer = setTimeout(
      () => {
        const live = range.kind === 'live'
        const to = live ? Math.round(serverNow()) : range.to
        const from = live ? to - range.spanMs : range.from
        const points = Math.max(2, Math.min(MAX_POINTS, Math.round(width())))
        const store = useTrendStore.getState()
        store.loading(signals)
        getApi()
          .rpc.call('trends.query', { signals, from: Math.max(0, Math.floor(from)), to: Math.ceil(to), points })
          .then(
            (r) => {
              if (cancelled) return
              r.series.forEach((s, i) => {
                const id = signals[i]!
                useTrendStore.getState().loaded(id, fromSeries(s, breakGaps(id)), LIVE_CAP * (r.points ?? points), live)
              })
            },
            (e) => !cancelled && useTrendStore.getState().failed(signals, toErrorShape(e)),
          )
      },
      settle ? SETTLE_MS : 0,
    )
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
    // width and breakGaps are read per query on purpose: resizing redraws, it does not re-query.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signalsKey, syncs, retry, range, refresh])

  useEffect(() => {
    const pens = useTrendStore.getState().pens.filter((p) => p.compare && p.compare !== 'none')
    if (pens.length === 0 || syncs === 0 || useSystemStore.getState().link.state !== 'open') return
    let cancelled = false
    const timer = setTimeout(
      () => {
        const live = range.kind === 'live'
        const now = Math.round(serverNow())
        // live: cover the window and one more span ahead, so the overlay keeps up as the window slides
        const from = live ? now - range.spanMs : range.from
        const to = live ? now + range.spanMs : range.to
        const points = Math.max(2, Math.min(MAX_POINTS, Math.round(width())))
        for (const p of pens) {
          const days = COMPARE_DAYS[p.compare!]
          // the earlier period by wall clock in the plant zone (23 or 25 hours a day back across a change), an hour
          // wider each side; each point is laid over now at its own wall-clock time, so both sides of a change line up
          const qFrom = sameWallTimeDaysBefore(from, days, timeZone) - 3_600_000
          const qTo = sameWallTimeDaysBefore(to, days, timeZone) + 3_600_000
          const dst = compareDstNotes(from, to, days, timeZone)
          const key = compareKey(p.signal, p.compare!)
          getApi()
            .rpc.call('trends.query', { signals: [p.signal], from: Math.max(0, Math.floor(qFrom)), to: Math.ceil(qTo), points })
            .then(
              (r) => {
                if (cancelled) return
                const { buf } = overlayByWallClock(fromSeries(r.series[0], breakGaps(p.signal)), days, timeZone)
                useTrendStore.getState().compareLoaded(key, { buf, shiftSec: 0, status: 'ready', coverTo: to / 1000, dst })
              },
              () => {
                if (cancelled) return
                useTrendStore.getState().compareLoaded(key, { buf: { t: [], v: [] }, shiftSec: 0, status: 'error', coverTo: to / 1000, dst })
              },
            )
        }
        // a live overlay is asked again once the window has moved through the span it covers
        if (live) refreshTimer = setTimeout(() => setCompareTick((n) => n + 1), range.spanMs)
      },
      range.kind === 'fixed' ? SETTLE_MS : 0,
    )
    let refreshTimer: ReturnType<typeof setTimeout> | undefined
    return () => {
      cancelled = true
      clearTimeout(timer)
      if (refreshTimer) clearTimeout(refreshTimer)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [compareKeyStr, syncs, retry, range, timeZone, compareTick])
}

