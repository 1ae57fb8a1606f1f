import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/config/schema'
import { silentLogger } from '../../src/core/ports/logger'
import { freePort, startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { record, until } from '../helpers/mqtt-harness'

// A broker that checks passwords (mosquitto_passwd ships with mosquitto): connection states carry a stable code,
// so the UI and scripts can tell "wrong credentials" from "broker not there" without reading the message.
let broker: Mosquitto
let dir: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plantdeck-mqtt-auth-'))
  const passwd = join(dir, 'passwd')
  execFileSync('mosquitto_passwd', ['-c', '-b', passwd, 'operator', 'right-secret'])
  broker = await startMosquitto(`allow_anonymous false\npassword_file ${passwd}\n`)
})
afterAll(async () => {
  await broker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const collector = (url: string, extra: object) =>
  new MqttCollector({
    config: MqttConnectionConfig.parse({ id: 'auth', kind: 'mqtt', name: 'Auth', url, subscriptions: [{ filter: 'a/#', qos: 1 }], signals: [{ id: 'auth/v', name: 'v', topic: 'a/v' }], ...extra }),
    logger: silentLogger,
  })

describe('MQTT connection states carry a stable code', () => {
  for (const protocol of ['3.1.1', '5'] as const) {
    it(`wrong password (MQTT ${protocol}): error with code mqtt.access_denied; nothing is collected`, async () => {
      const col = collector(broker.url, { protocol, username: 'operator', password: 'wrong' })
      const { states, samples } = record(col)
      await col.start()
      await until(() => states.some((s) => s.health === 'error'), 10_000, 'error state')
      expect(states.find((s) => s.health === 'error')).toMatchObject({ code: 'mqtt.access_denied', reason: expect.stringMatching(/not authori[sz]ed|bad user ?name or password/i) })
      expect(states.some((s) => s.health === 'connected')).toBe(false)
      expect(samples).toEqual([])
      await col.stop()
    })
  }

  it('the right password connects and collects', async () => {
    const col = collector(broker.url, { username: 'operator', password: 'right-secret' })
    const { states, samples } = record(col)
    await col.start()
    await until(() => states.at(-1)?.health === 'connected', 10_000, 'connected')
    const pub = await mqtt.connectAsync(broker.url, { username: 'operator', password: 'right-secret' })
    await pub.publishAsync('a/v', '7', { qos: 1 })
    await until(() => samples.some((s) => s.value === 7), 10_000, 'sample')
    await pub.endAsync()
    await col.stop()
  })

  it('no broker on the port: code mqtt.unreachable, and it keeps trying', async () => {
    const port = await freePort()
    const col = collector(`mqtt://127.0.0.1:${port}`, { reconnect: { minMs: 100, maxMs: 200 } })
    const { states } = record(col)
    await col.start()
    await until(() => states.filter((s) => s.code === 'mqtt.unreachable').length >= 2, 10_000, 'unreachable, twice')
    expect(states.some((s) => s.health === 'connected')).toBe(false)
    expect(states.every((s) => s.health !== 'error' || s.code === 'mqtt.unreachable')).toBe(true)
    await col.stop()
  })
})

// mosquitto never sends a malformed packet, so this peer speaks just enough MQTT (mqtt-packet encodes every frame)
// to send one: on the first connection a PUBLISH whose topic length runs past the frame, between two good ones.
describe('a malformed packet from the broker', () => {
  for (const receive of ['tap', 'mqtt.js'] as const) {
    it(`PUBLISH read by ${receive}: code mqtt.protocol_error, what came before is kept, and the reconnect resumes collecting`, async () => {
      let connections = 0
      // a minimal 3.1.1 peer (it answers any CONNECT as 3.1.1): the connection is configured for 3.1.1
      const peer = net.createServer((socket) => {
        const n = ++connections
        const parser = mqttPacket.parser({ protocolVersion: 4 })
        const publish = (v: number) => mqttPacket.generate({ cmd: 'publish', topic: 'a/v', payload: Buffer.from(String(v)), qos: 0, retain: false, dup: false } as Packet)
        parser.on('packet', (p: Packet) => {
          if (p.cmd === 'connect') socket.write(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false } as Packet))
          if (p.cmd !== 'subscribe') return
          socket.write(mqttPacket.generate({ cmd: 'suback', messageId: p.messageId, granted: [0] } as Packet))
          socket.write(publish(n * 10 + 1))
          if (n === 1) socket.write(Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61]))
          socket.write(publish(n * 10 + 2))
        })
        socket.on('data', (b) => parser.parse(b))
        socket.on('error', () => undefined)
      })
      await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()))
      const { port } = peer.address() as net.AddressInfo
      const col = new MqttCollector({
        config: MqttConnectionConfig.parse({ id: 'mal', kind: 'mqtt', name: 'Malformed', url: `mqtt://127.0.0.1:${port}`, protocol: '3.1.1', reconnect: { minMs: 100, maxMs: 200 }, subscriptions: [{ filter: 'a/#', qos: 0 }], signals: [{ id: 'mal/v', name: 'v', topic: 'a/v' }] }),
        logger: silentLogger,
        receive,
      })
      const { states, samples } = record(col)
      await col.start()
      const good = () => samples.filter((s) => s.quality === 'good').map((s) => s.value)
      await until(() => good().includes(22), 10_000, 'values of the second connection')
      await col.stop()
      peer.close()
      expect(states.find((s) => s.code === 'mqtt.protocol_error')).toMatchObject({ health: 'error', reason: expect.stringMatching(/malformed packet/) })
      expect(good()).toEqual([11, 21, 22])
      expect(states.filter((s) => s.health === 'connected').length).toBe(2)
    })
  }
})
