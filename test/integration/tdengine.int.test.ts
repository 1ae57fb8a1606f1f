import { afterAll, describe, expect, it } from 'vitest'
import type { Sample } from '../../src/shared/model'
import type { SinkSignal } from '../../src/core/ports/sync-sink'
import { createTdengineSink, type TdengineSink } from '../../src/adapters/sync/tdengine'

// Against a REAL TDengine (taosAdapter's REST API), only when TDENGINE_URL is set (e.g. http://127.0.0.1:6041), with
// TDENGINE_USER / TDENGINE_PASSWORD (default root / taosdata). None can be installed in our build environment, so
// there this suite is skipped and says so; docs/sync.md "TDengine" records what has been run against a real one.

const url = process.env.TDENGINE_URL
const user = process.env.TDENGINE_USER ?? 'root'
const password = process.env.TDENGINE_PASSWORD ?? 'taosdata'
if (!url) console.log('tdengine.int.test.ts: skipped — set TDENGINE_URL (and TDENGINE_USER, TDENGINE_PASSWORD) to run it against a real TDengine')

const database = `pd_test_${process.pid}_${Date.now() % 1_000_000}`
const signals = new Map<string, SinkSignal>([
  ['plc1/Line2.Pump201.Speed', { id: 'plc1/Line2.Pump201.Speed', dataType: 'number', connection: 'plc1', unit: 'rpm', assetPath: 'Plant/Line2/Pump201/Speed' }],
  ['plc1/Line2.Pump201.Running', { id: 'plc1/Line2.Pump201.Running', dataType: 'boolean', connection: 'plc1' }],
  ['plc1/Line2.Pump201.Mode', { id: 'plc1/Line2.Pump201.Mode', dataType: 'string', connection: 'plc1' }],
])

describe.skipIf(!url)('TDengine sink against a real TDengine (TDENGINE_URL)', () => {
  let sink: TdengineSink
  afterAll(async () => {
    if (!sink) return
    const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    await fetch(new URL('/rest/sql', url), { method: 'POST', headers: { authorization: auth }, body: `DROP DATABASE IF EXISTS \`${database}\`` })
    await sink.close()
  })

  it('bootstraps, writes µs-distinct samples of every type, replays harmlessly, and reads the buckets back', async () => {
    sink = createTdengineSink({ id: 'real', kind: 'tdengine', endpoints: [url as string], database, auth: { user, password }, keepDays: 30, durationDays: 1 })
    expect((await sink.probe()).ok).toBe(true)
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000
    const batch: Sample[] = []
    for (let i = 0; i < 600; i++) {
      batch.push({ signal: 'plc1/Line2.Pump201.Speed', ts: t0 + i * 100 + 0.001 * (i % 3), value: i, quality: 'good' })
      if (i % 10 === 0) batch.push({ signal: 'plc1/Line2.Pump201.Running', ts: t0 + i * 100, value: i % 20 === 0, quality: 'good' })
      if (i % 100 === 0) batch.push({ signal: 'plc1/Line2.Pump201.Mode', ts: t0 + i * 100, value: `auto '${i}'`, quality: 'uncertain' })
    }
    expect(await sink.write(batch, signals)).toEqual({ written: batch.length, dropped: [] })
    await sink.write(batch, signals) // replay: the same rows replace themselves
    const out = await sink.readBuckets({ signals: [...signals.keys()], from: t0, to: t0 + 60_000 - 0.001, points: 2 }, signals)
    const counts = Object.fromEntries(out.map((s) => [s.signal, s.count.reduce((a, b) => a + b, 0)]))
    expect(counts).toEqual({ 'plc1/Line2.Pump201.Speed': 600, 'plc1/Line2.Pump201.Running': 60, 'plc1/Line2.Pump201.Mode': 6 })
    const speed = out.find((s) => s.signal === 'plc1/Line2.Pump201.Speed')
    expect(speed?.min[0]).toBe(0)
    expect(speed?.max.at(-1)).toBe(599)
  })

  it('reports rows older than KEEP as dropped, not retried', async () => {
    const old = Date.now() - 40 * 86_400_000
    const r = await sink.write([{ signal: 'plc1/Line2.Pump201.Speed', ts: old, value: 1, quality: 'good' }], signals)
    expect(r.written).toBe(0)
    expect(r.dropped.map((d) => d.code)).toEqual(['sync.expired'])
  })

  it('a wrong password is sync.auth', async () => {
    const bad = createTdengineSink({ id: 'bad', kind: 'tdengine', endpoints: [url as string], database, auth: { user, password: `${password}-wrong` } })
    await expect(bad.write([], signals)).rejects.toMatchObject({ code: 'sync.auth' })
    await bad.close()
  })
})
