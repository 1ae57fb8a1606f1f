import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { PlantConfig } from '../../src/core/config/schema'
import type { Core } from '../../src/core/create-core'
import type { Contract, Events } from '../../src/shared/contract'
import type { RpcClient } from '../../src/shared/rpc/client'
import { silentLogger } from '../../src/core/ports/logger'
import type { SampleStore } from '../../src/core/ports/sample-store'
import { startCoreApi } from '../helpers/core-api'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until } from '../helpers/mqtt-harness'

// Every sample accounted for, end to end, against a real mosquitto and the SQLite store:
// received = stored + rejected (by reason) + duplicates (+ in flight), per signal and per connection.

let broker: Mosquitto
let dir: string
let store: SampleStore
let core: Core
let col: MqttCollector
let api: RpcClient<Contract, Events>
let pub: MqttClient
/** Arm to drop the collector's connection right after the next append holding this signal is stored (its PUBACK is then lost). */
let dropAfterStoring: string | undefined

const SIG = { burst: 'acc/dev3.seq', meter: 'acc/meter.v', dup: 'acc/dup.seq' }

beforeAll(async () => {
  broker = await startMosquitto()
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-accounting-'))
  const real = await openSqliteSampleStore({ path: join(dir, 'acc.db') })
  store = new Proxy(real, {
    get(target, key) {
      if (key === 'append') {
        return async (batch: Parameters<SampleStore['append']>[0]) => {
          const receipt = await target.append(batch)
          if (dropAfterStoring && batch.some((s) => s.signal === dropAfterStoring)) {
            dropAfterStoring = undefined
            col['client']?.stream?.destroy()
          }
          return receipt
        }
      }
      const v = Reflect.get(target, key) as unknown
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
  const plant = PlantConfig.parse({
    connections: [
      {
        id: 'acc',
        kind: 'mqtt',
        name: 'Accounting',
        url: broker.url,
        clientId: 'plantdeck-accounting',
        session: 'persistent',
        reconnect: { minMs: 100, maxMs: 500 },
        subscriptions: [{ filter: 'acc/#', qos: 1 }],
        signals: [
          // no timestamp in the payload: every sample is stamped on arrival
          { id: SIG.burst, name: 'Seq', dataType: 'number', topic: 'acc/dev3', path: 'seq' },
          { id: SIG.meter, name: 'Meter', dataType: 'number', topic: 'acc/meter', path: 'v', tsPath: 'ts', tsFormat: 'ms' },
          { id: SIG.dup, name: 'Dup', dataType: 'number', topic: 'acc/dup', path: 'seq' },
        ],
      },
    ],
  })
  col = new MqttCollector({ config: plant.connections[0] as never, logger: silentLogger })
  ;({ core, api } = await startCoreApi(plant, [col], store))
  pub = await mqtt.connectAsync(broker.url, { clientId: 'acc-pub' })
})
afterAll(async () => {
  await pub?.endAsync()
  await core?.stop()
  await store?.close()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const accountOf = async (signal: string) => (await api.call('signals.accounting', { signals: [signal] })).signals[0]
const settled = (a: { inFlight: number } | undefined) => a !== undefined && a.inFlight === 0

describe('sample accounting against a real broker and store', () => {
  it('keeps 1,000 messages that arrive within a few milliseconds, stamped on arrival, as 1,000 distinct samples', async () => {
    // published without waiting for each acknowledgement: a burst (the broker keeps them in order)
    await Promise.all(Array.from({ length: 1000 }, (_, i) => pub.publishAsync('acc/dev3', JSON.stringify({ seq: i + 1 }), { qos: 1 })))
    await until(async () => (await accountOf(SIG.burst))?.received === 1000 && settled(await accountOf(SIG.burst)), 20_000, '1,000 received')
    await store.maintain()
    const raw = await store.queryRaw(SIG.burst, 0, Date.now() + 60_000)
    expect(raw.t.length).toBe(1000)
    expect(new Set(raw.t).size).toBe(1000)
    expect([...raw.v].sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
    // stamps follow arrival order, at least a microsecond apart
    expect(raw.v).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
    const trend = await api.call('trends.query', { signals: [SIG.burst], from: raw.t[0]! - 1, to: raw.t[999]! + 1, points: 10_000 })
    expect(trend.series[0]!.v).toContain(1000)
    await until(async () => (await accountOf(SIG.burst))?.stored === 1000, 10_000, 'stored 1,000')
    expect(await accountOf(SIG.burst)).toMatchObject({ received: 1000, stored: 1000, duplicates: 0, rejected: 0, inFlight: 0 })
  })

  it('accounts for every sample: stored, rejected by reason, duplicates — and the counts match the store', async () => {
    const T = Date.now() - 10 * 60_000
    const send = (payload: string) => pub.publishAsync('acc/meter', payload, { qos: 1 })
    for (let i = 0; i < 50; i++) await send(JSON.stringify({ ts: T + i * 1000, v: i }))
    for (let i = 0; i < 5; i++) await send('{"ts": 12, "v":') // not JSON
    for (let i = 0; i < 5; i++) await send(JSON.stringify({ ts: T + 100_000 + i, v: 'abc' })) // wrong type
    for (let i = 0; i < 5; i++) await send(JSON.stringify({ ts: Date.now() + 2 * 3_600_000, v: i })) // clock 2 h ahead
    for (let i = 0; i < 10; i++) await send(JSON.stringify({ ts: T + i * 1000, v: 100 + i })) // same source time again
    await until(async () => (await accountOf(SIG.meter))?.received === 75 && settled(await accountOf(SIG.meter)), 20_000, '75 received')
    await store.maintain() // compaction resolves the duplicates
    await until(async () => (await accountOf(SIG.meter))?.duplicates === 10, 10_000, 'duplicates resolved')
    const a = (await accountOf(SIG.meter))!
    expect(a).toMatchObject({ received: 75, stored: 50, duplicates: 10, rejected: 15, inFlight: 0 })
    expect(a.rejectedBy).toEqual({ not_json: 5, wrong_type: 5, future_timestamp: 5 })
    expect(a.received).toBe(a.stored + a.duplicates + a.rejected + a.inFlight)
    expect(await store.count(SIG.meter, 0, Date.now() + 3 * 3_600_000)).toBe(a.stored)
    // the store itself refused nothing: each bad sample was refused once, at the decoder
    expect((await store.stats()).counters.futureTimestamp).toBe(0)
    // last write wins: the repeated source times hold the later values
    expect((await store.queryRaw(SIG.meter, T, T + 2000)).v).toEqual([100, 101, 102])

    const all = await api.call('signals.accounting', {})
    const conn = all.connections.find((c) => c.connection === 'acc')!
    const parts = await Promise.all(Object.values(SIG).map(accountOf))
    const sum = (k: 'received' | 'stored' | 'duplicates' | 'rejected') => parts.reduce((x, p) => x + (p?.[k] ?? 0), 0)
    expect(conn).toMatchObject({ received: sum('received'), stored: sum('stored'), duplicates: sum('duplicates'), rejected: sum('rejected') })
    expect(all.signals.map((s) => s.signal)).toContain(SIG.meter)
    // the status bar's counters come from the same books
    await until(async () => (await api.call('connections.list', {}))[0]?.samples === conn.received, 5000, 'status bar counters')
    expect((await api.call('connections.list', {}))[0]).toMatchObject({ samples: conn.received, stored: conn.stored, duplicates: conn.duplicates })
  })

  it('stores a message once when its PUBACK was lost and the broker redelivers it (DUP), and counts the redelivery as a duplicate', async () => {
    dropAfterStoring = SIG.dup
    await pub.publishAsync('acc/dup', JSON.stringify({ seq: 7 }), { qos: 1 })
    await until(async () => (await accountOf(SIG.dup))?.duplicates === 1, 20_000, 'the redelivery')
    await until(async () => (await api.call('connections.list', {}))[0]?.health === 'connected', 10_000, 'reconnected')
    await pub.publishAsync('acc/dup', JSON.stringify({ seq: 8 }), { qos: 1 })
    const good = async () => (await store.queryRaw(SIG.dup, 0, Date.now() + 60_000)).v.filter((v) => v !== null)
    await until(async () => (await good()).includes(8), 10_000, 'the next message')
    await store.maintain()
    // 7 once, then 8; the connection loss in between wrote its bad-quality marker (value null), which is a sample too
    expect(await good()).toEqual([7, 8])
    const a = (await accountOf(SIG.dup))!
    expect(a).toMatchObject({ received: 4, stored: 3, duplicates: 1, rejected: 0, inFlight: 0 })
  })
})
