import { describe, expect, it } from 'vitest'
import { booleanLabels, decimalsFor, formatAge, formatCount, formatNumber, formatSampleTimes, formatTimestamp, formatValue, stateKeys, stateLabel } from './format'

describe('decimalsFor', () => {
  it('derives fixed decimals from the engineering range', () => {
    expect(decimalsFor({ range: [0, 5000] })).toBe(0)
    expect(decimalsFor({ range: [0, 100] })).toBe(1)
    expect(decimalsFor({ range: [0, 10] })).toBe(2)
    expect(decimalsFor({ range: [0, 0.5] })).toBe(3)
  })
  it('falls back to 2 without a usable range', () => {
    expect(decimalsFor(undefined)).toBe(2)
    expect(decimalsFor({})).toBe(2)
    expect(decimalsFor({ range: [3, 3] })).toBe(2)
  })
})

describe('formatNumber', () => {
  it('pads to fixed decimals with thousands separators', () => {
    expect(formatNumber(12.3, 2)).toBe('12.30')
    expect(formatNumber(1234.567, 1)).toBe('1,234.6')
    expect(formatNumber(0, 0)).toBe('0')
  })
  it('uses a real minus sign and never shows -0', () => {
    expect(formatNumber(-1.5, 1)).toBe('−1.5')
    expect(formatNumber(-0.001, 1)).toBe('0.0')
  })
  it('names non-finite values', () => {
    expect(formatNumber(Number.NaN, 1)).toBe('NaN')
    expect(formatNumber(Infinity, 1)).toBe('+∞')
  })
})

describe('formatValue', () => {
  const range: [number, number] = [0, 100]
  it('formats numbers with the signal decimals', () => {
    expect(formatValue(42, { range }, 'Level')).toEqual({ text: '42.0', kind: 'number' })
  })
  it('shows booleans as words that fit the attribute', () => {
    expect(formatValue(true, undefined, 'Running').text).toBe('Running')
    expect(formatValue(false, undefined, 'Running').text).toBe('Stopped')
    expect(formatValue(true, undefined, 'Open').text).toBe('Open')
    expect(formatValue(false, undefined, 'Enabled').text).toBe('Off')
  })
  it('shows text as is and a dash for no value', () => {
    expect(formatValue('AUTO', undefined, 'Mode')).toEqual({ text: 'AUTO', kind: 'text' })
    expect(formatValue(null, undefined, 'Level')).toEqual({ text: '—', kind: 'none' })
    expect(formatValue(undefined, undefined, 'Level').kind).toBe('none')
  })
  it('knows the common boolean vocabularies', () => {
    expect(booleanLabels('Pump running')).toEqual(['Running', 'Stopped'])
    expect(booleanLabels('HighAlarm')).toEqual(['ACTIVE', 'Normal'])
  })
})

describe('formatAge', () => {
  it('scales its unit with the age', () => {
    expect(formatAge(400)).toBe('0.4 s')
    expect(formatAge(12_400)).toBe('12 s')
    expect(formatAge(3 * 60_000 + 5_000)).toBe('3 min')
    expect(formatAge(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min')
    expect(formatAge(3 * 86_400_000)).toBe('3 d')
  })
  it('never shows a negative age (clock skew) and handles missing ages', () => {
    expect(formatAge(-500)).toBe('0.0 s')
    expect(formatAge(Number.NaN)).toBe('—')
  })
})

describe('formatTimestamp and formatCount', () => {
  it('prints a full local timestamp with milliseconds', () => {
    const ts = new Date(2025, 10, 22, 20, 31, 5, 7).getTime()
    expect(formatTimestamp(ts)).toBe('2025-11-22 20:31:05.007')
  })
  it('abbreviates big counters', () => {
    expect(formatCount(987)).toBe('987')
    expect(formatCount(12_345)).toBe('12.3k')
    expect(formatCount(4_560_000)).toBe('4.56M')
  })
})

describe('formatSampleTimes', () => {
  const at = (h: number, m: number, sec: number, ms: number, day = 22) => new Date(2026, 10, day, h, m, sec, ms).getTime()
  const now = at(12, 0, 5, 0)
  it('shows source and server time of day with milliseconds', () => {
    expect(formatSampleTimes({ ts: at(12, 0, 1, 250), serverTs: at(12, 0, 1, 300) }, now)).toBe('source 12:00:01.250 · server 12:00:01.300')
  })
  it('shows only the source time when the server sent none', () => {
    expect(formatSampleTimes({ ts: at(9, 5, 0, 7) }, now)).toBe('source 09:05:00.007')
  })
  it('adds the date to a time from another day', () => {
    expect(formatSampleTimes({ ts: at(8, 0, 0, 0, 20), serverTs: at(12, 0, 1, 300) }, now)).toBe('source 2026-11-20 08:00:00.000 · server 12:00:01.300')
  })
})

describe('states of an enumerated attribute', () => {
  it('orders numeric keys, reads booleans as 0/1, refuses keys that are no numbers', () => {
    expect(stateKeys({ '2': 'Tripped', '0': 'Stopped', '1': 'Running' })).toEqual([0, 1, 2])
    expect(stateKeys({ true: 'Open', false: 'Closed' })).toEqual([0, 1])
    expect(stateKeys({ auto: 'Auto', manual: 'Manual' })).toEqual([])
    expect(stateKeys(undefined)).toEqual([])
    expect(stateLabel({ '0': 'Stopped', '2': 'Tripped' }, 2)).toBe('Tripped')
    expect(stateLabel({ '0': 'Stopped', '2': 'Tripped' }, 1)).toBeUndefined()
    expect(stateLabel({ '0': 'Stopped' }, 0.5)).toBeUndefined() // a bucket's mean is no state
    expect(stateLabel({ true: 'Open', false: 'Closed' }, 1)).toBe('Open')
  })
})
