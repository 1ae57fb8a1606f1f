import { lowerBound, type TrendBuffer } from './trend-buffer'
import { isoZoned } from './trend-time'

export interface CsvColumn {
  /** The header: `Tank T-101 · Level [%]`, `… (yesterday)`. */
  label: string
  buf: TrendBuffer
  decimals: number
}

const quote = (s: string) => (/[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * The visible data as CSV: one row per distinct time in [fromSec, toSec] across all columns, the time as ISO 8601
 * with the plant zone's offset at that instant (a repeated DST hour stays unambiguous), then each column's value
 * at exactly that time (empty where it has none, or in a gap). Bucketed columns add their band as `(min)` and `(max)`.
 */
export function toCsv(columns: readonly CsvColumn[], fromSec: number, toSec: number, tz: string): string {
  const header = ['time']
  for (const c of columns) {
    header.push(c.label)
    if (c.buf.lo) header.push(`${c.label} (min)`, `${c.label} (max)`)
  }
  const times = new Set<number>()
  for (const c of columns) for (let i = lowerBound(c.buf.t, fromSec); i < c.buf.t.length && c.buf.t[i]! <= toSec; i++) if (c.buf.v[i] !== null) times.add(c.buf.t[i]!)
  const sorted = [...times].sort((a, b) => a - b)
  const cursor = columns.map((c) => lowerBound(c.buf.t, fromSec))
  const lines = [header.map(quote).join(',')]
  // plain digits, a point, no thousands separators: what spreadsheets and scripts read
  const num = (x: number | null | undefined, d: number) => (x === null || x === undefined ? '' : (Object.is(Math.round(x * 10 ** d), -0) ? 0 : x).toFixed(d))
  for (const t of sorted) {
    const row = [isoZoned(Math.round(t * 1000), tz)]
    columns.forEach((c, k) => {
      let i = cursor[k]!
      while (i < c.buf.t.length && c.buf.t[i]! < t) i++
      cursor[k] = i
      const hit = i < c.buf.t.length && c.buf.t[i] === t
      row.push(hit ? num(c.buf.v[i], c.decimals) : '')
      if (c.buf.lo) row.push(hit ? num(c.buf.lo[i], c.decimals) : '', hit ? num(c.buf.hi?.[i], c.decimals) : '')
    })
    lines.push(row.join(','))
  }
  return lines.join('\r\n') + '\r\n'
}
