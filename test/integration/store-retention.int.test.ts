import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import type { StoreEvent } from '../../src/core/ports/sample-store'
import { HOUR } from '../../src/adapters/store-engine/rollup'
import { DAY, NOW, numberSignal, openEngine, policy, series, tempDir } from '../fixtures/store/engine'

const files = tempDir('store-retention')
afterAll(files.cleanup)

/** Noisy values, so that blocks do not compress to nothing and the budget has something to bite. */
const noisy = (ts: number) => Math.sin(ts) * 1000

describe('retention', () => {
  it('deletes raw data by age, keeps rollups longer, and refuses samples for expired hours', () => {
    const clock = { now: NOW }
    const retention = policy({ rawMaxAgeMs: 2 * DAY, rollup1mMaxAgeMs: 4 * DAY, rollup1hMaxAgeMs: 8 * DAY })
    const t = openEngine(files.path('age.db'), { clock, retention })
    t.engine.registerSignals([numberSignal('r/a')])
    const start = NOW - 6 * HOUR
    t.append(series('r/a', start, NOW, 10_000, (ts) => ts % 1000))
    t.engine.maintain()
    const hourly = () => t.engine.queryBuckets({ signals: ['r/a'], from: start, to: NOW - 1, points: 7 })[0]?.count
    expect(hourly()).toEqual([360, 360, 360, 360, 360, 360])

    clock.now = NOW + 3 * DAY
    const r = t.engine.maintain().report
    expect(r.rawDeleted).toBe(6 * 360)
    expect(t.engine.count('r/a', 0, NOW)).toBe(0)
    expect(hourly()).toEqual([360, 360, 360, 360, 360, 360])
    expect(t.append([{ signal: 'r/a', ts: start + 5, value: 1, quality: 'good' }])).toMatchObject({ accepted: 0, rejected: 1 })
    expect(t.engine.stats().counters.expired).toBe(1)

    clock.now = NOW + 5 * DAY
    expect(t.engine.maintain().report.rollupsDeleted).toBe(6 * 60)
    expect(hourly()).toEqual([360, 360, 360, 360, 360, 360])
    clock.now = NOW + 9 * DAY
    expect(t.engine.maintain().report.rollupsDeleted).toBe(6)
    expect(hourly()).toEqual([])
    expect(t.engine.stats().counters).toMatchObject({ rawDeleted: 2160, rollupsDeleted: 366 })
    t.engine.close()
  })

  it('keeps batches the sync has not delivered, and lets them go past the watermark', () => {
    const retention = policy({ rawMaxAgeMs: DAY, rollup1mMaxAgeMs: DAY, rollup1hMaxAgeMs: DAY, keepUndelivered: true })
    const t = openEngine(files.path('sync.db'), { retention })
    t.engine.registerSignals([numberSignal('r/s')])
    const hour = (k: number) => series('r/s', NOW - 3 * DAY + k * HOUR, NOW - 3 * DAY + (k + 1) * HOUR, 60_000, () => k)
    const receipts = [0, 1, 2].map((k) => t.append(hour(k)))
    t.engine.maintain()
    expect(t.engine.count('r/s', 0, NOW)).toBe(0) // raw expired by age...
    expect(t.engine.readSince(0, 1e6).map((b) => b.seq)).toEqual(receipts.map((r) => r.seq)) // ...but not undelivered
    t.engine.setSyncWatermark(receipts[1]?.seq ?? 0)
    t.engine.maintain()
    expect(t.engine.readSince(0, 1e6).map((b) => b.seq)).toEqual([receipts[2]?.seq])
    expect(t.engine.stats().counters.undeliveredDropped).toBe(0)
    t.engine.close()
  })

  it('keeps what the slowest cursor has not delivered; a removed cursor holds nothing back', () => {
    const retention = policy({ rawMaxAgeMs: DAY, rollup1mMaxAgeMs: DAY, rollup1hMaxAgeMs: DAY, keepUndelivered: true })
    const t = openEngine(files.path('cursors.db'), { retention })
    t.engine.registerSignals([numberSignal('r/c')])
    const hour = (k: number) => series('r/c', NOW - 3 * DAY + k * HOUR, NOW - 3 * DAY + (k + 1) * HOUR, 60_000, () => k)
    const seqs = [0, 1, 2, 3].map((k) => t.append(hour(k)).seq)
    t.engine.setCursor('fast', seqs[3] ?? 0)
    t.engine.setCursor('slow', seqs[0] ?? 0)
    t.engine.maintain()
    expect(t.engine.readSince(0, 1e6).map((b) => b.seq)).toEqual(seqs.slice(1))
    t.engine.setCursor('slow', seqs[2] ?? 0)
    t.engine.maintain()
    expect(t.engine.readSince(0, 1e6).map((b) => b.seq)).toEqual(seqs.slice(3))
    t.engine.removeCursor('slow')
    t.engine.maintain()
    expect(t.engine.readSince(0, 1e6)).toEqual([])
    expect(t.engine.stats().counters.undeliveredDropped).toBe(0)
    t.engine.close()
    // cursors are persisted with the data
    const again = openEngine(files.path('cursors.db'), { retention })
    expect(again.engine.cursors()).toEqual([{ name: 'fast', seq: seqs[3] }])
    again.engine.close()
  })

  it('meets the disk budget: raw first, then rollups, then undelivered data, counted and announced', async () => {
    const path = files.path('budget.db')
    const fill = openEngine(path, { retention: policy({ keepUndelivered: true }) })
    fill.engine.registerSignals([numberSignal('r/b')])
    const seqs: number[] = []
    for (let h = 0; h < 24; h++) {
      seqs.push(fill.append(series('r/b', NOW - DAY + h * HOUR, NOW - DAY + (h + 1) * HOUR, 1000, noisy)).seq)
      fill.engine.compactStep(Infinity)
    }
    fill.engine.setSyncWatermark(seqs[19] ?? 0) // the last 4 hours are not delivered yet
    fill.engine.maintain()
    const pragma = (name: string) => fill.engine.s.db.pragma(name, { simple: true }) as number
    const used = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size')
    const rawBytes = (fill.engine.s.db.prepare('SELECT sum(length(data)) FROM block').pluck().get() as number) ?? 0
    fill.engine.close()

    // A budget that deleting old raw data can meet: rollups and undelivered batches stay.
    const clock = { now: () => NOW }
    const loose = await openSqliteSampleStore({ path, clock, keepUndelivered: true, diskBudgetBytes: Math.floor(used - rawBytes / 2) })
    const events: StoreEvent[] = []
    loose.onEvent((e) => events.push(e))
    const r1 = await loose.maintain()
    expect(r1.rawDeleted).toBeGreaterThan(0)
    expect(r1).toMatchObject({ rollupsDeleted: 0, undeliveredDropped: 0 })
    expect(events).toEqual([{ type: 'budget-deleted', rawSamples: r1.rawDeleted, rollupRows: 0, undeliveredSamples: 0 }])
    expect((await loose.queryRaw('r/b', NOW - DAY, NOW, 1)).t).toEqual([]) // oldest raw went first
    const hourly = await loose.queryBuckets({ signals: ['r/b'], from: NOW - DAY, to: NOW - 1, points: 25 })
    expect(hourly[0]?.count).toEqual(Array(24).fill(3600))
    await loose.close()

    // A budget only dropping everything meets: the loss of undelivered data is counted and announced.
    const tight = await openSqliteSampleStore({ path, clock, keepUndelivered: true, diskBudgetBytes: 64 * 1024 })
    const tightEvents: StoreEvent[] = []
    tight.onEvent((e) => tightEvents.push(e))
    const r2 = await tight.maintain()
    expect(r2.rollupsDeleted).toBeGreaterThan(0)
    expect(r2.undeliveredDropped).toBe(4 * 3600)
    expect(tightEvents).toEqual([
      { type: 'budget-deleted', rawSamples: r2.rawDeleted, rollupRows: r2.rollupsDeleted, undeliveredSamples: 4 * 3600 },
    ])
    const stats = await tight.stats()
    expect(stats.counters.undeliveredDropped).toBe(4 * 3600)
    expect(stats.diskBytes).toBeLessThan(used)
    await tight.close()
  })
})
