import net from 'node:net'
import mqttPacket, { type Packet } from 'mqtt-packet'

/**
 * A minimal MQTT broker side, built with mqtt-packet (mqtt.js's own codec): it accepts any CONNECT at the version the
 * client asked for, grants every subscription, publishes what a test tells it to and counts what comes back. Used where
 * a test must see frames mosquitto never shows (our PUBACKs, one by one).
 */
export interface MqttPeer {
  url: string
  /** PUBACK frames received, by packet id, in arrival order. */
  pubacks: number[]
  /** Topics of the PUBLISH frames the client sent (a barrier: whatever it sent before has arrived). */
  published: string[]
  /** Connections whose SUBSCRIBE was granted (a test publishes once this grows). */
  subscribed: number
  publish(p: { topic: string; payload: Buffer | string; qos: 0 | 1; messageId?: number }): void
  close(): Promise<void>
}

export async function startMqttPeer(): Promise<MqttPeer> {
  let current: { socket: net.Socket; version: number } | undefined
  const peer: MqttPeer = {
    url: '',
    pubacks: [],
    published: [],
    subscribed: 0,
    publish(p) {
      if (!current) throw new Error('no client connected to the peer')
      const packet = { cmd: 'publish', retain: false, dup: false, ...p, payload: Buffer.from(p.payload) } as Packet
      current.socket.write(mqttPacket.generate(packet, { protocolVersion: current.version }))
    },
    close: async () => {
      current?.socket.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
  const server = net.createServer((socket) => {
    // mqtt-packet's parser takes the version of the CONNECT it parsed for the rest of the connection
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    const conn = { socket, version: 4 }
    const onPacket = (p: Packet) => {
      const reply = (r: object) => socket.write(mqttPacket.generate(r as Packet, { protocolVersion: conn.version }))
      if (p.cmd === 'connect') {
        conn.version = p.protocolVersion ?? 4
        current = conn
        reply(conn.version === 5 ? { cmd: 'connack', reasonCode: 0, sessionPresent: false } : { cmd: 'connack', returnCode: 0, sessionPresent: false })
      } else if (p.cmd === 'subscribe') {
        reply({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) })
        peer.subscribed++
      } else if (p.cmd === 'puback') peer.pubacks.push(p.messageId!)
      else if (p.cmd === 'publish') peer.published.push(p.topic)
      else if (p.cmd === 'pingreq') reply({ cmd: 'pingresp' })
    }
    parser.on('packet', onPacket)
    socket.on('data', (b) => parser.parse(b))
    socket.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  peer.url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`
  return peer
}
