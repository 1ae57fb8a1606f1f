import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import { mergeSamples, type LiveData } from './live-merge'

const s = (signal: string, ts: number, value: Sample['value'] = 1, quality: Sample['quality'] = 'good'): Sample => ({ signal, ts, value, quality })
const empty: LiveData = { latest: {}, intervals: {} }

describe('mergeSamples', () => {
  it('keeps the newest sample per signal, whatever the order in the batch', () => {
    const d = mergeSamples(empty, [s('a', 2000, 2), s('a', 1000, 1), s('b', 500)])
    expect(d.latest.a?.value).toBe(2)
    expect(d.latest.b?.ts).toBe(500)
  })
  it('returns the same object when nothing changed (React skips the render)', () => {
    const d = mergeSamples(empty, [s('a', 1000)])
    expect(mergeSamples(d, [])).toBe(d)
    expect(mergeSamples(d, [s('a', 1000)])).toBe(d)
    expect(mergeSamples(d, [s('a', 500)])).toBe(d)
  })
  it('takes a same-time update of quality (a source going bad)', () => {
    const d = mergeSamples(empty, [s('a', 1000)])
    expect(mergeSamples(d, [s('a', 1000, 1, 'bad')]).latest.a?.quality).toBe('bad')
  })
  it('learns the update interval as a moving average', () => {
    let d = mergeSamples(empty, [s('a', 0)])
    expect(d.intervals.a).toBeUndefined()
    d = mergeSamples(d, [s('a', 1000)])
    expect(d.intervals.a).toBe(1000)
    d = mergeSamples(d, [s('a', 3000)])
    expect(d.intervals.a).toBeCloseTo(1300)
  })
  it('does not mutate its input', () => {
    const d = mergeSamples(empty, [s('a', 0)])
    const before = JSON.stringify(d)
    mergeSamples(d, [s('a', 10), s('b', 1)])
    expect(JSON.stringify(d)).toBe(before)
  })
})
