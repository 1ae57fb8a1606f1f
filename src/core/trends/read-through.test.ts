import { describe, expect, it } from 'vitest'
import { MemorySampleStore } from '../../adapters/memory-store/memory-sample-store'
import type { Sample } from '../../shared/model'
import type { BucketQuery } from '../ports/sample-store'
import { ReadThroughHistory } from './read-through'
import { StoreHistory } from './store-history'

const T0 = Date.UTC(2026, 0, 1)
const def = { id: 'a', name: 'A', dataType: 'number' as const, connection: 'c' }
const sample = (k: number): Sample => ({ signal: 'a', ts: T0 + k * 1000, value: Math.sin(k / 7) * 10 + (k === 333 ? 50 : 0), quality: 'good' })

async function stores() {
  const full = new MemorySampleStore({ clock: { now: () => T0 + 86_400_000 } })
  const local = new MemorySampleStore({ clock: { now: () => T0 + 86_400_000 } })
  await full.registerSignals([def])
  await local.registerSignals([def])
  const all = Array.from({ length: 1000 }, (_, k) => sample(k))
  await full.append(all)
  await local.append(all.slice(600)) // the laptop no longer holds the first 600 seconds
  return { full, local }
}

describe('trend read-through', () => {
  it('joins backend buckets before the local oldest sample with local ones, as if one store held it all', async () => {
    const { full, local } = await stores()
    const backend = { canRead: true, readBuckets: (q: BucketQuery) => full.queryBuckets(q) }
    const joined = new ReadThroughHistory(new StoreHistory(local), local, backend)
    for (const [from, to, points] of [
      [T0, T0 + 999_000, 100],
      [T0 + 100_000, T0 + 700_000, 40],
      [T0 + 590_000, T0 + 610_000, 10],
    ] as const) {
      expect(await joined.query('a', from, to, points), `${from}..${to}`).toEqual(await new StoreHistory(full).query('a', from, to, points))
    }
    // the spike at 333 s, long gone from the laptop, is in the trend (in its bucket's max: `v` holds the means)
    const whole = await joined.query('a', T0, T0 + 999_000, 100)
    expect(whole.mode).toBe('buckets')
    expect(Math.max(...((whole.max ?? []).filter((x) => x !== null) as number[]))).toBeGreaterThan(40)
    expect(Math.max(...((await new StoreHistory(local).query('a', T0, T0 + 999_000, 100)).v as number[]))).toBeLessThanOrEqual(10)
  })

  it('answers from the store alone when the range is local, there is no backend, or it fails', async () => {
    const { local } = await stores()
    const plain = new StoreHistory(local)
    let asked = 0
    const failing = { canRead: true, readBuckets: async () => { asked++; throw new Error('unreachable') } }
    const joined = new ReadThroughHistory(plain, local, failing)
    expect(await joined.query('a', T0 + 700_000, T0 + 900_000, 50)).toEqual(await plain.query('a', T0 + 700_000, T0 + 900_000, 50))
    expect(asked).toBe(0)
    expect(await joined.query('a', T0, T0 + 999_000, 50)).toEqual(await plain.query('a', T0, T0 + 999_000, 50))
    expect(asked).toBe(1)
    const none = new ReadThroughHistory(plain, local, { canRead: false, readBuckets: async () => [] })
    expect(await none.query('a', T0, T0 + 999_000, 50)).toEqual(await plain.query('a', T0, T0 + 999_000, 50))
  })
})
