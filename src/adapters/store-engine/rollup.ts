import type { DataType, SampleValue } from '../../shared/model'
import { type Columns, KIND_BOOLEAN, KIND_NUMBER, KIND_STRING, kindOf } from './columns'

export const MINUTE = 60_000
export const HOUR = 3_600_000
export const DAY = 86_400_000

/** A value as rollups keep it: numbers and booleans as numbers, strings as text. */
export type StoredValue = number | string | null

/** Aggregates of one signal over [t, t + width). `sum`, `min`, `max` cover the `nnum` numeric samples. */
export interface RollupRow {
  t: number
  count: number
  nnum: number
  sum: number
  min: number | null
  max: number | null
  first: StoredValue
  last: StoredValue
}

export function storedValueAt(c: Columns, i: number): StoredValue {
  const kind = kindOf(c.flags[i] ?? 0)
  if (kind === KIND_NUMBER || kind === KIND_BOOLEAN) return c.num[i] ?? 0
  if (kind === KIND_STRING) return c.text?.[i] ?? ''
  return null
}

export function fromStored(v: StoredValue, dataType: DataType): SampleValue {
  if (v === null) return null
  if (dataType === 'boolean' && typeof v === 'number') return v !== 0
  return v
}

/** Rollup rows of sorted columns, one per `width`-aligned interval that has samples. */
export function aggregate(c: Columns, width: number): RollupRow[] {
  const rows: RollupRow[] = []
  const { ts, num, flags } = c
  let row: RollupRow | undefined
  let end = -Infinity
  for (let i = 0; i < c.n; i++) {
    const t = ts[i] ?? 0
    if (t >= end) {
      if (row) row.last = storedValueAt(c, i - 1)
      const start = t - (t % width)
      end = start + width
      row = { t: start, count: 0, nnum: 0, sum: 0, min: null, max: null, first: storedValueAt(c, i), last: null }
      rows.push(row)
    }
    const r = row as RollupRow
    r.count++
    if ((flags[i] ?? 0) >> 2 <= KIND_BOOLEAN) {
      const x = num[i] ?? 0
      r.nnum++
      r.sum += x
      if (r.min === null || x < r.min) r.min = x
      if (r.max === null || x > r.max) r.max = x
    }
  }
  if (row) row.last = storedValueAt(c, c.n - 1)
  return rows
}

/** Folds later rows into coarser intervals (minutes into hours); rows must be ascending. */
export function coarsen(rows: readonly RollupRow[], width: number): RollupRow[] {
  const out: RollupRow[] = []
  let acc: RollupRow | undefined
  for (const r of rows) {
    const t = r.t - (r.t % width)
    if (acc === undefined || acc.t !== t) {
      acc = { ...r, t }
      out.push(acc)
      continue
    }
    acc.count += r.count
    acc.nnum += r.nnum
    acc.sum += r.sum
    if (r.min !== null && (acc.min === null || r.min < acc.min)) acc.min = r.min
    if (r.max !== null && (acc.max === null || r.max > acc.max)) acc.max = r.max
    acc.last = r.last
  }
  return out
}
