import { afterAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../src/shared/model'
import { bruteForceBuckets } from '../../src/core/testing/brute-force-buckets'
import { random } from '../../src/core/testing/contract-data'
import { HOUR, MINUTE } from '../../src/adapters/store-engine/rollup'
import { NOW, numberSignal, openEngine, series, tempDir, type TestEngine } from '../fixtures/store/engine'

const files = tempDir('store-compaction')
afterAll(files.cleanup)
const T0 = NOW - 5 * HOUR

function blocksOf(t: TestEngine, key: string) {
  const id = t.engine.s.byKey.get(key)?.id
  const rows = t.engine.s.db.prepare('SELECT t0, t1, n FROM block WHERE signal = ? ORDER BY t0').all(id)
  return rows as { t0: number; t1: number; n: number }[]
}

/** Rollup rows must equal brute-force aggregates of the raw data, for both levels. */
function expectRollupsMatch(t: TestEngine, key: string, written: readonly Sample[]) {
  const id = t.engine.s.byKey.get(key)?.id ?? -1
  for (const [level, width] of [['1m', MINUTE], ['1h', HOUR]] as const) {
    const rows = t.engine.s.rollups[level].read(id, 0, NOW)
    const want = bruteForceBuckets(written, 0, NOW, width)
    const shape = (r: { t: number; count: number; min: number | null; max: number | null; first: unknown; last: unknown }) =>
      [r.t, r.count, r.min, r.max, r.first, r.last]
    expect(rows.map(shape)).toEqual(want.map(shape))
    rows.forEach((r, i) => expect(r.sum).toBeCloseTo(want[i]?.sum ?? NaN, 6))
  }
}

describe('compaction', () => {
  it('packs each signal into full, disjoint blocks with a short tail', () => {
    const t = openEngine(files.path('blocks.db'), { blockTarget: 64 })
    t.engine.registerSignals([numberSignal('c/a'), numberSignal('c/b')])
    for (let round = 0; round < 40; round++) {
      t.append([
        ...series('c/a', T0 + round * 25_000, T0 + (round + 1) * 25_000, 1000, (ts) => ts % 7),
        ...series('c/b', T0 + round * 5000, T0 + (round + 1) * 5000, 1000, () => 1),
      ])
      t.engine.compactStep(Infinity)
    }
    const a = blocksOf(t, 'c/a')
    expect(a.reduce((n, b) => n + b.n, 0)).toBe(1000)
    a.slice(1).forEach((b, i) => expect(b.t0).toBeGreaterThan(a[i]?.t1 ?? Infinity))
    expect(a.filter((b) => b.n < 64).length).toBeLessThanOrEqual(8)
    expect(a.length).toBeLessThanOrEqual(Math.ceil(1000 / 64) + 8)
    expect(blocksOf(t, 'c/b').reduce((n, b) => n + b.n, 0)).toBe(200)
    expect(t.engine.queryRaw('c/a', 0, NOW, 1e6).t.length).toBe(1000)
    t.engine.close()
  })

  it('keeps rollups equal to the raw data through in-order, late and duplicate samples', () => {
    const t = openEngine(files.path('rollups.db'), { blockTarget: 128 })
    t.engine.registerSignals([numberSignal('c/r')])
    const rnd = random(11)
    const written: Sample[] = []
    for (let round = 0; round < 10; round++) {
      const chunk = series('c/r', T0 + round * 20 * MINUTE, T0 + (round + 1) * 20 * MINUTE, 3000, () => Math.round(rnd() * 1e4) / 100)
      t.append(chunk)
      written.push(...chunk)
      t.engine.compactStep(Infinity)
    }
    expectRollupsMatch(t, 'c/r', written)
    const late: Sample[] = Array.from({ length: 200 }, (_, k) => ({
      signal: 'c/r',
      ts: T0 + Math.floor(rnd() * 200 * MINUTE),
      value: k % 40 === 0 ? -999 : Math.round(rnd() * 1e4) / 100,
      quality: 'good',
    }))
    t.append(late)
    written.push(...late)
    t.engine.maintain()
    expectRollupsMatch(t, 'c/r', written)
    const blocks = blocksOf(t, 'c/r')
    blocks.slice(1).forEach((b, i) => expect(b.t0).toBeGreaterThan(blocks[i]?.t1 ?? Infinity))
    expect(blocks.reduce((n, b) => n + b.n, 0)).toBe(new Set(written.map((s) => s.ts)).size)
    t.engine.close()
  })

  it('replays committed but uncompacted samples after a restart', () => {
    const path = files.path('replay.db')
    const first = openEngine(path)
    first.engine.registerSignals([numberSignal('c/p')])
    const { seq } = first.append(series('c/p', T0, T0 + 100_000, 1000, (ts) => ts / 1000))
    first.engine.close()
    const second = openEngine(path)
    expect(second.engine.stats().durableSeq).toBe(seq)
    expect(second.engine.stats().recentSamples).toBe(100)
    expect(second.engine.queryRaw('c/p', 0, NOW, 1e6).v.slice(0, 2)).toEqual([T0 / 1000, T0 / 1000 + 1])
    second.engine.maintain()
    expect(second.engine.count('c/p', 0, NOW)).toBe(100)
    second.engine.close()
  })

  it('resumes a compaction round cut short by a crash without losing or doubling anything', () => {
    const path = files.path('cut-short.db')
    const first = openEngine(path)
    first.engine.registerSignals(['c/x', 'c/y', 'c/z'].map(numberSignal))
    const written = ['c/x', 'c/y', 'c/z'].flatMap((s) => series(s, T0, T0 + 60_000, 1000, (ts) => ts % 11))
    first.append(written)
    first.append([{ signal: 'c/x', ts: T0, value: 42, quality: 'good' }])
    // Zero-time steps: group the round, then compact a single signal, and the process "dies".
    const compacted = () => [...first.engine.s.signals.values()].filter((st) => st.compactedSeq > 0).length
    for (let k = 0; k < 10 && compacted() === 0; k++) first.engine.compactStep(0)
    expect(compacted()).toBe(1)
    first.engine.close()
    const second = openEngine(path)
    second.engine.maintain()
    for (const s of ['c/x', 'c/y', 'c/z']) expect(second.engine.count(s, 0, NOW)).toBe(60)
    expect(second.engine.queryRaw('c/x', T0, T0, 1).v).toEqual([42])
    expect(second.engine.stats().counters.duplicates).toBe(1)
    expectRollupsMatch(second, 'c/y', written.filter((s) => s.signal === 'c/y'))
    second.engine.close()
  })
})
