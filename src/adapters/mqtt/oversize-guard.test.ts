import { PassThrough } from 'node:stream'
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { random } from '../../core/testing/contract-data'
import { OversizeGuard } from './oversize-guard'

const MAX = 100_000
const KEEP = 1000

function randomPacket(r: () => number, v5: boolean): Packet {
  const k = r()
  if (k < 0.75) {
    const qos = r() < 0.05 ? 2 : r() < 0.5 ? 1 : 0
    // some payloads over the limit, some just under it, most small
    const size = r() < 0.05 ? MAX - 500 + Math.floor(r() * 300_000) : Math.floor(r() * 200)
    const payload = Buffer.alloc(size, Math.floor(r() * 256))
    const p = { cmd: 'publish', topic: r() < 0.1 ? 'x/'.repeat(300) : `t/${Math.floor(r() * 5)}`, payload, qos, retain: r() < 0.2, dup: qos > 0 && r() < 0.1, messageId: qos > 0 ? 1 + Math.floor(r() * 65_535) : undefined } as Packet
    if (v5 && r() < 0.2) (p as IPublishPacket).properties = { responseTopic: 'reply', correlationData: Buffer.from([1, 2, 3]) }
    return p
  }
  if (k < 0.85) return { cmd: 'puback', messageId: 1 + Math.floor(r() * 65_535) } as Packet
  if (k < 0.95) return { cmd: 'pingresp' } as Packet
  return { cmd: 'suback', messageId: 7, granted: [0, 1] } as Packet
}

/** What mqtt.js should see of a packet: an oversize QoS 0/1 PUBLISH cut to its first KEEP bytes, without properties. */
function expected(p: Packet): unknown {
  if (p.cmd !== 'publish') return { cmd: p.cmd }
  const big = p.qos < 2 && p.payload.length > MAX
  const payload = Buffer.from(p.payload).subarray(0, big ? KEEP : undefined)
  return { topic: p.topic, payload: payload.toString('hex'), size: p.payload.length, qos: p.qos, retain: p.retain, dup: p.dup, messageId: p.qos > 0 ? p.messageId : undefined, props: big ? undefined : JSON.stringify(p.properties ?? {}) }
}

describe('OversizeGuard (the mqtt.js path)', () => {
  for (const protocolVersion of [4, 5]) {
    it(`hands mqtt.js the same packets in the same order, oversize ones cut and told apart by taken(), over random streams cut into random chunks (MQTT ${protocolVersion === 5 ? 5 : '3.1.1'})`, async () => {
      let cut = 0
      for (let seed = 1; seed <= 40; seed++) {
        const r = random(seed * 104_729 + protocolVersion)
        const packets = Array.from({ length: 30 + Math.floor(r() * 150) }, () => randomPacket(r, protocolVersion === 5))
        const bytes = Buffer.concat(packets.map((p) => mqttPacket.generate(p, { protocolVersion })))
        const inner = new PassThrough()
        const guard = new OversizeGuard(inner, { protocolVersion, maxPayloadBytes: MAX, keepBytes: KEEP, headBytes: 20_000 })
        const seen: unknown[] = []
        const parser = mqttPacket.parser({ protocolVersion })
        parser.on('packet', (p: Packet) => {
          if (p.cmd !== 'publish') return void seen.push({ cmd: p.cmd })
          // as the collector does for each QoS 0/1 PUBLISH mqtt.js hands over
          const size = p.qos < 2 ? guard.taken() : undefined
          if (size !== undefined) cut++
          seen.push({ topic: p.topic, payload: Buffer.from(p.payload).toString('hex'), size: size ?? p.payload.length, qos: p.qos, retain: p.retain, dup: p.dup, messageId: p.qos > 0 ? p.messageId : undefined, props: size === undefined ? JSON.stringify(p.properties ?? {}) : undefined })
        })
        guard.on('data', (b: Buffer) => parser.parse(b))
        for (let p = 0; p < bytes.length; ) {
          const n = r() < 0.01 ? bytes.length : 1 + Math.floor(r() * (r() < 0.5 ? 300 : 20_000))
          inner.write(bytes.subarray(p, p + n))
          p += n
        }
        inner.end()
        await new Promise<void>((resolve) => guard.once('end', () => resolve()))
        // every oversize payload reached mqtt.js's parser cut to KEEP bytes, everything else whole and in order
        expect(seen, `seed ${seed}`).toEqual(packets.map(expected))
      }
      expect(cut).toBeGreaterThan(20)
    })
  }

  it('drops the rest of a 50 MB PUBLISH as it streams in, buffering at most its head', async () => {
    const huge = mqttPacket.generate({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(50 * 1024 * 1024, 0x41), qos: 1, messageId: 5, retain: false, dup: false } as Packet)
    const next = mqttPacket.generate({ cmd: 'publish', topic: 'small', payload: Buffer.from('ok'), qos: 0, retain: false, dup: false } as Packet)
    const inner = new PassThrough()
    const guard = new OversizeGuard(inner, { protocolVersion: 4, maxPayloadBytes: 1024 * 1024 })
    const got: [string, number, number | undefined][] = []
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    parser.on('packet', (p: Packet) => void (p.cmd === 'publish' && got.push([p.topic, p.payload.length, guard.taken()])))
    let mostHanded = 0
    guard.on('data', (b: Buffer) => {
      mostHanded = Math.max(mostHanded, b.length)
      parser.parse(b)
    })
    const bytes = Buffer.concat([huge, next])
    let mostBuffered = 0
    for (let p = 0; p < bytes.length; p += 65_536) {
      inner.write(bytes.subarray(p, p + 65_536))
      await new Promise((r) => setImmediate(r))
      mostBuffered = Math.max(mostBuffered, guard['partsLen'])
    }
    expect(got).toEqual([
      ['big', 64 * 1024, 50 * 1024 * 1024],
      ['small', 2, undefined],
    ])
    expect(mostBuffered).toBeLessThanOrEqual(512 * 1024)
    expect(mostHanded).toBeLessThanOrEqual(128 * 1024)
  })
})
