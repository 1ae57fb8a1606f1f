import type { Duplex } from 'node:stream'
import mqttPacket, { type Packet } from 'mqtt-packet'
import { BYPASS, HEADER, PASS, PublishTap, readFixedHeader, type TappedPublish } from './publish-tap'

/**
 * The stream mqtt.js reads on the `receive: 'mqtt.js'` path: every byte goes to mqtt.js as it came, except that a
 * PUBLISH whose payload is over `maxPayloadBytes` is cut the way the tap cuts it (only its head is buffered, the rest
 * is dropped as it streams in) and handed on as a small PUBLISH: same topic, flags and packet id, the first
 * `keepBytes` of the payload, no properties. So mqtt.js never buffers a huge packet whole, it still sees every
 * message in order and acknowledges nothing itself (the collector does, after the store), and the collector learns
 * from `taken()` which message was cut and how big it was as published.
 *
 * Why not the broker: MQTT 5's Maximum Packet Size would stop the broker sending such a message at all, but
 * mosquitto then drops it without a trace (QoS 0 and 1, not redelivered), so nobody could count it. 3.1.1 has no
 * such property anyway.
 */
export class OversizeGuard extends PublishTap {
  /** QoS 0/1 PUBLISH frames handed to mqtt.js on this connection. */
  private passed = 0
  /** Of those, how many mqtt.js gave to the collector (`taken`). */
  private handled = 0
  /** Cut messages not yet taken, in order: their ordinal among the passed PUBLISHes and their size as published. */
  private readonly cuts: { ordinal: number; size: number }[] = []

  constructor(inner: Duplex, opts: { protocolVersion: number; maxPayloadBytes: number; keepBytes?: number; headBytes?: number }) {
    super(inner, () => undefined, opts)
  }

  /**
   * Called for each QoS 0/1 PUBLISH mqtt.js hands to `handleMessage`, in order (mqtt.js handles them in arrival
   * order): the size of its payload as published when the guard cut it, else undefined.
   */
  taken(): number | undefined {
    this.handled++
    const c = this.cuts[0]
    if (c === undefined || c.ordinal !== this.handled) return undefined
    this.cuts.shift()
    return c.size
  }

  /** Walks the frames in `buf` from `p`, handing runs of them to mqtt.js in one piece; keeps an incomplete tail. */
  protected override read0(buf: Buffer, p: number): void {
    const end = buf.length
    let run = p
    // the frames since `run` go to mqtt.js together, before anything else happens
    const flush = () => this.hand(buf.subarray(run, p))
    while (p < end && !this.halted) {
      const complete = readFixedHeader(buf, p, end)
      const { len, q } = HEADER
      if (!complete) {
        flush()
        return q - p >= 5 ? this.startBypass(buf.subarray(p)) : this.keep(buf.subarray(p), 0)
      }
      const type = buf[p]!
      const frameEnd = q + len
      const publish = type >> 4 === 3 && ((type >> 1) & 3) < 2
      if (publish && len > this.maxPayload) {
        // as the tap: wait for the head only, then see whether the payload (not a long topic) is what is big
        const head = Math.min(len, this.headBytes)
        flush()
        run = p
        if (frameEnd > end && end - q < head) return this.keep(buf.subarray(p), q - p + head)
        const t = this.publish(buf, type, p, q, Math.min(end, frameEnd), frameEnd)
        if (t === BYPASS || t === PASS) return this.startBypass(buf.subarray(p))
        if (t.size > this.maxPayload) {
          this.hand(this.cut(t))
          if (frameEnd > end) return void (this.skip = frameEnd - end)
          p = run = frameEnd
          continue
        }
      }
      if (frameEnd > end) {
        flush()
        return this.keep(buf.subarray(p), frameEnd - p)
      }
      if (publish) this.passed++
      p = frameEnd
    }
    flush()
  }

  /** The small PUBLISH mqtt.js gets instead of an oversize one. */
  private cut(t: TappedPublish): Buffer {
    this.cuts.push({ ordinal: ++this.passed, size: t.size })
    const packet = { cmd: 'publish', topic: t.topic, payload: t.payload.subarray(0, this.keepBytes), qos: t.qos, retain: t.retain, dup: t.dup, ...(t.qos === 1 ? { messageId: t.messageId } : {}) }
    return mqttPacket.generate(packet as Packet, { protocolVersion: this.v5 ? 5 : 4 })
  }
}
