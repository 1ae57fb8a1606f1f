import { describe, expect, it } from 'vitest'
import type { MqttSignalConfig } from '../../core/config/schema'
import type { Sample } from '../../shared/model'
import { compileMapping, decodeGeneral, decodeInto } from './decode'
import { random } from '../../core/testing/contract-data'
import { COMPOUND, compilePlan, FALLBACK, NOT_JSON, scanJson } from './fast-json'
import { resolveSteps, type PathStep } from './json-path'

/** A seeded PRNG: every failure is reproducible from its case number. */
function rng(seed: number) {
  const next = random(seed)
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
  return { next, int, pick }
}
type R = ReturnType<typeof rng>

const KEYS = ['a', 'b', 'ts', 'v', 'x', '__proto__', 'a\\u0062', 'caf\u00e9', '', 'k"q']
const NUMBERS = ['0', '-0', '1', '-1', '12.5', '1e3', '1E+2', '-0.0e-5', '123456789012345678901234567890', '0.1', '3.141592653589793238',
  '1e400', '-1e-400', '9007199254740993', '1.7976931348623157e308', '5e-324', '1700000000000', '1700000000', '2.5e-7', '00', '1.', '.5', '-', '+1', '1e', '0x10']
const STRINGS = ['"good"', '"12.5"', '"true"', '"2026-11-22T10:00:00Z"', '"a\\"b"', '"\\u00e9t\\u00e9"', '"caf\u00e9"', '"tab\\there"', '"bad\\x"', '"\u0001"', '""', `"${'x'.repeat(2000)}"`]

function jsonText(r: R, depth: number): string {
  const ws = () => r.pick(['', '', '', ' ', '\n', '\t ', '\r\n'])
  const roll = r.int(10)
  if (depth < 4 && roll < 3) {
    const n = r.int(5)
    const members = Array.from({ length: n }, () => `${ws()}"${r.pick(KEYS)}"${ws()}:${ws()}${jsonText(r, depth + 1)}${ws()}`)
    return `{${members.join(',')}${n === 0 ? ws() : ''}}`
  }
  if (depth < 4 && roll < 5) return `[${Array.from({ length: r.int(4) }, () => `${ws()}${jsonText(r, depth + 1)}${ws()}`).join(',')}]`
  if (roll < 7) return r.pick(NUMBERS.slice(0, r.next() < 0.9 ? 19 : NUMBERS.length))
  if (roll < 9) return r.pick(STRINGS)
  return r.pick(['true', 'false', 'null', 'nul', 'True'])
}

function mutate(r: R, bytes: Uint8Array): Uint8Array {
  const b = Array.from(bytes)
  const at = r.int(b.length + 1)
  switch (r.int(6)) {
    case 0:
      return Uint8Array.from(b.slice(0, at)) // truncated
    case 1:
      b.splice(at, 0, r.pick([44, 58, 123, 125, 91, 93, 34, 92, 0x80, 0xc3, 0xff, 0x00, 0x20])) // a stray byte
      return Uint8Array.from(b)
    case 2:
      if (b.length > 0) b[Math.min(at, b.length - 1)] = r.pick([0xe9, 0xc3, 0x7f, 0x22, 0x2c, 0x31])
      return Uint8Array.from(b)
    default:
      return bytes
  }
}

const randomPath = (r: R): PathStep[] =>
  Array.from({ length: 1 + r.int(3) }, () => (r.next() < 0.7 ? r.pick(['a', 'b', 'ts', 'v', 'x', '__proto__', 'ab', 'café', 'k"q']) : r.int(3)))

/** What JSON.parse + resolveSteps gives, with objects and arrays shown as COMPOUND like the scanner does. */
function viaParse(bytes: Uint8Array, paths: PathStep[][]): unknown[] | 'throws' {
  let doc: unknown
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return 'throws'
  }
  return paths.map((p) => {
    const v = resolveSteps(doc, p)
    return v !== null && typeof v === 'object' ? COMPOUND : v
  })
}

