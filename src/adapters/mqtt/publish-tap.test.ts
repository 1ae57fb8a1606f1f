import { PassThrough } from 'node:stream'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { describe, expect, it } from 'vitest'
import { random } from '../../core/testing/contract-data'
import { HALT, PublishTap, type SinkResult, type TappedPublish } from './publish-tap'

const rng = random
type Rand = ReturnType<typeof rng>
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const TOPICS = ['plant/line1/temp', 'plant/line1/temp', 'a', 'spBv1.0/g/DDATA/n/d', 'Zähler/℃/1', 'x/'.repeat(200) + 'end']

function randomPacket(r: Rand, v5: boolean): Packet {
  const k = r()
  if (k < 0.7) {
    const qos = r() < 0.05 ? 2 : r() < 0.5 ? 1 : 0
    const size = r() < 0.03 ? 20_000 + Math.floor(r() * 200_000) : Math.floor(r() * 200)
    const payload = Buffer.alloc(size)
    for (let i = 0; i < Math.min(size, 64); i++) payload[i] = Math.floor(r() * 256)
    const p: Packet = {
      cmd: 'publish',
      topic: r() < 0.8 ? pick(r, TOPICS) : `t/${Math.floor(r() * 1000)}`,
      payload,
      qos,
      retain: r() < 0.2,
      dup: qos > 0 && r() < 0.1,
      messageId: qos > 0 ? 1 + Math.floor(r() * 65_535) : undefined,
    } as Packet
    if (v5 && r() < 0.2) {
      ;(p as { properties?: object }).properties = {
        responseTopic: 'reply/here',
        correlationData: Buffer.from([1, 2, 3, Math.floor(r() * 256)]),
        ...(r() < 0.5 ? { userProperties: { a: 'b' }, contentType: 'application/json' } : {}),
      }
    }
    return p
  }
  if (k < 0.8) return { cmd: 'puback', messageId: 1 + Math.floor(r() * 65_535), ...(v5 ? { reasonCode: 0 } : {}) } as Packet
  if (k < 0.9) return { cmd: 'pingresp' } as Packet
  if (k < 0.95) return { cmd: 'suback', messageId: 7, granted: [0, 1, 128] } as Packet
  return { cmd: 'connack', returnCode: 0, sessionPresent: r() < 0.5, ...(v5 ? { reasonCode: 0 } : {}) } as Packet
}

/** Payloads over this are read only as far as their first KEEP bytes (when not already whole in the first 20,000 bytes read). */
const MAX = 100_000
const KEEP = 1000

/** The comparable content of a packet, however it was read; of an oversize payload its size and first KEEP bytes. */
function norm(p: Packet | TappedPublish): unknown {
  if ('cmd' in p && p.cmd !== 'publish') return { cmd: p.cmd, messageId: 'messageId' in p ? p.messageId : undefined }
  const q = p as TappedPublish
  // a TappedPublish says its size; mqtt-packet's packet has the whole payload
  const size = typeof q.size === 'number' ? q.size : q.payload.length
  const big = size > MAX && q.qos < 2
  const props = !big && q.properties && Object.keys(q.properties).length > 0 ? JSON.stringify(q.properties) : undefined
  const payload = Buffer.from(big ? q.payload.subarray(0, KEEP) : q.payload).toString('hex')
  return { cmd: 'publish', topic: q.topic, size, payload, qos: q.qos, retain: q.retain, dup: q.dup, messageId: q.qos > 0 ? q.messageId : undefined, props }
}

function parseAll(bytes: Buffer, protocolVersion: number): Packet[] {
  const out: Packet[] = []
  const parser = mqttPacket.parser({ protocolVersion })
  parser.on('packet', (p) => out.push(p))
  parser.on('error', (e) => {
    throw e
  })
  parser.parse(bytes)
  return out
}

