import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttConnectionConfig } from '../../src/core/config/schema'
import { silentLogger } from '../../src/core/ports/logger'
import { record } from '../helpers/mqtt-harness'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'

let broker: Mosquitto
beforeAll(async () => {
  broker = await startMosquitto()
})
afterAll(async () => broker?.stop())

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

for (const receive of ['tap', 'mqtt.js'] as const) describe(`MQTT collector against a real mosquitto, PUBLISH read by ${receive}`, () => {
  it('maps JSON fields and plain payloads to samples, counts bad input, and reconnects after a broker restart', async () => {
    const config = MqttConnectionConfig.parse({
      id: 'm1',
      kind: 'mqtt',
      name: 'Meters',
      url: broker.url,
      subscriptions: [{ filter: 'site/#', qos: 1 }],
      signals: [
        { id: 'm1/p', name: 'Power', topic: 'site/em1', path: 'power.total', unit: 'kW' },
        { id: 'm1/v', name: 'Volt', topic: 'site/em1', path: 'voltage[0]', unit: 'V' },
        { id: 'm1/t', name: 'Temp', topic: 'site/t1' },
      ],
    })
    const col = new MqttCollector({ config, logger: silentLogger, receive })
    const { samples, states } = record(col)
    await col.start()
    await until(() => states.at(-1)?.health === 'connected')

    const pub = await mqtt.connectAsync(broker.url)
    await pub.publishAsync('site/em1', JSON.stringify({ power: { total: 12.5 }, voltage: [230.1, 229.8] }), { qos: 1 })
    await pub.publishAsync('site/t1', '21.5', { qos: 1 })
    await pub.publishAsync('site/em1', '{"power": ', { qos: 1 }) // malformed
    await pub.publishAsync('site/em1', JSON.stringify({ power: { total: 'lots' }, voltage: [231] }), { qos: 1 }) // one bad field
    await until(() => samples.length >= 4)
    await until(() => col.rejected >= 2)
    expect(samples.filter((s) => s.quality === 'good').map((s) => [s.signal, s.value])).toEqual([
      ['m1/p', 12.5],
      ['m1/v', 230.1],
      ['m1/t', 21.5],
      ['m1/v', 231],
    ])
    expect(col.rejected).toBe(2)
    expect(col.engineering.rejections().last.map((r) => r.reason)).toEqual(['not_json', 'wrong_type'])
    await pub.endAsync()

    await broker.restart()
    // connection loss marks every signal bad, then the collector comes back by itself
    await until(() => samples.some((s) => s.quality === 'bad' && s.status === 'broker connection lost'))
    await until(() => states.at(-1)?.health === 'connected', 15_000)
    const pub2 = await mqtt.connectAsync(broker.url)
    await pub2.publishAsync('site/t1', '22', { qos: 1 })
    await until(() => samples.at(-1)?.value === 22)
    await pub2.endAsync()
    await col.stop()
    expect(states.at(-1)?.health).toBe('stopped')
  })
})
