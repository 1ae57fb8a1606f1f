import type { Sample, SampleValue } from '../../shared/model'

export interface BruteBucket {
  t: number
  count: number
  min: number | null
  max: number | null
  sum: number
  nnum: number
  first: SampleValue
  last: SampleValue
}

/**
 * Reference aggregation for tests, written independently of the store's code: the final samples
 * (after last-write-wins), bucketed by `bucketMs` over every bucket intersecting [from, to].
 */
export function bruteForceBuckets(samples: readonly Sample[], from: number, to: number, bucketMs: number): BruteBucket[] {
  const first = Math.floor(from / bucketMs)
  const last = Math.floor(to / bucketMs)
  const byTs = new Map<number, Sample>()
  for (const s of samples) byTs.set(s.ts, s)
  const sorted = [...byTs.values()].sort((a, b) => a.ts - b.ts)
  const out = new Map<number, BruteBucket>()
  for (const s of sorted) {
    const b = Math.floor(s.ts / bucketMs)
    if (b < first || b > last) continue
    let agg = out.get(b)
    if (!agg) {
      agg = { t: b * bucketMs, count: 0, min: null, max: null, sum: 0, nnum: 0, first: s.value, last: s.value }
      out.set(b, agg)
    }
    agg.count++
    agg.last = s.value
    const x = typeof s.value === 'number' ? s.value : typeof s.value === 'boolean' ? Number(s.value) : null
    if (x !== null && Number.isFinite(x)) {
      agg.nnum++
      agg.sum += x
      agg.min = agg.min === null ? x : Math.min(agg.min, x)
      agg.max = agg.max === null ? x : Math.max(agg.max, x)
    }
  }
  return [...out.values()].sort((a, b) => a.t - b.t)
}
