import { describe, expect, it } from 'vitest'
import { LoginThrottle } from './login-throttle'

describe('LoginThrottle', () => {
  it('allows 5 failures, then locks for 1 s doubling with each further failure, up to the maximum', () => {
    let now = 0
    const t = new LoginThrottle(() => now, { maxLockMs: 8000 })
    for (let i = 0; i < 4; i++) t.failed(['u'])
    expect(t.check(['u'])).toBe(0)
    t.failed(['u']) // 5th
    expect(t.check(['u'])).toBe(1000)
    now += 1000
    expect(t.check(['u'])).toBe(0)
    t.failed(['u']) // 6th
    expect(t.lockedFor('u')).toBe(2000)
    now += 2000
    t.failed(['u']) // 7th
    expect(t.lockedFor('u')).toBe(4000)
    now += 4000
    t.failed(['u'])
    now += 8000
    t.failed(['u']) // would be 16 s
    expect(t.lockedFor('u')).toBe(8000)
    expect(t.counts.locks).toBe(5)
  })

  it('a success clears the key; another key is not affected; failures are forgotten after an hour', () => {
    let now = 0
    const t = new LoginThrottle(() => now)
    for (let i = 0; i < 5; i++) t.failed(['a', 'addr'])
    expect(t.check(['a'])).toBeGreaterThan(0)
    expect(t.check(['b'])).toBe(0)
    expect(t.check(['b', 'addr'])).toBeGreaterThan(0) // the address is locked for every name
    t.succeeded(['a'])
    expect(t.check(['a'])).toBe(0)
    for (let i = 0; i < 4; i++) t.failed(['c'])
    now += 3_600_001
    t.failed(['c']) // the 4 before are forgotten: this is the first
    expect(t.check(['c'])).toBe(0)
  })

  it('remembers at most maxKeys keys', () => {
    const t = new LoginThrottle(() => 0, { maxKeys: 3, freeFailures: 1 })
    for (const k of ['a', 'b', 'c', 'd']) t.failed([k])
    expect(t.lockedFor('a')).toBe(0)
    expect(t.lockedFor('d')).toBeGreaterThan(0)
    expect(t.locked()).toBe(3)
  })
})
