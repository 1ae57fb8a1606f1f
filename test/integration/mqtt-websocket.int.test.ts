import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until, record } from '../helpers/mqtt-harness'

let broker: Mosquitto
let wsPort: number
beforeAll(async () => {
  wsPort = await freePort()
  broker = await startMosquitto(`listener ${wsPort} 127.0.0.1\nprotocol websockets\n`)
})
afterAll(async () => broker?.stop())

for (const receive of ['tap', 'mqtt.js'] as const) describe(`MQTT over WebSocket, PUBLISH read by ${receive}`, () => {
  it('collects over ws:// with MQTT 5 (credentials configured; this broker does not check them)', async () => {
    const col = new MqttCollector({
      config: MqttConnectionConfig.parse({
        id: 'ws',
        kind: 'mqtt',
        name: 'WS',
        url: `ws://127.0.0.1:${wsPort}`,
        protocol: '5',
        username: 'plantdeck',
        password: 'secret',
        keepaliveSec: 10,
        subscriptions: [{ filter: 'w/#', qos: 1 }],
        signals: [{ id: 'ws/v', name: 'v', topic: 'w/v', path: 'v' }],
      }),
      logger: silentLogger,
      receive,
    })
    const { samples, states } = record(col)
    await col.start()
    await until(() => states.at(-1)?.health === 'connected')
    const pub = await mqtt.connectAsync(broker.url)
    await pub.publishAsync('w/v', '{"v": 5}', { qos: 1 })
    await until(() => samples.some((s) => s.value === 5))
    expect(samples[0]).toMatchObject({ signal: 'ws/v', quality: 'good' })
    await pub.endAsync()
    await col.stop()
  })
})
