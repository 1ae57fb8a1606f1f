import { describe, expect, it } from 'vitest'
import type { AssetNode, Sample } from '../../shared/model'
import { nodeConditions, sameConditions, signalCondition, staleAfterMs, staleReason, worstOf, type ConditionContext } from './condition'

const NOW = 1_000_000
const ctx = (over: Partial<ConditionContext> = {}): ConditionContext => ({ now: NOW, intervals: {}, linkUp: true, ...over })
const sample = (signal: string, ageMs: number, quality: Sample['quality'] = 'good'): Sample => ({ signal, ts: NOW - ageMs, value: 1, quality })

describe('staleness', () => {
  it('is 3x the learnt interval, never under 10 s', () => {
    expect(staleAfterMs(undefined)).toBe(10_000)
    expect(staleAfterMs(500)).toBe(10_000)
    expect(staleAfterMs(60_000)).toBe(180_000)
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

describe('nodeConditions', () => {
  const leaf = (id: string, signal: string): AssetNode => ({ id, name: id, kind: 'pump', signals: [{ attribute: 'X', signal }], children: [] })
  const tree: AssetNode = {
    id: 'site',
    name: 'Site',
    kind: 'site',
    signals: [],
    children: [
      { id: 'line1', name: 'Line 1', kind: 'line', signals: [], children: [leaf('p1', 's/1'), leaf('p2', 's/2')] },
      { id: 'line2', name: 'Line 2', kind: 'line', signals: [], children: [leaf('p3', 's/3')] },
      { id: 'empty', name: 'Empty', kind: 'folder', signals: [], children: [] },
    ],
  }
  it('rolls the worst condition up to every ancestor', () => {
    const latest = { 's/1': sample('s/1', 0), 's/2': sample('s/2', 0, 'bad'), 's/3': sample('s/3', 0) }
    const m = nodeConditions(tree, latest, ctx())
    expect(m).toMatchObject({ p1: 'good', p2: 'bad', line1: 'bad', p3: 'good', line2: 'good', site: 'bad', empty: 'good' })
  })
  it('flags signals without data and stale ones', () => {
    const m = nodeConditions(tree, { 's/1': sample('s/1', 30_000) }, ctx())
    expect(m).toMatchObject({ p1: 'stale', p2: 'nodata', line1: 'stale', line2: 'nodata', site: 'stale' })
  })
  it('compares maps by content', () => {
    expect(sameConditions({ a: 'good' }, { a: 'good' })).toBe(true)
    expect(sameConditions({ a: 'good' }, { a: 'bad' })).toBe(false)
    expect(sameConditions({ a: 'good' }, { a: 'good', b: 'good' })).toBe(false)
  })
})
