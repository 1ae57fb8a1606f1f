import { afterEach, describe, expect, it } from 'vitest'
import { MemorySampleStore } from '../../adapters/memory-store/memory-sample-store'
import type { Sample } from '../../shared/model'
import { SinkError } from '../ports/sync-sink'
import { FakeSink, unreachable } from '../testing/fake-sink'
import { SyncEngine, type SyncSinkOptions } from './sync-engine'

const T0 = Date.UTC(2026, 0, 1)
const opts: SyncSinkOptions = { batchSamples: 100, drainSamplesPerSecond: null }

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 2))
  }
  throw new Error(`never happened: ${what}`)
}

async function setup(sinks: FakeSink[], o = opts) {
  const store = new MemorySampleStore({ keepUndelivered: true, clock: { now: () => T0 + 3_600_000 } })
  await store.registerSignals([
    { id: 'a', name: 'A', dataType: 'number', connection: 'c1', unit: 'bar', assetPath: 'Plant/Tank1/Pressure' },
    { id: 'b', name: 'B', dataType: 'boolean', connection: 'c1' },
  ])
  const engine = new SyncEngine({ store, sinks: sinks.map((sink) => ({ sink, options: o })), backoff: { minMs: 1, maxMs: 4 }, idleMs: 5 })
  return { store, engine }
}

const sample = (signal: string, k: number): Sample => ({ signal, ts: T0 + k, value: signal === 'b' ? k % 2 === 0 : k, quality: 'good' })
const batch = (from: number, n: number, signal = 'a'): Sample[] => Array.from({ length: n }, (_, i) => sample(signal, from + i))

let running: SyncEngine[] = []
afterEach(async () => {
  await Promise.all(running.map((e) => e.stop()))
  running = []
})

