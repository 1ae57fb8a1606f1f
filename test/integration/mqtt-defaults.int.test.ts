// MQTT defaults against a real mosquitto left at its defaults (`stock`: only listener, allow_anonymous and persistence
// are set, so max_inflight_messages 20 and max_queued_messages 1000 apply, as on a broker nobody tuned).
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { Aedes } from 'aedes'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { MqttConnectionConfig } from '../../src/core/config/schema'
import type { CollectorState } from '../../src/core/ports/collector'
import { silentLogger } from '../../src/core/ports/logger'
import type { SampleStore } from '../../src/core/ports/sample-store'
import { createCollectors } from '../../src/host/drivers'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { burst } from '../helpers/mqtt-burst'
import { until } from '../helpers/mqtt-harness'

const TOPICS = 100
const signals = Array.from({ length: TOPICS }, (_, t) => ({ id: `d/${t}`, name: `t${t}`, topic: `dev/${t}`, path: 'v', tsPath: 'ts', tsFormat: 'ms' as const }))
const connection = (url: string, extra: Record<string, unknown> = {}) =>
  MqttConnectionConfig.parse({ id: 'd', kind: 'mqtt', name: 'Devices', url, reconnect: { minMs: 100, maxMs: 500 }, subscriptions: [{ filter: 'dev/#', qos: 1 }], signals, ...extra })

