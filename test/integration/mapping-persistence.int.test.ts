import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import type WebSocket from 'ws'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/adapters/config/load-config'
import type { Contract, Events } from '../../src/shared/contract'
import type { RpcClient } from '../../src/shared/rpc/client'
import { startHeadless, type Headless } from '../helpers/headless'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until } from '../helpers/mqtt-harness'
import { openLoggedIn } from '../helpers/login'

/**
 * The real headless server (child process) with a YAML config file a person wrote, a real mosquitto, and restarts on
 * the same data dir and file: what is mapped through the API is still mapped after a restart.
 */
let broker: Mosquitto
let pub: MqttClient
let dir: string
let configFile: string
let server: Headless | undefined
let ws: WebSocket | undefined

const T = Date.now() - 60_000
const yaml = (url: string) => `# Roof meters — this file is kept in version control
demo: { enabled: false }
server:
  port: 0 # tests take any free port
connections:
  - id: meters # the energy meters on the roof
    kind: mqtt
    name: Energy meters
    url: ${url}
    subscriptions: [{ filter: "site/#", qos: 1 }]
    signals:
      # main meter
      - { id: meters/EM1.power, name: Power, topic: site/EM1, path: p, unit: kW }
`

async function start(): Promise<RpcClient<Contract, Events>> {
  server = await startHeadless({}, { dataDir: dir, keepDataDir: true, configFile })
  const c = await openLoggedIn(server.url)
  ws = c.ws
  await until(async () => (await c.client.call('connections.list', {}))[0]?.health === 'connected', 20_000)
  return c.client
}
async function stop() {
  ws?.close()
  await server?.stop()
  server = undefined
}
const mapped = async (api: RpcClient<Contract, Events>) => (await api.call('mqtt.mappings.list', { connection: 'meters' })).mappings

beforeAll(async () => {
  broker = await startMosquitto()
  pub = await mqtt.connectAsync(broker.url)
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mapping-persist-'))
  configFile = join(dir, 'plant.yaml')
  writeFileSync(configFile, yaml(broker.url))
})
afterEach(stop)
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('MQTT mappings edited through the API survive a restart of the headless server', () => {
  it('an added mapping and a changed one are in the config file (comments kept) and map new messages after the restart', async () => {
    let api = await start()
    const added = await api.call('mqtt.mappings.add', { connection: 'meters', mapping: { id: 'meters/EM2.voltage', topic: 'site/EM2', path: 'u.l1', unit: 'V' } })
    expect(added).toMatchObject({ persisted: true, savedTo: 'config', mapping: { id: 'meters/EM2.voltage', name: 'u.l1' } })
    const updated = await api.call('mqtt.mappings.update', { connection: 'meters', signal: 'meters/EM1.power', changes: { name: 'Active power' } })
    expect(updated).toMatchObject({ persisted: true, savedTo: 'config', mapping: { name: 'Active power', unit: 'kW' } })

    const text = readFileSync(configFile, 'utf8')
    expect(text).toBe(
      yaml(broker.url)
        .replace('name: Power', 'name: Active power')
        .concat('      - { id: meters/EM2.voltage, name: u.l1, topic: site/EM2, path: u.l1, dataType: number, unit: V }\n'),
    )
    expect(loadConfig(configFile).connections[0]!.signals).toHaveLength(2)
    await stop()

    api = await start()
    expect((await mapped(api)).map((m) => [m.id, m.name])).toEqual([['meters/EM1.power', 'Active power'], ['meters/EM2.voltage', 'u.l1']])
    await pub.publishAsync('site/EM2', JSON.stringify({ ts: T, u: { l1: 231.5 } }), { qos: 1 })
    await until(async () => (await api.call('signals.current', { signals: ['meters/EM2.voltage'] }))[0]?.ts === T, 10_000)
    expect((await api.call('signals.current', { signals: ['meters/EM2.voltage'] }))[0]).toMatchObject({ value: 231.5, quality: 'good' })
    // the trend reads it from the store too: it was registered as a signal at start
    const { series } = await api.call('trends.query', { signals: ['meters/EM2.voltage'], from: T - 1000, to: T + 1000, points: 10 })
    expect(series[0]!.t).toContain(T)
  })

  it('a removed mapping is gone from the file and does not come back after the restart', async () => {
    let api = await start()
    expect(await api.call('mqtt.mappings.remove', { connection: 'meters', signal: 'meters/EM2.voltage' })).toEqual({ removed: true, persisted: true, savedTo: 'config' })
    expect(readFileSync(configFile, 'utf8')).not.toContain('EM2')
    expect(readFileSync(`${configFile}.bak`, 'utf8')).toContain('EM2') // the version before the last write
    await stop()

    api = await start()
    expect((await mapped(api)).map((m) => m.id)).toEqual(['meters/EM1.power'])
    expect((await api.call('assets.tree', {})).signals.map((s) => s.id)).not.toContain('meters/EM2.voltage')
    await pub.publishAsync('site/EM2', JSON.stringify({ ts: T + 1, u: { l1: 1 } }), { qos: 1 })
    await pub.publishAsync('site/EM1', JSON.stringify({ ts: T + 1, p: 7 }), { qos: 1 })
    await until(async () => (await api.call('signals.current', { signals: ['meters/EM1.power'] }))[0]?.ts === T + 1, 10_000)
    expect((await api.call('signals.current', { signals: ['meters/EM2.voltage'] })).filter((s) => s.ts === T + 1)).toEqual([])
  })

  it('a read-only config file is left alone: the mapping works until the restart, and the answer says why it was not saved', async () => {
    const before = readFileSync(configFile, 'utf8')
    chmodSync(configFile, 0o444)
    try {
      const api = await start()
      const r = await api.call('mqtt.mappings.add', { connection: 'meters', mapping: { id: 'meters/EM3.power', topic: 'site/EM3', path: 'p' } })
      expect(r).toMatchObject({ persisted: false, persistError: { code: 'config.read_only' } })
      expect((await mapped(api)).map((m) => m.id)).toContain('meters/EM3.power')
      await pub.publishAsync('site/EM3', JSON.stringify({ ts: T + 2, p: 3 }), { qos: 1 })
      await until(async () => (await api.call('signals.current', { signals: ['meters/EM3.power'] }))[0]?.ts === T + 2, 10_000)
      expect(readFileSync(configFile, 'utf8')).toBe(before)
      expect(server!.output()).toMatch(/runtime edit not saved/)
    } finally {
      chmodSync(configFile, 0o644)
    }
  })
})
