import { describe, expect, it } from 'vitest'
import type { MqttSignalConfig } from '../../core/mqtt/mqtt-config'
import { compileMapping, decodeMessage } from './decode'

const sig = (id: string, path: string | undefined, dataType: MqttSignalConfig['dataType'] = 'number', extra: Partial<MqttSignalConfig> = {}) =>
  compileMapping({ id, name: id, topic: 't', dataType, writable: false, ...(path === undefined ? {} : { path }), ...extra })
const enc = (s: string) => new TextEncoder().encode(s)
const NOW = 1_700_000_000_000

describe('decodeMessage', () => {
  it('yields one sample per mapped field of a nested JSON message, with the payload timestamp', () => {
    const r = decodeMessage([sig('a', 'power.total'), sig('b', 'v[1]')], enc(JSON.stringify({ ts: NOW - 5, power: { total: 3.5 }, v: [1, 2] })), NOW, 1e6)
    expect(r.rejections).toEqual([])
    expect(r.samples).toEqual([
      { signal: 'a', ts: NOW - 5, value: 3.5, quality: 'good' },
      { signal: 'b', ts: NOW - 5, value: 2, quality: 'good' },
    ])
  })

  it('reads seconds timestamps to the microsecond, and refuses timestamps further ahead than the store keeps', () => {
    expect(decodeMessage([sig('a', 'x')], enc(JSON.stringify({ ts: (NOW - 1000) / 1000, x: 1 })), NOW, 1e6).samples[0]!.ts).toBe(NOW - 1000)
    expect(decodeMessage([sig('a', 'x')], enc(JSON.stringify({ ts: 1_700_000_000.123456, x: 1 })), NOW, 1e6).samples[0]!.ts).toBe(1_700_000_000_123.456)
    // within the store's hour ahead: kept; beyond it (2 h, or a clock twice the epoch): refused once, here
    expect(decodeMessage([sig('a', 'x')], enc(JSON.stringify({ ts: NOW + 59 * 60_000, x: 1 })), NOW, 1e6).samples[0]!.ts).toBe(NOW + 59 * 60_000)
    for (const ts of [NOW + 2 * 3_600_000, NOW * 2]) {
      const r = decodeMessage([sig('a', 'x'), sig('b', 'y')], enc(JSON.stringify({ ts, x: 1, y: 2 })), NOW, 1e6)
      expect(r.samples).toEqual([])
      expect(r.rejections).toEqual([{ signal: 'a', reason: 'future_timestamp' }, { signal: 'b', reason: 'future_timestamp' }])
    }
  })

  it('decodes plain payloads by data type', () => {
    expect(decodeMessage([sig('n', undefined)], enc('42.5'), NOW, 1e6).samples[0]!.value).toBe(42.5)
    expect(decodeMessage([sig('b', undefined, 'boolean')], enc('true'), NOW, 1e6).samples[0]!.value).toBe(true)
    expect(decodeMessage([sig('s', undefined, 'string')], enc('RUNNING'), NOW, 1e6).samples[0]!.value).toBe('RUNNING')
  })

  it('keeps good fields when a sibling is missing or of the wrong type', () => {
    const r = decodeMessage([sig('a', 'x'), sig('b', 'y'), sig('c', 'z')], enc('{"x":1,"y":"abc"}'), NOW, 1e6)
    expect(r.samples.map((s) => s.signal)).toEqual(['a'])
    expect(r.rejections).toEqual([
      { signal: 'b', reason: 'wrong_type' },
      { signal: 'c', reason: 'missing_field' },
    ])
  })

  it.each([
    ['malformed JSON', enc('{"x":'), 'not_json'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'bad_utf8'],
    ['oversized', new Uint8Array(2000), 'too_large'],
  ])('%s → %s', (_n, payload, reason) => {
    const r = decodeMessage([sig('a', 'x')], payload, NOW, 1000)
    expect(r.samples).toEqual([])
    expect(r.rejections).toEqual([{ reason }])
  })

  it('rejects NaN-like numbers', () => {
    expect(decodeMessage([sig('n', undefined)], enc('NaN'), NOW, 1e6).rejections[0]!.reason).toBe('wrong_type')
  })

  it.each([
    ['ISO 8601 string', { at: '2023-11-14T22:13:15.000Z' }, { tsPath: 'at' }, Date.parse('2023-11-14T22:13:15.000Z')],
    ['explicit seconds', { meta: { t: 1_699_999_000 } }, { tsPath: 'meta.t', tsFormat: 's' as const }, 1_699_999_000_000],
    ['explicit ms', { t: NOW - 7 }, { tsPath: 't', tsFormat: 'ms' as const }, NOW - 7],
    ['arrival, ignoring ts', { ts: NOW - 9 }, { tsFormat: 'arrival' as const }, NOW],
  ])('timestamp from %s', (_n, extraDoc, extra, want) => {
    const r = decodeMessage([sig('a', 'x', 'number', extra)], enc(JSON.stringify({ x: 1, ...extraDoc })), NOW, 1e6)
    expect(r.samples[0]!.ts).toBe(want)
  })

  it('rejects a sample whose configured timestamp is missing or unreadable, keeps the others', () => {
    const r = decodeMessage([sig('a', 'x', 'number', { tsPath: 'at' }), sig('b', 'x')], enc('{"x":1,"at":"yesterday"}'), NOW, 1e6)
    expect(r.samples.map((s) => s.signal)).toEqual(['b'])
    expect(r.rejections).toEqual([{ signal: 'a', reason: 'bad_timestamp' }])
  })

  it('yields many samples from arrays in one message', () => {
    const doc = { rows: [{ v: 1 }, { v: 2 }, { v: 3 }] }
    const r = decodeMessage([0, 1, 2].map((i) => sig(`r${i}`, `rows[${i}].v`)), enc(JSON.stringify(doc)), NOW, 1e6)
    expect(r.samples.map((s) => s.value)).toEqual([1, 2, 3])
  })

  it('reports a path that can never match', () => {
    expect(decodeMessage([sig('a', 'x[y]')], enc('{}'), NOW, 1e6).rejections).toEqual([{ signal: 'a', reason: 'bad_path' }])
  })
})