let broker: Mosquitto
let dir: string
beforeAll(async () => {
  broker = await startMosquitto('', { stock: true })
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-defaults-'))
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

let stores = 0
async function openStore(): Promise<SampleStore> {
  const store = await openSqliteSampleStore({ path: join(dir, `s${++stores}.db`) })
  await store.registerSignals(signals.map((s) => ({ id: s.id, name: s.name, dataType: 'number' as const, connection: 'd' })))
  return store
}
/** Samples of message i (`ts` base + i) in the store: one per message, whatever was redelivered. */
async function stored(store: SampleStore, base: number, n: number): Promise<number> {
  let c = 0
  for (const s of signals) c += await store.count(s.id, base, base + n - 1)
  return c
}
/** Runs a collector into `store`, recording its states; resolves once it is connected. */
async function run(col: MqttCollector, store: SampleStore): Promise<CollectorState[]> {
  const states: CollectorState[] = []
  col.onState((s) => states.push(s))
  col.onSamples((b) => store.append(b))
  await col.start()
  await until(() => states.at(-1)?.health === 'connected', 10_000, 'connected')
  return states
}
/** Waits until `n` messages are in the store, or nothing more arrived for 3 s; returns how many. */
async function settle(store: SampleStore, base: number, n: number): Promise<number> {
  let last = -1
  let now = await stored(store, base, n)
  while (now < n && now !== last) {
    last = now
    await new Promise((r) => setTimeout(r, 3000))
    now = await stored(store, base, n)
  }
  return now
}
const clientIdOf = (col: MqttCollector) => (col as unknown as { client: { options: { clientId: string; clean: boolean } } }).client.options

describe('persistent session by default (no clientId configured)', () => {
  it('stores every QoS 1 message published while Plantdeck was away; the client id is stable per installation and connection', async () => {
    const dataDir = join(dir, 'install-a')
    const base = Date.now() - 3_600_000
    const store = await openStore()
    const first = createCollectors([connection(broker.url)], dataDir, silentLogger)[0] as MqttCollector
    await run(first, store)
    const id = clientIdOf(first).clientId
    await burst(broker.url, { n: 200, base, topics: TOPICS, rate: 2000 })
    expect(await settle(store, base, 200)).toBe(200)
    await first.stop()

    // away: a restart, an update
    await burst(broker.url, { n: 300, base: base + 200, topics: TOPICS, rate: 2000 })

    const second = createCollectors([connection(broker.url)], dataDir, silentLogger)[0] as MqttCollector
    const states = await run(second, store)
    expect(await settle(store, base, 500)).toBe(500)
    expect(clientIdOf(second)).toMatchObject({ clientId: id, clean: false })
    expect(states.findLast((s) => s.health === 'connected')?.detail).toContain(`client id ${id}; persistent session`)
    await second.stop()
    await store.close()

    expect(id).toMatch(/^plantdeck-[0-9a-f]{8}-[0-9a-f]{4}$/)
    expect(id.length).toBeLessThanOrEqual(23)
    const other = createCollectors([connection(broker.url)], join(dir, 'install-b'), silentLogger)[0] as MqttCollector
    const otherConn = createCollectors([{ ...connection(broker.url), id: 'd2' }], dataDir, silentLogger)[0] as MqttCollector
    for (const c of [other, otherConn]) {
      await c.start()
      expect(clientIdOf(c).clientId).not.toBe(id)
      await c.stop()
    }
    // configuration still wins
    const explicit = createCollectors([connection(broker.url, { clientId: 'my-id', session: 'clean' })], dataDir, silentLogger)[0] as MqttCollector
    await explicit.start()
    expect(clientIdOf(explicit)).toMatchObject({ clientId: 'my-id', clean: true })
    await explicit.stop()
  }, 30_000)
})

// 50,000 QoS 1 messages from one publisher as fast as mosquitto takes them (15–25k msg/s here): with 3.1.1's window of
// 20 plus a queue of 1,000, a stock mosquitto dropped 4–6 % of them in scratch runs (bench/mqtt-window.ts).
const BURST = 50_000

describe('a burst on a stock mosquitto', () => {
  it('MQTT 5 by default, Receive Maximum 65535: nothing lost', async () => {
    const base = Date.now() - 3_600_000
    const store = await openStore()
    const col = new MqttCollector({ config: connection(broker.url, { clientId: 'burst-default', session: 'persistent' }), logger: silentLogger })
    const states = await run(col, store)
    await burst(broker.url, { n: BURST, base, topics: TOPICS })
    expect(await settle(store, base, BURST)).toBe(BURST)
    await col.stop()
    await store.close()
    expect(states.findLast((s) => s.health === 'connected')?.detail).toMatch(/^MQTT 5, Receive Maximum 65535/)
    expect(states.some((s) => s.code === 'mqtt.broker_window_capped')).toBe(false)
  }, 30_000)

  it('MQTT 3.1.1 below what the broker holds: nothing lost, not capped', async () => {
    const base = Date.now() - 3_600_000
    const store = await openStore()
    const col = new MqttCollector({ config: connection(broker.url, { clientId: 'slow-311', session: 'persistent', protocol: '3.1.1' }), logger: silentLogger })
    const states = await run(col, store)
    await burst(broker.url, { n: 6000, base, topics: TOPICS, rate: 2000 })
    expect(await settle(store, base, 6000)).toBe(6000)
    await col.stop()
    await store.close()
    expect(states.findLast((s) => s.health === 'connected')?.detail).toMatch(/^MQTT 3\.1\.1; client id slow-311/)
    expect(states.some((s) => s.code === 'mqtt.broker_window_capped')).toBe(false)
  }, 30_000)

  it('MQTT 3.1.1 above it: the connection says it is capped, by how much, and which broker settings to change', async () => {
    const base = Date.now() - 3_600_000
    const store = await openStore()
    const col = new MqttCollector({ config: connection(broker.url, { clientId: 'fast-311', session: 'persistent', protocol: '3.1.1' }), logger: silentLogger })
    const states = await run(col, store)
    await burst(broker.url, { n: BURST, base, topics: TOPICS })
    await settle(store, base, BURST)
    await col.stop()
    await store.close()
    const capped = states.find((s) => s.code === 'mqtt.broker_window_capped')
    expect(capped).toMatchObject({ health: 'degraded', reason: expect.stringMatching(/caps QoS 1 delivery at ~\d+ msg\/s.*max_inflight_messages.*max_queued_messages/) })
  }, 30_000)
})

/** A broker that speaks only 3.1.1: a CONNECT at protocol level 5 gets CONNACK "unacceptable protocol version"; all else goes to mosquitto. */
async function v311OnlyProxy(target: number): Promise<{ url: string; refused: () => number; close(): void }> {
  let refused = 0
  const server = net.createServer((socket) => {
    socket.once('data', (first) => {
      // CONNECT: fixed header, remaining length (1 byte for ours), "\0\x04MQTT", protocol level
      const level = first[1]! < 128 ? first[2 + 6] : first[3 + 6]
      if (level === 5) {
        refused++
        socket.end(Buffer.from([0x20, 0x02, 0x00, 0x01]))
        return
      }
      const up = net.connect(target, '127.0.0.1', () => up.write(first))
      socket.pipe(up).pipe(socket)
      up.on('error', () => socket.destroy())
      socket.on('error', () => up.destroy())
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`, refused: () => refused, close: () => server.close() }
}

describe('MQTT 5 where the broker speaks it', () => {
  it('falls back to 3.1.1 when the broker refuses 5, and says so; a configured protocol is kept', async () => {
    const proxy = await v311OnlyProxy(broker.port)
    const base = Date.now() - 3_600_000
    const store = await openStore()
    const col = new MqttCollector({ config: connection(proxy.url, { clientId: 'fallback', session: 'persistent' }), logger: silentLogger })
    const states = await run(col, store)
    await burst(broker.url, { n: 100, base, topics: TOPICS, rate: 2000 })
    expect(await settle(store, base, 100)).toBe(100)
    await col.stop()
    expect(proxy.refused()).toBe(1)
    expect(states.findLast((s) => s.health === 'connected')?.detail).toMatch(/^MQTT 3\.1\.1 \(the broker refused MQTT 5\)/)
    expect(states.some((s) => s.reason?.includes('refused MQTT 5'))).toBe(true)

    // protocol: '5' configured: no fallback, the refusal is the state
    const strict = new MqttCollector({ config: connection(proxy.url, { clientId: 'strict-5', protocol: '5' }), logger: silentLogger })
    const strictStates: CollectorState[] = []
    strict.onState((s) => strictStates.push(s))
    await strict.start()
    await until(() => strictStates.some((s) => s.health === 'error'), 10_000, 'refusal')
    await strict.stop()
    expect(strictStates.find((s) => s.health === 'error')).toMatchObject({ code: 'mqtt.connection_refused' })
    expect(strictStates.some((s) => s.health === 'connected')).toBe(false)
    proxy.close()
    await store.close()
  }, 30_000)

  it('aedes (the simulated plant\'s broker, 3.1.1 only) refuses 5: the connection runs 3.1.1', async () => {
    const broker311 = await Aedes.createBroker()
    const server = net.createServer((s) => broker311.handle(s))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`
    const col = new MqttCollector({ config: connection(url, { clientId: 'on-aedes' }), logger: silentLogger })
    const states = await run(col, await openStore())
    await col.stop()
    await new Promise<void>((r) => broker311.close(() => r()))
    server.close()
    expect(states.findLast((s) => s.health === 'connected')?.detail).toBe('MQTT 3.1.1 (the broker refused MQTT 5); client id on-aedes; persistent session')
  }, 30_000)
})