/** Feeds `bytes` in random chunks through a tap over a PassThrough; returns what the sink and mqtt.js's side saw, in order. */
async function run(bytes: Buffer, r: Rand, protocolVersion: number, sinkResult: (p: TappedPublish) => SinkResult = () => undefined) {
  const inner = new PassThrough()
  const seen: { via: 'tap' | 'mqtt.js'; p: unknown }[] = []
  const tap = new PublishTap(inner, (p) => {
    seen.push({ via: 'tap', p: norm(p) })
    return sinkResult(p)
  }, { protocolVersion, maxPayloadBytes: MAX, keepBytes: KEEP, headBytes: 20_000 })
  const parser = mqttPacket.parser({ protocolVersion })
  parser.on('packet', (p) => seen.push({ via: 'mqtt.js', p: norm(p) }))
  tap.on('data', (b: Buffer) => parser.parse(b))
  for (let p = 0; p < bytes.length; ) {
    // small chunks, larger ones, now and then all the rest at once
    const n = r() < 0.01 ? bytes.length : 1 + Math.floor(r() * (r() < 0.5 ? 300 : 20_000))
    inner.write(bytes.subarray(p, p + n))
    p += n
  }
  inner.end()
  await new Promise<void>((resolve) => tap.once('end', () => resolve()))
  return { seen, tap }
}

