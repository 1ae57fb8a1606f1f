import { describe, expect, it } from 'vitest'
import { ArrivalClock } from './clock'

describe('ArrivalClock', () => {
  it('gives strictly increasing stamps a microsecond apart within one millisecond, and follows the wall clock', () => {
    let now = 1_764_640_000_123
    const clock = new ArrivalClock({ now: () => now })
    const stamps = Array.from({ length: 1500 }, () => clock.next())
    expect(new Set(stamps).size).toBe(1500)
    expect(stamps[0]).toBe(1_764_640_000_123)
    expect(stamps[1]).toBe(1_764_640_000_123.001)
    expect(stamps[1499]).toBe(1_764_640_000_124.499)
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!)
    now += 10
    expect(clock.next()).toBe(1_764_640_000_133)
    now -= 5 // the wall clock stepped back: stamps still increase
    expect(clock.next()).toBe(1_764_640_000_133.001)
  })
})
