import { Duplex } from 'node:stream'
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet'

/** The fixed header `readFixedHeader` read last: the remaining length and where the variable header starts. */
export const HEADER = { len: 0, q: 0 }

/**
 * Reads a frame's fixed header at `p`: type and flags, then the remaining length (1 to 4 bytes, 7 bits each), into
 * HEADER (one shared object: the readers run on one thread, and the hot path allocates nothing). False when the length
 * is not complete in `buf`; then `HEADER.q - p >= 5` means a fifth length byte, a malformed frame.
 */
export function readFixedHeader(buf: Buffer, p: number, end: number): boolean {
  let len = 0
  let mul = 1
  let q = p + 1
  let complete = false
  for (let i = 0; i < 4 && q < end; i++) {
    const c = buf[q++]!
    len += (c & 127) * mul
    mul *= 128
    if (c < 128) {
      complete = true
      break
    }
  }
  HEADER.len = len
  HEADER.q = q
  return complete
}

/**
 * The collector's receive path for PUBLISH packets. It sits between the socket (TCP, TLS or WebSocket) and
 * mqtt.js: it cuts the incoming bytes into MQTT frames, hands every PUBLISH at QoS 0 or 1 straight to the
 * collector, and passes every other frame through to mqtt.js unchanged and in order, so mqtt.js still runs the
 * connection (CONNACK, SUBACK, keep-alive, our own publishes and their acknowledgements, QoS 2).
 *
 * Why: mqtt.js spends ~3–6 µs on each received PUBLISH (a general parser over a buffer list, a debug call per
 * parser state, one process.nextTick per packet). Reading a PUBLISH frame takes a fraction of that, and at
 * the message rates of a plant that is the difference between keeping up with the broker and not.
 *
 * Rules that keep this equal to mqtt.js's own handling (a differential test against mqtt-packet's parser
 * holds it to that, over random packet streams cut into random chunks):
 * - Frames are handled strictly in arrival order: a passed-through frame reaches mqtt.js before the next frame
 *   is read (see `pass`).
 * - An MQTT 5 PUBLISH with properties is parsed whole by mqtt-packet, so response topic, correlation data and
 *   user properties arrive as mqtt.js would give them. A topic alias (never requested by Plantdeck) and any
 *   frame this reader cannot read go to mqtt.js, and so does everything after it on that connection: mqtt.js
 *   then reacts exactly as it would without the tap. A QoS 2 PUBLISH (Plantdeck subscribes at 0 or 1) goes to
 *   mqtt.js on its own, which runs the PUBREC/PUBREL exchange.
 *
 * Size: one file (~360 lines) on purpose: the frame cutter, the PUBLISH reader and the pass-through share the
 * per-connection buffer state, and splitting them would put that hot state behind calls between modules.
 */

export interface TappedPublish {
  topic: string
  payload: Buffer
  qos: 0 | 1
  retain: boolean
  dup: boolean
  /** 0 at QoS 0. */
  messageId: number
  /** Bytes of the payload as published. */
  size: number
  /**
   * The payload was over `maxPayloadBytes`: `payload` holds only its first `keepBytes`, the rest was dropped
   * unread as it streamed in, and the properties of an MQTT 5 message are not given.
   */
  truncated?: true
  /** MQTT 5 properties, when the packet carried any. */
  properties?: IPublishPacket['properties']
}

/** Returned by a sink to stop reading for good (the collector is stopping): nothing more is handed on. */
export const HALT = Symbol('halt')

/** undefined: go on; a promise: pause reading until it settles (TCP back-pressure); HALT: stop. */
export type SinkResult = undefined | Promise<unknown> | typeof HALT

export type PublishSink = (p: TappedPublish) => SinkResult

export const PASS = 1
export const BYPASS = 2

