import { describe, expect, it } from 'vitest'
import { compareDstNotes, offsetChanges, overlayByWallClock, sameWallTimeDaysAfter } from './trend-compare'
import { formatZoned, isoZoned } from './trend-time'

const BERLIN = 'Europe/Berlin'
const H = 3_600_000
// 2026-03-29: Berlin goes from +01:00 to +02:00 at 02:00 local (01:00 UTC): 02:00–03:00 does not exist.
const SPRING = Date.UTC(2026, 2, 29, 1)
// 2026-10-25: from +02:00 to +01:00 at 03:00 local (01:00 UTC): 02:00–03:00 happens twice.
const AUTUMN = Date.UTC(2026, 9, 25, 1)

/** Every minute from `from` to `to` (ms), as a buffer of that period (seconds), the value the minute's wall clock (hhmm). */
function minutes(from: number, to: number) {
  const t: number[] = []
  const v: number[] = []
  for (let x = from; x <= to; x += 60_000) {
    t.push(x / 1000)
    const clock = formatZoned(x, BERLIN).slice(11, 16)
    v.push(Number(clock.replace(':', '')))
  }
  return { t, v }
}
const wall = (sec: number) => formatZoned(sec * 1000, BERLIN).slice(11, 16)

describe('compare "a day earlier" by wall clock across a daylight-saving change (Europe/Berlin, 2026)', () => {
  it('finds the same wall time a day later: none in the vanished hour, two in the repeated one', () => {
    expect(sameWallTimeDaysAfter(Date.UTC(2026, 2, 28, 1, 30), 1, BERLIN)).toEqual([]) // 28 Mar 02:30 CET → 29 Mar 02:30 does not exist
    expect(sameWallTimeDaysAfter(Date.UTC(2026, 2, 28, 11), 1, BERLIN)).toEqual([Date.UTC(2026, 2, 29, 10)]) // noon → noon, 23 h later
    expect(sameWallTimeDaysAfter(Date.UTC(2026, 9, 24, 0, 30), 1, BERLIN)).toEqual([Date.UTC(2026, 9, 25, 0, 30), Date.UTC(2026, 9, 25, 1, 30)])
    expect(sameWallTimeDaysAfter(Date.UTC(2026, 9, 24, 10), 1, BERLIN)).toEqual([Date.UTC(2026, 9, 25, 11)]) // noon → noon, 25 h later
    expect(sameWallTimeDaysAfter(Date.UTC(2026, 9, 24, 10), 1, 'UTC')).toEqual([Date.UTC(2026, 9, 25, 10)])
  })

  it('finds the offset changes in a window, to the second', () => {
    expect(offsetChanges(SPRING - 10 * H, SPRING + 10 * H, BERLIN)).toEqual([{ at: SPRING, before: H, after: 2 * H }])
    expect(offsetChanges(AUTUMN - 30 * H, AUTUMN + 3 * H, BERLIN)).toEqual([{ at: AUTUMN, before: 2 * H, after: H }])
    expect(offsetChanges(Date.UTC(2026, 6, 1), Date.UTC(2026, 6, 8), BERLIN)).toEqual([])
  })

  it('spring, the window on the change day: yesterday lines up by wall clock on both sides, its 02:00–03:00 is dropped and said so', () => {
    const from = Date.UTC(2026, 2, 28, 23) // 29 Mar 00:00 CET
    const to = Date.UTC(2026, 2, 29, 4) // 29 Mar 06:00 CEST
    const then = minutes(Date.UTC(2026, 2, 27, 23), Date.UTC(2026, 2, 28, 5)) // 28 Mar 00:00–06:00 CET
    const { buf, dropped } = overlayByWallClock(then, 1, BERLIN)
    // every laid point sits at its own wall-clock time now (the value is the wall clock it was recorded at)
    buf.t.forEach((x, i) => buf.v[i] !== null && expect(wall(x)).toBe(String(buf.v[i]).padStart(4, '0').replace(/(\d\d)(\d\d)/, '$1:$2')))
    expect(dropped).toBe(60) // 02:00–02:59 yesterday has no place today
    expect(buf.v).not.toContain(230)
    expect(buf.t.every((x, i) => i === 0 || x > buf.t[i - 1]!)).toBe(true)
    // the shift is 24 h before the change and 23 h after it (one shift per window would be an hour off on one side)
    expect(buf.t[buf.v.indexOf(100)]! * 1000 - then.t[then.v.indexOf(100)]! * 1000).toBe(24 * H)
    expect(buf.t[buf.v.indexOf(400)]! * 1000 - then.t[then.v.indexOf(400)]! * 1000).toBe(23 * H)
    const notes = compareDstNotes(from, to, 1, BERLIN)
    expect(notes).toEqual([expect.objectContaining({ kind: 'vanished', side: 'now', at: SPRING })])
    expect(notes[0]!.text).toBe("02:00–03:00 on 29.03. does not exist (clocks went forward): yesterday's 02:00–03:00 is not overlaid")
  })

  it('spring, the day after: today 02:00–03:00 had no counterpart yesterday, so the overlay breaks there instead of running across', () => {
    const then = minutes(Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 4)) // 29 Mar 00:00–06:00, without 02:xx
    const { buf, dropped } = overlayByWallClock(then, 1, BERLIN)
    expect(dropped).toBe(0)
    const at = buf.v.indexOf(null)
    expect(at).toBeGreaterThan(0)
    expect(wall(buf.t[at - 1]!)).toBe('01:59')
    expect(wall(buf.t[at + 1]!)).toBe('03:00')
    expect(buf.v.filter((x) => x === null)).toHaveLength(1)
    const notes = compareDstNotes(Date.UTC(2026, 2, 29, 23), Date.UTC(2026, 2, 30, 4), 1, BERLIN)
    expect(notes.map((n) => [n.kind, n.side])).toEqual([['vanished', 'then']])
    expect(notes[0]!.text).toMatch(/^02:00–03:00 on 29\.03\. did not exist/)
  })

  it('autumn, the change day: yesterday 02:00–03:00 lies over the first 02:00–03:00, the second has none (a break), 25 h back after it', () => {
    const then = minutes(Date.UTC(2026, 9, 23, 22), Date.UTC(2026, 9, 24, 4)) // 24 Oct 00:00–06:00 CEST
    const { buf, dropped } = overlayByWallClock(then, 1, BERLIN)
    expect(dropped).toBe(0)
    const i230 = buf.v.indexOf(230)
    expect(isoZoned(buf.t[i230]! * 1000, BERLIN)).toBe('2026-10-25T02:30:00.000+02:00') // the first 02:30
    const at = buf.v.indexOf(null)
    expect(isoZoned(buf.t[at - 1]! * 1000, BERLIN)).toBe('2026-10-25T02:59:00.000+02:00')
    expect(isoZoned(buf.t[at + 1]! * 1000, BERLIN)).toBe('2026-10-25T03:00:00.000+01:00')
    expect(buf.t[buf.v.indexOf(500)]! * 1000 - then.t[then.v.indexOf(500)]! * 1000).toBe(25 * H)
    const notes = compareDstNotes(Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 5), 1, BERLIN)
    expect(notes.map((n) => [n.kind, n.side, n.at])).toEqual([['repeated', 'now', AUTUMN]])
    expect(notes[0]!.text).toBe("02:00–03:00 on 25.10. repeats (clocks went back): yesterday's hour is laid over the first one, the second has no overlay")
  })

  it("autumn, the day after: the repeated hour's second run is dropped, the line never steps back in time", () => {
    const then = minutes(Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 5)) // 25 Oct 00:00–06:00, 02:xx twice
    const { buf, dropped } = overlayByWallClock(then, 1, BERLIN)
    expect(dropped).toBe(60)
    expect(buf.v.filter((x) => x === 230)).toHaveLength(1)
    expect(buf.v).not.toContain(null)
    expect(buf.t.every((x, i) => i === 0 || x > buf.t[i - 1]!)).toBe(true)
    const notes = compareDstNotes(Date.UTC(2026, 9, 25, 23), Date.UTC(2026, 9, 26, 5), 1, BERLIN)
    expect(notes.map((n) => [n.kind, n.side])).toEqual([['repeated', 'then']])
    expect(notes[0]!.text).toMatch(/^02:00–03:00 on 25\.10\. repeated .*only its first occurrence/)
  })

  it('a week back across the change, and a window far from any change: a plain shift, no notes; bands and gaps carried', () => {
    const then = { t: [Date.UTC(2026, 2, 25, 11) / 1000, Date.UTC(2026, 2, 25, 12) / 1000], v: [1, null], lo: [0, null], hi: [2, null] }
    const { buf } = overlayByWallClock(then, 7, BERLIN)
    expect(buf.t.map((x) => x * 1000)).toEqual([Date.UTC(2026, 3, 1, 10), Date.UTC(2026, 3, 1, 11)]) // noon → noon, an hour less than 7 × 24
    expect(buf).toMatchObject({ v: [1, null], lo: [0, null], hi: [2, null] })
    expect(compareDstNotes(Date.UTC(2026, 6, 1), Date.UTC(2026, 6, 2), 1, BERLIN)).toEqual([])
    expect(compareDstNotes(SPRING - H, SPRING + H, 1, 'UTC')).toEqual([])
  })
})
