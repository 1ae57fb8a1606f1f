import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { until, record } from '../helpers/mqtt-harness'
import { makeTestPki, tlsListenerConf, type TestPki } from '../helpers/mqtt-tls'

let broker: Mosquitto
let pki: TestPki
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-tls-'))
  pki = makeTestPki(dir)
  broker = await startMosquitto(tlsListenerConf(pki), { scheme: 'mqtts' })
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function run(receive: 'tap' | 'mqtt.js', tls: Record<string, unknown>) {
  const col = new MqttCollector({
    config: MqttConnectionConfig.parse({ id: 'tls', kind: 'mqtt', name: 'TLS', url: broker.url, tls, subscriptions: [{ filter: 's/#', qos: 1 }], signals: [{ id: 'tls/v', name: 'v', topic: 's/v' }] }),
    logger: silentLogger,
    receive,
  })
  const { samples, states } = record(col)
  await col.start()
  await until(() => states.some((s) => s.health === 'connected' || s.health === 'error'))
  return { col, states, samples }
}

// both receive paths: each wraps the TLS socket mqtt.js built (the tap, or the oversize guard on the mqtt.js path)
for (const receive of ['tap', 'mqtt.js'] as const) describe(`MQTT over TLS with a test CA (mosquitto requires client certificates), PUBLISH read by ${receive}`, () => {
  it('connects with CA, client certificate and key, checking the server name given, and collects', async () => {
    const { col, states, samples } = await run(receive, { caFile: pki.ca, certFile: pki.clientCert, keyFile: pki.clientKey, serverName: 'localhost' })
    expect(states.at(-1)?.health).toBe('connected')
    const pub = await mqtt.connectAsync(broker.url, { ca: readFileSync(pki.ca), cert: readFileSync(pki.clientCert), key: readFileSync(pki.clientKey), servername: 'localhost' })
    await pub.publishAsync('s/v', '42', { qos: 1 })
    await until(() => samples.some((s) => s.value === 42))
    await pub.endAsync()
    await col.stop()
  })

  it.each([
    ['the server name does not match the certificate (127.0.0.1 is not in it)', () => ({ caFile: pki.ca, certFile: pki.clientCert, keyFile: pki.clientKey }), /altnames|does not match/i],
    ['the server certificate is not signed by the trusted CA', () => ({ caFile: pki.otherCa, certFile: pki.clientCert, keyFile: pki.clientKey, serverName: 'localhost' }), /certificate/i],
  ])('refuses when %s: health error with the reason', async (_n, tls, reason) => {
    const { col, states } = await run(receive, tls())
    expect(states.at(-1)).toMatchObject({ health: 'error', reason: expect.stringMatching(reason), code: 'mqtt.untrusted_certificate' })
    expect(states.some((s) => s.health === 'connected')).toBe(false)
    await col.stop()
  })

  it('without a client certificate the broker refuses the handshake', async () => {
    const { col, states } = await run(receive, { caFile: pki.ca, serverName: 'localhost' })
    await until(() => states.some((s) => s.health === 'error' || s.reason?.includes('connection lost') === true))
    expect(states.some((s) => s.health === 'connected')).toBe(false)
    await col.stop()
  })
})
