import type { DataType, SignalId } from '../../shared/model'
import { type BucketSeries, TICK } from '../../core/ports/sample-store'
import { type Columns, KIND_BOOLEAN, upperBound, valueAt } from './columns'
import { HOUR, MINUTE, type RollupRow, fromStored } from './rollup'

export interface BucketPlan {
  bucketMs: number
  source: BucketSeries['source']
  /** First instant of the first bucket and last (a TICK before the next bucket) of the last one: the range the aggregates cover. */
  start: number
  end: number
  buckets: number
}

/**
 * Bucket width for at most `points` buckets over [from, to]. Widths of a minute or more are rounded up
 * to whole minutes or hours so that rollups answer them exactly.
 */
export function planBuckets(from: number, to: number, points: number): BucketPlan {
  if (!(points >= 2) || !(to >= from)) throw new RangeError('need points >= 2 and to >= from')
  // With epoch-aligned buckets, the range touches at most floor(span / w) + 2 of them.
  const w0 = Math.floor((to - from) / (points - 1)) + 1
  const [bucketMs, source]: [number, BucketSeries['source']] =
    w0 >= HOUR ? [Math.ceil(w0 / HOUR) * HOUR, '1h'] : w0 >= MINUTE ? [Math.ceil(w0 / MINUTE) * MINUTE, '1m'] : [w0, 'raw']
  const start = Math.floor(from / bucketMs) * bucketMs
  const next = (Math.floor(to / bucketMs) + 1) * bucketMs
  return { bucketMs, source, start, end: next - TICK, buckets: Math.round((next - start) / bucketMs) }
}

/** Folds samples and rollup rows into a plan's buckets. Feed it in ascending time. */
export class BucketAccumulator {
  private readonly count: Float64Array
  private readonly nnum: Float64Array
  private readonly sum: Float64Array
  private readonly min: Float64Array
  private readonly max: Float64Array
  private readonly first: (string | number | boolean | null)[]
  private readonly last: (string | number | boolean | null)[]

  constructor(
    readonly plan: BucketPlan,
    private readonly dataType: DataType,
  ) {
    const n = plan.buckets
    this.count = new Float64Array(n)
    this.nnum = new Float64Array(n)
    this.sum = new Float64Array(n)
    this.min = new Float64Array(n).fill(Infinity)
    this.max = new Float64Array(n).fill(-Infinity)
    this.first = new Array<null>(n).fill(null)
    this.last = new Array<null>(n).fill(null)
  }

  indexOf(ts: number): number {
    return Math.floor((ts - this.plan.start) / this.plan.bucketMs)
  }

  /** Sorted columns; rows outside the plan's range are ignored. */
  addColumns(c: Columns): void {
    const { ts, flags, num } = c
    const { start, bucketMs, buckets } = this.plan
    let b = -1
    for (let i = 0; i < c.n; i++) {
      const nb = Math.floor(((ts[i] ?? 0) - start) / bucketMs)
      if (nb < 0 || nb >= buckets) continue
      if (nb !== b) {
        // Input is sorted, so a bucket's samples are contiguous: first and last are read once per bucket.
        if (b >= 0) this.last[b] = valueAt(c, i - 1)
        b = nb
        if (this.count[b] === 0) this.first[b] = valueAt(c, i)
      }
      this.count[b] = (this.count[b] ?? 0) + 1
      if ((flags[i] ?? 0) >> 2 <= KIND_BOOLEAN) {
        const x = num[i] ?? 0
        this.nnum[b] = (this.nnum[b] ?? 0) + 1
        this.sum[b] = (this.sum[b] ?? 0) + x
        if (x < (this.min[b] ?? 0)) this.min[b] = x
        if (x > (this.max[b] ?? 0)) this.max[b] = x
      }
    }
    if (b >= 0) this.last[b] = valueAt(c, lastInRange(c, this.plan.end))
  }

  addRollup(r: RollupRow): void {
    const b = this.indexOf(r.t)
    if (b < 0 || b >= this.plan.buckets || r.count === 0) return
    if (this.count[b] === 0) this.first[b] = fromStored(r.first, this.dataType)
    this.last[b] = fromStored(r.last, this.dataType)
    this.count[b] = (this.count[b] ?? 0) + r.count
    if (r.nnum > 0 && r.min !== null && r.max !== null) this.addNumeric(b, r.nnum, r.sum, r.min, r.max)
  }

  /** Forgets bucket `b`, to refold it from other data. */
  clear(b: number): void {
    this.count[b] = 0
    this.nnum[b] = 0
    this.sum[b] = 0
    this.min[b] = Infinity
    this.max[b] = -Infinity
    this.first[b] = null
    this.last[b] = null
  }

  private addNumeric(b: number, n: number, sum: number, min: number, max: number): void {
    this.nnum[b] = (this.nnum[b] ?? 0) + n
    this.sum[b] = (this.sum[b] ?? 0) + sum
    if (min < (this.min[b] ?? 0)) this.min[b] = min
    if (max > (this.max[b] ?? 0)) this.max[b] = max
  }

  toSeries(signal: SignalId): BucketSeries {
    const { bucketMs, source, start, buckets } = this.plan
    const s: BucketSeries = { signal, bucketMs, source, t: [], count: [], min: [], max: [], avg: [], first: [], last: [] }
    for (let b = 0; b < buckets; b++) {
      const count = this.count[b] ?? 0
      if (count === 0) continue
      const nnum = this.nnum[b] ?? 0
      s.t.push(start + b * bucketMs)
      s.count.push(count)
      s.min.push(nnum > 0 ? (this.min[b] ?? null) : null)
      s.max.push(nnum > 0 ? (this.max[b] ?? null) : null)
      s.avg.push(nnum > 0 ? (this.sum[b] ?? 0) / nnum : null)
      s.first.push(this.first[b] ?? null)
      s.last.push(this.last[b] ?? null)
    }
    return s
  }
}

/** Index of the last row at or before `end` (rows sorted). */
const lastInRange = (c: Columns, end: number): number => upperBound(c.ts, c.n, end) - 1
