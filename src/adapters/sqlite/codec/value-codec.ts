import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-io'

// Numeric values of a block. Two modes, chosen per block:
//  DEC: every value is an exact decimal with at most MAX_DECIMALS digits (sensor readings, counters,
//       booleans): store the scaled integers as zigzag varint deltas, mostly 1 byte for slow signals.
//  XOR: anything else: each double XORed with the previous one, written as a header byte (leading and
//       trailing zero bytes of the XOR) and the bytes in between; a repeated value costs 1 byte.

const MODE_EMPTY = 0
const MODE_DEC = 1
const MODE_XOR = 2
const MAX_DECIMALS = 6
const MAX_SCALED = 2 ** 50

const scratch = new Float64Array(1)
const words = new Uint32Array(scratch.buffer)
// Word order of a double in memory; the encoded format itself is fixed (high word first).
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0
const LO = 1 - HI

function decimalsFor(values: Float64Array): number {
  let k = 0
  let scale = 1
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0
    while (Math.round(v * scale) / scale !== v || Object.is(v, -0)) {
      if (k === MAX_DECIMALS || !Number.isFinite(v)) return -1
      k++
      scale *= 10
    }
  }
  return k
}

export function writeValues(w: ByteWriter, values: Float64Array): void {
  if (values.length === 0) {
    w.byte(MODE_EMPTY)
    return
  }
  const k = decimalsFor(values)
  if (k >= 0) {
    const start = w.pos
    if (writeDecimal(w, values, k)) return
    w.pos = start
  }
  w.byte(MODE_XOR)
  let ph = 0
  let pl = 0
  for (let i = 0; i < values.length; i++) {
    scratch[0] = values[i] ?? 0
    const h = words[HI] ?? 0
    const l = words[LO] ?? 0
    writeXor(w, (h ^ ph) >>> 0, (l ^ pl) >>> 0)
    ph = h
    pl = l
  }
}

/** DEC mode; false (having written garbage) if some value does not survive the round trip. */
function writeDecimal(w: ByteWriter, values: Float64Array, k: number): boolean {
  const scale = 10 ** k
  w.byte(MODE_DEC)
  w.byte(k)
  w.ensure(values.length * 8)
  const buf = w.buf
  let pos = w.pos
  let prev = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0
    const x = Math.round(v * scale)
    if (x / scale !== v || Math.abs(x) > MAX_SCALED) return false
    let z = zigzag(x - prev)
    prev = x
    while (z >= 0x80) {
      buf[pos++] = (z % 0x80) | 0x80
      z = Math.floor(z / 0x80)
    }
    buf[pos++] = z
  }
  w.pos = pos
  return true
}

const ctz32 = (x: number): number => 31 - Math.clz32(x & -x)

function writeXor(w: ByteWriter, h: number, l: number): void {
  w.ensure(9)
  const buf = w.buf
  if (h === 0 && l === 0) {
    buf[w.pos++] = 0
    return
  }
  const lead = h !== 0 ? Math.clz32(h) >> 3 : 4 + (Math.clz32(l) >> 3)
  const trail = l !== 0 ? ctz32(l) >> 3 : 4 + (ctz32(h) >> 3)
  buf[w.pos++] = 1 + lead * 8 + trail
  for (let b = lead; b < 8 - trail; b++) buf[w.pos++] = b < 4 ? (h >>> ((3 - b) * 8)) & 255 : (l >>> ((7 - b) * 8)) & 255
}

export function readValues(r: ByteReader, out: Float64Array): void {
  const mode = r.byte()
  if (mode === MODE_EMPTY) return
  if (mode === MODE_DEC) {
    const scale = 10 ** r.byte()
    let x = 0
    for (let i = 0; i < out.length; i++) {
      x += unzigzag(r.varint())
      out[i] = x / scale
    }
    return
  }
  if (mode !== MODE_XOR) throw new RangeError(`unknown value mode ${mode}`)
  let h = 0
  let l = 0
  const buf = r.buf
  for (let i = 0; i < out.length; i++) {
    const head = r.byte()
    if (head !== 0) {
      const lead = ((head - 1) >> 3) & 7
      const trail = (head - 1) & 7
      let xh = 0
      let xl = 0
      for (let b = lead; b < 8 - trail; b++) {
        const byte = buf[r.pos++] ?? 0
        if (b < 4) xh |= byte << ((3 - b) * 8)
        else xl |= byte << ((7 - b) * 8)
      }
      h = (h ^ xh) >>> 0
      l = (l ^ xl) >>> 0
    }
    words[HI] = h
    words[LO] = l
    out[i] = scratch[0] ?? 0
  }
}
