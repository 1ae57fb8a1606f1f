import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { record, until } from '../helpers/mqtt-harness'
import { startDanted, type Danted } from '../helpers/proxies'

// The MQTT collector through a REAL SOCKS5 proxy (Debian's dante-server) to a real mosquitto: mqtt.js's own SOCKS
// support, set per connection with `proxy`.

let broker: Mosquitto
let blocked: Mosquitto
let danted: Danted
beforeAll(async () => {
  broker = await startMosquitto()
  blocked = await startMosquitto()
  danted = await startDanted([blocked.port])
})
afterAll(async () => {
  await danted?.stop()
  await Promise.all([broker?.stop(), blocked?.stop()])
})

const config = (url: string, proxy?: string) =>
  MqttConnectionConfig.parse({
    id: 'px',
    kind: 'mqtt',
    name: 'Through a proxy',
    url,
    reconnect: { minMs: 100, maxMs: 500 },
    subscriptions: [{ filter: 'px/#', qos: 1 }],
    signals: [{ id: 'px/t', name: 'Temp', topic: 'px/t1' }],
    ...(proxy ? { proxy } : {}),
  })

describe('MQTT egress through a SOCKS5 proxy (real danted, real mosquitto)', () => {
  it('connects through the proxy (danted logged the tunnel to the broker) and collects', async () => {
    const col = new MqttCollector({ config: config(broker.url, danted.url), logger: silentLogger })
    const { samples, states } = record(col)
    await col.start()
    try {
      await until(() => states.at(-1)?.health === 'connected', 15_000, 'connected through danted')
      expect(danted.log()).toContain(`127.0.0.1.${broker.port}`)
      const pub = await mqtt.connectAsync(broker.url)
      await pub.publishAsync('px/t1', '21.5', { qos: 1 })
      await pub.endAsync()
      await until(() => samples.some((s) => s.signal === 'px/t' && s.value === 21.5), 10_000, 'sample through the tunnel')
    } finally {
      await col.stop()
    }
  })

  it('a tunnel the proxy refuses leaves the connection in error with a reason, and it never reaches the broker', async () => {
    const col = new MqttCollector({ config: config(blocked.url, danted.url), logger: silentLogger })
    const { states } = record(col)
    await col.start()
    try {
      await until(() => states.some((s) => s.health === 'error' || s.health === 'degraded'), 15_000, 'refused tunnel reported')
      expect(states.some((s) => s.health === 'connected')).toBe(false)
      const last = states.filter((s) => s.health === 'error' || s.health === 'degraded').at(-1)!
      expect(last.reason ?? '').toMatch(/socks|proxy|refused|closed/i)
      expect(last.code).toBeDefined()
    } finally {
      await col.stop()
    }
  })

  it('the config refuses a proxy for ws:// and an HTTP CONNECT proxy, naming the field', () => {
    const ws = MqttConnectionConfig.safeParse({ ...config(broker.url), url: 'ws://127.0.0.1:9001/mqtt', proxy: danted.url })
    expect(ws.success).toBe(false)
    expect(ws.error?.issues[0]?.path).toEqual(['proxy'])
    const http = MqttConnectionConfig.safeParse({ ...config(broker.url), proxy: 'http://127.0.0.1:3128' })
    expect(http.success).toBe(false)
    expect(http.error?.issues[0]?.message).toMatch(/SOCKS5/)
  })
})
