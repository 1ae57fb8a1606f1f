import { coerceInt64, coerceUInt64, DataType, Variant, VariantArrayType, type DataValue } from 'node-opcua'
import type { OpcuaValue } from '../../core/opcua/opcua-port'
import type { Sample, SampleValue } from '../../shared/model'
import { AppError } from '../../shared/model'
import { qualityOf } from './quality'

/** What a write or call needs to know about its target: the built-in type, the rank, and enumeration members. */
export interface TypeInfo {
  /** Built-in type the value travels as (an enumeration travels as Int32). */
  builtIn: DataType
  /** The DataType's own name, for messages (`Double`, `MotorState`). */
  name: string
  /** -1 scalar, 1 one-dimensional array, 0/-2/-3 scalar or array. */
  valueRank: number
  /** Enumeration members by value, when the DataType is an enumeration. */
  enumMembers?: Map<number, string>
}

const INT_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
}
const FLOAT_MAX = 3.4028234663852886e38

const bad = (message: string): never => {
  throw new AppError('opcua.bad_value', message)
}

function scalar(value: SampleValue, t: TypeInfo, where: string): unknown {
  const dt = t.builtIn
  const describe = `${where}: ${JSON.stringify(value)} is not a valid ${t.name}`
  if (value === null) return bad(`${where}: a value is required (${t.name})`)
  if (t.enumMembers && dt === DataType.Int32) {
    if (typeof value === 'string') {
      const found = [...t.enumMembers].find(([, name]) => name.toLowerCase() === value.toLowerCase())
      return found ? found[0] : bad(`${describe}; members: ${[...t.enumMembers.values()].join(', ')}`)
    }
    if (typeof value !== 'number' || !t.enumMembers.has(value)) return bad(`${describe}; members: ${[...t.enumMembers].map(([v, n]) => `${v}=${n}`).join(', ')}`)
    return value
  }
  switch (dt) {
    case DataType.Boolean:
      return typeof value === 'boolean' ? value : bad(`${describe} (true or false)`)
    case DataType.Float:
    case DataType.Double:
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(`${describe} (a finite number)`)
      if (dt === DataType.Float && Math.abs(value) > FLOAT_MAX) return bad(`${where}: ${value} is out of range for Float`)
      return value
    case DataType.Int64:
    case DataType.UInt64: {
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' && /^-?\d{1,20}$/.test(value) ? value : null
      if (text === null) return bad(`${describe} (an integer, as a number or a decimal string)`)
      const big = BigInt(text)
      const [lo, hi] = dt === DataType.Int64 ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n]
      if (big < lo || big > hi) return bad(`${where}: ${text} is out of range for ${t.name} (${lo}..${hi})`)
      const pair = [Number((big >> 32n) & 0xffffffffn), Number(big & 0xffffffffn)]
      return dt === DataType.Int64 ? coerceInt64(pair) : coerceUInt64(pair)
    }
    case DataType.String:
      return typeof value === 'string' ? value : bad(`${describe} (text)`)
    case DataType.LocalizedText:
      return typeof value === 'string' ? { text: value } : bad(`${describe} (text)`)
    case DataType.DateTime: {
      const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN
      return Number.isFinite(ms) ? new Date(ms) : bad(`${describe} (epoch milliseconds or an ISO 8601 text)`)
    }
    default: {
      const range = INT_RANGES[dt]
      if (!range) return bad(`${where}: writing ${t.name} values is not supported`)
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad(`${describe} (an integer)`)
      if (value < range[0] || value > range[1]) return bad(`${where}: ${value} is out of range for ${t.name} (${range[0]}..${range[1]})`)
      return value
    }
  }
}

/** A JSON value checked against the target's type and turned into a Variant; throws `opcua.bad_value` before anything is sent. */
export function toVariant(value: OpcuaValue, t: TypeInfo, where = 'value'): Variant {
  const isArray = Array.isArray(value)
  if (isArray && t.valueRank === -1) bad(`${where}: ${t.name} is a scalar, got an array`)
  if (!isArray && t.valueRank >= 1) bad(`${where}: ${t.name}[] is an array, got a single value`)
  if (isArray) {
    const items = value.map((v, i) => scalar(v, t, `${where}[${i}]`))
    return new Variant({ dataType: t.builtIn, arrayType: VariantArrayType.Array, value: items })
  }
  // explicit: node-opcua cannot tell a scalar (U)Int64 [high, low] pair from an array by itself
  return new Variant({ dataType: t.builtIn, arrayType: VariantArrayType.Scalar, value: scalar(value, t, where) })
}

/** A variant's value as plain JSON-safe data (Int64 pairs → number, dates → epoch ms, texts → string). */
export function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.getTime()
  if (Buffer.isBuffer(v)) return v.toString('base64')
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>)
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'object') {
    const o = v as { text?: unknown; name?: unknown; toString(): string }
    if ('text' in o && typeof o.text === 'string') return o.text
    return o.toString()
  }
  return v
}

const int64 = (pair: unknown, signed: boolean): number | string => {
  const [hi, lo] = pair as [number, number]
  let big = (BigInt(hi) << 32n) | BigInt(lo)
  if (signed && hi >= 0x80000000) big -= 1n << 64n
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString()
}

/** A variant as plain data; (U)Int64 become numbers, or decimal strings beyond 2^53. */
export function variantValue(v: Variant | null | undefined): unknown {
  if (!v) return null
  if (v.dataType === DataType.Int64 || v.dataType === DataType.UInt64) {
    const signed = v.dataType === DataType.Int64
    return v.arrayType === VariantArrayType.Scalar ? int64(v.value, signed) : (v.value as unknown[]).map((p) => int64(p, signed))
  }
  return plain(v.value)
}

/** Sample value for the live path: scalars only; arrays and structures become their text so nothing is dropped silently. */
function sampleValue(dv: DataValue): SampleValue {
  const variant = dv.value
  const raw: unknown = variant?.value
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw
  if (typeof raw === 'string') return raw.length > 4096 ? raw.slice(0, 4096) : raw
  if (raw === null || raw === undefined) return null
  if (variant.arrayType === VariantArrayType.Scalar && (variant.dataType === DataType.Int64 || variant.dataType === DataType.UInt64)) {
    return Number(int64(raw, variant.dataType === DataType.Int64))
  }
  if (raw instanceof Date) return raw.getTime()
  const text = JSON.stringify(plain(raw))
  return text.length > 4096 ? text.slice(0, 4096) : text
}

/** An OPC UA DateTime as epoch ms, or undefined when absent or not after 1970 (the null DateTime decodes as 1601). */
const epochOf = (d: Date | null | undefined): number | undefined => {
  const t = d?.getTime()
  return t !== undefined && Number.isSafeInteger(t) && t > 0 ? t : undefined
}

/** `ts`: the source timestamp, else the server timestamp, else arrival; `serverTs`: the server timestamp when there is one. */
export function toSample(signal: string, dv: DataValue): Sample {
  const serverTs = epochOf(dv.serverTimestamp)
  const ts = epochOf(dv.sourceTimestamp) ?? serverTs ?? Date.now()
  const code = dv.statusCode
  const quality = qualityOf(code.value)
  const s: Sample = { signal, ts, value: quality === 'bad' ? null : sampleValue(dv), quality }
  if (serverTs !== undefined) s.serverTs = serverTs
  if (quality !== 'good') s.status = code.name
  return s
}
