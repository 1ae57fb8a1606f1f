import { plotValue, type Sample } from '../../shared/model'
import type { Series } from '../../shared/contract'

/**
 * One pen's data in uPlot's shape: time in seconds (ascending) and values, null for gaps (an outage, bad quality).
 * `lo`/`hi` (parallel to `t`) are the min/max band of bucketed history; live points carry their own value in both.
 * `gapSec`: a live step longer than this is an outage and gets a break (absent: never, for report-by-exception sources).
 */
export interface TrendBuffer {
  t: number[]
  v: (number | null)[]
  lo?: (number | null)[]
  hi?: (number | null)[]
  gapSec?: number
  /** Bucketed history: where its last bucket ends (its point sits in the bucket's middle); a live step is measured from here. */
  seamSec?: number
}

/** Seconds a break sits inside a gap's ends, so the line stops at the last sample and starts again at the next. */
const EPS = 0.001

export function emptyBuffer(): TrendBuffer {
  return { t: [], v: [] }
}

/**
 * A query's series as a buffer: times in seconds, a pair of nulls just inside each gap (when `breakGaps`) so the line
 * never runs straight across an outage, and the band when the series was bucketed.
 */
export function fromSeries(series: Series | undefined, breakGaps = true): TrendBuffer {
  if (!series) return emptyBuffer()
  const n = Math.min(series.t.length, series.v.length)
  const band = series.mode === 'buckets' && series.min && series.max
  const t: number[] = []
  const v: (number | null)[] = []
  const lo: (number | null)[] = []
  const hi: (number | null)[] = []
  const gaps = breakGaps ? (series.gaps ?? []) : []
  let g = 0
  let lastMs = -Infinity
  for (let i = 0; i < n; i++) {
    const ms = series.t[i]!
    while (g < gaps.length && gaps[g]!.to <= ms) {
      const gap = gaps[g++]!
      if (gap.to === ms && lastMs <= gap.from) {
        for (const x of [gap.from / 1000 + EPS, gap.to / 1000 - EPS]) {
          t.push(x)
          v.push(null)
          lo.push(null)
          hi.push(null)
        }
      }
    }
    lastMs = ms
    t.push(ms / 1000)
    v.push(series.v[i] ?? null)
    lo.push(band ? (series.min![i] ?? null) : null)
    hi.push(band ? (series.max![i] ?? null) : null)
  }
  const out: TrendBuffer = { t, v }
  if (band) {
    out.lo = lo
    out.hi = hi
    if (t.length && series.bucketMs) out.seamSec = t[t.length - 1]! + series.bucketMs / 2000
  }
  if (breakGaps) {
    const th = gapThresholdSec(series)
    if (th !== undefined) out.gapSec = th
  }
  return out
}

/** The live gap threshold of a series: 3× its expected interval (at least 2 s), or 1.5 buckets. */
function gapThresholdSec(series: Series): number | undefined {
  if (series.intervalMs === undefined) return undefined
  return Math.max(2, (3 * series.intervalMs) / 1000)
}

function push(buf: TrendBuffer, t: number, v: number | null): void {
  buf.t.push(t)
  buf.v.push(v)
  if (buf.lo) buf.lo.push(v)
  if (buf.hi) buf.hi.push(v)
}

/**
 * Append live samples of `signal` in place. Samples at or before the last point are dropped (history and live overlap
 * right after a query); a step longer than `buf.gapSec` gets a break first. Returns how many points were added.
 */
export function appendSamples(buf: TrendBuffer, samples: readonly Sample[], signal: string): number {
  let added = 0
  for (const s of samples) {
    if (s.signal !== signal) continue
    const t = s.ts / 1000
    const n = buf.t.length
    const last = n ? buf.t[n - 1]! : -Infinity
    if (t <= last) continue
    if (buf.gapSec !== undefined && n && t - Math.max(last, buf.seamSec ?? -Infinity) > buf.gapSec && buf.v[n - 1] !== null) {
      push(buf, last + EPS, null)
      push(buf, t - EPS, null)
    }
    push(buf, t, plotValue(s.value, s.quality))
    added++
  }
  return added
}

/** Drop points older than `fromSec`, keeping one before it so the line enters the window from the left edge. */
export function trimBefore(buf: TrendBuffer, fromSec: number): void {
  const cut = lowerBound(buf.t, fromSec) - 1
  if (cut > 0) {
    buf.t.splice(0, cut)
    buf.v.splice(0, cut)
    buf.lo?.splice(0, cut)
    buf.hi?.splice(0, cut)
  }
}

/** First index with `t[i] >= x`. */
export function lowerBound(t: readonly number[], x: number): number {
  let lo = 0
  let hi = t.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (t[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
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
  const out: TrendBuffer = { t: [...buf.t, nowSec], v: [...buf.v, lastV] }
  if (buf.lo) out.lo = [...buf.lo, lastV]
  if (buf.hi) out.hi = [...buf.hi, lastV]
  return out
}

/** Shifts a buffer's times by `sec` (a compared earlier period drawn over now). */
export function shifted(buf: TrendBuffer, sec: number): TrendBuffer {
  const out: TrendBuffer = { t: buf.t.map((x) => x + sec), v: buf.v }
  if (buf.lo) out.lo = buf.lo
  if (buf.hi) out.hi = buf.hi
  return out
}

/** Stretches without a drawable value: runs of nulls, from the last value before to the first after (seconds). */
export function nullRuns(buf: TrendBuffer, fromSec = -Infinity, toSec = Infinity): [number, number][] {
  const out: [number, number][] = []
  const n = buf.t.length
  let i = 0
  while (i < n) {
    if (buf.v[i] !== null) {
      i++
      continue
    }
    let j = i
    while (j + 1 < n && buf.v[j + 1] === null) j++
    const a = i > 0 ? buf.t[i - 1]! : buf.t[i]!
    const b = j + 1 < n ? buf.t[j + 1]! : buf.t[j]!
    if (b >= fromSec && a <= toSec) out.push([a, b])
    i = j + 1
  }
  return out
}
