import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DataType } from 'node-opcua'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import type { LiveAttribute } from '../../src/shared/contract/asset-model'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi, type Api } from '../helpers/login'

// The asset model's live link through the whole app: a real node-opcua server, a real mosquitto, the real
// application database (SQLite) and sample store in a temporary data folder, the runtime as the hosts compose it.

let dir: string
let server: TestServer
let broker: Mosquitto
let pub: MqttClient
let runtime: Runtime
let config: AppConfig
/** The administrator, logged in over the runtime's RPC server (again after a restart). */
let api: Api

const start = async () => {
  runtime = await startRuntime({ config, dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  api = await openApi(runtime)
  await until(async () => (await api.call('connections.list', {})).every((c) => c.health === 'connected' || c.health === 'degraded'), 30_000, 'connections up')
}
const liveOf = async (id: string): Promise<LiveAttribute[]> => (await api.call('model.live', { ids: [id] })).assets[id] ?? []
const attr = async (id: string, name: string) => (await liveOf(id)).find((a) => a.name === name)
const current = async (signal: string) => (await api.call('signals.current', { signals: [signal] }))[0]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-model-live-'))
  server = await startTestServer({ pkiDir: join(dir, 'server-pki'), bigCount: 10 })
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  config = AppConfig.parse({
    demo: { enabled: false },
    connections: [
      { id: 'ua', kind: 'opcua', name: 'Test server', endpoint: server.url, securityMode: 'None', securityPolicy: 'None' },
      { id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, clientId: 'plantdeck-model-live', subscriptions: [{ filter: 'plant/#', qos: 1 }] },
    ],
  })
  await start()
}, 90_000)
afterAll(async () => {
  api?.close()
  await runtime?.stop()
  await pub?.endAsync()
  await broker?.stop()
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('the asset model live link', () => {
  let pump = ''
  const DOUBLE = 'ua/1:Tests.Double'

  it('model.bind binds an OPC UA variable: one change, live with a signal, server writes arrive, the store knows its model path', async () => {
    pump = (await api.call('model.create', { parent: null, name: 'Pump 1', kind: 'equipment' })).id
    const before = (await api.call('model.changes', {})).items.length
    const r = await api.call('model.bind', { asset: pump, source: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' } })
    expect(r).toMatchObject({ attributes: ['Double'], collected: 1, failed: [], truncated: false })
    expect(r.change).not.toBeNull()
    expect((await api.call('model.changes', {})).items.length).toBe(before + 1)
    expect(r.asset.attributes).toEqual([{ name: 'Double', dataType: 'number', writable: true, binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' } }])
    expect(await attr(pump, 'Double')).toMatchObject({ state: 'live', signal: DOUBLE })

    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 42.5 })
    await until(async () => (await current(DOUBLE))?.value === 42.5, 20_000, 'the written value')
    expect((await attr(pump, 'Double'))?.value).toBe(42.5)
    await until(async () => (await runtime.store.listSignals()).find((s) => s.id === DOUBLE)?.assetPath === 'Pump 1/Double', 10_000, 'model path in the store')

    // binding the same source again rebinds the attribute of that name: no second attribute, nothing newly collected
    const again = await api.call('model.bind', { asset: pump, source: { kind: 'opcua', connection: 'ua', nodeId: 'ns=0;i=2258' }, name: 'Double' })
    expect(again).toMatchObject({ attributes: ['Double'], collected: 1 })
    expect(again.asset.attributes.map((a) => a.name)).toEqual(['Double'])
    expect(again.asset.attributes[0]!.binding).toEqual({ kind: 'opcua', connection: 'ua', nodeId: 'ns=0;i=2258' })
    // back, for what follows
    await api.call('model.bind', { asset: pump, source: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Tests.Double' } })
  })

  it('model.bind of an object binds every variable under it, up to max, and says it truncated', async () => {
    const folder = (await api.call('model.create', { parent: null, name: 'Big', kind: 'folder' })).id
    const r = await api.call('model.bind', { asset: folder, source: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Big' }, max: 4 })
    expect(r.truncated).toBe(true)
    expect(r.attributes).toHaveLength(4)
    expect((await liveOf(folder)).every((a) => a.state === 'live')).toBe(true)
  })

  it('a node the server refuses is not_collected with the reason, and the change that bound it still went through', async () => {
    const bad = await api.call('model.create', { parent: null, name: 'Ghost', kind: 'equipment', attributes: [{ name: 'Nothing', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=No.Such.Node' } }] })
    await until(async () => (await attr(bad.id, 'Nothing'))?.state === 'not_collected' && (await attr(bad.id, 'Nothing'))?.reason?.includes('Bad') === true, 20_000, 'refused')
    expect((await attr(bad.id, 'Nothing'))?.reason).toMatch(/BadNodeIdUnknown|BadNodeIdInvalid/)
    // model.bind of it answers the refusal in `failed` and changes nothing
    const r = await api.call('model.bind', { asset: bad.id, source: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=No.Such.Node' } })
    expect(r.change).toBeNull()
    expect(r.failed).toHaveLength(1)
    expect(r.failed[0]!.reason).toMatch(/Bad/)
  })

  it('an instantiated template\'s binding patterns become collected without a configuration edit', async () => {
    await api.call('model.templates.create', { id: 'big-value', name: 'Big value', attributes: [{ name: 'Value', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Big.V{asset}' } }] })
    const line = (await api.call('model.create', { parent: null, name: 'Line', kind: 'line' })).id
    const made = await api.call('model.instantiate', { template: 'big-value', parent: line, names: ['6', '9'] })
    for (const [i, a] of made.assets.entries()) {
      await until(async () => (await attr(a.id, 'Value'))?.state === 'live', 20_000, `instance ${a.name} live`)
      const signal = (await attr(a.id, 'Value'))!.signal!
      await until(async () => (await current(signal))?.value === [6, 9][i], 20_000, `instance ${a.name} value`)
    }
  })

  it('a calculated attribute over two bound attributes is evaluated live, stored and trended; a cycle and a missing name are bad_expression', async () => {
    const calc = await api.call('model.create', {
      parent: null,
      name: 'Calc',
      kind: 'equipment',
      attributes: [
        { name: 'A', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Big.V6' } },
        { name: 'B', dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: 'ns=1;s=Big.V9' } },
        { name: 'Product plus one', dataType: 'number', binding: { kind: 'calculated', expression: 'A * B + 1' } },
        { name: 'D', dataType: 'number', binding: { kind: 'calculated', expression: 'E + 1' } },
        { name: 'E', dataType: 'number', binding: { kind: 'calculated', expression: 'D * 2' } },
        { name: 'F', dataType: 'number', binding: { kind: 'calculated', expression: 'Nope + 1' } },
      ],
    })
    await until(async () => (await attr(calc.id, 'Product plus one'))?.value === 55, 20_000, 'the calculated value')
    const c = (await attr(calc.id, 'Product plus one'))!
    expect(c.state).toBe('calculated')
    expect(c.signal).toMatch(/^model\//)
    expect((await current(c.signal!))).toMatchObject({ value: 55, quality: 'good' })
    expect(await api.call('signals.subscribe', { signals: [c.signal!] })).toEqual({ subscribed: 1, unknown: [] })
    await until(async () => {
      const t = await api.call('trends.query', { signals: [c.signal!], from: 0, to: Date.now() + 60_000, points: 100 })
      return t.series[0]!.v.includes(55)
    }, 20_000, 'the calculated value in trends.query')
    expect((await runtime.store.listSignals()).find((s) => s.id === c.signal)).toMatchObject({ connection: 'model', assetPath: 'Calc/Product plus one' })
    const byName = new Map((await liveOf(calc.id)).map((a) => [a.name, a]))
    expect(byName.get('D')).toMatchObject({ state: 'bad_expression', signal: null, reason: expect.stringMatching(/refer to themselves/) })
    expect(byName.get('E')).toMatchObject({ state: 'bad_expression' })
    expect(byName.get('F')).toMatchObject({ state: 'bad_expression', reason: expect.stringMatching(/no attribute "Nope"/) })
  })

  it('model.bind binds an MQTT topic, named by its last level; published values arrive', async () => {
    const tank = (await api.call('model.create', { parent: null, name: 'Tank 1', kind: 'equipment' })).id
    await pub.publishAsync('plant/tank1/level', '12.5', { qos: 1, retain: true })
    const r = await api.call('model.bind', { asset: tank, source: { kind: 'mqtt', connection: 'm', topic: 'plant/tank1/level' } })
    expect(r).toMatchObject({ attributes: ['level'], collected: 1, failed: [] })
    const level = (await attr(tank, 'level'))!
    expect(level).toMatchObject({ state: 'live', signal: 'm/plant/tank1/level' })
    await pub.publishAsync('plant/tank1/level', '13.25', { qos: 1 })
    await until(async () => (await current(level.signal!))?.value === 13.25, 20_000, 'the published value')
  })

  it('after a restart the model collects what it binds again (nothing was written to the configuration)', async () => {
    api.close()
    await runtime.stop()
    await start()
    await until(async () => (await attr(pump, 'Double'))?.state === 'live', 20_000, 'live after restart')
    server.vars.get('Double')!.setValueFromSource({ dataType: DataType.Double, value: 7.75 })
    await until(async () => (await current(DOUBLE))?.value === 7.75, 20_000, 'a value after restart')
  })
})
