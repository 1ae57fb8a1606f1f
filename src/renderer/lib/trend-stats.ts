import { lowerBound, type TrendBuffer } from './trend-buffer'

/** The pen's value at `tSec`: the last point at or before it (held), null inside a gap or before the first point. */
export function valueAt(buf: TrendBuffer, tSec: number): number | null {
  const i = lowerBound(buf.t, tSec)
  const k = i < buf.t.length && buf.t[i] === tSec ? i : i - 1
  return k >= 0 ? (buf.v[k] ?? null) : null
}

export interface CursorStats {
  /** Value at the later cursor minus the value at the earlier one; null when either is in a gap. */
  delta: number | null
  min: number | null
  max: number | null
  /** Time-weighted mean of the held values between the cursors (gaps excluded); null without any value. */
  mean: number | null
  /** Points between the cursors. */
  n: number
}

/**
 * Each pen's figures between two cursors (in either order). Min and max take the min/max band when the data is
 * bucketed, so a spike inside a bucket counts; the mean weighs each value by how long it held.
 */
export function statsBetween(buf: TrendBuffer, aSec: number, bSec: number): CursorStats {
  const from = Math.min(aSec, bSec)
  const to = Math.max(aSec, bSec)
  const va = valueAt(buf, from)
  const vb = valueAt(buf, to)
  let min = Infinity
  let max = -Infinity
  let area = 0
  let span = 0
  let n = 0
  // the value held at the first cursor counts from there
  let prevT = from
  let prevV = va
  if (va !== null) {
    min = Math.min(min, va)
    max = Math.max(max, va)
  }
  for (let i = lowerBound(buf.t, from); i < buf.t.length && buf.t[i]! <= to; i++) {
    const t = buf.t[i]!
    const v = buf.v[i] ?? null
    if (prevV !== null && t > prevT) {
      area += prevV * (t - prevT)
      span += t - prevT
    }
    if (v !== null) {
      n++
      const lo = buf.lo?.[i] ?? v
      const hi = buf.hi?.[i] ?? v
      min = Math.min(min, lo, v)
      max = Math.max(max, hi, v)
    }
    prevT = t
    prevV = v
  }
  if (prevV !== null && to > prevT) {
    area += prevV * (to - prevT)
    span += to - prevT
  }
  const any = min <= max
  return {
    delta: va !== null && vb !== null ? vb - va : null,
    min: any ? min : null,
    max: any ? max : null,
    mean: span > 0 ? area / span : any && prevV !== null ? prevV : null,
    n,
  }
}
