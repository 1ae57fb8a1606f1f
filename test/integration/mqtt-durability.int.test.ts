import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import type { CollectorState } from '../../src/core/ports/collector'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { COUNTER, counterConfig, openCounterStore, publishCounter, publisher, spawnCollectChild, until } from '../helpers/mqtt-harness'

let broker: Mosquitto
let dir: string
beforeAll(async () => {
  broker = await startMosquitto()
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-dur-'))
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

// payload timestamps an hour back: the bad-quality markers written on connection loss (arrival time) fall outside the counted range
const base = Date.now() - 3_600_000

// both receive paths: PUBLISH read by the collector's own reader (default), or by mqtt.js
for (const receive of ['tap', 'mqtt.js'] as const) describe(`no loss at QoS 1, PUBLISH read by ${receive}`, () => {
  it('sends the PUBACK only after the listener resolved: unresolved messages are redelivered to the next session, resolved ones are not', async () => {
    const config = MqttConnectionConfig.parse(counterConfig(broker.url, `plantdeck-ack-order-${receive}`))
    const first = new MqttCollector({ config, logger: silentLogger, receive })
    const seen: number[] = []
    first.onSamples((b) => {
      seen.push(...b.filter((s) => s.quality === 'good').map((s) => s.value as number))
      // 0..4 become durable at once; 5 and 6 never do (a store that hangs, then the process dies)
      return b.some((s) => (s.value as number) >= 5) ? new Promise(() => undefined) : Promise.resolve()
    })
    let pubacks = 0
    await first.start()
    first['client']!.on('packetsend', (p) => void (p.cmd === 'puback' && pubacks++))
    await until(() => first['state'].health === 'connected')
    const pub = await publisher(broker.url)
    await publishCounter(pub, base - 10_000, 0, 5)
    await until(() => pubacks === 5, 10_000, 'PUBACKs of 0..4')
    await publishCounter(pub, base - 10_000, 5, 7)
    await until(() => seen.includes(6), 10_000, 'messages 5 and 6 received')
    expect(pubacks).toBe(5)
    first['client']!.end(true) // no graceful stop: like a crash, nothing more is sent

    const second = new MqttCollector({ config, logger: silentLogger, receive })
    const again: number[] = []
    second.onSamples((b) => {
      again.push(...b.filter((s) => s.quality === 'good').map((s) => s.value as number))
    })
    await second.start()
    await until(() => again.length >= 2, 10_000, 'redelivery')
    await pub.publishAsync(COUNTER.topic, JSON.stringify({ ts: base - 10_000 + 7, v: 7 }), { qos: 1 })
    await until(() => again.includes(7), 10_000, 'message 7')
    await second.stop()
    await pub.endAsync()
    expect(again).toEqual([5, 6, 7])
  })

  it('broker restart mid-stream with a persistent session: messages published == samples stored', async () => {
    const N = 2000
    const store = await openCounterStore(join(dir, `restart-${receive}.db`))
    const col = new MqttCollector({ config: MqttConnectionConfig.parse(counterConfig(broker.url, `plantdeck-restart-${receive}`)), logger: silentLogger, receive })
    const states: CollectorState[] = []
    col.onState((s) => states.push(s))
    col.onSamples((b) => store.append(b))
    await col.start()
    await until(() => states.at(-1)?.health === 'connected')
    const pub = await publisher(broker.url)
    let restart: Promise<void> | undefined
    await publishCounter(pub, base, 0, N, (i) => {
      if (i === N / 2) restart = broker.restart() // the publisher's next awaits ride through the outage
    })
    await restart
    await until(async () => (await store.count(COUNTER.signal, base, base + N - 1)) === N, 30_000, 'all messages stored')
    expect(states.some((s) => s.health !== 'connected')).toBe(true)
    await pub.endAsync()
    await col.stop()
    expect(await store.count(COUNTER.signal, base, base + N - 1)).toBe(N)
    expect((await store.queryRaw(COUNTER.signal, base, base + N - 1)).v).toEqual(Array.from({ length: N }, (_, i) => i))
    expect(col.rejected).toBe(0)
    await store.close()
  })
})

for (const receive of ['tap', 'mqtt.js'] as const) describe(`back-pressure, PUBLISH read by ${receive}`, () => {
  it('a store far behind stops the reading (TCP back-pressure): memory stays bounded, every QoS 0 message still arrives, in order', async () => {
    const N = 4000
    const maxPending = 100
    const config = MqttConnectionConfig.parse({ ...counterConfig(broker.url, `plantdeck-slow-${receive}`), session: 'clean', subscriptions: [{ filter: 'line/#', qos: 0 }] })
    const col = new MqttCollector({ config, logger: silentLogger, receive, batch: { maxBatch: 50, maxInflight: 1, maxPending } })
    const got: number[] = []
    let biggest = 0
    col.onSamples(async (b) => {
      got.push(...b.filter((s) => s.quality === 'good').map((s) => s.value as number))
      biggest = Math.max(biggest, b.length)
      await new Promise((r) => setTimeout(r, 5)) // a slow store: 5 ms per append of at most 50 samples
    })
    await col.start()
    await until(() => col['state'].health === 'connected')
    const pub = await publisher(broker.url)
    for (let i = 0; i < N; i++) pub.publish(COUNTER.topic, JSON.stringify({ ts: base + 20_000 + i, v: i }), { qos: 0 })
    await until(() => got.length >= N, 60_000, `all ${N} messages`)
    await pub.endAsync()
    await col.stop()
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i))
    // the store fell behind (samples gathered beyond one batch while an append was under way), and reading
    // stopped at the bound: at most one message's samples beyond it were gathered
    expect(biggest).toBeGreaterThan(50)
    expect(biggest).toBeLessThanOrEqual(maxPending + 1)
  })
})

describe('no loss at QoS 1 across a crash', () => {
  it('kill -9 of the collecting process mid-stream, restart: messages published == samples stored', async () => {
    const N = 3000
    const db = join(dir, 'crash.db')
    const first = spawnCollectChild(broker.url, 'plantdeck-crash', db)
    await until(() => first.connected, 20_000, 'first collector connected')
    const pub = await publisher(broker.url)
    const publishing = publishCounter(pub, base + 10_000, 0, N)
    await until(() => first.durable >= N / 4, 30_000, 'first collector stored a quarter')
    first.child.kill('SIGKILL')
    await first.exited
    const killedAt = first.durable
    await publishing
    const second = spawnCollectChild(broker.url, 'plantdeck-crash', db)
    await until(() => second.durable === N - 1, 30_000, 'second collector stored the last message')
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
    await pub.endAsync()
    expect(killedAt).toBeLessThan(N - 1) // the kill really happened mid-stream
    const store = await openCounterStore(db)
    expect(await store.count(COUNTER.signal, base + 10_000, base + 10_000 + N - 1)).toBe(N)
    expect((await store.queryRaw(COUNTER.signal, base + 10_000, base + 10_000 + N - 1)).v).toEqual(Array.from({ length: N }, (_, i) => i))
    await store.close()
  })
})
