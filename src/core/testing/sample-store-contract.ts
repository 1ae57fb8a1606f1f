import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import type { Clock } from '../ports/clock'
import type { SampleStore, StoreCounters } from '../ports/sample-store'
import { describeBucketContract } from './sample-store-contract-buckets'
import { CONTRACT_NOW, HOUR_MS, freshSignals } from './contract-data'

export type MakeSampleStore = (clock: Clock) => Promise<SampleStore>

/**
 * The behaviour every SampleStore must show. Call it from a test file with a factory for a fresh, empty
 * store; the suite shares one store across its tests (each test uses its own signals) and closes it.
 */
export function describeSampleStore(name: string, make: MakeSampleStore): void {
  describe(`SampleStore contract: ${name}`, () => {
    const clock: Clock = { now: () => CONTRACT_NOW }
    const ctx = { store: undefined as unknown as SampleStore }
    beforeAll(async () => {
      ctx.store = await make(clock)
    })
    afterAll(async () => {
      await ctx.store.close()
    })
    describeIngestContract(ctx)
    describeBucketContract(ctx)
  })
}

const T0 = CONTRACT_NOW - 2 * HOUR_MS

async function countersDuring(store: SampleStore, work: () => Promise<unknown>): Promise<Partial<StoreCounters>> {
  const before = (await store.stats()).counters
  await work()
  const after = (await store.stats()).counters
  const diff: Partial<StoreCounters> = {}
  for (const k of Object.keys(after) as (keyof StoreCounters)[]) if (after[k] !== before[k]) diff[k] = after[k] - before[k]
  return diff
}