/** Position after the MQTT 5 properties starting at `p` (a length, then that many bytes), or -1 if they run past `e`. */
function afterProperties(buf: Buffer, p: number, e: number): number {
  let len = 0
  let mul = 1
  for (let i = 0; i < 4; i++) {
    if (p >= e) return -1
    const c = buf[p++]!
    len += (c & 127) * mul
    mul *= 128
    if (c < 128) return p + len <= e ? p + len : -1
  }
  return -1
}

export class PublishTap extends Duplex {
  protected readonly v5: boolean
  /** Bytes of an incomplete frame, as received. */
  private parts: Buffer[] = []
  private partsLen = 0
  /** Length of the incomplete frame, once its header is in (0: not known yet). */
  private need = 0
  /** Unread bytes while the sink holds reading (a promise). */
  private held: Buffer | undefined
  private waiting = false
  /** mqtt.js is not taking passed-through bytes: the socket is paused until `_read`. */
  private blocked = false
  protected halted = false
  /** Everything from here on goes to mqtt.js as it comes. */
  private bypass = false
  private ended = false
  private innerClosed = false
  /** Bytes still to drop of an oversize PUBLISH. */
  protected skip = 0
  protected readonly maxPayload: number
  protected readonly keepBytes: number
  protected readonly headBytes: number
  private lastTopicBytes: Buffer = Buffer.alloc(0)
  private lastTopic = ''
  private fullParser: ReturnType<typeof mqttPacket.parser> | undefined

  constructor(
    private readonly inner: Duplex,
    private readonly sink: PublishSink,
    opts: {
      protocolVersion: number
      /** PUBLISH payloads over this are cut (see `TappedPublish.truncated`); default none. */
      maxPayloadBytes?: number
      /** Of a cut payload, the start given on (default 64 KiB). */
      keepBytes?: number
      /** Of an oversize PUBLISH frame, at most this much is buffered, from its start (default 256 KiB: any topic, packet id, usual properties). */
      headBytes?: number
    },
  ) {
    super({ allowHalfOpen: false })
    this.v5 = opts.protocolVersion === 5
    this.maxPayload = opts.maxPayloadBytes ?? Infinity
    this.keepBytes = opts.keepBytes ?? 64 * 1024
    this.headBytes = opts.headBytes ?? 256 * 1024
    inner.on('data', (chunk: Buffer) => this.receive(chunk))
    inner.on('end', () => {
      this.ended = true
      if (!this.waiting) this.push(null)
    })
    inner.on('error', (e) => this.destroy(e))
    inner.on('close', () => {
      this.innerClosed = true
      // frames already received and held (a store behind) are still handed on first
      if (!this.waiting && !this.destroyed) this.destroy()
    })
  }

  /** Stops handing anything on (the collector is stopping); unread data is dropped, unacknowledged QoS 1 comes back. */
  halt(): void {
    this.halted = true
    this.held = undefined
    this.parts = []
    this.partsLen = 0
    this.inner.pause()
  }

  override _read(): void {
    if (!this.blocked) return
    this.blocked = false
    if (!this.waiting && !this.halted) this.inner.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.forward(chunk, cb)
  }

