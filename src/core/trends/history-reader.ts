import type { Series } from '../../shared/contract/trends'
import { findGaps, gapThreshold, medianInterval } from '../../shared/model/gaps'

/**
 * Where trends read history from: the in-memory ring until the local store takes over, the local store, and (with the
 * sync) a backend reader for what lies before the local store's oldest sample — joined with `joinSeries`.
 * Implementations return at most `points` raw points, else at most `points / 2` buckets with mean/min/max/count, plus gaps.
 */
export interface HistoryReader {
  query(signal: string, from: number, to: number, points: number): Promise<Series>
}

/** A raw series with its expected interval and gaps. */
export function rawSeries(signal: string, t: number[], v: (number | null)[]): Series {
  const intervalMs = medianInterval(t)
  return { signal, mode: 'raw', t, v, ...(intervalMs !== undefined ? { intervalMs } : {}), gaps: findGaps(t, gapThreshold(intervalMs)) }
}

/** Per-bucket aggregates (bucket start times, ascending, only buckets with samples) as a bucketed series with gaps. */
export function bucketSeries(
  signal: string,
  bucketMs: number,
  b: { t: readonly number[]; count: readonly number[]; min: readonly (number | null)[]; max: readonly (number | null)[]; avg: readonly (number | null)[] },
): Series {
  const half = bucketMs / 2
  const t = b.t.map((x) => x + half)
  // expected interval: a bucket of `count` samples has them about bucketMs / count apart
  const per: number[] = []
  for (let i = 0; i < b.count.length; i++) if (b.count[i]! > 0) per.push(bucketMs / b.count[i]!)
  per.sort((x, y) => x - y)
  const intervalMs = per.length ? per[per.length >> 1]! : undefined
  return {
    signal,
    mode: 'buckets',
    bucketMs,
    t,
    v: [...b.avg],
    min: [...b.min],
    max: [...b.max],
    count: [...b.count],
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    gaps: findGaps(t, gapThreshold(intervalMs, bucketMs)),
  }
}

/**
 * History from sorted (t, v) over [from, to]: the raw points when at most `points`, else `points / 2` equal buckets with
 * their mean, min, max and count (a bucket carries about two points' worth: its extremes). Pure, shared by in-memory readers.
 */
export function seriesFrom(signal: string, t: ArrayLike<number>, v: ArrayLike<number | null>, from: number, to: number, points: number): Series {
  const n = t.length
  let lo = 0
  while (lo < n && t[lo]! < from) lo++
  let hi = lo
  while (hi < n && t[hi]! <= to) hi++
  if (hi - lo <= points) {
    const rt: number[] = []
    const rv: (number | null)[] = []
    for (let i = lo; i < hi; i++) {
      rt.push(t[i]!)
      rv.push(v[i] ?? null)
    }
    return rawSeries(signal, rt, rv)
  }
  const buckets = Math.max(1, Math.floor(points / 2))
  const bucketMs = Math.max(1, Math.ceil((to - from) / buckets))
  const bt: number[] = []
  const count: number[] = []
  const min: (number | null)[] = []
  const max: (number | null)[] = []
  const avg: (number | null)[] = []
  let i = lo
  while (i < hi) {
    // a sample at `to` itself belongs to the last bucket, not one past the range
    const k = Math.min(buckets - 1, Math.floor((t[i]! - from) / bucketMs))
    const start = from + k * bucketMs
    const end = k === buckets - 1 ? Infinity : start + bucketMs
    let c = 0
    let sum = 0
    let num = 0
    let mn = Infinity
    let mx = -Infinity
    for (; i < hi && t[i]! < end; i++) {
      c++
      const x = v[i]
      if (x === null || x === undefined) continue
      num++
      sum += x
      if (x < mn) mn = x
      if (x > mx) mx = x
    }
    bt.push(start)
    count.push(c)
    min.push(num ? mn : null)
    max.push(num ? mx : null)
    avg.push(num ? sum / num : null)
  }
  return bucketSeries(signal, bucketMs, { t: bt, count, min, max, avg })
}

/**
 * Joins an older reader's series (a backend) in front of a newer one's (the local store): the older's points before
 * `splitAt` (the newer's oldest time), then the newer's. Both keep their own mode per point: a joined series is
 * bucketed when either side is, with raw points standing for themselves (min = max = v, count 1).
 */
export function joinSeries(older: Series, newer: Series, splitAt = newer.t[0] ?? Infinity): Series {
  const keep = older.t.findIndex((x) => x >= splitAt)
  const n = keep < 0 ? older.t.length : keep
  if (n === 0) return newer
  if (newer.t.length === 0) return older
  const bucketed = older.mode === 'buckets' || newer.mode === 'buckets'
  const part = (s: Series, a: number, b: number) => ({
    t: s.t.slice(a, b),
    v: s.v.slice(a, b),
    min: (s.min ?? s.v).slice(a, b),
    max: (s.max ?? s.v).slice(a, b),
    count: s.count?.slice(a, b) ?? s.t.slice(a, b).map(() => 1),
  })
  const o = part(older, 0, n)
  const w = part(newer, 0, newer.t.length)
  const t = [...o.t, ...w.t]
  const gaps = [...(older.gaps ?? []).filter((g) => g.to <= splitAt), ...(newer.gaps ?? [])]
  // the seam itself: silent longer than either side expects
  const th = gapThreshold(Math.max(older.intervalMs ?? 0, newer.intervalMs ?? 0), Math.max(older.bucketMs ?? 0, newer.bucketMs ?? 0))
  if (w.t[0]! - o.t[o.t.length - 1]! > th) gaps.push({ from: o.t[o.t.length - 1]!, to: w.t[0]! })
  gaps.sort((a, b) => a.from - b.from)
  const interval = newer.intervalMs ?? older.intervalMs
  return {
    signal: newer.signal,
    mode: bucketed ? 'buckets' : 'raw',
    t,
    v: [...o.v, ...w.v],
    ...(bucketed ? { bucketMs: Math.max(older.bucketMs ?? 0, newer.bucketMs ?? 0), min: [...o.min, ...w.min], max: [...o.max, ...w.max], count: [...o.count, ...w.count] } : {}),
    ...(interval !== undefined ? { intervalMs: interval } : {}),
    gaps,
  }
}
