import { describe, expect, it } from 'vitest'
import type { SinkSignal } from '../../core/ports/sync-sink'
import { LineEncoder, bodies, escapeMeasurement, escapeString, escapeTag } from './line-protocol'

const def: SinkSignal = { id: 'plc1/S201', dataType: 'number', connection: 'plc1', unit: 'rpm', assetPath: 'Plant/Line 2/Pump201/Speed' }
const enc = new LineEncoder({ measurement: 'type', prefix: 'plantdeck', precision: 'us' })

describe('line protocol', () => {
  it('writes a measurement per value type, sorted tags, the value and a microsecond timestamp', () => {
    expect(enc.line({ signal: 'plc1/S201', ts: 1733526000123.456, value: 1480.5, quality: 'good' }, def)).toBe(
      'plantdeck_number,asset=Plant/Line\\ 2/Pump201,attribute=Speed,connection=plc1,signal=plc1/S201,unit=rpm value=1480.5 1733526000123456',
    )
  })
  it('adds quality when not good, and writes a null value as quality alone', () => {
    expect(enc.line({ signal: 'x', ts: 1, value: 2, quality: 'uncertain' }, undefined)).toBe('plantdeck_number,signal=x value=2,quality=1i 1000')
    expect(enc.line({ signal: 'x', ts: 1, value: null, quality: 'bad' }, undefined)).toBe('plantdeck_number,signal=x quality=2i 1000')
  })
  it('writes booleans and strings in their own measurements', () => {
    const b: SinkSignal = { id: 'b', dataType: 'boolean', connection: 'c' }
    expect(enc.line({ signal: 'b', ts: 2, value: true, quality: 'good' }, b)).toBe('plantdeck_boolean,connection=c,signal=b value=true 2000')
    const s: SinkSignal = { id: 's', dataType: 'string', connection: 'c' }
    expect(enc.line({ signal: 's', ts: 2, value: 'say "hi"\\', quality: 'good' }, s)).toBe('plantdeck_string,connection=c,signal=s value="say \\"hi\\"\\\\" 2000')
  })
  it('escapes per the spec: commas, equals signs, spaces, backslashes; newlines become spaces', () => {
    expect(escapeTag('a b,c=d\\e')).toBe('a\\ b\\,c\\=d\\\\e')
    expect(escapeMeasurement('m x,y=z')).toBe('m\\ x\\,y=z')
    expect(escapeString('l1\nl2 "q"')).toBe('l1 l2 \\"q\\"')
    expect(escapeTag('trailing\\')).toBe('trailing\\\\')
  })
  it('names the measurement after the signal in signal mode, in ms precision', () => {
    const e = new LineEncoder({ measurement: 'signal', prefix: 'p', precision: 'ms' })
    expect(e.line({ signal: 'tank 1', ts: 5, value: 1, quality: 'good' }, undefined)).toBe('tank\\ 1,signal=tank\\ 1 value=1 5')
  })
  it('splits bodies under the size limit and says which samples each holds', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({ signal: 'x', ts: i, value: i, quality: 'good' as const }))
    const parts = [...bodies(samples, new Map(), enc, 500)]
    expect(parts.length).toBeGreaterThan(3)
    for (const p of parts) expect(Buffer.byteLength(p.body)).toBeLessThanOrEqual(500)
    expect(parts.map((p) => p.body.trim().split('\n').length).reduce((a, n) => a + n, 0)).toBe(100)
    expect(parts[0]?.from).toBe(0)
    expect(parts.at(-1)?.to).toBe(100)
    parts.slice(1).forEach((p, i) => expect(p.from).toBe(parts[i]?.to))
  })
})
