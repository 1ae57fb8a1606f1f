import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import { signalCondition, staleAfterMs, staleReason, worstOf, type ConditionContext } from './condition'

const NOW = 1_000_000
const ctx = (over: Partial<ConditionContext> = {}): ConditionContext => ({ now: NOW, intervals: {}, linkUp: true, ...over })
const sample = (signal: string, ageMs: number, quality: Sample['quality'] = 'good'): Sample => ({ signal, ts: NOW - ageMs, value: 1, quality })

describe('staleness', () => {
  it('is 3x the learnt interval, never under 10 s', () => {
    expect(staleAfterMs(undefined)).toBe(10_000)
    expect(staleAfterMs(500)).toBe(10_000)
    expect(staleAfterMs(60_000)).toBe(180_000)
  })
  it('is 3x the attribute\'s expected interval when it has one, for any source', () => {
    expect(staleAfterMs(60_000, 1000)).toBe(3000)
    const expected = { expectedOf: () => 1000, periodic: () => false }
    expect(staleReason(sample('a', 2_900), ctx(expected))).toBeUndefined()
    expect(staleReason(sample('a', 3_100), ctx(expected))).toMatch(/expected interval/)
  })
  it('marks a value stale by age, a dead link or a source that is down', () => {
    expect(staleReason(sample('a', 1_000), ctx())).toBeUndefined()
    expect(staleReason(sample('a', 11_000), ctx())).toMatch(/expected interval/)
    expect(staleReason(sample('a', 11_000), ctx({ intervals: { a: 5_000 } }))).toBeUndefined()
    expect(staleReason(sample('a', 100), ctx({ linkUp: false }))).toMatch(/link/)
    expect(staleReason(sample('a', 100), ctx({ healthOf: () => 'error' }))).toMatch(/connection is error/)
    expect(staleReason(sample('a', 100), ctx({ healthOf: () => 'degraded' }))).toBeUndefined()
  })
  it('never ages out a report-by-exception value while its connection is up', () => {
    const opcua = { periodic: () => false }
    expect(staleReason(sample('a', 3_600_000), ctx(opcua))).toBeUndefined()
    expect(staleReason(sample('a', 100), ctx({ ...opcua, healthOf: () => 'stopped' }))).toMatch(/stopped/)
    expect(staleReason(sample('a', 100), ctx({ ...opcua, linkUp: false }))).toMatch(/link/)
  })
})

describe('signalCondition', () => {
  it('ranks bad over stale over uncertain over good', () => {
    expect(signalCondition(undefined, ctx())).toBe('nodata')
    expect(signalCondition(sample('a', 0), ctx())).toBe('good')
    expect(signalCondition(sample('a', 0, 'uncertain'), ctx())).toBe('uncertain')
    expect(signalCondition(sample('a', 60_000, 'uncertain'), ctx())).toBe('stale')
    expect(signalCondition(sample('a', 60_000, 'bad'), ctx())).toBe('bad')
  })
  it('worstOf picks the worst and defaults when empty', () => {
    expect(worstOf(['good', 'stale', 'uncertain'])).toBe('stale')
    expect(worstOf([])).toBe('good')
    expect(worstOf(['nodata', 'uncertain'])).toBe('nodata')
  })
})