describe('PublishTap', () => {
  for (const protocolVersion of [4, 5]) {
    it(`reads the same packets in the same order as mqtt-packet, over random streams cut into random chunks (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, async () => {
      let fast = 0
      let cut = 0
      for (let seed = 1; seed <= 60; seed++) {
        const r = rng(seed * 7919 + protocolVersion)
        const packets = Array.from({ length: 40 + Math.floor(r() * 200) }, () => randomPacket(r, protocolVersion === 5))
        const bytes = Buffer.concat(packets.map((p) => mqttPacket.generate(p, { protocolVersion })))
        const expected = parseAll(bytes, protocolVersion).map(norm)
        // some sinks make the tap wait (a store behind) now and then
        const slow = seed % 3 === 0
        const { seen } = await run(bytes, r, protocolVersion, (p) => {
          if (p.truncated) cut++
          return slow && r() < 0.1 ? new Promise((res) => setTimeout(res, 1)) : undefined
        })
        expect(seen.map((s) => s.p), `seed ${seed}`).toEqual(expected)
        // QoS 2 and anything not PUBLISH went to mqtt.js; every QoS 0/1 PUBLISH was read by the tap
        for (const s of seen) {
          const p = s.p as { cmd: string; qos?: number }
          expect(s.via, `seed ${seed}`).toBe(p.cmd === 'publish' && p.qos! < 2 ? 'tap' : 'mqtt.js')
        }
        fast += seen.filter((s) => s.via === 'tap').length
      }
      expect(fast).toBeGreaterThan(3000)
      expect(cut).toBeGreaterThan(5) // oversize payloads arriving over several chunks were cut, not buffered
    })
  }

  it('reads an oversize PUBLISH only as far as its head and drops the rest as it streams in, buffering little', async () => {
    const huge = mqttPacket.generate({ cmd: 'publish', topic: 'big/one', payload: Buffer.alloc(50 * 1024 * 1024, 0x41), qos: 1, messageId: 5, retain: false, dup: false } as Packet)
    const next = mqttPacket.generate({ cmd: 'publish', topic: 'small', payload: Buffer.from('ok'), qos: 0, retain: false, dup: false } as Packet)
    const inner = new PassThrough()
    const taken: TappedPublish[] = []
    const tap = new PublishTap(inner, (p) => void taken.push(p), { protocolVersion: 4, maxPayloadBytes: 1024 * 1024 })
    const bytes = Buffer.concat([huge, next])
    let mostBuffered = 0
    for (let p = 0; p < bytes.length; p += 65_536) {
      inner.write(bytes.subarray(p, p + 65_536))
      await new Promise((r) => setImmediate(r))
      mostBuffered = Math.max(mostBuffered, tap['partsLen'])
    }
    expect(taken.map((t) => [t.topic, t.size, t.payload.length, t.truncated, t.messageId])).toEqual([
      ['big/one', 50 * 1024 * 1024, 64 * 1024, true, 5],
      ['small', 2, 2, undefined, 0],
    ])
    expect(taken[0]!.payload.every((b) => b === 0x41)).toBe(true)
    expect(mostBuffered).toBeLessThanOrEqual(512 * 1024)
  })

  it('hands a topic alias, and everything after it, to mqtt.js', async () => {
    const v = 5
    const before = { cmd: 'publish', topic: 'a/b', payload: Buffer.from('1'), qos: 0, retain: false, dup: false } as Packet
    const aliased = { cmd: 'publish', topic: 'a/c', payload: Buffer.from('2'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } } as Packet
    const after = { cmd: 'publish', topic: 'a/d', payload: Buffer.from('3'), qos: 1, messageId: 9, retain: false, dup: false } as Packet
    const bytes = Buffer.concat([before, aliased, after].map((p) => mqttPacket.generate(p, { protocolVersion: v })))
    const { seen } = await run(bytes, rng(1), v)
    expect(seen.map((s) => [s.via, (s.p as { topic: string }).topic])).toEqual([
      ['tap', 'a/b'],
      ['mqtt.js', 'a/c'],
      ['mqtt.js', 'a/d'],
    ])
  })

  it('hands a malformed frame, and everything after it, to mqtt.js (which reports the error)', async () => {
    const good = mqttPacket.generate({ cmd: 'publish', topic: 'ok', payload: Buffer.from('1'), qos: 0, retain: false, dup: false } as Packet)
    // a PUBLISH whose topic length runs past the frame
    const bad = Buffer.from([0x30, 0x03, 0x00, 0x09, 0x61])
    const inner = new PassThrough()
    const taken: string[] = []
    const tap = new PublishTap(inner, (p) => void taken.push(p.topic), { protocolVersion: 4 })
    const passed: Buffer[] = []
    tap.on('data', (b: Buffer) => passed.push(b))
    inner.write(Buffer.concat([good, bad, good]))
    await new Promise((r) => setImmediate(r))
    expect(taken).toEqual(['ok'])
    expect(Buffer.concat(passed)).toEqual(Buffer.concat([bad, good]))
    const errors: Error[] = []
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    parser.on('error', (e) => errors.push(e))
    parser.parse(Buffer.concat(passed))
    expect(errors.length).toBeGreaterThan(0)
  })

  it('stops handing anything on once the sink says HALT', async () => {
    const p = (topic: string) => mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 1, retain: false, dup: false } as Packet)
    const inner = new PassThrough()
    const taken: string[] = []
    const tap = new PublishTap(inner, (x) => (taken.push(x.topic), x.topic === 'b' ? HALT : undefined), { protocolVersion: 4 })
    const passed: Buffer[] = []
    tap.on('data', (b: Buffer) => passed.push(b))
    inner.write(Buffer.concat([p('a'), p('b'), p('c'), mqttPacket.generate({ cmd: 'pingresp' } as Packet)]))
    inner.write(p('d'))
    await new Promise((r) => setImmediate(r))
    expect(taken).toEqual(['a', 'b'])
    expect(passed).toEqual([])
  })

  it('forwards writes to the socket, a corked packet as one write', async () => {
    const inner = new PassThrough()
    const tap = new PublishTap(inner, () => undefined, { protocolVersion: 4 })
    const written: Buffer[] = []
    inner.on('data', (b: Buffer) => written.push(b))
    const ok = mqttPacket.writeToStream({ cmd: 'puback', messageId: 258 } as Packet, tap)
    expect(ok).toBe(true)
    await new Promise((r) => setImmediate(r))
    expect(written).toEqual([Buffer.from([0x40, 0x02, 0x01, 0x02])])
  })

  it('goes away with its socket: a closed socket closes the tap (mqtt.js then reconnects)', async () => {
    const inner = new PassThrough()
    const tap = new PublishTap(inner, () => undefined, { protocolVersion: 4 })
    const closed = new Promise<void>((r) => tap.once('close', () => r()))
    inner.destroy()
    await closed
    expect(tap.destroyed).toBe(true)
  })
})
