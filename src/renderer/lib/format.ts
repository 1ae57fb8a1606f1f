import type { SampleValue, SignalInfo } from '../../shared/model'

/** What formatting reads of a signal: its range, and the model attribute's decimals and labels when it has them. */
export type DisplayInfo = Pick<SignalInfo, 'range'> & { decimals?: number | undefined; enumeration?: Record<string, string> | undefined }

/**
 * Fixed decimals for a signal (the attribute's display format when it has one), so digits never jump as a value moves: from the engineering range when known
 * (0–1000 m³/h → 1 decimal, 0–100 % → 1, 0–10 bar → 2), else 2.
 */
export function decimalsFor(info?: DisplayInfo): number {
  if (info?.decimals !== undefined) return info.decimals
  const r = info?.range
  if (!r) return 2
  const span = Math.abs(r[1] - r[0])
  if (!Number.isFinite(span) || span === 0) return 2
  if (span >= 1000) return 0
  if (span >= 50) return 1
  if (span >= 1) return 2
  return 3
}

const numberFormats = new Map<number, Intl.NumberFormat>()

/** A number with exactly `decimals` decimals and thousands separators (en-US, so every console reads the same). */
export function formatNumber(v: number, decimals: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞'
  let f = numberFormats.get(decimals)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })
    numberFormats.set(decimals, f)
  }
  // Avoid "-0.0": a value that rounds to zero is shown unsigned.
  const s = f.format(v)
  return /^-0[.,]?0*$/.test(s) ? s.slice(1) : s.replace('-', '−')
}

/** Words for a boolean attribute: pumps run or stop, valves open or close, everything else is on or off. */
export function booleanLabels(attribute: string): [onText: string, offText: string] {
  const a = attribute.toLowerCase()
  if (/run/.test(a)) return ['Running', 'Stopped']
  if (/open/.test(a)) return ['Open', 'Closed']
  if (/alarm|fault|trip/.test(a)) return ['ACTIVE', 'Normal']
  return ['On', 'Off']
}

export interface FormattedValue {
  text: string
  kind: 'number' | 'boolean' | 'text' | 'none'
}

/** A sample value as the operator reads it; never throws on an unexpected type. */
export function formatValue(value: SampleValue | undefined, info: DisplayInfo | undefined, attribute: string): FormattedValue {
  if (value === undefined || value === null) return { text: '—', kind: 'none' }
  // an enumeration names the state (0 = Stopped, 1 = Running); a boolean is looked up as 0 / 1 too
  const label = info?.enumeration?.[typeof value === 'boolean' ? (value ? '1' : '0') : String(value)] ?? (typeof value === 'boolean' ? info?.enumeration?.[String(value)] : undefined)
  if (label !== undefined) return { text: label, kind: 'text' }
  if (typeof value === 'number') return { text: formatNumber(value, decimalsFor(info)), kind: 'number' }
  if (typeof value === 'boolean') {
    const [on, off] = booleanLabels(attribute)
    return { text: value ? on : off, kind: 'boolean' }
  }
  return { text: String(value), kind: 'text' }
}

/** Age for a table cell: `0.4 s`, `12 s`, `3 min`, `2 h 5 min`, `3 d`. */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  const a = Math.max(0, ms)
  if (a < 10_000) return `${(a / 1000).toFixed(1)} s`
  if (a < 60_000) return `${Math.floor(a / 1000)} s`
  if (a < 3_600_000) return `${Math.floor(a / 60_000)} min`
  if (a < 86_400_000) {
    const h = Math.floor(a / 3_600_000)
    const m = Math.floor((a % 3_600_000) / 60_000)
    return m ? `${h} h ${m} min` : `${h} h`
  }
  return `${Math.floor(a / 86_400_000)} d`
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Full local timestamp with milliseconds, ISO-like so it sorts and reads the same everywhere: `2025-11-22 20:31:05.123`. */
export function formatTimestamp(ts: number): string {
  const d = new Date(ts)
  if (Number.isNaN(d.getTime())) return 'invalid time'
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  )
}

/** Local time of day with milliseconds, `20:31:05.123`; with the date in front when it is not the day of `now`. */
export function formatTimeOfDay(ts: number, now = Date.now()): string {
  const d = new Date(ts)
  if (Number.isNaN(d.getTime())) return 'invalid time'
  if (d.toDateString() !== new Date(now).toDateString()) return formatTimestamp(ts)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}

/** A sample's times as an operator compares them: `source 12:00:01.250 · server 12:00:01.300` (server only when sent). */
export function formatSampleTimes(s: { ts: number; serverTs?: number | undefined }, now = Date.now()): string {
  const source = `source ${formatTimeOfDay(s.ts, now)}`
  return s.serverTs === undefined ? source : `${source} · server ${formatTimeOfDay(s.serverTs, now)}`
}

/** Local wall-clock time `20:31:05`. */
export function formatClock(ts: number): string {
  const d = new Date(ts)
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** Counters in a chip: `987`, `12.3k`, `4.56M`. */
export function formatCount(n: number): string {
  if (n < 10_000) return String(n)
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(2)}M`
}

const n = (x: number) => x.toLocaleString('en-US')

/** Where a signal's or a connection's samples went: `1,000 received · 998 stored · 2 rejected (future_timestamp 2) · 0 duplicates`. */
export function formatAccount(a: { received: number; stored: number; duplicates: number; rejected: number; rejectedBy: Record<string, number>; inFlight: number }): string {
  const why = Object.entries(a.rejectedBy)
    .filter(([, k]) => k > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([reason, k]) => `${reason.replace(/_/g, ' ')} ${n(k)}`)
    .join(', ')
  const parts = [`${n(a.received)} received`, `${n(a.stored)} stored`, `${n(a.rejected)} rejected${why ? ` (${why})` : ''}`, `${n(a.duplicates)} duplicates`]
  if (a.inFlight > 0) parts.push(`${n(a.inFlight)} on the way to the store`)
  return parts.join(' · ')
}

/** A size as people read it: `812 B`, `14.2 kB`, `3.4 MB`, `1.2 GB` (powers of 1,000). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let v = n / 1000
  let u = 0
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000
    u++
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`
}

/** The states' numeric keys in order (a boolean's false/true as 0/1); empty when there are none usable. */
export function stateKeys(states: Record<string, string> | undefined): number[] {
  if (!states) return []
  const keys = Object.keys(states).map((k) => (k === 'false' ? 0 : k === 'true' ? 1 : Number(k)))
  return keys.every((k) => Number.isFinite(k)) ? [...new Set(keys)].sort((a, b) => a - b) : []
}

/** A state's label for a plotted value, or undefined when the value is no state of the pen. */
export function stateLabel(states: Record<string, string> | undefined, v: number): string | undefined {
  if (!states || !Number.isInteger(v)) return undefined
  return states[String(v)] ?? (v === 1 ? states['true'] : v === 0 ? states['false'] : undefined)
}
