import { describe, expect, it } from 'vitest'
import { Redeliveries } from './redeliveries'

describe('Redeliveries', () => {
  it('knows a DUP of a stored message, not a DUP of an unstored one, and forgets an id the broker reused', () => {
    const r = new Redeliveries()
    expect(r.arrived(5, false, 't/a', 10)).toBe(false)
    r.durable(5, 't/a', 10)
    expect(r.arrived(5, true, 't/a', 10)).toBe(true) // PUBACK lost: the same message again
    expect(r.arrived(5, true, 't/b', 10)).toBe(false)
    expect(r.arrived(5, true, 't/a', 11)).toBe(false)
    expect(r.arrived(6, true, 't/a', 10)).toBe(false) // never stored: store it
    expect(r.arrived(5, false, 't/a', 10)).toBe(false) // id reused: the broker had the PUBACK
    expect(r.arrived(5, true, 't/a', 10)).toBe(false) // so a DUP of id 5 now is the new, unstored message
    expect(r.size).toBe(0)
  })
})
