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

// both receive paths (a broker each: the first test leaves a retained message): the request/response API listens on
// mqtt.js's 'message' event, which the tap emits itself and mqtt.js's own reader emits as usual
for (const receive of ['tap', 'mqtt.js'] as const) describe(`mqtt.* API over RPC, with a real broker and the SQLite store, PUBLISH read by ${receive}`, () => {
  let broker: Mosquitto
  let dir: string
  let store: SampleStore
  let core: Core
  let api: RpcClient<Contract, Events>
  let pub: MqttClient
  const T = Date.now() - 60_000

  beforeAll(async () => {
    broker = await startMosquitto()
    dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-api-'))
    store = await openSqliteSampleStore({ path: join(dir, 'api.db') })
    const plant = PlantConfig.parse({
      connections: [{ id: 'm', kind: 'mqtt', name: 'Meters', url: broker.url, protocol: '5', clientId: 'plantdeck-api', subscriptions: [{ filter: 'api/#', qos: 1 }] }],
    })
    const col = new MqttCollector({ config: plant.connections[0] as never, logger: silentLogger, receive })
    ;({ core, api } = await startCoreApi(plant, [col], store))
    pub = await mqtt.connectAsync(broker.url, { protocolVersion: 5 })
  })
  afterAll(async () => {
    await pub?.endAsync()
    await core?.stop()
    await store?.close()
    await broker?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('browses the topic tree, maps a field in two calls, stores its samples, and reports rejections', async () => {
    await pub.publishAsync('api/meter/1', JSON.stringify({ ts: T, p: { kw: 3.5 } }), { qos: 1, retain: true })
    await until(async () => (await api.call('mqtt.topics', { connection: 'm', prefix: 'api/meter' })).entries.length === 1)
    const top = await api.call('mqtt.topics', { connection: 'm' })
    expect(top.entries).toEqual([expect.objectContaining({ name: 'api', path: 'api', topics: 1, messages: 1, hasChildren: true })])
    const leaf = (await api.call('mqtt.topics', { connection: 'm', prefix: 'api/meter' })).entries[0]!
    expect(leaf).toMatchObject({ path: 'api/meter/1', last: { count: 1, retained: false } }) // live delivery: MQTT clears retain
    expect(JSON.parse((await api.call('mqtt.payload', { connection: 'm', topic: 'api/meter/1' })).text!)).toEqual({ ts: T, p: { kw: 3.5 } })

    const { mapping, signal } = await api.call('mqtt.mappings.add', { connection: 'm', mapping: { topic: leaf.path, path: 'p.kw', unit: 'kW' } })
    expect(mapping).toMatchObject({ id: 'm/api/meter/1.p.kw', dataType: 'number', unit: 'kW' })
    expect((await api.call('assets.tree', {})).signals.map((s) => s.id)).toContain(signal.id)
    // the store learns where the tree shows it, to tag its history by equipment
    expect((await store.listSignals()).find((d) => d.id === signal.id)?.assetPath).toBe(`Connections/m (mapped)/${mapping.name}`)

    // mqtt.publish with a payload template; the collector maps it, the store keeps it
    const r = await api.call('mqtt.publish', { connection: 'm', topic: 'api/meter/1', payload: '{"ts":{{ts}},"p":{"kw":{{kw}}}}', values: { ts: T + 1, kw: 4.5 } })
    expect(r).toEqual({ ok: true, status: 'acknowledged by the broker' })
    await until(async () => (await store.count(signal.id, T, T + 1)) === 1)
    expect((await api.call('signals.current', { signals: [signal.id] }))[0]).toMatchObject({ value: 4.5, ts: T + 1 })

    await pub.publishAsync('api/meter/1', '{"ts":', { qos: 1 })
    await until(async () => (await api.call('mqtt.rejections', { connection: 'm' })).total === 1)
    expect((await api.call('mqtt.rejections', { connection: 'm' })).last[0]).toMatchObject({ topic: 'api/meter/1', reason: 'not_json', preview: '{"ts":' })

    expect((await api.call('mqtt.mappings.list', { connection: 'm' })).mappings.map((m) => m.id)).toEqual([signal.id])
    expect(await api.call('mqtt.mappings.remove', { connection: 'm', signal: signal.id })).toMatchObject({ removed: true, persisted: false, persistError: { code: 'config.unavailable' } })
    expect((await api.call('mqtt.mappings.list', { connection: 'm' })).mappings).toEqual([])
  })

  // validation before anything reaches the collector: the same on both paths, so run once
  it.runIf(receive === 'tap')('refuses bad params, unknown connections, duplicate mappings and template gaps with stable codes', async () => {
    await expect(api.call('mqtt.topics', { connection: 'nope' })).rejects.toMatchObject({ code: 'mqtt.unknown_connection' })
    await expect(api.call('mqtt.publish', { connection: 'm', topic: 'a/+', payload: 'x' })).rejects.toMatchObject({ code: 'rpc.bad_params' })
    await expect(api.call('mqtt.publish', { connection: 'm', topic: 'a', payload: '{{missing}}' })).rejects.toMatchObject({ code: 'mqtt.bad_template' })
    await expect(api.call('mqtt.payload', { connection: 'm', topic: 'never/seen' })).rejects.toMatchObject({ code: 'mqtt.unknown_topic' })
    await expect(api.call('mqtt.mappings.add', { connection: 'm', mapping: { topic: 'api/x', path: 'a[b]' } })).rejects.toMatchObject({ code: 'mqtt.bad_mapping' })
    await api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/dup', topic: 'api/x' } })
    await expect(api.call('mqtt.mappings.add', { connection: 'm', mapping: { id: 'm/dup', topic: 'api/y' } })).rejects.toMatchObject({ code: 'mqtt.duplicate_signal' })
  })

  it('MQTT 5 request/response: response topic and correlation data, and a timeout', async () => {
    const responder = await mqtt.connectAsync(broker.url, { protocolVersion: 5 })
    await responder.subscribeAsync('api/svc/echo', { qos: 1 })
    responder.on('message', (_t, body, packet) => {
      const { responseTopic, correlationData } = packet.properties ?? {}
      // a second, wrong answer first: only the matching correlation data may resolve the request
      if (responseTopic) responder.publish(responseTopic, 'wrong', { qos: 1, properties: { correlationData: Buffer.from('other') } })
      if (responseTopic) responder.publish(responseTopic, `echo:${body.toString()}`, { qos: 1, properties: { correlationData: correlationData! } })
    })
    const res = await api.call('mqtt.request', { connection: 'm', topic: 'api/svc/echo', payload: '{"n":{{n}}}', values: { n: 7 } })
    expect(res).toMatchObject({ text: 'echo:{"n":7}', bytes: 12, truncated: false })
    await expect(api.call('mqtt.request', { connection: 'm', topic: 'api/svc/nobody', payload: 'x', timeoutMs: 300 })).rejects.toMatchObject({ code: 'mqtt.timeout' })
    await responder.endAsync()
  })
})
