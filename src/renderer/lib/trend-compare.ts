import type { TrendBuffer } from './trend-buffer'
import { formatZonedClock, formatZonedDay, sameWallTimeDaysBefore, tzOffsetMs } from './trend-time'

const HOUR = 3_600_000

/**
 * The instants with the same wall-clock time `days` days after `tMs` in the zone: none when that wall time does not
 * exist that day (the spring's vanished hour), two when it exists twice (the autumn's repeated hour), else one.
 */
export function sameWallTimeDaysAfter(tMs: number, days: number, tz: string): number[] {
  const want = tMs + tzOffsetMs(tMs, tz) + days * 86_400_000 // the wall clock, as if UTC
  const out: number[] = []
  // a zone's offset changes at most once in a few hours: the offsets either side of that wall time are the candidates
  for (const off of new Set([tzOffsetMs(want - 12 * HOUR, tz), tzOffsetMs(want + 12 * HOUR, tz)])) {
    const u = want - off
    if (tzOffsetMs(u, tz) === off && !out.includes(u)) out.push(u)
  }
  return out.sort((a, b) => a - b)
}

/** A daylight-saving change: at `at` (ms) the zone's offset goes from `before` to `after`. */
export interface OffsetChange {
  at: number
  before: number
  after: number
}

/** The offset changes between `fromMs` and `toMs` in the zone (sampled hourly, each found to the second). */
export function offsetChanges(fromMs: number, toMs: number, tz: string): OffsetChange[] {
  const out: OffsetChange[] = []
  const step = Math.max(HOUR, (toMs - fromMs) / 4000)
  let a = fromMs
  let offA = tzOffsetMs(a, tz)
  while (a < toMs) {
    const b = Math.min(toMs, a + step)
    const offB = tzOffsetMs(b, tz)
    if (offB !== offA) {
      let lo = a
      let hi = b
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2)
        if (tzOffsetMs(mid, tz) === offA) lo = mid
        else hi = mid
      }
      out.push({ at: Math.ceil(hi / 1000) * 1000, before: offA, after: offB })
    }
    a = b
    offA = offB
  }
  return out
}

/** An hour that vanishes or repeats, on the window's side (`now`) or the compared period's (`then`), in words. */
export interface DstNote {
  kind: 'vanished' | 'repeated'
  side: 'now' | 'then'
  /** Where it happens (ms). */
  at: number
  text: string
}

const DAY_WORD: Record<number, string> = { 1: 'yesterday', 7: 'last week' }

/**
 * What an operator must know about a compare window across a daylight-saving change: the compared period
 * (`days` earlier) is laid over now by wall-clock time, so an hour that vanished or repeated on either side has no
 * counterpart, or one too many.
 */
export function compareDstNotes(fromMs: number, toMs: number, days: number, tz: string): DstNote[] {
  const then = DAY_WORD[days] ?? `${days} days earlier`
  // the wall-clock hour skipped or repeated: from the change read with the smaller offset to it read with the larger
  const span = (c: OffsetChange) => `${formatZonedClock(c.at + Math.min(c.before, c.after), 'UTC', false)}–${formatZonedClock(c.at + Math.max(c.before, c.after), 'UTC', false)}`
  const notes: DstNote[] = []
  for (const c of offsetChanges(fromMs, toMs, tz)) {
    const hour = `${span(c)} on ${formatZonedDay(c.at, tz)}`
    notes.push(
      c.after > c.before
        ? { kind: 'vanished', side: 'now', at: c.at, text: `${hour} does not exist (clocks went forward): ${then}'s ${span(c)} is not overlaid` }
        : { kind: 'repeated', side: 'now', at: c.at, text: `${hour} repeats (clocks went back): ${then}'s hour is laid over the first one, the second has no overlay` },
    )
  }
  const fromThen = sameWallTimeDaysBefore(fromMs, days, tz)
  const toThen = sameWallTimeDaysBefore(toMs, days, tz)
  for (const c of offsetChanges(fromThen, toThen, tz)) {
    const hour = `${span(c)} on ${formatZonedDay(c.at, tz)}`
    notes.push(
      c.after > c.before
        ? { kind: 'vanished', side: 'then', at: c.at, text: `${hour} did not exist (clocks went forward): no overlay for that hour now` }
        : { kind: 'repeated', side: 'then', at: c.at, text: `${hour} repeated (clocks went back): only its first occurrence is overlaid` },
    )
  }
  return notes
}

/**
 * Lays an earlier period (times of that period, seconds) over now by wall-clock time `days` later in the zone, point
 * by point, so a window across a daylight-saving change lines up on both sides of it. A point whose wall time does
 * not exist now is dropped, a repeated hour's second run is dropped (time only moves forward), and where now has an
 * hour without a counterpart the line breaks (a null) instead of running across it. `dropped`: points left out.
 */
export function overlayByWallClock(buf: TrendBuffer, days: number, tz: string): { buf: TrendBuffer; dropped: number } {
  const t: number[] = []
  const v: (number | null)[] = []
  const lo: (number | null)[] | undefined = buf.lo ? [] : undefined
  const hi: (number | null)[] | undefined = buf.hi ? [] : undefined
  let dropped = 0
  let lastSrc: number | undefined
  let lastDst: number | undefined
  /** The zone's offset at the last point laid (most points share it: two Intl readings each instead of six). */
  let prevOff: number | undefined
  const D = days * 86_400_000
  for (let i = 0; i < buf.t.length; i++) {
    const src = buf.t[i]! * 1000
    const want = src + tzOffsetMs(src, tz) + D
    const dst = prevOff !== undefined && tzOffsetMs(want - prevOff, tz) === prevOff ? want - prevOff : sameWallTimeDaysAfter(src, days, tz)[0]
    if (dst === undefined || (lastDst !== undefined && dst <= lastDst)) {
      dropped++
      continue
    }
    // an hour now with no counterpart then: the line breaks inside it
    if (lastSrc !== undefined && lastDst !== undefined && dst - lastDst - (src - lastSrc) >= HOUR / 2) {
      t.push((lastDst + 1) / 1000)
      v.push(null)
      lo?.push(null)
      hi?.push(null)
    }
    t.push(dst / 1000)
    v.push(buf.v[i] ?? null)
    lo?.push(buf.lo![i] ?? null)
    hi?.push(buf.hi![i] ?? null)
    lastSrc = src
    lastDst = dst
    prevOff = want - dst
  }
  const out: TrendBuffer = { t, v }
  if (lo) out.lo = lo
  if (hi) out.hi = hi
  if (buf.gapSec !== undefined) out.gapSec = buf.gapSec
  return { buf: out, dropped }
}
