import type { TrendRange } from './trend-view'

/** Shortest stretch a zoom goes down to: 10 seconds. */
export const MIN_SPAN_MS = 10_000
/** Longest: a year. */
export const MAX_SPAN_MS = 366 * 86_400_000

/** The window a range shows now, epoch ms. */
export function windowOf(r: TrendRange, nowMs: number): { from: number; to: number } {
  return r.kind === 'live' ? { from: nowMs - r.spanMs, to: nowMs } : { from: r.from, to: r.to }
}

/** Zoom by `factor` (< 1 in, > 1 out) keeping the time at `anchor` (0 = left edge, 1 = right) where it is. */
export function zoomWindow(w: { from: number; to: number }, factor: number, anchor = 0.5): TrendRange {
  const span = w.to - w.from
  const next = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span * factor))
  const at = w.from + span * Math.min(1, Math.max(0, anchor))
  const from = at - (at - w.from) * (next / span)
  return { kind: 'fixed', from: Math.round(from), to: Math.round(from + next) }
}

/** Pan by `frac` of the window (negative: back in time). */
export function panWindow(w: { from: number; to: number }, frac: number): TrendRange {
  const d = (w.to - w.from) * frac
  return { kind: 'fixed', from: Math.round(w.from + d), to: Math.round(w.to + d) }
}

/** A dragged selection (epoch ms, either order) as the range to zoom to; too narrow a drag is no zoom. */
export function selectionWindow(a: number, b: number): TrendRange | undefined {
  const from = Math.min(a, b)
  const to = Math.max(a, b)
  if (to - from < 1000) return undefined
  if (to - from < MIN_SPAN_MS) {
    const mid = (from + to) / 2
    return { kind: 'fixed', from: Math.round(mid - MIN_SPAN_MS / 2), to: Math.round(mid + MIN_SPAN_MS / 2) }
  }
  return { kind: 'fixed', from: Math.round(from), to: Math.round(to) }
}
