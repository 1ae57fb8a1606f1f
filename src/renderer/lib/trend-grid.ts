import type { TrendBuffer } from './trend-buffer'

/**
 * Pixel-grid decimation of a live pen for drawing. Ten pens sampled at their own instants join into a table of ten
 * times the rows of one pen, and uPlot walks every row for every series on each redraw (bench:ui: the 10 Hz redraws
 * were the frames over 16 ms). On a grid of `step` seconds from `origin` (one step per pixel column), each column with
 * samples keeps its minimum and maximum, in the order they came, at two fixed instants of the column (a quarter and
 * three quarters into it); a gap (null) in a column stays a null there. Every pen on the same grid shares those
 * instants, so the join has at most two rows per pixel, and no spike is lost: a column's extremes are both drawn.
 * The buffer as kept (cursor readout, CSV) is not changed; only what is drawn. Every live pen is snapped, however
 * few its points: a pen left on its own instants would put its rows back into the join.
 */
export function onPixelGrid(buf: TrendBuffer, origin: number, step: number): TrendBuffer {
  const n = buf.t.length
  if (!(step > 0) || n === 0) return buf
  const band = buf.lo !== undefined && buf.hi !== undefined
  const t: number[] = []
  const v: (number | null)[] = []
  const lo: (number | null)[] = []
  const hi: (number | null)[] = []
  let col = Number.NaN
  let min = 0
  let max = 0
  let iMin = -1
  let iMax = -1
  let bandLo = Infinity
  let bandHi = -Infinity
  let gap = false
  const push = (x: number, y: number | null) => {
    t.push(x)
    v.push(y)
    if (band) {
      lo.push(y === null ? null : bandLo)
      hi.push(y === null ? null : bandHi)
    }
  }
  const flush = () => {
    if (Number.isNaN(col)) return
    const a = origin + (col + 0.25) * step
    const b = origin + (col + 0.75) * step
    if (iMin < 0) return push(a, null)
    if (iMin === iMax) push(a, min)
    else {
      push(a, iMin < iMax ? min : max)
      push(b, iMin < iMax ? max : min)
    }
    // an outage in the column: the line stops there (the next column starts it again)
    if (gap) push(origin + (col + 0.999) * step, null)
  }
  for (let i = 0; i < n; i++) {
    const c = Math.floor((buf.t[i]! - origin) / step)
    if (c !== col) {
      flush()
      col = c
      iMin = iMax = -1
      bandLo = Infinity
      bandHi = -Infinity
      gap = false
    }
    const x = buf.v[i]
    if (x === null || x === undefined) {
      gap = true
      continue
    }
    if (iMin < 0 || x < min) (min = x), (iMin = i)
    if (iMax < 0 || x > max) (max = x), (iMax = i)
    if (band) {
      bandLo = Math.min(bandLo, buf.lo![i] ?? x)
      bandHi = Math.max(bandHi, buf.hi![i] ?? x)
    }
  }
  flush()
  const out: TrendBuffer = band ? { t, v, lo, hi } : { t, v }
  if (buf.gapSec !== undefined) out.gapSec = buf.gapSec
  return out
}
