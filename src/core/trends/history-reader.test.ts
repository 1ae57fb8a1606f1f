import { describe, expect, it } from 'vitest'
import { findGaps, gapThreshold, medianInterval } from '../../shared/model/gaps'
import { Series } from '../../shared/contract/trends'
import { bucketSeries, joinSeries, rawSeries, seriesFrom } from './history-reader'
import { MemoryHistory } from './memory-history'

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i))

describe('gap detection', () => {
  it('takes the median step as the expected interval and calls a stretch past 3× (at least 2 s) a gap', () => {
    const t = [0, 1000, 2000, 3000, 10_000, 11_000]
    expect(medianInterval(t)).toBe(1000)
    expect(gapThreshold(1000)).toBe(3000)
    expect(gapThreshold(100)).toBe(2000) // sub-second sources: never a gap under 2 s
    expect(gapThreshold(1000, 60_000)).toBe(90_000) // bucketed: one missing bucket is a gap
    expect(findGaps(t, 3000)).toEqual([{ from: 3000, to: 10_000 }])
    expect(medianInterval([5])).toBeUndefined()
  })
})

describe('history series', () => {
  it('few points: the raw samples, with the outage as a gap', () => {
    const t = [...range(10, (i) => i * 1000), ...range(10, (i) => 60_000 + i * 1000)]
    const s = seriesFrom('a', t, t.map((x) => x / 1000), 0, 100_000, 100)
    expect(s.mode).toBe('raw')
    expect(s.t).toHaveLength(20)
    expect(s.intervalMs).toBe(1000)
    expect(s.gaps).toEqual([{ from: 9000, to: 60_000 }])
    expect(Series.safeParse(s).success).toBe(true)
  })

  it('many points: buckets with mean, min, max and count; a one-sample spike survives as the bucket max', () => {
    const t = range(10_000, (i) => i * 100)
    const v = t.map((_, i) => (i === 4321 ? 999 : 1))
    const s = seriesFrom('a', t, v, 0, 1_000_000, 200)
    expect(s.mode).toBe('buckets')
    expect(s.t.length).toBeLessThanOrEqual(100)
    expect(Math.max(...(s.max as number[]))).toBe(999)
    expect(Math.min(...(s.min as number[]))).toBe(1)
    expect(s.count!.reduce((a, b) => a + b, 0)).toBe(10_000)
    const spike = s.max!.indexOf(999)
    expect(s.v[spike]).toBeGreaterThan(1) // the mean moved, and the band shows the whole spike
    expect(s.v[spike]).toBeLessThan(999)
    expect(s.gaps).toEqual([])
  })

  it('bucketed: missing buckets are a gap, a bucket of bad values is null but present', () => {
    const s = bucketSeries('a', 1000, { t: [0, 1000, 5000, 6000], count: [10, 10, 10, 10], min: [1, null, 1, 1], max: [2, null, 2, 2], avg: [1.5, null, 1.5, 1.5] })
    expect(s.t).toEqual([500, 1500, 5500, 6500])
    expect(s.intervalMs).toBe(100)
    expect(s.gaps).toEqual([{ from: 1500, to: 5500 }])
    expect(s.v[1]).toBeNull()
  })

  it('the ring answers the same shape: bad quality as null, gaps listed', async () => {
    const h = new MemoryHistory(100)
    h.ingest([
      { signal: 'x', ts: 1000, value: 1, quality: 'good' },
      { signal: 'x', ts: 2000, value: 2, quality: 'bad' },
      { signal: 'x', ts: 3000, value: 3, quality: 'good' },
      { signal: 'x', ts: 30_000, value: 4, quality: 'good' },
    ])
    const s = await h.query('x', 0, 40_000, 100)
    expect(s.v).toEqual([1, null, 3, 4])
    expect(s.gaps).toEqual([{ from: 3000, to: 30_000 }])
  })

  it('joins an older reader (the backend) before a newer one (the local store) at its oldest sample', () => {
    const older = rawSeries('a', [0, 1000, 2000, 3000, 4000], [0, 1, 2, 3, 4])
    const newer = bucketSeries('a', 1000, { t: [3000, 4000], count: [5, 5], min: [3, 4], max: [3.5, 4.5], avg: [3.2, 4.2] })
    const j = joinSeries(older, newer)
    expect(j.t).toEqual([0, 1000, 2000, 3000, 3500, 4500])
    expect(j.mode).toBe('buckets')
    expect(j.min).toEqual([0, 1, 2, 3, 3, 4])
    expect(j.count).toEqual([1, 1, 1, 1, 5, 5])
    expect(j.gaps).toEqual([])
    // an outage at the seam is a gap
    const late = rawSeries('a', [60_000, 61_000], [1, 1])
    expect(joinSeries(older, late).gaps).toEqual([{ from: 4000, to: 60_000 }])
    expect(joinSeries(rawSeries('a', [], []), late)).toBe(late)
  })
})
