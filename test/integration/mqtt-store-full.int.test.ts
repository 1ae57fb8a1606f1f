import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import type { WorkerSampleStore } from '../../src/adapters/sqlite/store-client'
import { MqttConnectionConfig } from '../../src/core/config/schema'
import type { CollectorState } from '../../src/core/ports/collector'
import { silentLogger } from '../../src/core/ports/logger'
import type { StoreState } from '../../src/core/ports/sample-store'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { COUNTER, counterConfig, publishCounter, publisher, until } from '../helpers/mqtt-harness'

// "Nothing acknowledged that was not stored" (issue 10, section 4): a QoS 1 stream into a store that runs full
// mid-stream, then gets room again. A PUBACK sent for a message the store refused would make the broker forget
// it, so it would be missing at the end; every message published must be in the store.

let broker: Mosquitto
let dir: string
beforeAll(async () => {
  broker = await startMosquitto()
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-full-'))
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const base = Date.now() - 3_600_000

it('QoS 1 into a store that runs full: refused messages stay unacknowledged and are stored once room returns', async () => {
  const N = 600
  const store = (await openSqliteSampleStore({ path: join(dir, 'full.db') })) as WorkerSampleStore
  await store.registerSignals([{ id: COUNTER.signal, name: 'Counter', dataType: 'number', connection: 'dur' }])
  const storeStates: StoreState[] = []
  store.onEvent((e) => void (e.type === 'state' && storeStates.push(e.state)))
  const col = new MqttCollector({ config: MqttConnectionConfig.parse(counterConfig(broker.url, 'plantdeck-store-full')), logger: silentLogger })
  const states: CollectorState[] = []
  col.onState((s) => states.push(s))
  col.onSamples((b) => store.append(b))
  await col.start()
  await until(() => states.at(-1)?.health === 'connected')
  const pub = await publisher(broker.url)
  const stored = () => store.count(COUNTER.signal, base, base + N - 1)

  await publishCounter(pub, base, 0, 100)
  await until(async () => (await stored()) === 100, 15_000, 'first 100 stored')
  await store.setMaxPageCount(1) // full from here: no page more than the file has
  await publishCounter(pub, base, 100, N)
  await until(() => storeStates.includes('full') && states.some((s) => s.code === 'mqtt.store_failed'), 15_000, 'store full, collector says so')
  const whileFull = await stored()
  expect(whileFull).toBeLessThan(N) // the store really refused part of the stream

  await store.setMaxPageCount(1_000_000)
  await until(async () => (await stored()) === N, 30_000, 'every message stored after room returned')
  expect(storeStates.at(-1)).toBe('ok')
  expect((await store.queryRaw(COUNTER.signal, base, base + N - 1)).v).toEqual(Array.from({ length: N }, (_, i) => i))
  await pub.endAsync()
  await col.stop()
  await store.close()
})
