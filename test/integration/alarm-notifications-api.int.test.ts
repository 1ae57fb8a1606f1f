import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRuntime, type Runtime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import { silentLogger } from '../../src/core/ports/logger'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi, type Api } from '../helpers/login'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher, until } from '../helpers/mqtt-harness'

// alarms.notifications through the runtime: one rule publishing to a real mosquitto (delivered), one posting to a
// webhook nobody listens on (given up, its error visible); the status never shows the webhook's path or token.

let dir: string
let broker: Mosquitto
let pub: MqttClient
let sub: MqttClient
let runtime: Runtime
let api: Api
const got: string[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-notify-api-'))
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100 })
  sub.on('message', (topic) => got.push(topic))
  await sub.subscribeAsync('ops/#', { qos: 1 })
  const dead = createServer()
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()))
  const deadPort = (dead.address() as { port: number }).port
  await new Promise<void>((r) => dead.close(() => r()))
  const config = AppConfig.parse({
    demo: { enabled: false },
    connections: [{ id: 'm', kind: 'mqtt', name: 'Broker', url: broker.url, clientId: 'plantdeck-notify-api', subscriptions: [{ filter: 'plant/#', qos: 1 }] }],
    alarms: {
      notifications: [
        { id: 'to-bus', match: { events: ['raise'] }, action: { kind: 'mqtt', connection: 'm', topic: 'ops/{priority}/{path}' } },
        { id: 'to-ops', match: { events: ['raise'] }, action: { kind: 'webhook', url: `http://127.0.0.1:${deadPort}/hook?token=s3cret` }, retry: { attempts: 2, baseMs: 10, maxMs: 10 } },
      ],
    },
  })
  runtime = await startRuntime({ config, dataDir: join(dir, 'data'), logger: silentLogger, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  api = await openApi(runtime)
  await until(async () => (await api.call('connections.list', {})).every((c) => c.health === 'connected'), 30_000, 'connection up')
}, 60_000)
afterAll(async () => {
  api?.close()
  await runtime?.stop()
  await sub?.endAsync()
  await pub?.endAsync()
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('alarms.notifications', () => {
  it('answers every rule with its target and counters: the delivered one sent, the unreachable one failed with its error', async () => {
    const before = await api.call('alarms.notifications', {})
    expect(before.rules.map((r) => [r.id, r.action, r.matched, r.sent, r.failed, r.lastError])).toEqual([
      ['to-bus', { kind: 'mqtt', target: 'm' }, 0, 0, 0, null],
      ['to-ops', { kind: 'webhook', target: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }, 0, 0, 0, null],
    ])
    const a = await api.call('model.create', {
      parent: null, name: 'Tank', kind: 'tank',
      attributes: [{ name: 'Level', dataType: 'number', limits: { hi: 80 }, binding: { kind: 'mqtt', connection: 'm', topic: 'plant/level', path: 'v' }, alarms: [{ id: 'hi', type: 'hi', priority: 'high', message: 'level high' }] }],
    })
    await until(async () => (await api.call('alarms.list', { all: true })).items.length === 1, 20_000, 'alarm built')
    await pub.publishAsync('plant/level', JSON.stringify({ v: 95 }), { qos: 1 })
    await until(async () => (await api.call('alarms.notifications', {})).rules.every((r) => r.matched === 1 && r.inFlight === 0), 20_000, 'both rules done')
    const [bus, ops] = (await api.call('alarms.notifications', {})).rules
    expect(bus).toMatchObject({ matched: 1, sent: 1, failed: 0, lastError: null, lastSentAt: expect.any(Number) })
    expect(ops).toMatchObject({ matched: 1, sent: 0, failed: 1, retried: 1, lastError: { code: 'notify.failed', message: 'webhook not reached: ECONNREFUSED' } })
    expect(JSON.stringify(ops)).not.toMatch(/s3cret|\/hook/)
    await until(() => got.includes(`ops/high/Tank`), 10_000, 'published')
    expect(a.name).toBe('Tank')
  }, 60_000)
})
