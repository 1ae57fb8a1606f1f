import { Duplex } from 'node:stream'
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MqttCollector } from '../../src/adapters/mqtt/mqtt-collector'
import { MqttConnectionConfig } from '../../src/core/mqtt/mqtt-config'
import { silentLogger } from '../../src/core/ports/logger'
import { record, until } from '../helpers/mqtt-harness'
import { startMqttPeer, type MqttPeer } from '../helpers/mqtt-peer'

// The collector relies on three things mqtt.js does not promise (mqtt is pinned exactly for that reason):
// - `streamBuilder`, a member holding the function that makes the connection's Duplex (the tap wraps it);
// - `_sendPacket`, the packet writer our late PUBACKs go through;
// - no PUBACK from mqtt.js when the callback of `handleMessage` gets an Error, while it still reads the next packet.
// These tests fail when an mqtt.js upgrade changes any of them. The peer counts the PUBACK frames that arrive.

type Internals = { streamBuilder: (c: MqttClient) => Duplex; _sendPacket: (p: object, cb?: () => void) => void }

let peer: MqttPeer
beforeEach(async () => {
  peer = await startMqttPeer()
})
afterEach(async () => peer?.close())

describe('the mqtt.js internals the collector uses', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 4 ? '3.1.1' : 5}: streamBuilder makes a Duplex; an Error to handleMessage's callback sends no PUBACK and the next packet is read; _sendPacket sends one`, async () => {
      const client = mqtt.connect(peer.url, { protocolVersion, manualConnect: true, reconnectPeriod: 0 })
      const internals = client as unknown as Internals
      expect(typeof internals.streamBuilder).toBe('function')
      expect(typeof internals._sendPacket).toBe('function')
      const built: unknown[] = []
      const build = internals.streamBuilder
      internals.streamBuilder = (c) => {
        const s = build(c)
        built.push(s)
        return s
      }
      const handled: number[] = []
      client.handleMessage = (packet: IPublishPacket, done: (err?: Error) => void) => {
        handled.push(packet.messageId!)
        // 1 and 3: we acknowledge later ourselves; 2 and 4: mqtt.js acknowledges (the peer sees mqtt.js's PUBACKs)
        done(packet.messageId! % 2 === 0 ? undefined : new Error('deferred'))
      }
      const errors: Error[] = []
      client.on('error', (e) => errors.push(e))
      client.connect()
      await client.subscribeAsync('t/#', { qos: 1 })
      expect(built).toHaveLength(1)
      expect(built[0]).toBeInstanceOf(Duplex)
      expect(built[0]).toBe(client.stream)

      peer.publish({ topic: 't/a', payload: 'one', qos: 1, messageId: 1 })
      peer.publish({ topic: 't/a', payload: 'two', qos: 1, messageId: 2 })
      peer.publish({ topic: 't/a', payload: 'three', qos: 1, messageId: 3 })
      peer.publish({ topic: 't/a', payload: 'four', qos: 1, messageId: 4 })
      // PUBACKs leave in the order mqtt.js handles the messages: once 4's is in, one for 1 or 3 would be too
      await until(() => peer.pubacks.includes(4), 10_000, "mqtt.js's PUBACK of message 4")
      expect(handled).toEqual([1, 2, 3, 4])
      expect(peer.pubacks).toEqual([2, 4])

      internals._sendPacket({ cmd: 'puback', messageId: 3 })
      internals._sendPacket({ cmd: 'puback', messageId: 1 })
      await until(() => peer.pubacks.length === 4, 10_000, 'our PUBACKs')
      expect(peer.pubacks).toEqual([2, 4, 3, 1])
      expect(errors).toEqual([])
      await client.endAsync(true)
    })
  }
})

// The same, through the collector on both receive paths: a QoS 1 message is acknowledged only once its samples are durable.
for (const receive of ['tap', 'mqtt.js'] as const) {
  describe(`collector PUBLISH read by ${receive}: the PUBACK waits for the store`, () => {
    it('no PUBACK while the store has not resolved, exactly one after', async () => {
      const col = new MqttCollector({
        config: MqttConnectionConfig.parse({ id: 'ack', kind: 'mqtt', name: 'Ack', url: peer.url, protocol: '3.1.1', subscriptions: [{ filter: 't/#', qos: 1 }], signals: [{ id: 'ack/v', name: 'v', topic: 't/v' }] }),
        logger: silentLogger,
        receive,
      })
      let commit: () => void = () => undefined
      const durable = new Promise<void>((r) => (commit = r))
      col.onSamples(() => durable)
      const { samples, states } = record(col)
      await col.start()
      await until(() => states.at(-1)?.health === 'connected', 10_000, 'connected')
      peer.publish({ topic: 't/v', payload: '41', qos: 1, messageId: 7 })
      peer.publish({ topic: 't/v', payload: '42', qos: 1, messageId: 8 })
      await until(() => samples.some((s) => s.value === 42), 10_000, 'both samples')
      // a barrier: a PUBLISH of ours reaching the peer comes after any PUBACK sent before it
      await col.engineering.publish({ topic: 'barrier', payload: 'x', qos: 0, retain: false })
      await until(() => peer.published.includes('barrier'), 10_000, 'barrier')
      expect(peer.pubacks).toEqual([])
      commit()
      await until(() => peer.pubacks.length === 2, 10_000, 'PUBACKs after the commit')
      expect(peer.pubacks).toEqual([7, 8])
      await col.stop()
      expect(peer.pubacks).toEqual([7, 8])
    })
  })
}
