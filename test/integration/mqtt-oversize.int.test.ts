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
