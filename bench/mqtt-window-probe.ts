// How many QoS 1 messages a stock mosquitto (max_inflight_messages 20, max_queued_messages 1000) sends a subscriber
// that acknowledges none: its window for that client. A raw MQTT client (mqtt-packet over TCP) subscribes at QoS 1
// and never sends a PUBACK; a publisher sends 5,000 messages; we count what arrives. At 3.1.1, then at 5 with and
// without a Receive Maximum. `tsx bench/mqtt-window-probe.ts`
import { connect } from 'node:net'
import mqtt from 'mqtt'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { startMosquitto } from '../test/helpers/mosquitto'

const broker = await startMosquitto('', { stock: true })

async function probe(protocolVersion: 4 | 5, receiveMaximum?: number): Promise<number> {
  const sock = connect(broker.port, '127.0.0.1')
  const parser = mqttPacket.parser({ protocolVersion })
  let got = 0
  const ready = new Promise<void>((resolve) => {
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connack') sock.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'probe/#', qos: 1 }] } as Packet, { protocolVersion }))
      if (p.cmd === 'suback') resolve()
      if (p.cmd === 'publish') got++
    })
  })
  sock.on('data', (b) => parser.parse(b))
  const properties = receiveMaximum === undefined ? {} : { properties: { receiveMaximum } }
  sock.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion, clean: true, clientId: `probe-${protocolVersion}-${receiveMaximum}`, keepalive: 60, ...properties } as Packet, { protocolVersion }))
  await ready
  const pub = await mqtt.connectAsync(broker.url, { clientId: 'probe-pub' })
  const acks: Promise<unknown>[] = []
  for (let i = 0; i < 5000; i++) acks.push(pub.publishAsync(`probe/${i % 100}`, String(i), { qos: 1 }))
  await Promise.all(acks)
  await pub.endAsync()
  for (let last = -1; last !== got; ) {
    last = got
    await new Promise((r) => setTimeout(r, 500))
  }
  sock.destroy()
  return got
}

const rows = {
  'MQTT 3.1.1': await probe(4),
  'MQTT 5, no Receive Maximum': await probe(5),
  'MQTT 5, Receive Maximum 100': await probe(5, 100),
  'MQTT 5, Receive Maximum 65535': await probe(5, 65_535),
}
for (const [k, v] of Object.entries(rows)) console.log(`${k}: ${v} of 5000 received unacknowledged`)
console.log(JSON.stringify({ bench: 'mqtt-window-probe', ...rows }))
await broker.stop()