  /** mqtt-packet corks the stream per packet: its pieces arrive here together and leave as one socket write. */
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    this.forward(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb)
  }

  private forward(bytes: Buffer, cb: (e?: Error | null) => void): void {
    if (this.inner.write(bytes)) cb()
    else this.inner.once('drain', () => cb())
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.inner.end(() => cb())
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.halted = true
    this.inner.destroy()
    cb(err)
  }

  private receive(chunk: Buffer): void {
    if (this.halted) return
    if (this.bypass) return void this.pass(chunk)
    if (!this.waiting) {
      chunk = this.dropSkipped(chunk)
      if (chunk.length === 0) return
    }
    if (this.partsLen > 0 || this.waiting) {
      this.parts.push(chunk)
      this.partsLen += chunk.length
      if (this.waiting || (this.need > 0 && this.partsLen < this.need)) return
      chunk = Buffer.concat(this.parts, this.partsLen)
      this.parts = []
      this.partsLen = 0
    }
    this.read0(chunk, 0)
  }

  /** Reads the frames in `buf` from `p`; keeps an incomplete tail for the next chunk. */
  protected read0(buf: Buffer, p: number): void {
    const end = buf.length
    while (p < end && !this.halted) {
      if (this.bypass) return void this.pass(buf.subarray(p))
      const complete = readFixedHeader(buf, p, end)
      const { len, q } = HEADER
      if (!complete) {
        if (q - p >= 5) return this.startBypass(buf.subarray(p)) // a fifth length byte: malformed, mqtt.js says so
        return this.keep(buf.subarray(p), 0)
      }
      const frameEnd = q + len
      const type = buf[p]!
      let r: SinkResult = undefined
      if (frameEnd > end) {
        // a PUBLISH over the payload limit is read only as far as its head; the rest is dropped as it arrives
        if (type >> 4 !== 3 || ((type >> 1) & 3) > 1 || len <= this.maxPayload) return this.keep(buf.subarray(p), frameEnd - p)
        const head = Math.min(len, this.headBytes)
        if (end - q < head) return this.keep(buf.subarray(p), q - p + head)
        const t = this.publish(buf, type, p, q, end, frameEnd)
        if (t === BYPASS || t === PASS) return this.startBypass(buf.subarray(p))
        // a long topic or long properties, not a long payload: read it whole
        if (t.size <= this.maxPayload) return this.keep(buf.subarray(p), frameEnd - p)
        this.skip = frameEnd - end
        r = this.sink(t)
      } else if (type >> 4 === 3) {
        const t = this.publish(buf, type, p, q, frameEnd)
        if (t === BYPASS) return this.startBypass(buf.subarray(p))
        if (t === PASS) r = this.pass(buf.subarray(p, frameEnd))
        else r = this.sink(t)
      } else r = this.pass(buf.subarray(p, frameEnd))
      p = Math.min(frameEnd, end)
      if (r === HALT) return this.halt()
      if (r !== undefined) return this.hold(r, buf.subarray(p))
    }
  }

  /**
   * A PUBLISH frame this reader takes; PASS: one for mqtt.js (QoS 2); BYPASS: mqtt.js from here on (malformed, alias).
   * `e` is where the bytes at hand end; `frameEnd` beyond it: an oversize frame, of which only the head is at hand.
   */
  protected publish(buf: Buffer, type: number, frame: number, s: number, e: number, frameEnd = e): TappedPublish | typeof PASS | typeof BYPASS {
    const qos = (type >> 1) & 3
    if (qos === 2) return PASS
    if (qos === 3 || e - s < 2) return BYPASS
    const tlen = (buf[s]! << 8) | buf[s + 1]!
    let p = s + 2 + tlen
    if (tlen === 0 || p > e) return BYPASS
    const topic = this.topic(buf, s + 2, p)
    let messageId = 0
    if (qos === 1) {
      if (p + 2 > e) return BYPASS
      messageId = (buf[p]! << 8) | buf[p + 1]!
      if (messageId === 0) return BYPASS
      p += 2
    }
    if (this.v5) {
      if (p >= e) return BYPASS
      if (buf[p] === 0) p++
      else if (frameEnd === e) return this.publishWithProperties(buf.subarray(frame, e)) ?? BYPASS
      else {
        // the head of an oversize frame: step over its properties (not kept)
        p = afterProperties(buf, p, e)
        if (p < 0) return BYPASS
      }
    }
    const retain = (type & 1) === 1
    const dup = (type & 8) !== 0
    if (frameEnd === e) return { topic, payload: buf.subarray(p, e), size: e - p, qos: qos as 0 | 1, retain, dup, messageId }
    const payload = Buffer.from(buf.subarray(p, Math.min(e, p + this.keepBytes)))
    return { topic, payload, size: frameEnd - p, truncated: true, qos: qos as 0 | 1, retain, dup, messageId }
  }

  /** Most messages repeat the previous topic: compare its bytes instead of decoding them again. */
  private topic(buf: Buffer, s: number, e: number): string {
    const last = this.lastTopicBytes
    const n = e - s
    if (last.length === n) {
      let i = 0
      while (i < n && last[i] === buf[s + i]) i++
      if (i === n) return this.lastTopic
    }
    this.lastTopicBytes = Buffer.from(buf.subarray(s, e))
    this.lastTopic = buf.toString('utf8', s, e)
    return this.lastTopic
  }

  private publishWithProperties(frame: Buffer): TappedPublish | undefined {
    let got: Packet | undefined
    let failed = false
    const parser = (this.fullParser ??= mqttPacket.parser({ protocolVersion: 5 }))
    parser.removeAllListeners()
    parser.on('packet', (pk: Packet) => (got = pk))
    parser.on('error', () => (failed = true))
    parser.parse(frame)
    if (failed || got?.cmd !== 'publish') {
      this.fullParser = undefined
      return undefined
    }
    const pk = got as IPublishPacket
    if (pk.properties?.topicAlias !== undefined) return undefined
    const payload = typeof pk.payload === 'string' ? Buffer.from(pk.payload) : pk.payload
    return { topic: pk.topic, payload, size: payload.length, qos: pk.qos as 0 | 1, retain: pk.retain, dup: pk.dup, messageId: pk.messageId ?? 0, properties: pk.properties }
  }

  /** The bytes after what is left to drop of an oversize frame. */
  private dropSkipped(chunk: Buffer): Buffer {
    if (this.skip === 0) return chunk
    const n = Math.min(this.skip, chunk.length)
    this.skip -= n
    return chunk.subarray(n)
  }

  protected keep(rest: Buffer, need: number): void {
    this.parts = [rest]
    this.partsLen = rest.length
    this.need = need
  }

  private hold(until: Promise<unknown>, rest: Buffer): void {
    this.waiting = true
    this.held = rest
    this.inner.pause()
    const go = () => {
      this.waiting = false
      const held = this.held
      this.held = undefined
      if (this.halted) return
      // bytes that arrived meanwhile were queued behind the held ones
      const queued = this.parts
      const chunk = this.dropSkipped(queued.length > 0 ? Buffer.concat([held ?? Buffer.alloc(0), ...queued]) : (held ?? Buffer.alloc(0)))
      this.parts = []
      this.partsLen = 0
      this.need = 0
      if (chunk && chunk.length > 0) this.read0(chunk, 0)
      if (this.waiting) return
      if (this.ended) this.push(null)
      if (this.innerClosed) this.destroy()
      else if (!this.blocked && !this.halted) this.inner.resume()
    }
    until.then(go, go)
  }

  protected startBypass(rest: Buffer): void {
    this.bypass = true
    void this.pass(rest)
  }

  /**
   * Hands bytes to mqtt.js. In the steady state `push` runs mqtt.js's handler before it returns; when the bytes
   * were queued instead (before mqtt.js's first read, or while it is busy), the promise returned holds the
   * reading of further frames until they were taken, so mqtt.js always sees a frame before the tap reads the next.
   */
  private pass(bytes: Buffer): Promise<void> | undefined {
    if (bytes.length === 0 || this.halted) return undefined
    this.hand(bytes)
    if (this.readableLength === 0 || this.bypass) return undefined
    return new Promise<void>((resolve) => {
      const check = () => (this.readableLength === 0 || this.destroyed || this.halted ? resolve() : setImmediate(check))
      setImmediate(check)
    })
  }

  /** Bytes to mqtt.js as they come; when it is not taking them, the socket pauses until it reads again (`_read`). */
  protected hand(bytes: Buffer): void {
    if (bytes.length === 0 || this.halted) return
    if (!this.push(bytes)) {
      this.blocked = true
      this.inner.pause()
    }
  }
}
