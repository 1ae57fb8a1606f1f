import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataType } from 'node-opcua'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import type { Condition, EventPayload } from '../../src/shared/contract'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi, type Api } from '../helpers/login'

// Conditions through the whole app: a real node-opcua server stopped and restarted on its port, a real mosquitto with
// a sensor publishing every 500 ms, the runtime with its SQLite application database. What sessions learn comes only
// from `conditions.changed` events (as every client's tree does), checked against `conditions.get`, both through
// the runtime's RPC server by a logged-in administrator.

let dir: string
let server: TestServer
let broker: Mosquitto
let pub: MqttClient
let publishing: ReturnType<typeof setInterval> | undefined
let runtime: Runtime
let api: Api
const events: EventPayload<'conditions.changed'>[] = []
/** Each path's condition as the events told it (absent: good). */
const told = new Map<string, Condition>()

const TANK = 'Plant/Area A/Tank'
const AREA_A = 'Plant/Area A'
const SENSOR = 'Plant/Area B/Sensor'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-conditions-'))
  server = await startTestServer({ pkiDir: join(dir, 'server-pki') })
  server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 42 })
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  let n = 0
  publishing = setInterval(() => void pub.publishAsync('plant/sensor', JSON.stringify({ temp: 20 + (n++ % 5) })).catch(() => undefined), 500)
  const config = AppConfig.parse({
    demo: { enabled: false },
    connections: [
      { id: 'ua', kind: 'opcua', name: 'Test server', endpoint: server.url, securityMode: 'None', securityPolicy: 'None' },
      { id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, clientId: 'plantdeck-conditions', subscriptions: [{ filter: 'plant/#', qos: 1 }] },
    ],
  })
  runtime = await startRuntime({ config, dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  api = await openApi(runtime)
  api.on('conditions.changed', (payload) => {
    events.push(payload)
    for (const i of payload.items) told.set(i.path, i.condition)
  })
  await until(async () => (await api.call('connections.list', {})).every((c) => c.health === 'connected'), 30_000, 'connections up')
}, 90_000)
afterAll(async () => {
  if (publishing) clearInterval(publishing)
  api?.close()
  await runtime?.stop()
  await pub?.endAsync()
  await broker?.stop()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const toldOf = (path: string) => told.get(path) ?? 'good'
const got = async (paths: string[]) => Object.fromEntries((await api.call('conditions.get', { paths })).items.map((i) => [i.path, i.condition]))

describe('conditions judged in the core and pushed', () => {
  it('marks an OPC UA server outage on its attributes’ paths and every ancestor, and clears them when the server is back', async () => {
    const plant = await api.call('model.create', { parent: null, name: 'Plant', kind: 'site' })
    const a = await api.call('model.create', { parent: plant.id, name: 'Area A', kind: 'area' })
    const b = await api.call('model.create', { parent: plant.id, name: 'Area B', kind: 'area' })
    await api.call('model.create',
      {
        parent: a.id,
        name: 'Tank',
        kind: 'tank',
        attributes: [
          { name: 'Level', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' } },
          { name: 'Count', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Counter' } },
        ],
      })
    await api.call('model.create', { parent: b.id, name: 'Sensor', kind: 'sensor', attributes: [{ name: 'Temp', dataType: 'number', binding: { kind: 'mqtt', connection: 'm', topic: 'plant/sensor', path: 'temp' } }] })

    // everything good once the values flow (the attributes start `nodata`, which the events tell, then good)
    await until(async () => (await api.call('conditions.get', { paths: ['Plant'] })).items[0]!.counts.good === 3, 30_000, 'three attributes good')
    await until(() => [TANK, AREA_A, 'Plant', SENSOR].every((p) => toldOf(p) === 'good'), 5000, 'told good')
    expect(runtime.core.conditions.attribute((await api.call('model.resolve', { path: TANK })).asset.id, 'Level')).toBe('good')

    const before = events.length
    await server.stop()
    await until(() => [TANK, AREA_A, 'Plant'].every((p) => toldOf(p) === 'bad' || toldOf(p) === 'stale'), 30_000, 'the outage told on the tank and its ancestors')
    expect(await got([TANK, AREA_A, 'Plant', 'Plant/Area B', SENSOR])).toMatchObject({ 'Plant/Area B': 'good', [SENSOR]: 'good' })
    // the MQTT side was never told anything but good
    expect(events.slice(before).flatMap((e) => e.items).filter((i) => i.path.startsWith('Plant/Area B'))).toEqual([])
    const counts = (await api.call('conditions.get', { paths: ['Plant'] })).items[0]!.counts
    expect(counts.good).toBe(1)
    expect(counts.bad + counts.stale).toBe(2)

    server = await startTestServer({ pkiDir: join(dir, 'server-pki'), port: server.port })
    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 43 })
    await until(() => [TANK, AREA_A, 'Plant'].every((p) => toldOf(p) === 'good'), 60_000, 'cleared by events once the server is back')
    expect(await got([TANK, AREA_A, 'Plant'])).toEqual({ [TANK]: 'good', [AREA_A]: 'good', Plant: 'good' })
    expect((await api.call('conditions.get', {})).items).toEqual([]) // nothing abnormal left
  }, 150_000)

  it('marks a broker outage on the sensor’s path and its ancestors, and clears it', async () => {
    await broker.down()
    // the collector marks its values bad as the broker goes (bad outranks stale); without that, the lost connection says stale
    const abnormal = (p: string) => toldOf(p) === 'bad' || toldOf(p) === 'stale'
    await until(() => [SENSOR, 'Plant/Area B', 'Plant'].every(abnormal), 30_000, 'the outage told on the sensor and its ancestors')
    const sensor = (await api.call('model.resolve', { path: SENSOR })).asset.id
    expect(['bad', 'stale']).toContain(runtime.core.conditions.attribute(sensor, 'Temp'))
    expect(toldOf(AREA_A)).toBe('good')
    await broker.restart()
    await until(() => [SENSOR, 'Plant/Area B', 'Plant'].every((p) => toldOf(p) === 'good'), 60_000, 'good again through events')
    // batched: never more than a handful of events a second (here: a few for the whole test)
    // every event the core pushed reached the session: after a round trip, what was pushed before its answer is in
    await until(async () => {
      const pushed = runtime.core.conditions.events
      await api.call('auth.status', {})
      return events.length === pushed
    }, 5000, 'every pushed event received')
    expect(runtime.core.conditions.events).toBe(events.length)
    expect(events.every((e) => e.items.length > 0)).toBe(true)
  }, 120_000)
})
