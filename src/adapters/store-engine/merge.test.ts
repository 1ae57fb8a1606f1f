import { describe, expect, it } from 'vitest'
import { type Columns, ColumnsBuilder } from './columns'
import { mergeNewerWins, overlay, sortDedupe } from './merge'

const cols = (rows: [number, number][]): Columns => {
  const b = new ColumnsBuilder()
  for (const [t, v] of rows) b.push(t, v, 0)
  return b.view()
}
const pairs = (c: Columns) => Array.from({ length: c.n }, (_, i) => [c.ts[i], c.num[i]])

describe('merging runs', () => {
  it('sorts by time and keeps the last arrival of a timestamp', () => {
    const r = sortDedupe(cols([[3, 1], [1, 2], [3, 3], [2, 4], [1, 5]]))
    expect(pairs(r.cols)).toEqual([[1, 5], [2, 4], [3, 3]])
    expect(r.duplicates).toBe(2)
  })

  it('lets newer data win over older data on equal timestamps', () => {
    const r = mergeNewerWins(cols([[1, 1], [3, 3], [5, 5]]), cols([[2, 20], [3, 30], [6, 60]]))
    expect(pairs(r.cols)).toEqual([[1, 1], [2, 20], [3, 30], [5, 5], [6, 60]])
    expect(r.duplicates).toBe(1)
  })

  it('overlays recent rows on compacted ones, appending when they are all newer', () => {
    expect(pairs(overlay(cols([[1, 1], [2, 2]]), cols([[4, 4], [3, 3]])).cols)).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]])
    expect(pairs(overlay(cols([[1, 1], [2, 2]]), cols([[2, 9], [2, 8]])).cols)).toEqual([[1, 1], [2, 8]])
  })
})
