/**
 * Time in the plant's time zone (an IANA name; the machine's by default), with daylight-saving changes handled:
 * offsets come from Intl per instant, so an hour that repeats shows its two offsets and a vanished hour is absent.
 */

const fmtCache = new Map<string, Intl.DateTimeFormat>()

export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** True when `tz` is a time zone this browser knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

function parts(tMs: number, tz: string) {
  let f = fmtCache.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    fmtCache.set(tz, f)
  }
  const p: Record<string, number> = {}
  for (const x of f.formatToParts(new Date(tMs))) if (x.type !== 'literal') p[x.type] = Number(x.value)
  return { y: p['year']!, mo: p['month']!, d: p['day']!, h: p['hour']! % 24, mi: p['minute']!, s: p['second']! }
}

/** The zone's offset from UTC at `tMs`, in ms (e.g. +3,600,000 for CET). */
export function tzOffsetMs(tMs: number, tz: string): number {
  const whole = Math.floor(tMs / 1000) * 1000
  const p = parts(whole, tz)
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - whole
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `2025-10-26 02:30:00` in the zone. */
export function formatZoned(tMs: number, tz: string, withMs = false): string {
  const p = parts(tMs, tz)
  const ms = withMs ? `.${pad(((tMs % 1000) + 1000) % 1000, 3)}` : ''
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${ms}`
}

/** `14:05:09` (or `14:05` on the whole minute) in the zone: the chart's time axis. */
export function formatZonedClock(tMs: number, tz: string, seconds: boolean): string {
  const p = parts(tMs, tz)
  return seconds ? `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}` : `${pad(p.h)}:${pad(p.mi)}`
}

/** `26.10.` date in the zone, for axis labels of ranges longer than a day. */
export function formatZonedDay(tMs: number, tz: string): string {
  const p = parts(tMs, tz)
  return `${pad(p.d)}.${pad(p.mo)}.`
}

/** ISO 8601 with the zone's offset at that instant: `2025-10-26T02:30:00.000+02:00`, then `…T02:30:00.000+01:00`. */
export function isoZoned(tMs: number, tz: string): string {
  const off = tzOffsetMs(tMs, tz)
  const sign = off < 0 ? '-' : '+'
  const a = Math.abs(off) / 60_000
  return `${formatZoned(tMs, tz, true).replace(' ', 'T')}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`
}

/**
 * The instant with the same wall-clock time `days` days earlier in the zone ("yesterday at this time"). Across a
 * daylight-saving change that is 23 or 25 hours back, not 24. A wall time that does not exist that day (the spring
 * hour) maps to the instant an hour later; one that exists twice maps to its first occurrence.
 */
export function sameWallTimeDaysBefore(tMs: number, days: number, tz: string): number {
  const naive = tMs - days * 86_400_000
  const want = naive + tzOffsetMs(tMs, tz) // wall clock as if UTC
  let guess = want - tzOffsetMs(naive, tz)
  guess = want - tzOffsetMs(guess, tz)
  return guess
}

/** The shift to draw an earlier period over now, measured at `atMs` (the window's middle): ms, positive. */
export function compareShiftMs(atMs: number, days: number, tz: string): number {
  return atMs - sameWallTimeDaysBefore(atMs, days, tz)
}

/** A `datetime-local` input's value (`2025-10-26T02:30`) for `tMs` in the zone, and back. */
export function toLocalInput(tMs: number, tz: string): string {
  return formatZoned(tMs, tz).replace(' ', 'T').slice(0, 16)
}

export function fromLocalInput(value: string, tz: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value)
  if (!m) return undefined
  const want = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0))
  let guess = want - tzOffsetMs(want, tz)
  guess = want - tzOffsetMs(guess, tz)
  return guess
}
