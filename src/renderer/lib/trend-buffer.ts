import { plotValue, type Sample } from '../../shared/model'
import type { Series } from '../../shared/contract'

/** One pen's data in uPlot's shape: time in seconds (ascending) and values, null for gaps. */
export interface TrendBuffer {
  t: number[]
  v: (number | null)[]
}

export function emptyBuffer(): TrendBuffer {
  return { t: [], v: [] }
}

export function fromSeries(series: Series | undefined): TrendBuffer {
  if (!series) return emptyBuffer()
  const n = Math.min(series.t.length, series.v.length)
  const t: number[] = new Array(n)
  const v: (number | null)[] = new Array(n)
  for (let i = 0; i < n; i++) {
    t[i] = series.t[i]! / 1000
    v[i] = series.v[i] ?? null
  }
  return { t, v }
}

/**
 * Append live samples of `signal` in place. Samples at or before the last point are dropped (history and live overlap
 * right after a query); returns how many points were added.
 */
export function appendSamples(buf: TrendBuffer, samples: readonly Sample[], signal: string): number {
  let added = 0
  for (const s of samples) {
    if (s.signal !== signal) continue
    const t = s.ts / 1000
    const last = buf.t.length ? buf.t[buf.t.length - 1]! : -Infinity
    if (t <= last) continue
    buf.t.push(t)
    buf.v.push(plotValue(s.value, s.quality))
    added++
  }
  return added
}

/** Drop points older than `fromSec`, keeping one before it so the line enters the window from the left edge. */
export function trimBefore(buf: TrendBuffer, fromSec: number): void {
  let lo = 0
  let hi = buf.t.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (buf.t[mid]! < fromSec) lo = mid + 1
    else hi = mid
  }
  const cut = lo - 1
  if (cut > 0) {
    buf.t.splice(0, cut)
    buf.v.splice(0, cut)
  }
}

/**
 * What to draw for a report-by-exception source (OPC UA): an unchanged value sends nothing, so the last value
 * holds until now. Without any point in the window, the current value (`fallback`) holds across it.
 * A gap (null) is not extended. Returns `buf` itself when there is nothing to add.
 */
export function withHeldValue(buf: TrendBuffer, fromSec: number, nowSec: number, fallback: number | null): TrendBuffer {
  const n = buf.t.length
  if (n === 0) return fallback === null ? buf : { t: [fromSec, nowSec], v: [fallback, fallback] }
  const lastV = buf.v[n - 1]
  if (lastV === null || lastV === undefined || buf.t[n - 1]! >= nowSec) return buf
  return { t: [...buf.t, nowSec], v: [...buf.v, lastV] }
}
