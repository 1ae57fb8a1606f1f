import { describe, expect, it } from 'vitest'
import { MINUTE, type RollupRow } from '../../store-engine/rollup'
import { mergeNewer, packRollups, unpackRollups } from './rollup-pack'

const BASE = Date.UTC(2025, 0, 1, 10)
const row = (slot: number, over: Partial<RollupRow> = {}): RollupRow => ({
  t: BASE + slot * MINUTE,
  count: 3,
  nnum: 2,
  sum: 1.5,
  min: -0.25,
  max: 1.75,
  first: 1,
  last: null,
  ...over,
})

describe('packed rollups', () => {
  it('round-trips numbers, nulls and strings', () => {
    const rows = [row(0), row(7, { min: null, max: null, nnum: 0, sum: 0, first: 'RUN', last: 'état' }), row(59, { first: null, last: 2 })]
    const { data, texts } = packRollups(rows, BASE, MINUTE)
    expect(unpackRollups(data, texts, BASE, MINUTE)).toEqual(rows)
  })

  it('merges records appended for the same interval, later ones last', () => {
    const a = packRollups([row(1), row(2, { last: 5 })], BASE, MINUTE).data
    const b = packRollups([row(2, { min: -9, max: 0, first: 7, last: 8 }), row(3)], BASE, MINUTE).data
    const joined = new Uint8Array([...a, ...b])
    const merged = unpackRollups(joined, null, BASE, MINUTE)
    expect(merged).toEqual(mergeNewer([row(1), row(2, { last: 5 })], [row(2, { min: -9, max: 0, first: 7, last: 8 }), row(3)]))
    expect(merged[1]).toEqual(row(2, { count: 6, nnum: 4, sum: 3, min: -9, max: 1.75, first: 1, last: 8 }))
  })
})