describe('SyncEngine', () => {
  it('delivers every batch in order with the signal tags, and moves the cursor only after the write', async () => {
    const sink = new FakeSink('vm')
    const { store, engine } = await setup([sink])
    running.push(engine)
    await store.append(batch(0, 50))
    await engine.start()
    await until(() => sink.delivered.length === 50, 'the first batch delivered')
    sink.hold()
    const r = await store.append(batch(50, 50))
    await until(async () => (await engine.status()).sinks[0]?.headSeq === r.seq, 'the second batch seen')
    // the second write is held: the cursor stays where the first one ended
    expect((await store.cursors()).find((c) => c.name === 'vm')?.seq).toBe(1)
    sink.release()
    await engine.delivered(r.seq)
    expect(sink.delivered.map((s) => s.ts)).toEqual(batch(0, 100).map((s) => s.ts))
    expect((await store.cursors()).find((c) => c.name === 'vm')?.seq).toBe(r.seq)
    expect(sink.signalsSeen.get('a')).toEqual({ id: 'a', dataType: 'number', connection: 'c1', unit: 'bar', assetPath: 'Plant/Tank1/Pressure' })
    const status = (await engine.status()).sinks[0]
    expect(status).toMatchObject({ id: 'vm', state: 'live', cursorSeq: r.seq, headSeq: r.seq, delivered: 100, backlog: { samples: 0 } })
  })

  it('backs off on failures, shows the error with its code, and loses nothing when the sink comes back', async () => {
    const sink = new FakeSink('vm')
    const { store, engine } = await setup([sink])
    running.push(engine)
    await engine.start()
    sink.failWith = unreachable()
    for (let k = 0; k < 5; k++) await store.append(batch(k * 10, 10))
    await until(() => sink.failures >= 3, 'retried')
    const failing = (await engine.status()).sinks[0]
    expect(failing?.state).toBe('backoff')
    expect(failing?.lastError?.code).toBe('sync.unreachable')
    expect(failing?.backlog.samples).toBe(50)
    expect(failing?.cursorSeq).toBe(0)
    sink.failWith = null
    await engine.delivered(store.durableSeq)
    const ts = [...new Set(sink.delivered.map((s) => s.ts))].sort((x, y) => x - y)
    expect(ts).toEqual(batch(0, 50).map((s) => s.ts))
    expect((await engine.status()).sinks[0]).toMatchObject({ state: 'live', backlog: { samples: 0 }, failures: sink.failures })
  })

  it('a permanent failure is state error, still retried', async () => {
    const sink = new FakeSink('vm')
    const { store, engine } = await setup([sink])
    running.push(engine)
    sink.failWith = new SinkError('sync.auth', 'HTTP 401', false)
    await engine.start()
    await store.append(batch(0, 5))
    await until(() => sink.failures >= 2, 'retried')
    expect((await engine.status()).sinks[0]).toMatchObject({ state: 'error', lastError: { code: 'sync.auth' } })
    sink.failWith = null
    await engine.delivered(store.durableSeq)
    expect(sink.delivered).toHaveLength(5)
  })

  it('delivers live data before the backlog, which it drains at the configured rate', async () => {
    const sink = new FakeSink('vm')
    const { store, engine } = await setup([sink], { batchSamples: 10, drainSamplesPerSecond: 200 })
    running.push(engine)
    for (let k = 0; k < 20; k++) await store.append(batch(k * 10, 10)) // a backlog of 200 samples
    await engine.start()
    await until(() => sink.delivered.length >= 10, 'the backlog started')
    await store.append(batch(10_000, 5)) // live
    await until(() => sink.delivered.some((s) => s.ts === T0 + 10_000), 'the live batch delivered')
    const before = sink.delivered.filter((s) => s.ts < T0 + 10_000).length
    expect(before).toBeLessThan(200) // the live batch overtook the backlog
    const mid = (await engine.status()).sinks[0]
    expect(mid?.state).toBe('draining')
    expect(mid?.cursorSeq).toBeLessThan(store.durableSeq) // the cursor follows the backlog, not the live data
    await engine.delivered(store.durableSeq)
    expect(new Set(sink.delivered.map((s) => s.ts)).size).toBe(205)
  })

  it('keeps one cursor per sink: a failing sink holds back only itself', async () => {
    const good = new FakeSink('good')
    const bad = new FakeSink('bad')
    const { store, engine } = await setup([good, bad])
    running.push(engine)
    bad.failWith = unreachable()
    await engine.start()
    const r = await store.append([...batch(0, 5), ...batch(0, 5, 'b')])
    await until(() => good.delivered.length === 10, 'the good sink delivered')
    const cursors = Object.fromEntries((await store.cursors()).map((c) => [c.name, c.seq]))
    expect(cursors).toEqual({ good: r.seq, bad: 0 })
    expect((await store.stats()).syncSeq).toBe(0)
    bad.failWith = null
    await engine.delivered(r.seq)
    expect((await store.stats()).syncSeq).toBe(r.seq)
  })

  it('counts samples the backend refused for good and moves on', async () => {
    const sink = new FakeSink('vm')
    sink.dropSignals.add('b')
    const { store, engine } = await setup([sink])
    running.push(engine)
    await engine.start()
    const r = await store.append([...batch(0, 3), ...batch(0, 4, 'b')])
    await engine.delivered(r.seq)
    expect((await engine.status()).sinks[0]).toMatchObject({ delivered: 3, dropped: 4 })
  })

  it('resumes from the stored cursor after a restart', async () => {
    const sink = new FakeSink('vm')
    const { store, engine } = await setup([sink])
    await engine.start()
    const r1 = await store.append(batch(0, 10))
    await engine.delivered(r1.seq)
    await engine.stop()
    const r2 = await store.append(batch(10, 10))
    const again = new SyncEngine({ store, sinks: [{ sink, options: opts }], backoff: { minMs: 1, maxMs: 4 }, idleMs: 5 })
    running.push(again)
    await again.start()
    await again.delivered(r2.seq)
    expect(sink.delivered.map((s) => s.ts)).toEqual(batch(0, 20).map((s) => s.ts))
  })
})
