import { describe, expect, it } from 'vitest'
import { SampleAccounting } from './sample-accounting'

const s = (signal: string, ts: number) => ({ signal, ts, value: 1, quality: 'good' as const })
const identity = (a: { received: number; stored: number; duplicates: number; rejected: number; inFlight: number }) =>
  a.stored + a.duplicates + a.rejected + a.inFlight

describe('SampleAccounting', () => {
  it('keeps received = stored + duplicates + rejected + in flight through every step, per signal and per connection', () => {
    const acc = new SampleAccounting()
    const h1 = acc.handed('c', [s('a', 1), s('a', 2), s('b', 1)])
    expect(acc.signal('a')).toMatchObject({ received: 2, inFlight: 2, stored: 0 })
    acc.rejected('c', 'a', 'not_json')
    acc.rejected('c', undefined, 'sparkplug_no_birth')
    acc.settle(h1, { seq: 1, accepted: 2, rejected: 1, rejections: [{ signal: 'b', reason: 'futureTimestamp', count: 1 }] })
    const h2 = acc.handed('c', [s('a', 2)])
    acc.fail(h2)
    acc.resolved([{ signal: 'a', duplicates: 1, expired: 0 }])
    const a = acc.signal('a')!
    expect(a).toMatchObject({ received: 4, stored: 1, duplicates: 1, rejected: 2, rejectedBy: { not_json: 1, store_failed: 1 }, inFlight: 0 })
    expect(identity(a)).toBe(a.received)
    expect(acc.signal('b')).toMatchObject({ received: 1, stored: 0, rejected: 1, rejectedBy: { future_timestamp: 1 } })
    const c = acc.connection('c')
    expect(c).toMatchObject({ received: 5, stored: 1, duplicates: 1, rejected: 3, unassigned: { sparkplug_no_birth: 1 } })
    expect(identity(c)).toBe(c.received)
    expect(acc.troubled(10).map((x) => x.signal).sort()).toEqual(['a', 'b'])
  })

  it('moves late expiries from stored to rejected when compaction finds them', () => {
    const acc = new SampleAccounting()
    acc.settle(acc.handed('c', [s('a', 1), s('a', 2)]), { seq: 1, accepted: 2, rejected: 0 })
    acc.resolved([{ signal: 'a', duplicates: 0, expired: 1 }])
    expect(acc.signal('a')).toMatchObject({ received: 2, stored: 1, rejected: 1, rejectedBy: { expired: 1 } })
  })
})
