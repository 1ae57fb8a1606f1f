import { describe, expect, it } from 'vitest'
import { blockSize, decodeBlock, encodeBlock } from './block-codec'
import { type Columns, ColumnsBuilder, KIND_BOOLEAN, KIND_NULL, KIND_NUMBER, KIND_STRING, makeFlags } from '../../store-engine/columns'
import { toTick } from '../../../core/ports/sample-store'
import { random } from '../../../core/testing/contract-data'

function roundTrip(c: Columns): Columns {
  const bytes = encodeBlock(c)
  expect(blockSize(bytes)).toBe(c.n)
  return decodeBlock(bytes)
}

function expectSame(a: Columns, b: Columns): void {
  expect(b.n).toBe(a.n)
  expect([...b.ts]).toEqual([...a.ts])
  expect([...b.flags]).toEqual([...a.flags])
  for (let i = 0; i < a.n; i++) {
    const kind = (a.flags[i] ?? 0) >> 2
    if (kind <= KIND_BOOLEAN) expect(Object.is(b.num[i], a.num[i])).toBe(true)
    if (kind === KIND_STRING) expect(b.text?.[i]).toBe(a.text?.[i])
    expect(b.status?.[i]).toBe(a.status?.[i])
  }
}

function build(n: number, sample: (i: number, b: ColumnsBuilder) => void): Columns {
  const b = new ColumnsBuilder()
  for (let i = 0; i < n; i++) sample(i, b)
  return b.view()
}

describe('block codec', () => {
  it('keeps microsecond timestamps exactly, and reads version-1 blocks (integer ms, before microseconds)', () => {
    const T = 1_764_640_000_123
    const us = build(500, (i, b) => b.push(toTick(T + i / 1000 + (i % 7) * 0.013), i, makeFlags(0, KIND_NUMBER)))
    expectSame(us, roundTrip(us))
    // A version-1 block held integer ms where version 2 holds integer µs: the same bytes under version 1 mean ms.
    const ms = build(50, (i, b) => b.push(T + i * 1000, i, makeFlags(0, KIND_NUMBER)))
    const scaled = build(50, (i, b) => b.push((T + i * 1000) / 1000, i, makeFlags(0, KIND_NUMBER)))
    const v1 = encodeBlock(scaled)
    expect(v1[0]).toBe(2)
    v1[0] = 1
    expectSame(ms, decodeBlock(v1))
  })

  it('round-trips regular 2-decimal analog data in about a byte per sample', () => {
    const rnd = random(1)
    let v = 20
    const c = build(4096, (i, b) => b.push(1.7e12 + i * 1000, Math.round((v += rnd() - 0.5) * 100) / 100, 0))
    const bytes = encodeBlock(c)
    expect(bytes.length / c.n).toBeLessThan(1.5)
    expectSame(c, decodeBlock(bytes))
  })

  it('round-trips full-precision doubles, specials included, bit for bit', () => {
    const rnd = random(2)
    const specials = [0, -0, Number.MIN_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 1e-300, 0.1 + 0.2]
    const c = build(1000, (i, b) => b.push(i * 7 + (i % 3), specials[i % 11] ?? (rnd() - 0.5) * 1e6, 0))
    expectSame(c, roundTrip(c))
  })

  it('round-trips irregular, large and single timestamps', () => {
    const rnd = random(3)
    let t = 0
    const irregular = build(500, (i, b) => b.push((t += 1 + Math.floor(rnd() ** 8 * 1e10)), i, 0))
    expectSame(irregular, roundTrip(irregular))
    const one = build(1, (_, b) => b.push(8_640_000_000_000_000, 1, 0))
    expectSame(one, roundTrip(one))
    expect(roundTrip(build(0, () => {})).n).toBe(0)
  })

  it('round-trips every kind, quality and status mixed', () => {
    const rnd = random(4)
    const states = ['RUN', 'STOP', 'FAULT', 'état ✓', '']
    const c = build(3000, (i, b) => {
      const kind = Math.floor(rnd() * 4)
      const q = Math.floor(rnd() * 3)
      const status = rnd() < 0.1 ? `Status${Math.floor(rnd() * 4)}` : undefined
      if (kind === KIND_NUMBER) b.push(i, rnd() * 100, makeFlags(q, kind), undefined, status)
      else if (kind === KIND_BOOLEAN) b.push(i, rnd() < 0.5 ? 1 : 0, makeFlags(q, kind), undefined, status)
      else if (kind === KIND_STRING) b.push(i, 0, makeFlags(q, kind), states[i % states.length], status)
      else b.push(i, 0, makeFlags(q, KIND_NULL), undefined, status)
    })
    expectSame(c, roundTrip(c))
  })

  it('rejects a block from a future format', () => {
    const bytes = encodeBlock(build(3, (i, b) => b.push(i, i, 0)))
    bytes[0] = 99
    expect(() => decodeBlock(bytes)).toThrow(/version/)
  })
})
