import { describe, expect, it } from 'vitest'
import { onPixelGrid } from './trend-grid'

describe('onPixelGrid (what a live pen draws)', () => {
  it("keeps each column's minimum and maximum in their order, at the column's fixed instants", () => {
    // 10 samples a column over 3 columns of 1 s from t=100: a spike up in column 0, down in column 1, flat in column 2
    const t = Array.from({ length: 30 }, (_, i) => 100 + i / 10)
    const v = t.map((_, i) => (i === 3 ? 9 : i === 14 ? -5 : 1))
    const g = onPixelGrid({ t, v }, 100, 1)
    expect(g.t).toEqual([100.25, 100.75, 101.25, 101.75, 102.25])
    // column 0: 1 first, then the spike 9; column 1: 1 first, then the dip -5; column 2: flat, one point
    expect(g.v).toEqual([1, 9, 1, -5, 1])
  })

  it('two pens on the same grid share their instants exactly (the join has no more rows than columns allow)', () => {
    const a = { t: Array.from({ length: 100 }, (_, i) => 50 + i * 0.097), v: Array.from({ length: 100 }, (_, i) => i) }
    const b = { t: Array.from({ length: 100 }, (_, i) => 50.013 + i * 0.101), v: Array.from({ length: 100 }, (_, i) => -i) }
    const ga = onPixelGrid(a, 50, 0.5)
    const gb = onPixelGrid(b, 50, 0.5)
    const shared = new Set([...ga.t, ...gb.t])
    expect(shared.size).toBeLessThanOrEqual(2 * 21)
    expect(ga.t.every((x) => gb.t.includes(x) || x > gb.t.at(-1)!)).toBe(true)
  })

  it('an outage stays a break: a column with a null ends the line there, an all-null column is a null', () => {
    const t = [0.1, 0.2, 0.3, 0.4, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4]
    const v = [1, 2, 3, null, null, null, 4, 5, 6, 7]
    const g = onPixelGrid({ t, v }, 0, 1)
    expect(g.v).toEqual([1, 3, null, null, 4, 7])
    expect(g.t[2]).toBeCloseTo(0.999)
  })

  it('a banded pen keeps its band per column: the lowest low and the highest high of the column', () => {
    const g = onPixelGrid({ t: [0.1, 0.5, 0.9, 1.2], v: [5, 6, 5.5, 7], lo: [4, 5, 5, 7], hi: [6, 9, 6, 7] }, 0, 1)
    expect(g).toEqual({ t: [0.25, 0.75, 1.25], v: [5, 6, 7], lo: [4, 4, 7], hi: [9, 9, 7] })
  })

  it('snaps a short buffer too (its points move at most within their column), and leaves an empty one', () => {
    expect(onPixelGrid({ t: [1.1, 2.6, 3.9], v: [1, 2, 3] }, 0, 1)).toEqual({ t: [1.25, 2.25, 3.25], v: [1, 2, 3] })
    const empty = { t: [], v: [] }
    expect(onPixelGrid(empty, 0, 1)).toBe(empty)
  })
})
