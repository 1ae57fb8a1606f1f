import { expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import type { BucketQuery, BucketSeries, SampleStore } from '../ports/sample-store'
import {
  CONTRACT_NOW,
  HOUR_MS,
  analog,
  appendAll,
  bucketDifferences,
  bucketMismatches,
  freshSignals,
  jumble,
  random,
} from './contract-data'

const MINUTE_MS = 60_000

/** Queries whose bucket widths land on raw data, minute rollups and hour rollups. */
function queries(signal: string, from: number, to: number): BucketQuery[] {
  return [
    { signals: [signal], from: from + 17 * MINUTE_MS + 123, to: from + 41 * MINUTE_MS + 7, points: 150 },
    { signals: [signal], from: from + 1234, to: to - 999, points: 300 },
    { signals: [signal], from, to, points: 4 },
  ]
}

async function queryAll(store: SampleStore, signal: string, from: number, to: number): Promise<BucketSeries[]> {
  return (await Promise.all(queries(signal, from, to).map((q) => store.queryBuckets(q)))).flat()
}

async function expectBruteForce(store: SampleStore, signal: string, written: readonly Sample[], from: number, to: number) {
  const sources = new Set<string>()
  for (const q of queries(signal, from, to)) {
    const [got] = await store.queryBuckets(q)
    if (!got) throw new Error('no series')
    sources.add(got.source)
    const buckets = Math.floor(q.to / got.bucketMs) - Math.floor(q.from / got.bucketMs) + 1
    expect(buckets).toBeLessThanOrEqual(q.points)
    if (got.source !== 'raw') expect(got.bucketMs % (got.source === '1m' ? MINUTE_MS : HOUR_MS)).toBe(0)
    expect(bucketMismatches(got, written, q.from, q.to)).toEqual([])
  }
  return sources
}

export function describeBucketContract(ctx: { store: SampleStore }): void {
  it('decimates like brute force, from raw data and rollups, before and after compaction and late data', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const signal = a ?? ''
    const to = CONTRACT_NOW - HOUR_MS
    const from = to - 12 * HOUR_MS
    const written = jumble(analog(signal, from, to, 5_000, 7), 8)
    await appendAll(ctx.store, written)
    const sources = await expectBruteForce(ctx.store, signal, written, from, to)
    expect([...sources].sort()).toEqual(['1h', '1m', 'raw'])
    const before = await queryAll(ctx.store, signal, from, to)
    const rawBefore = await ctx.store.queryRaw(signal, from, to)
    await ctx.store.maintain()
    expect(bucketDifferences(await queryAll(ctx.store, signal, from, to), before)).toEqual([])
    expect(await ctx.store.queryRaw(signal, from, to)).toEqual(rawBefore)

    // Late data: overwrites of compacted samples (new spikes included) and samples in old gaps.
    const rnd = random(9)
    const late: Sample[] = []
    for (let k = 0; k < 300; k++) {
      const ts = from + Math.floor(rnd() * (to - from))
      late.push({ signal, ts, value: k % 50 === 0 ? 5000 : Math.round(rnd() * 1e4) / 100, quality: 'good' })
    }
    await ctx.store.append(late)
    written.push(...late)
    await expectBruteForce(ctx.store, signal, written, from, to)
    const mixed = await queryAll(ctx.store, signal, from, to)
    await ctx.store.maintain()
    expect(bucketDifferences(await queryAll(ctx.store, signal, from, to), mixed)).toEqual([])
    await expectBruteForce(ctx.store, signal, written, from, to)
    expect(await ctx.store.count(signal, from, to)).toBe(new Set(written.map((s) => s.ts)).size)
  })

  it('aggregates booleans as 0/1 and strings by count, first and last', async () => {
    const [b, s] = await freshSignals(ctx.store, ['boolean', 'string'])
    const t0 = CONTRACT_NOW - 3 * HOUR_MS
    const samples: Sample[] = []
    for (let k = 0; k < 120; k++) {
      samples.push({ signal: b ?? '', ts: t0 + k * MINUTE_MS, value: k % 3 === 0, quality: 'good' })
      samples.push({ signal: s ?? '', ts: t0 + k * MINUTE_MS, value: k % 2 ? 'RUN' : 'STOP', quality: 'good' })
    }
    await ctx.store.append(samples)
    for (const compacted of [false, true]) {
      if (compacted) await ctx.store.maintain()
      const query = { signals: [b ?? '', s ?? ''], from: t0, to: t0 + 2 * HOUR_MS - 1, points: 3 }
      const [bools, texts] = await ctx.store.queryBuckets(query)
      expect(bools).toMatchObject({ source: '1h', t: [t0, t0 + HOUR_MS], count: [60, 60], min: [0, 0], max: [1, 1] })
      expect(bools?.avg).toEqual([20 / 60, 20 / 60])
      expect(bools?.first).toEqual([true, true])
      expect(bools?.last).toEqual([false, false])
      expect(texts).toMatchObject({ count: [60, 60], min: [null, null], avg: [null, null] })
      expect(texts).toMatchObject({ first: ['STOP', 'STOP'], last: ['RUN', 'RUN'] })
    }
  })
}
