import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { record, until } from '../helpers/mqtt-harness'

// A 5 MB message over a 1 MiB limit, on both receive paths and both protocol versions: counted `too_large` with its
// size, cut as it streams in (mqtt.js never parses a PUBLISH bigger than the cut head), and the next message intact.
let broker: Mosquitto
let pub: MqttClient
beforeAll(async () => {
  broker = await startMosquitto()
  pub = await mqtt.connectAsync(broker.url)
})
afterAll(async () => {
  await pub?.endAsync()
  await broker?.stop()
})

const BIG = 5 * 1024 * 1024

for (const receive of ['tap', 'mqtt.js'] as const) {
  for (const protocol of ['3.1.1', '5'] as const) {
    describe(`an oversize message, PUBLISH read by ${receive}, MQTT ${protocol}`, () => {
      it('is counted too_large with its size, never buffered whole, and the next message arrives intact', async () => {
        const id = `big-${receive === 'tap' ? 'tap' : 'mqttjs'}-${protocol === '5' ? 5 : 3}`
        const col = new MqttCollector({
          config: MqttConnectionConfig.parse({ id, kind: 'mqtt', name: 'Big', url: broker.url, protocol, subscriptions: [{ filter: `${id}/#`, qos: 1 }], signals: [{ id: `${id}/v`, name: 'v', topic: `${id}/v` }] }),
          logger: silentLogger,
          receive,
        })
        const { samples, states } = record(col)
        await col.start()
        await until(() => states.at(-1)?.health === 'connected', 10_000, 'connected')
        // the largest PUBLISH payload mqtt.js's parser assembled (it buffers a frame whole before it hands it on)
        const client = (col as unknown as { client: MqttClient }).client
        const handle = client.handleMessage.bind(client)
        let largestParsed = 0
        client.handleMessage = (packet: IPublishPacket, done) => {
          largestParsed = Math.max(largestParsed, packet.payload.length)
          handle(packet, done)
        }
        await pub.publishAsync(`${id}/v`, Buffer.alloc(BIG, 0x31), { qos: 1 })
        await pub.publishAsync(`${id}/v`, '7', { qos: 1 })
        await until(() => samples.some((s) => s.value === 7), 15_000, 'the next message')
        const r = col.engineering.rejections()
        expect(r.byReason).toEqual({ too_large: 1 })
        expect(r.last[0]).toMatchObject({ topic: `${id}/v`, reason: 'too_large', bytes: BIG, preview: expect.stringMatching(/^1{100}/) })
        expect(samples.filter((s) => s.quality === 'good').map((s) => s.value)).toEqual([7])
        expect(largestParsed).toBeLessThanOrEqual(64 * 1024)
        await col.stop()
      })
    })
  }
}

// Why the collector does not announce MQTT 5's Maximum Packet Size: mosquitto then drops a bigger message for that
// client without a trace (QoS 0 and 1 alike, no notice, nothing redelivered later), so it could never be counted.
describe('mosquitto and a client announcing Maximum Packet Size', () => {
  it('drops a bigger message for that client silently, and does not redeliver it to the session', async () => {
    const opts = { protocolVersion: 5 as const, clientId: 'max-packet', clean: false, properties: { sessionExpiryInterval: 300, maximumPacketSize: 1024 * 1024 + 1024 } }
    const got: [string, number][] = []
    const sub = await mqtt.connectAsync(broker.url, opts)
    sub.on('message', (t, p) => got.push([t, p.length]))
    await sub.subscribeAsync('mps/#', { qos: 1 })
    await pub.publishAsync('mps/big1', Buffer.alloc(BIG), { qos: 1 })
    await pub.publishAsync('mps/big0', Buffer.alloc(BIG), { qos: 0 })
    await pub.publishAsync('mps/small', '7', { qos: 1 })
    await until(() => got.length === 1, 10_000, 'the small message')
    await sub.endAsync()
    // the same session again, now taking any size: nothing was kept for it
    const again = await mqtt.connectAsync(broker.url, { ...opts, properties: { sessionExpiryInterval: 300 } })
    again.on('message', (t, p) => got.push([t, p.length]))
    await again.publishAsync('mps/after', 'x', { qos: 1 })
    await until(() => got.length >= 2, 10_000, 'a message after the reconnect')
    await again.endAsync()
    expect(got).toEqual([
      ['mps/small', 1],
      ['mps/after', 1],
    ])
  })
})
