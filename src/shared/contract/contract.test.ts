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

  it('declares who may call every method; only ping, info and the login methods are public', () => {
    for (const [name, spec] of Object.entries(contract)) {
      expect(['public', 'viewer', 'operator', 'engineer', 'admin'], name).toContain(spec.access)
      if (spec.access === 'public') expect(name, name).toMatch(/^(system\.(ping|info)|auth\..+)$/)
    }
    // raw engineering writes and configuration changes are never within a viewer's or an operator's reach
    for (const name of ['opcua.write', 'opcua.call', 'mqtt.publish', 'mqtt.request', 'opcua.endpoints', 'certificates.trust', 'certificates.reject', 'model.import', 'model.update', 'mqtt.mappings.add', 'opcua.add'] as const) {
      expect(['engineer', 'admin'], name).toContain(contract[name].access)
    }
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
