// An independent Sparkplug B encoder for tests, written from the spec's sparkplug_b.proto (Eclipse Sparkplug 3.0,
// Payload/Metric messages), with no protobuf library: the collector decodes with Eclipse Tahu's codec instead.

/** Sparkplug B DataType enum values (spec 6.4.16). */
export const DataTypes = { Int8: 1, Int16: 2, Int32: 3, Int64: 4, UInt8: 5, UInt16: 6, UInt32: 7, UInt64: 8, Float: 9, Double: 10, Boolean: 11, String: 12, DateTime: 13, Text: 14 } as const
export type SpType = keyof typeof DataTypes

export interface SpMetric {
  name?: string
  alias?: number
  timestamp?: number
  type: SpType
  value: number | bigint | boolean | string | null
}

class Writer {
  private readonly parts: number[] = []
  varint(v: number | bigint): this {
    let n = BigInt.asUintN(64, BigInt(v))
    do {
      let byte = Number(n & 0x7fn)
      n >>= 7n
      if (n > 0n) byte |= 0x80
      this.parts.push(byte)
    } while (n > 0n)
    return this
  }
  tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wire)
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length)
    for (const x of b) this.parts.push(x)
    return this
  }
  fixed(field: number, wire: 1 | 5, b: Uint8Array): this {
    this.tag(field, wire)
    for (const x of b) this.parts.push(x)
    return this
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}

function metric(m: SpMetric): Uint8Array {
  const w = new Writer()
  if (m.name !== undefined) w.bytes(1, new TextEncoder().encode(m.name))
  if (m.alias !== undefined) w.tag(2, 0).varint(m.alias)
  if (m.timestamp !== undefined) w.tag(3, 0).varint(m.timestamp)
  const dt = DataTypes[m.type]
  w.tag(4, 0).varint(dt)
  if (m.value === null) return w.tag(7, 0).varint(1).done()
  if (dt <= 3 || dt === 5 || dt === 6 || dt === 7) {
    // int_value is uint32 on the wire: negative Int8/16/32 travel as two's complement
    w.tag(10, 0).varint(Number(m.value) >>> 0)
  } else if (dt === 4 || dt === 8 || dt === 13) w.tag(11, 0).varint(BigInt(m.value as number | bigint))
  else if (dt === 9) {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setFloat32(0, Number(m.value), true)
    w.fixed(12, 5, b)
  } else if (dt === 10) {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setFloat64(0, Number(m.value), true)
    w.fixed(13, 1, b)
  } else if (dt === 11) w.tag(14, 0).varint(m.value ? 1 : 0)
  else w.bytes(15, new TextEncoder().encode(String(m.value)))
  return w.done()
}

/** Encodes a Sparkplug B Payload: timestamp (1), metrics (2), seq (3). */
export function encodeSparkplug(p: { timestamp?: number; seq?: number; metrics: SpMetric[] }): Buffer {
  const w = new Writer()
  if (p.timestamp !== undefined) w.tag(1, 0).varint(p.timestamp)
  for (const m of p.metrics) w.bytes(2, metric(m))
  if (p.seq !== undefined) w.tag(3, 0).varint(p.seq)
  return Buffer.from(w.done())
}
