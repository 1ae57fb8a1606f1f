import { describe, expect, it } from 'vitest'
import { rawSeries, seriesFrom } from '../../core/trends/history-reader'
import { appendSamples, fromSeries, nullRuns, shifted, trimBefore } from './trend-buffer'
import { toCsv } from './trend-csv'
import { panWindow, selectionWindow, zoomWindow } from './trend-range'
import { statsBetween, valueAt } from './trend-stats'
import { compareShiftMs, fromLocalInput, isoZoned, sameWallTimeDaysBefore, toLocalInput, tzOffsetMs } from './trend-time'
import { nextColorSlot, parseViewFile, viewFile } from './trend-view'

const BERLIN = 'Europe/Berlin'
const smp = (ts: number, value: number, quality: 'good' | 'bad' = 'good') => ({ signal: 's', ts, value, quality })

describe('trend buffer: history joined to live, gaps as breaks, band', () => {
  it('breaks the line just inside each gap of the history, and carries the band of bucketed history', () => {
    const b = fromSeries(rawSeries('s', [0, 1000, 2000, 60_000, 61_000], [1, 2, 3, 4, 5]))
    expect(b.t).toEqual([0, 1, 2, 2.001, 59.999, 60, 61])
    expect(b.v).toEqual([1, 2, 3, null, null, 4, 5])
    expect(nullRuns(b)).toEqual([[2, 60]])
    expect(b.gapSec).toBe(3)
    // a by-exception source: no breaks
    expect(fromSeries(rawSeries('s', [0, 60_000], [1, 2]), false).v).toEqual([1, 2])
    const t = Array.from({ length: 1000 }, (_, i) => i * 100)
    const bucketed = fromSeries(seriesFrom('s', t, t.map((_, i) => (i === 500 ? 50 : 1)), 0, 100_000, 20))
    expect(bucketed.lo).toHaveLength(bucketed.t.length)
    expect(Math.max(...(bucketed.hi as number[]))).toBe(50)
  })

  it('appends live samples after history, drops the overlap, breaks after an outage, keeps the band parallel', () => {
    const b = fromSeries(seriesFrom('s', Array.from({ length: 100 }, (_, i) => i * 1000), Array.from({ length: 100 }, () => 1), 0, 99_000, 20))
    const n = b.t.length
    expect(appendSamples(b, [smp(50_000, 9), smp(100_000, 2), smp(101_000, 3), smp(200_000, 4)], 's')).toBe(3)
    expect(b.v.slice(n)).toEqual([2, 3, null, null, 4])
    expect(b.lo).toHaveLength(b.t.length)
    expect(b.hi!.slice(n)).toEqual([2, 3, null, null, 4])
    trimBefore(b, 150)
    expect(b.t[0]).toBeLessThan(150)
    expect(b.t).toEqual([101.001, 199.999, 200]) // one point before the cut, so the line enters from the edge
    expect(b.lo).toHaveLength(3)
  })

  it('bad quality is a gap too', () => {
    const b = fromSeries(rawSeries('s', [], []))
    appendSamples(b, [smp(1000, 1), smp(2000, 0, 'bad'), smp(3000, 3)], 's')
    expect(b.v).toEqual([1, null, 3])
    expect(nullRuns(b)).toEqual([[1, 3]])
  })
})

describe('cursor statistics', () => {
  const b = { t: [0, 10, 20, 30, 40], v: [1, 5, null, 3, 7], lo: [1, 0, null, 3, 7], hi: [1, 9, null, 3, 7] }
  it('reads the held value at a time, null in a gap', () => {
    expect(valueAt(b, 15)).toBe(5)
    expect(valueAt(b, 25)).toBeNull()
    expect(valueAt(b, -1)).toBeNull()
    expect(valueAt(b, 40)).toBe(7)
  })
  it('gives delta, band-aware min and max, and the time-weighted mean between the cursors in either order', () => {
    const s = statsBetween(b, 40, 5)
    expect(s.delta).toBe(7 - 1)
    expect(s.min).toBe(0)
    expect(s.max).toBe(9)
    // 5 s of 1, 10 s of 5, (gap 10 s), 10 s of 3 → (5 + 50 + 30) / 25
    expect(s.mean).toBeCloseTo(85 / 25)
    expect(statsBetween(b, 21, 29)).toMatchObject({ delta: null, min: null, max: null, mean: null })
  })
})

