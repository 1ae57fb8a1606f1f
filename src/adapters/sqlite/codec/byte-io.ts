// Varints use arithmetic rather than bit operators so that integers up to 2^53 survive (timestamps need 41 bits).

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()

export const zigzag = (x: number): number => (x >= 0 ? x * 2 : -x * 2 - 1)
export const unzigzag = (z: number): number => (z % 2 === 0 ? z / 2 : -(z + 1) / 2)

export class ByteWriter {
  buf: Uint8Array
  pos = 0

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity)
  }

  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + extra))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
  }

  byte(b: number): void {
    this.ensure(1)
    this.buf[this.pos++] = b
  }

  /** Unsigned integer, 0 <= x < 2^53. */
  varint(x: number): void {
    this.ensure(8)
    const buf = this.buf
    while (x >= 0x80) {
      buf[this.pos++] = (x % 0x80) | 0x80
      x = Math.floor(x / 0x80)
    }
    buf[this.pos++] = x
  }

  string(s: string): void {
    this.ensure(s.length * 3 + 8)
    const lenAt = this.pos
    const { written } = utf8Encoder.encodeInto(s, this.buf.subarray(lenAt + 4))
    // A fixed 4-byte length keeps this single-pass; status and state texts are short anyway.
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(lenAt, written, true)
    this.pos = lenAt + 4 + written
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

export class ByteReader {
  pos = 0
  constructor(readonly buf: Uint8Array) {}

  byte(): number {
    const b = this.buf[this.pos++]
    if (b === undefined) throw new RangeError('block truncated')
    return b
  }

  varint(): number {
    const buf = this.buf
    let b = buf[this.pos++]
    if (b === undefined) throw new RangeError('block truncated')
    if (b < 0x80) return b
    let x = b & 0x7f
    let mul = 0x80
    do {
      b = buf[this.pos++]
      if (b === undefined) throw new RangeError('block truncated')
      x += (b & 0x7f) * mul
      mul *= 0x80
    } while (b >= 0x80)
    return x
  }

  string(): string {
    const len = new DataView(this.buf.buffer, this.buf.byteOffset).getUint32(this.pos, true)
    const s = utf8Decoder.decode(this.buf.subarray(this.pos + 4, this.pos + 4 + len))
    this.pos += 4 + len
    return s
  }
}
