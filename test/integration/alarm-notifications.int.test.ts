import { createServer, type IncomingMessage, type Server } from 'node:http'
import mqtt, { type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { createNotifier } from '../../src/core/alarms/notifications'
import type { JournalRecord } from '../../src/core/alarms/ports'
import { NotificationRule } from '../../src/core/config/alarms-config'
import { PlantConfig } from '../../src/core/config/schema'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { record, until } from '../helpers/mqtt-harness'

function entry(o: Partial<JournalRecord> = {}): JournalRecord {
  return {
    at: Date.UTC(2026, 11, 6, 10, 0, 0),
    key: 'p1/Temp/hi',
    assetId: 'p1',
    path: 'Plant/Area1/Pump-1',
    attribute: 'Temp',
    defId: 'hi',
    priority: 'critical',
    event: 'raise',
    state: 'unack',
    value: 96.2,
    message: 'Bearing temperature "very" high',
    who: 'system',
    occurrence: 3,
    ...o,
  }
}

describe('alarm notification published to a real mosquitto through the MQTT connection\'s collector', () => {
  let broker: Mosquitto
  let col: MqttCollector
  let sub: MqttClient
  const got: { topic: string; payload: string }[] = []
  let states: ReturnType<typeof record>['states']

  beforeAll(async () => {
    broker = await startMosquitto()
    const plant = PlantConfig.parse({ connections: [{ id: 'bus', kind: 'mqtt', name: 'Bus', url: broker.url, reconnect: { minMs: 100, maxMs: 200 } }] })
    col = new MqttCollector({ config: plant.connections[0] as never, logger: silentLogger })
    ;({ states } = record(col))
    await col.start()
    await until(() => states.at(-1)?.health === 'connected')
    // A persistent session (fixed client id, clean: false) with a QoS 1 subscription: while the subscriber is away
    // (the broker's outage below) the broker keeps its session and queues the QoS 1 publishes for it, so a message the
    // notifier delivers before this client has reconnected is still received (it failed once in CI without it).
    sub = await mqtt.connectAsync(broker.url, { reconnectPeriod: 100, clean: false, clientId: `alarm-notify-sub-${process.pid}-${Date.now()}` })
    sub.on('message', (topic, body) => got.push({ topic, payload: body.toString() }))
    await sub.subscribeAsync('plant/alarms/#', { qos: 1 })
  })
  afterAll(async () => {
    await sub?.endAsync()
    await col?.stop()
    await broker?.stop()
  })

  it('a matching transition arrives with its topic and JSON payload filled; one that does not match is not sent', async () => {
    const rule = NotificationRule.parse({
      id: 'crit-bus',
      match: { priorities: ['critical'], events: ['raise'] },
      action: { kind: 'mqtt', connection: 'bus', topic: 'plant/alarms/{priority}/{path}', payload: '{"alarm":"{key}","text":"{message}","value":{value},"at":"{at}"}' },
    })
    const n = createNotifier({ rules: [rule], collectors: [col], log: silentLogger })
    n.notify([entry({ priority: 'low' }), entry({ event: 'ack', state: 'ack' }), entry()])
    await until(() => got.length >= 1)
    await until(() => n.status().rules[0]!.inFlight === 0)
    expect(got).toEqual([{ topic: 'plant/alarms/critical/Plant/Area1/Pump-1', payload: expect.any(String) }])
    expect(JSON.parse(got[0]!.payload)).toEqual({ alarm: 'p1/Temp/hi', text: 'Bearing temperature "very" high', value: 96.2, at: '2026-12-06T10:00:00.000Z' })
    expect(n.status().rules[0]).toMatchObject({ matched: 1, sent: 1, failed: 0, retried: 0, action: { kind: 'mqtt', target: 'bus' } })
    await n.stop()
  })

  it('while the broker is away the publish is retried (mqtt.not_connected visible), and arrives once it is back', async () => {
    got.length = 0
    const rule = NotificationRule.parse({ id: 'any', action: { kind: 'mqtt', connection: 'bus', topic: 'plant/alarms/retry' }, retry: { attempts: 20, baseMs: 100, maxMs: 500 } })
    const n = createNotifier({ rules: [rule], collectors: [col], log: silentLogger })
    await broker.down()
    await until(() => states.at(-1)?.health !== 'connected')
    n.notify([entry({ event: 'clear', state: 'normal', message: 'back to normal' })])
    await until(() => n.status().rules[0]!.retried >= 1)
    expect(n.status().rules[0]!.lastError?.code).toBe('mqtt.not_connected')
    expect(n.status().rules[0]!.sent).toBe(0)
    await broker.up()
    await until(() => n.status().rules[0]!.sent === 1, 30_000, 'notification sent after the broker came back')
    await until(() => got.some((m) => m.topic === 'plant/alarms/retry'), 15_000)
    expect(JSON.parse(got.find((m) => m.topic === 'plant/alarms/retry')!.payload)).toMatchObject({ key: 'p1/Temp/hi', event: 'clear', state: 'normal', message: 'back to normal' })
    expect(n.status().rules[0]).toMatchObject({ failed: 0, inFlight: 0 })
    await n.stop()
  })
})

describe('alarm notification to a real local webhook (node:http)', () => {
  let server: Server
  let url: string
  const requests: { path: string; body: string; auth: string | undefined; type: string | undefined }[] = []
  let failures = 2

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body, auth: req.headers.authorization, type: req.headers['content-type'] })
        if (req.url === '/hang') return // never answers
        if (failures-- > 0) {
          res.writeHead(500).end('not now')
          return
        }
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  })

  it('fails twice, then succeeds: three POSTs of the same JSON, one sent, two retries, the last error kept', async () => {
    const rule = NotificationRule.parse({
      id: 'ops',
      action: { kind: 'webhook', url: `${url}/alarm?token=abc`, headers: { authorization: 'Bearer s3cret' } },
      retry: { attempts: 5, baseMs: 20, maxMs: 100 },
    })
    const n = createNotifier({ rules: [rule], collectors: [], log: silentLogger })
    n.notify([entry()])
    await until(() => n.status().rules[0]!.inFlight === 0)
    expect(requests.map((r) => r.path)).toEqual(['/alarm?token=abc', '/alarm?token=abc', '/alarm?token=abc'])
    expect(new Set(requests.map((r) => r.body)).size).toBe(1)
    expect(JSON.parse(requests[0]!.body)).toEqual(entry())
    expect(requests.every((r) => r.auth === 'Bearer s3cret' && r.type === 'application/json')).toBe(true)
    const s = n.status().rules[0]!
    expect(s).toMatchObject({ matched: 1, sent: 1, retried: 2, failed: 0, lastError: { code: 'notify.failed', message: 'webhook answered HTTP 500' } })
    // the status shows where it goes, never the token in the query or the header
    expect(JSON.stringify(n.status())).not.toMatch(/s3cret|abc/)
    await n.stop()
  })

  it('an answer that does not come is notify.timeout; a refused connection is notify.failed with its code', async () => {
    const dead = createServer()
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()))
    const deadPort = (dead.address() as { port: number }).port
    await new Promise<void>((r) => dead.close(() => r()))
    const n = createNotifier({
      rules: [
        NotificationRule.parse({ id: 'slow', action: { kind: 'webhook', url: `${url}/hang`, timeoutMs: 200 }, retry: { attempts: 1 } }),
        NotificationRule.parse({ id: 'nobody', action: { kind: 'webhook', url: `http://127.0.0.1:${deadPort}/x` }, retry: { attempts: 2, baseMs: 10, maxMs: 10 } }),
      ],
      collectors: [],
      log: silentLogger,
    })
    n.notify([entry()])
    await until(() => n.status().rules.every((r) => r.inFlight === 0))
    const [slow, nobody] = n.status().rules
    expect(slow).toMatchObject({ sent: 0, failed: 1, lastError: { code: 'notify.timeout' } })
    expect(nobody).toMatchObject({ sent: 0, failed: 1, retried: 1, lastError: { code: 'notify.failed', message: 'webhook not reached: ECONNREFUSED' } })
    await n.stop()
  })
})
