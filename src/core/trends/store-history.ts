import type { Series } from '../../shared/contract/trends'
import type { BucketSeries, SampleStore } from '../ports/sample-store'
import type { HistoryReader } from './history-reader'
import { plotValue } from '../../shared/model'

/**
 * Trend history from the local store. Few samples in range: the raw samples with their exact times.
 * Many: `points / 2` buckets, each drawn as its min and max (in the order the bucket's first and last
 * values suggest), so a spike inside a bucket is never averaged away.
 */
export class StoreHistory implements HistoryReader {
  constructor(private readonly store: SampleStore) {}

  async query(signal: string, from: number, to: number, points: number): Promise<Series> {
    const raw = await this.store.queryRaw(signal, from, to, points)
    if (!raw.truncated) {
      return { signal, t: raw.t, v: raw.v.map((v, i) => plotValue(v, raw.q[i]!)) }
    }
    const [b] = await this.store.queryBuckets({ signals: [signal], from, to, points: Math.max(2, Math.floor(points / 2)) })
    if (!b) return { signal, t: [], v: [] }
    return { signal, ...bucketsToPoints(b) }
  }
}

/** Each bucket as its min and max, in the order its first value suggests (a spike is never averaged away). */
export function bucketsToPoints(b: BucketSeries): { t: number[]; v: (number | null)[] } {
  const t: number[] = []
  const v: (number | null)[] = []
  const half = Math.floor(b.bucketMs / 2)
  for (let i = 0; i < b.t.length; i++) {
    const lo = b.min[i] ?? null
    const hi = b.max[i] ?? null
    if (lo === null || hi === null) continue
    const first = plotValue(b.first[i], 'good')
    const risingFirst = first === null || Math.abs(first - lo) <= Math.abs(first - hi)
    const [a, c] = risingFirst ? [lo, hi] : [hi, lo]
    t.push(b.t[i]!)
    v.push(a)
    if (c !== a) {
      t.push(b.t[i]! + half)
      v.push(c)
    }
  }
  return { t, v }
}
