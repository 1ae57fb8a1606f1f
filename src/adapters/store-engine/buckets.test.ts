import { describe, expect, it } from 'vitest'
import { planBuckets } from './buckets'
import { random } from '../../core/testing/contract-data'
import { HOUR, MINUTE } from './rollup'

describe('planBuckets', () => {
  it('never makes more buckets than asked, and picks rollups only for whole minutes or hours', () => {
    const rnd = random(5)
    for (let k = 0; k < 5_000; k++) {
      const from = Math.floor(rnd() * 2e12)
      const to = from + Math.floor(rnd() ** 4 * 4e10)
      const points = 2 + Math.floor(rnd() * 10_000)
      const p = planBuckets(from, to, points)
      expect(p.buckets).toBeLessThanOrEqual(points)
      expect(p.start).toBeLessThanOrEqual(from)
      expect(p.end).toBeGreaterThanOrEqual(to)
      expect(p.start % p.bucketMs).toBe(0)
      if (p.source === '1m') expect(p.bucketMs % MINUTE).toBe(0)
      if (p.source === '1h') expect(p.bucketMs % HOUR).toBe(0)
      if (p.source === 'raw') expect(p.bucketMs).toBeLessThan(MINUTE)
    }
  })

  it('uses raw data for a day in 2,000 points and hour rollups for a year', () => {
    expect(planBuckets(0, 86_400_000, 2_000).source).toBe('raw')
    expect(planBuckets(0, 365 * 86_400_000, 2_000)).toMatchObject({ source: '1h', bucketMs: 5 * HOUR })
  })
})