describe('time in the plant zone, with daylight saving', () => {
  // 2025-10-26: Berlin goes from +02:00 to +01:00 at 03:00 local (01:00 UTC); 2025-03-30: +01:00 to +02:00.
  it('shows a repeated hour with its two offsets', () => {
    expect(isoZoned(Date.UTC(2025, 9, 26, 0, 30), BERLIN)).toBe('2025-10-26T02:30:00.000+02:00')
    expect(isoZoned(Date.UTC(2025, 9, 26, 1, 30), BERLIN)).toBe('2025-10-26T02:30:00.000+01:00')
    expect(tzOffsetMs(Date.UTC(2025, 6, 1), BERLIN)).toBe(7_200_000)
  })
  it('"yesterday at this time" is 25 hours back after the autumn change, 23 after the spring one, 24 otherwise', () => {
    const noonAfterAutumn = Date.UTC(2025, 9, 26, 11) // 12:00 CET
    expect(noonAfterAutumn - sameWallTimeDaysBefore(noonAfterAutumn, 1, BERLIN)).toBe(25 * 3_600_000)
    const noonAfterSpring = Date.UTC(2025, 2, 30, 10) // 12:00 CEST
    expect(compareShiftMs(noonAfterSpring, 1, BERLIN)).toBe(23 * 3_600_000)
    expect(compareShiftMs(Date.UTC(2025, 6, 2, 10), 7, BERLIN)).toBe(7 * 86_400_000)
    expect(compareShiftMs(noonAfterAutumn, 1, 'UTC')).toBe(86_400_000)
  })
  it('reads and writes datetime-local values in the zone', () => {
    const t = Date.UTC(2025, 0, 15, 7, 5)
    expect(toLocalInput(t, BERLIN)).toBe('2025-01-15T08:05')
    expect(fromLocalInput('2025-01-15T08:05', BERLIN)).toBe(t)
    expect(fromLocalInput('yesterday', BERLIN)).toBeUndefined()
  })
  it('shifts a compared period onto now', () => {
    expect(shifted({ t: [1, 2], v: [3, 4] }, 86_400).t).toEqual([86_401, 86_402])
  })
})

describe('CSV export', () => {
  it('one row per time, ISO times with offset, empty cells where a pen has no value, band columns for bucketed pens', () => {
    const a = { label: 'Tank · Level [%]', buf: { t: [10, 20, 30], v: [1.234, null, 3] }, decimals: 1 }
    const b = { label: 'Pump, "P1" [m³/h]', buf: { t: [20, 40], v: [-0.01, 5], lo: [-1, 4], hi: [1, 6] }, decimals: 2 }
    const csv = toCsv([a, b], 0, 35, 'UTC')
    expect(csv.split('\r\n')).toEqual([
      'time,Tank · Level [%],"Pump, ""P1"" [m³/h]","Pump, ""P1"" [m³/h] (min)","Pump, ""P1"" [m³/h] (max)"',
      '1970-01-01T00:00:10.000+00:00,1.2,,,',
      '1970-01-01T00:00:20.000+00:00,,-0.01,-1.00,1.00',
      '1970-01-01T00:00:30.000+00:00,3.0,,,',
      '',
    ])
  })
})

describe('zoom, pan and selection', () => {
  it('zooms around the anchor, pans by a fraction, and a tiny drag is no zoom', () => {
    expect(zoomWindow({ from: 0, to: 100_000 }, 0.5, 0)).toEqual({ kind: 'fixed', from: 0, to: 50_000 })
    expect(zoomWindow({ from: 0, to: 100_000 }, 0.5, 0.5)).toEqual({ kind: 'fixed', from: 25_000, to: 75_000 })
    expect(zoomWindow({ from: 0, to: 20_000 }, 0.1)).toMatchObject({ to: expect.any(Number) })
    const z = zoomWindow({ from: 0, to: 20_000 }, 0.1) as { from: number; to: number }
    expect(z.to - z.from).toBe(10_000) // never narrower than 10 s
    expect(panWindow({ from: 0, to: 100_000 }, -0.1)).toEqual({ kind: 'fixed', from: -10_000, to: 90_000 })
    expect(selectionWindow(5000, 5500)).toBeUndefined()
    expect(selectionWindow(60_000, 20_000)).toEqual({ kind: 'fixed', from: 20_000, to: 60_000 })
  })
})

describe('saved view files', () => {
  const view = { pens: [{ signal: 'a/b', label: 'Tank · Level', unit: '%', compare: '1d' as const }], range: { kind: 'live' as const, spanMs: 3_600_000 }, axes: {} }
  it('round-trips a view', () => {
    const r = parseViewFile(JSON.stringify(viewFile('Shift', view)))
    expect(r).toMatchObject({ ok: true, file: { name: 'Shift', view } })
  })
  it('refuses other files with a stable code and plain words', () => {
    expect(parseViewFile('not json')).toMatchObject({ ok: false, code: 'trend.view_not_json' })
    expect(parseViewFile('{"hello":1}')).toMatchObject({ ok: false, code: 'trend.view_invalid', message: 'it is not a Plantdeck trend view' })
    const bad = viewFile('Shift', { ...view, range: { kind: 'fixed', from: 10, to: 5 } as never })
    expect(parseViewFile(JSON.stringify(bad))).toMatchObject({ ok: false, code: 'trend.view_invalid' })
    expect(parseViewFile(JSON.stringify({ ...viewFile('x', view), view: { ...view, pens: [] } }))).toMatchObject({ ok: false, code: 'trend.view_invalid' })
    expect(parseViewFile('x'.repeat(300_000))).toMatchObject({ ok: false, code: 'trend.view_too_large' })
  })
  it('gives a new pen the first free colour', () => {
    expect(nextColorSlot([{ signal: 'a', label: '', color: '0' }, { signal: 'b', label: '', color: '2' }])).toBe('1')
  })
})