describe('fast JSON scanner against JSON.parse (differential fuzz)', () => {
  it('agrees with JSON.parse on every document it takes, and never calls valid JSON invalid', () => {
    const r = rng(20261122)
    const taken = { ok: 0, notJson: 0, fallback: 0 }
    for (let c = 0; c < 30_000; c++) {
      let bytes: Uint8Array = new TextEncoder().encode(jsonText(r, 0))
      if (r.next() < 0.35) bytes = mutate(r, bytes)
      const paths = Array.from({ length: 1 + r.int(4) }, () => randomPath(r))
      const plan = compilePlan(paths)
      const out: unknown[] = []
      const got = scanJson(bytes, plan, out)
      const want = viaParse(bytes, paths)
      const where = `case ${c}: ${new TextDecoder().decode(bytes).slice(0, 200)} paths ${JSON.stringify(paths)}`
      if (got === FALLBACK) {
        taken.fallback++
        continue
      }
      if (got === NOT_JSON) {
        taken.notJson++
        expect(want, where).toBe('throws')
        continue
      }
      taken.ok++
      expect(want, where).not.toBe('throws')
      expect(plan.slots.map((s) => out[s]), where).toEqual(want)
    }
    // the generator must exercise all three outcomes, or the test proves little
    expect(taken.ok).toBeGreaterThan(10_000)
    expect(taken.notJson).toBeGreaterThan(1_000)
    expect(taken.fallback).toBeGreaterThan(500)
  })

  it('decodeInto (scanner first) gives the same samples and rejections as the general path', () => {
    const r = rng(7)
    const types = ['number', 'string', 'boolean'] as const
    const formats = ['auto', 'ms', 's', 'iso', 'arrival', undefined] as const
    for (let c = 0; c < 10_000; c++) {
      let text = jsonText(r, 0)
      // documents shaped like devices send them, half the time
      if (r.next() < 0.5) text = `{"ts":${r.pick(['1700000000000', '1700000000.5', '"2026-11-22T10:00:00Z"', '"x"', 'null'])},"v":${jsonText(r, 2)},"a":{"b":[${jsonText(r, 3)},2]}}`
      let bytes: Uint8Array = new TextEncoder().encode(text)
      if (r.next() < 0.3) bytes = mutate(r, bytes)
      const mappings = Array.from({ length: 1 + r.int(3) }, (_, i): MqttSignalConfig => {
        const tsFormat = r.pick(formats)
        return {
          id: `s${i}`,
          name: `s${i}`,
          topic: 't',
          path: r.pick(['v', 'a.b[0]', 'a.b[1]', 'a', 'x', 'ts', 'b.v']),
          dataType: r.pick(types),
          ...(r.next() < 0.5 ? { tsPath: r.pick(['ts', 'a.b[1]', 'missing']) } : {}),
          ...(tsFormat === undefined ? {} : { tsFormat }),
        } as MqttSignalConfig
      }).map(compileMapping)
      const arrival = 1_800_000_000_000
      const fast: Sample[] = []
      const slow: Sample[] = []
      const rf = decodeInto(mappings, bytes, arrival, 1 << 20, fast)
      const rs = decodeGeneral(mappings, bytes, arrival, 1 << 20, slow)
      const where = `case ${c}: ${new TextDecoder().decode(bytes).slice(0, 200)}`
      expect(fast, where).toEqual(slow)
      expect(rf, where).toEqual(rs)
    }
  })

  it('reads numbers to the same double as JSON.parse, including ones past the fast path', () => {
    const r = rng(99)
    const plan = compilePlan([['v']])
    const out: unknown[] = []
    for (let c = 0; c < 20_000; c++) {
      const digits = (n: number) => Array.from({ length: n }, () => r.int(10)).join('')
      const text = `${r.next() < 0.3 ? '-' : ''}${r.next() < 0.2 ? '0' : String(1 + r.int(9)) + digits(r.int(19))}${r.next() < 0.6 ? '.' + digits(1 + r.int(18)) : ''}${r.next() < 0.3 ? 'e' + r.pick(['', '+', '-']) + r.int(40) : ''}`
      expect(scanJson(new TextEncoder().encode(`{"v":${text}}`), plan, out)).toBeUndefined()
      expect(Object.is(out[0], JSON.parse(text)), text).toBe(true)
    }
  })

  it('leaves deep nesting, long strings and non-ASCII to the general path', () => {
    const plan = compilePlan([['v']])
    const out: unknown[] = []
    const enc = (s: string) => new TextEncoder().encode(s)
    expect(scanJson(enc(`{"v":1,"d":${'['.repeat(100)}${']'.repeat(100)}}`), plan, out)).toBe(FALLBACK)
    expect(scanJson(enc(`{"v":"${'y'.repeat(5000)}"}`), plan, out)).toBe(FALLBACK)
    expect(scanJson(enc(`{"v":1,"name":"Vöhringen"}`), plan, out)).toBe(FALLBACK)
    expect(scanJson(enc(`{"v":1,"v":2}`), plan, out)).toBe(FALLBACK)
    expect(scanJson(enc(`{"v":1,"x":2,}`), plan, out)).toBe(NOT_JSON)
    expect(scanJson(enc(`{"v":1} {"v":2}`), plan, out)).toBe(NOT_JSON)
    // broken JSON followed by invalid UTF-8: the general path says bad_utf8, so the scanner must not say not_json
    expect(scanJson(Uint8Array.from([...enc('{"v":,'), 0xff]), plan, out)).toBe(FALLBACK)
  })
})
