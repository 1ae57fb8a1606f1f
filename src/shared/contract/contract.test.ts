import { describe, expect, it } from 'vitest'
import { contract, events } from '.'

describe('contract', () => {
  it('names methods domain.verb and events domain.noun', () => {
    for (const name of [...Object.keys(contract), ...Object.keys(events)]) expect(name).toMatch(/^[a-z]+(\.[a-z][A-Za-z]*)+$/)
  })

  it('bounds trend queries: at most 64 signals, 10,000 points, and `to` after `from`', () => {
    const q = contract['trends.query'].input
    expect(q.safeParse({ signals: ['a/b'], from: 0, to: 10, points: 100 }).success).toBe(true)
    expect(q.safeParse({ signals: Array.from({ length: 65 }, (_, i) => `s${i}`), from: 0, to: 10, points: 100 }).success).toBe(false)
    expect(q.safeParse({ signals: ['a'], from: 0, to: 10, points: 10_001 }).success).toBe(false)
    expect(q.safeParse({ signals: ['a'], from: 10, to: 10, points: 100 }).success).toBe(false)
    expect(q.safeParse({ signals: ['a b'], from: 0, to: 10, points: 100 }).success).toBe(false)
  })

  it('rejects extra params on every method (strict objects)', () => {
    for (const [name, spec] of Object.entries(contract)) {
      expect(spec.input.safeParse({ __unexpected: 1 }).success, name).toBe(false)
    }
  })

  it('validates sample batches: qualities and value types', () => {
    const b = events['signals.samples']
    expect(b.safeParse([{ signal: 'a/b', ts: 1, value: 1.5, quality: 'good' }]).success).toBe(true)
    expect(b.safeParse([{ signal: 'a/b', ts: 1, value: { x: 1 }, quality: 'good' }]).success).toBe(false)
    expect(b.safeParse([{ signal: 'a/b', ts: -1, value: 1, quality: 'good' }]).success).toBe(false)
    expect(b.safeParse([{ signal: 'a/b', ts: 1, value: 1, quality: 'fine' }]).success).toBe(false)
  })
})
