import { describe, expect, it } from 'vitest'
import { plotValue } from './sample'

describe('plotValue (the one rule for trend history and the live trend)', () => {
  it('plots numbers, booleans as 0/1, and bad quality, text, null and non-finite numbers as gaps', () => {
    expect(plotValue(true, 'good')).toBe(1)
    expect(plotValue(false, 'good')).toBe(0)
    expect(plotValue(5, 'uncertain')).toBe(5)
    expect(plotValue(5, 'bad')).toBeNull()
    expect(plotValue('AUTO', 'good')).toBeNull()
    expect(plotValue(null, 'good')).toBeNull()
    expect(plotValue(undefined, 'good')).toBeNull()
    expect(plotValue(Number.NaN, 'good')).toBeNull()
    expect(plotValue(Number.POSITIVE_INFINITY, 'good')).toBeNull()
  })
})
