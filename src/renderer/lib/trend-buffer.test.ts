import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import { appendSamples, fromSeries, trimBefore, withHeldValue } from './trend-buffer'

const s = (ts: number, value: Sample['value'], quality: Sample['quality'] = 'good', signal = 'x'): Sample => ({ signal, ts, value, quality })

describe('trend buffer', () => {
  it('converts history to seconds and keeps gaps', () => {
    expect(fromSeries({ signal: 'x', t: [1000, 2000], v: [1, null] })).toEqual({ t: [1, 2], v: [1, null] })
    expect(fromSeries(undefined)).toEqual({ t: [], v: [] })
  })
  it('appends only the trended signal and only points after the last one', () => {
    const buf = fromSeries({ signal: 'x', t: [1000, 2000], v: [1, 2] })
    const added = appendSamples(buf, [s(2000, 9), s(1500, 9), s(3000, 3), s(4000, 4, 'good', 'other'), s(5000, 5)], 'x')
    expect(added).toBe(2)
    expect(buf).toEqual({ t: [1, 2, 3, 5], v: [1, 2, 3, 5] })
  })
  it('trims old points but keeps one before the window so the line starts at the edge', () => {
    const buf = { t: [1, 2, 3, 4, 5], v: [1, 2, 3, 4, 5] }
    trimBefore(buf, 3.5)
    expect(buf.t).toEqual([3, 4, 5])
    trimBefore(buf, 0)
    expect(buf.t).toEqual([3, 4, 5])
    trimBefore(buf, 100)
    expect(buf.t).toEqual([5])
  })
})

describe('withHeldValue', () => {
  it('holds the last value until now', () => {
    const buf = { t: [1, 2], v: [5, 6] }
    expect(withHeldValue(buf, 0, 10, null)).toEqual({ t: [1, 2, 10], v: [5, 6, 6] })
    expect(buf.t).toEqual([1, 2])
  })
  it('does not extend a gap or a point already at now', () => {
    const gap = { t: [1, 2], v: [5, null] }
    expect(withHeldValue(gap, 0, 10, 7)).toBe(gap)
    const fresh = { t: [1, 10], v: [5, 6] }
    expect(withHeldValue(fresh, 0, 10, 7)).toBe(fresh)
  })
  it('draws the current value across an empty window', () => {
    expect(withHeldValue({ t: [], v: [] }, 0, 10, 1)).toEqual({ t: [0, 10], v: [1, 1] })
    const empty = { t: [], v: [] }
    expect(withHeldValue(empty, 0, 10, null)).toBe(empty)
  })
})