function describeIngestContract(ctx: { store: SampleStore }): void {
  it('registers signals and lists them with their definition', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const listed = (await ctx.store.listSignals()).find((d) => d.id === a)
    expect(listed).toMatchObject({ id: a, dataType: 'number', unit: 'bar', connection: 'contract' })
    expect(listed?.binding).toMatch(/^ns=1;s=T/)
  })

  it("keeps a signal's asset path, also through an update that does not name it", async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const def = (await ctx.store.listSignals()).find((d) => d.id === a)!
    expect(def.assetPath).toBeUndefined()
    await ctx.store.registerSignals([{ ...def, assetPath: 'Plant/Line2/Pump201/Speed' }])
    await ctx.store.registerSignals([{ ...def, unit: 'rpm' }])
    expect((await ctx.store.listSignals()).find((d) => d.id === a)).toMatchObject({ unit: 'rpm', assetPath: 'Plant/Line2/Pump201/Speed' })
  })

  it('acknowledges appends in order, at or below the durable watermark', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const seen: number[] = []
    const off = ctx.store.onDurable((seq) => seen.push(seq))
    const r1 = await ctx.store.append([{ signal: a ?? '', ts: T0, value: 1, quality: 'good' }])
    const r2 = await ctx.store.append([{ signal: a ?? '', ts: T0 + 1, value: 2, quality: 'good' }])
    off()
    expect(r2.seq).toBeGreaterThan(r1.seq)
    expect(ctx.store.durableSeq).toBeGreaterThanOrEqual(r2.seq)
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(r2.seq)
    expect(r1).toMatchObject({ accepted: 1, rejected: 0 })
  })

  it('resolves receipts in call order, a big batch before a small one sent after it', async () => {
    const [a, b] = await freshSignals(ctx.store, ['number', 'number'])
    const big = Array.from({ length: 40_000 }, (_, k) => ({ signal: a ?? '', ts: T0 + k, value: k, quality: 'good' as const }))
    const order: string[] = []
    const first = ctx.store.append(big).then((r) => (order.push('big'), r))
    const second = ctx.store.append([{ signal: b ?? '', ts: T0, value: 1, quality: 'good' }]).then((r) => (order.push('small'), r))
    const [r1, r2] = await Promise.all([first, second])
    expect(order).toEqual(['big', 'small'])
    expect(r1.accepted).toBe(40_000)
    expect(r2.seq).toBeGreaterThanOrEqual(r1.seq)
    expect(await ctx.store.count(a ?? '', T0, T0 + 40_000)).toBe(40_000)
  })

  it('returns every value type with quality and status, ascending, range inclusive', async () => {
    const [n, b, s] = await freshSignals(ctx.store, ['number', 'boolean', 'string'])
    const written: Sample[] = [
      { signal: n ?? '', ts: T0 + 2000, value: -3.25, quality: 'good' },
      { signal: n ?? '', ts: T0, value: 1e300, quality: 'uncertain', status: 'UncertainLastUsableValue' },
      { signal: n ?? '', ts: T0 + 1000, value: null, quality: 'bad', status: 'BadNoCommunication' },
      { signal: b ?? '', ts: T0, value: true, quality: 'good' },
      { signal: b ?? '', ts: T0 + 5, value: false, quality: 'good' },
      { signal: s ?? '', ts: T0, value: 'RUNNING', quality: 'good' },
      { signal: s ?? '', ts: T0 + 7, value: 'état ✓', quality: 'good', status: 'Good' },
    ]
    await ctx.store.append(written)
    const raw = await ctx.store.queryRaw(n ?? '', T0, T0 + 2000)
    expect(raw).toEqual({
      signal: n,
      t: [T0, T0 + 1000, T0 + 2000],
      v: [1e300, null, -3.25],
      q: ['uncertain', 'bad', 'good'],
      status: ['UncertainLastUsableValue', 'BadNoCommunication', undefined],
      truncated: false,
    })
    expect((await ctx.store.queryRaw(n ?? '', T0 + 1, T0 + 1999)).t).toEqual([T0 + 1000])
    expect((await ctx.store.queryRaw(b ?? '', 0, CONTRACT_NOW)).v).toEqual([true, false])
    expect((await ctx.store.queryRaw(s ?? '', 0, CONTRACT_NOW)).v).toEqual(['RUNNING', 'état ✓'])
    const limited = await ctx.store.queryRaw(n ?? '', 0, CONTRACT_NOW, 2)
    expect(limited.t).toEqual([T0, T0 + 1000])
    expect(limited.truncated).toBe(true)
  })

  it('answers latest (greatest timestamp) and counts', async () => {
    const [a, quiet] = await freshSignals(ctx.store, ['number', 'number'])
    await ctx.store.append([
      { signal: a ?? '', ts: T0 + 50, value: 5, quality: 'good' },
      { signal: a ?? '', ts: T0 + 10, value: 1, quality: 'good' },
    ])
    expect(await ctx.store.latest([a ?? '', quiet ?? '', 'contract/never-registered'])).toEqual([
      { signal: a, ts: T0 + 50, value: 5, quality: 'good' },
    ])
    expect(await ctx.store.count(a ?? '', T0, T0 + 50)).toBe(2)
    expect(await ctx.store.count(a ?? '', T0 + 11, T0 + 50)).toBe(1)
    expect(await ctx.store.count('contract/never-registered', 0, CONTRACT_NOW)).toBe(0)
  })

  it('stores an OPC UA sample by its ts only: serverTs is accepted and not kept', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const r = await ctx.store.append([{ signal: a ?? '', ts: T0 + 20, serverTs: T0 + 25, value: 7, quality: 'good' }])
    expect(r).toMatchObject({ accepted: 1, rejected: 0 })
    expect(await ctx.store.latest([a ?? ''])).toEqual([{ signal: a, ts: T0 + 20, value: 7, quality: 'good' }])
    expect((await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)).t).toEqual([T0 + 20])
  })

  it('accepts out-of-order samples, sorts them and counts them', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const diff = await countersDuring(ctx.store, () =>
      ctx.store.append([3, 1, 2].map((k) => ({ signal: a ?? '', ts: T0 + k, value: k, quality: 'good' as const }))),
    )
    expect(diff).toMatchObject({ accepted: 3, outOfOrder: 2 })
    expect((await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)).v).toEqual([1, 2, 3])
  })

  it('keeps the last write of a duplicate timestamp, before and after maintenance', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const diff = await countersDuring(ctx.store, async () => {
      await ctx.store.append([{ signal: a ?? '', ts: T0, value: 1, quality: 'good' }])
      await ctx.store.append([
        { signal: a ?? '', ts: T0, value: 2, quality: 'uncertain' },
        { signal: a ?? '', ts: T0 + 1, value: 3, quality: 'good' },
      ])
      expect((await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)).v).toEqual([2, 3])
      await ctx.store.maintain()
      await ctx.store.append([{ signal: a ?? '', ts: T0, value: 4, quality: 'good' }])
      expect((await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)).v).toEqual([4, 3])
      await ctx.store.maintain()
    })
    expect((await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)).v).toEqual([4, 3])
    expect(await ctx.store.count(a ?? '', 0, CONTRACT_NOW)).toBe(2)
    expect(diff.duplicates).toBe(2)
  })

  it('keeps samples a microsecond apart as distinct samples, through compaction, buckets and rollups', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    // 1,000 arrivals within one millisecond, then the same instants again (true duplicates), then a sub-µs jitter
    const times = Array.from({ length: 1000 }, (_, k) => T0 + 7 + k / 1000)
    const diff = await countersDuring(ctx.store, async () => {
      await ctx.store.append(times.map((ts, k) => ({ signal: a ?? '', ts, value: k, quality: 'good' as const })))
      await ctx.store.maintain()
      await ctx.store.append(times.slice(0, 10).map((ts, k) => ({ signal: a ?? '', ts: ts + 0.0001, value: 100 + k, quality: 'good' as const })))
      await ctx.store.maintain()
    })
    expect(diff).toMatchObject({ accepted: 1010, duplicates: 10 })
    const raw = await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)
    expect(raw.t.length).toBe(1000)
    expect(new Set(raw.t).size).toBe(1000)
    expect(raw.t[1]).toBe(T0 + 7.001)
    expect(raw.t[999]).toBe(T0 + 7.999)
    expect(raw.v.slice(0, 3)).toEqual([100, 101, 102])
    expect(await ctx.store.count(a ?? '', T0 + 7.5, T0 + 7.5)).toBe(1)
    expect(await ctx.store.count(a ?? '', T0 + 7, T0 + 7.999)).toBe(1000)
    const [buckets] = await ctx.store.queryBuckets({ signals: [a ?? ''], from: T0, to: T0 + 10, points: 11 })
    expect(buckets?.count.reduce((x, y) => x + y, 0)).toBe(1000)
    const [minutes] = await ctx.store.queryBuckets({ signals: [a ?? ''], from: T0 - HOUR_MS, to: T0 + HOUR_MS, points: 100 })
    expect(minutes?.count.reduce((x, y) => x + y, 0)).toBe(1000)
    expect(await ctx.store.latest([a ?? ''])).toEqual([{ signal: a, ts: T0 + 7.999, value: 999, quality: 'good' }])
  })

  it('stores NaN and infinities as a bad null sample that says what came', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const diff = await countersDuring(ctx.store, () =>
      ctx.store.append([NaN, Infinity, -Infinity].map((value, k) => ({ signal: a ?? '', ts: T0 + k, value, quality: 'good' }))),
    )
    expect(diff).toMatchObject({ accepted: 3, nonFinite: 3 })
    const raw = await ctx.store.queryRaw(a ?? '', 0, CONTRACT_NOW)
    expect(raw.v).toEqual([null, null, null])
    expect(raw.q).toEqual(['bad', 'bad', 'bad'])
    expect(raw.status).toEqual(['NaN', 'Infinity', '-Infinity'])
  })

  it('rejects bad timestamps, future ones, unknown signals and wrong types, counting each', async () => {
    const [n, b] = await freshSignals(ctx.store, ['number', 'boolean'])
    const ok = { quality: 'good' as const }
    const bad = [
      { ...ok, signal: n, ts: -1, value: 1 },
      { ...ok, signal: n, ts: Infinity, value: 1 },
      { ...ok, signal: n, ts: Number.NaN, value: 1 },
      { ...ok, signal: n, ts: String(T0), value: 1 },
      { ...ok, signal: n, ts: CONTRACT_NOW + 2 * HOUR_MS, value: 1 },
      { ...ok, signal: 'contract/never-registered', ts: T0, value: 1 },
      { ...ok, signal: n, ts: T0, value: 'high' },
      { ...ok, signal: n, ts: T0, value: true },
      { ...ok, signal: b, ts: T0, value: 1 },
      { ...ok, signal: b, ts: T0, value: { on: true } },
      { signal: n, ts: T0, value: 1, quality: 'excellent' },
    ] as unknown as Sample[]
    const nulls: Sample[] = [
      { signal: n ?? '', ts: T0 + 1, value: null, quality: 'bad' },
      { signal: b ?? '', ts: T0 + 1, value: null, quality: 'bad' },
    ]
    let receipt = { accepted: 0, rejected: 0 }
    const diff = await countersDuring(ctx.store, async () => {
      receipt = await ctx.store.append([...bad, ...nulls])
    })
    expect(receipt).toMatchObject({ accepted: 2, rejected: bad.length })
    expect(diff).toEqual({ accepted: 2, badTimestamp: 4, futureTimestamp: 1, unknownSignal: 1, wrongType: 5 })
    expect((await ctx.store.queryRaw(n ?? '', 0, CONTRACT_NOW + 3 * HOUR_MS)).t).toEqual([T0 + 1])
  })

  it('hands logged batches to the sync and takes its watermark', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const r1 = await ctx.store.append([{ signal: a ?? '', ts: T0, value: 1, quality: 'good' }])
    const r2 = await ctx.store.append([{ signal: a ?? '', ts: T0 + 1, value: NaN, quality: 'good' }])
    const batches = await ctx.store.readSince(r1.seq - 1, 10)
    expect(batches.map((b) => b.seq)).toEqual([r1.seq, r2.seq])
    expect(batches[1]?.samples).toEqual([{ signal: a, ts: T0 + 1, value: null, quality: 'bad', status: 'NaN' }])
    expect((await ctx.store.readSince(r1.seq - 1, 1)).map((b) => b.seq)).toEqual([r1.seq])
    await ctx.store.setSyncWatermark(r1.seq)
    expect((await ctx.store.stats()).syncSeq).toBe(r1.seq)
    await ctx.store.setSyncWatermark(r1.seq - 1)
    expect((await ctx.store.stats()).syncSeq).toBe(r1.seq)
  })

  it('keeps named cursors: created, never moved back nor past the last commit, listed, removed', async () => {
    const [a] = await freshSignals(ctx.store, ['number'])
    const r1 = await ctx.store.append([{ signal: a ?? '', ts: T0 + 10, value: 1, quality: 'good' }])
    const r2 = await ctx.store.append([{ signal: a ?? '', ts: T0 + 11, value: 2, quality: 'good' }])
    await ctx.store.setCursor('sink-a', r1.seq)
    await ctx.store.setCursor('sink-b', r2.seq)
    await ctx.store.setCursor('sink-a', r1.seq - 1)
    await ctx.store.setCursor('sink-b', r2.seq + 1000)
    const byName = Object.fromEntries((await ctx.store.cursors()).map((c) => [c.name, c.seq]))
    expect(byName['sink-a']).toBe(r1.seq)
    expect(byName['sink-b']).toBe(r2.seq)
    const stats = await ctx.store.stats()
    expect(stats.cursors?.['sink-a']).toBe(r1.seq)
    // the slowest cursor is what retention may delete up to
    expect(stats.syncSeq).toBe(Math.min(...Object.values(stats.cursors ?? {})))
    expect((await ctx.store.readSince(byName['sink-a'] ?? 0, 10)).map((b) => b.seq)).toEqual([r2.seq])
    const backlog = await ctx.store.backlog(byName['sink-a'] ?? 0)
    expect(backlog).toMatchObject({ batches: 1, samples: 1, oldestTs: T0 + 11 })
    expect(backlog.bytes).toBeGreaterThan(0)
    expect(await ctx.store.backlog(ctx.store.durableSeq)).toEqual({ batches: 0, samples: 0, bytes: 0, oldestTs: null })
    await ctx.store.removeCursor('sink-a')
    await ctx.store.removeCursor('sink-b')
    await ctx.store.removeCursor('never-there')
    expect((await ctx.store.cursors()).map((c) => c.name)).not.toContain('sink-a')
    expect(((await ctx.store.stats()).oldestTs ?? Infinity) <= T0 + 10).toBe(true)
  })

  it('reports stats', async () => {
    const stats = await ctx.store.stats()
    expect(stats.durableSeq).toBe(ctx.store.durableSeq)
    expect(stats.signals).toBeGreaterThan(0)
    expect(stats.counters.accepted).toBeGreaterThan(0)
  })
}
