import type { Sample } from '../../shared/model'
import type { SinkSignal } from '../../core/ports/sync-sink'

/**
 * InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/) for the store's
 * samples. One line per sample:
 *
 *     plantdeck_number,asset=Plant/Line2/Pump201,attribute=Speed,connection=plc1,signal=plc1/S201,unit=rpm value=1480.5 1733526000123456
 *
 * - measurement per value type (default: `plantdeck_number`, `plantdeck_boolean`, `plantdeck_string`), so a field
 *   never changes type; or per signal (`measurement: 'signal'`: the signal id);
 * - tags, sorted by key, empty ones left out: `asset` and `attribute` (the asset path split at its last `/`),
 *   `connection`, `signal` (the id), `unit`;
 * - field `value` (numbers as floats, booleans as true/false, strings quoted); quality other than good adds
 *   `quality=1i` (uncertain) or `quality=2i` (bad); a null value writes `quality` alone;
 * - timestamp in the precision asked (`us` by default: the store's resolution).
 *
 * Escaping: measurement `,` and space; tag keys, tag values and field keys `,` `=` and space; string field
 * values `"`; a backslash everywhere as `\\`. Line protocol cannot carry a newline in a name or a value: CR and
 * LF become spaces.
 */
export type MeasurementMode = 'type' | 'signal'
export type Precision = 'ms' | 'us' | 'ns'

const QUALITY_FIELD = { good: '', uncertain: 'quality=1i', bad: 'quality=2i' } as const

const noNewlines = (s: string) => s.replace(/[\r\n]/g, ' ')
export const escapeMeasurement = (s: string): string => noNewlines(s).replace(/[\\, ]/g, '\\$&')
export const escapeTag = (s: string): string => noNewlines(s).replace(/[\\,= ]/g, '\\$&')
export const escapeString = (s: string): string => noNewlines(s).replace(/[\\"]/g, '\\$&')

export interface LineOptions {
  measurement: MeasurementMode
  /** Measurement prefix in `type` mode (default `plantdeck`). */
  prefix: string
  precision: Precision
}

/** Each signal's line head (measurement and tags, escaped) and its UTF-8 length, computed once per signal. */
export class LineEncoder {
  private readonly heads = new Map<string, { type: string; head: string; bytes: number }>()
  private readonly scale: number
  /** UTF-8 bytes of the last `line()`. */
  lastBytes = 0

  constructor(private readonly o: LineOptions) {
    this.scale = o.precision === 'ms' ? 1 : o.precision === 'us' ? 1000 : 1_000_000
  }

  private head(signal: string, def: SinkSignal | undefined, value: Sample['value']): { head: string; bytes: number } {
    const type = def?.dataType ?? (typeof value === 'boolean' ? 'boolean' : typeof value === 'string' ? 'string' : 'number')
    let h = this.heads.get(signal)
    if (h === undefined || h.type !== type) {
      const head = this.makeHead(signal, def, type)
      h = { type, head, bytes: Buffer.byteLength(head) }
      this.heads.set(signal, h)
    }
    return h
  }

  private makeHead(signal: string, def: SinkSignal | undefined, type: string): string {
    const measurement = this.o.measurement === 'signal' ? signal : `${this.o.prefix}_${type}`
    const path = def?.assetPath
    const cut = path ? path.lastIndexOf('/') : -1
    const tags: [string, string | undefined][] = [
      ['asset', path ? (cut > 0 ? path.slice(0, cut) : path) : undefined],
      ['attribute', path && cut > 0 ? path.slice(cut + 1) : undefined],
      ['connection', def?.connection],
      ['signal', signal],
      ['unit', def?.unit],
    ]
    let out = escapeMeasurement(measurement)
    for (const [k, v] of tags) if (v !== undefined && v !== '') out += `,${k}=${escapeTag(v)}`
    return out
  }

  /** The line of one sample, without the newline; its UTF-8 length is left in `lastBytes`. */
  line(s: Sample, def: SinkSignal | undefined): string {
    const h = this.head(s.signal, def, s.value)
    const q = QUALITY_FIELD[s.quality] ?? QUALITY_FIELD.bad
    let fields: string
    const v = s.value
    let wide = false
    if (v === null) fields = q || 'quality=2i'
    else {
      let value: string
      if (typeof v === 'number') value = floatText(v)
      else if (typeof v === 'boolean') value = v ? 'true' : 'false'
      else {
        value = `"${escapeString(v)}"`
        wide = true
      }
      fields = q ? `value=${value},${q}` : `value=${value}`
    }
    const rest = ` ${fields} ${Math.round(s.ts * this.scale)}`
    // everything but the head and a string value is ASCII
    this.lastBytes = h.bytes + (wide ? Buffer.byteLength(rest) : rest.length)
    return h.head + rest
  }
}

/** A float that line protocol reads as a float (never an integer literal with `i`); non-finite never reaches here. */
function floatText(v: number): string {
  return Number.isFinite(v) ? String(v) : '0'
}

/**
 * Encodes samples into bodies of at most `maxBytes` (UTF-8), each with the index range it holds, so a body the
 * server refuses can be accounted for by its samples.
 */
export function* bodies(
  samples: readonly Sample[],
  signals: ReadonlyMap<string, SinkSignal>,
  enc: LineEncoder,
  maxBytes: number,
): Generator<{ body: string; from: number; to: number }> {
  let parts: string[] = []
  let bytes = 0
  let from = 0
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample
    const line = enc.line(s, signals.get(s.signal))
    const n = enc.lastBytes + 1
    if (parts.length > 0 && bytes + n > maxBytes) {
      yield { body: parts.join('\n') + '\n', from, to: i }
      parts = []
      bytes = 0
      from = i
    }
    parts.push(line)
    bytes += n
  }
  if (parts.length > 0) yield { body: parts.join('\n') + '\n', from, to: samples.length }
}
