import { describe, expect, it } from 'vitest'
import { AppConfig } from './app-config'

describe('server.hostnames', () => {
  it('takes DNS names and IP addresses', () => {
    const r = AppConfig.safeParse({ server: { hostnames: ['plant.example', 'Scada-01', '10.0.0.5', '[fe80::1]', 'fe80::2'] } })
    expect(r.success).toBe(true)
  })
  it('refuses a scheme, a port, a path or spaces, naming the field', () => {
    for (const bad of ['http://plant.example', 'plant.example:6042', 'plant.example/ui', 'a b', '', 'x'.repeat(254)]) {
      const r = AppConfig.safeParse({ server: { hostnames: [bad] } })
      expect(r.success, bad).toBe(false)
      expect(r.error?.issues[0]?.path, bad).toEqual(['server', 'hostnames', 0])
    }
  })
})

describe('store policy', () => {
  it('defaults to no budget, 30/400/3650 days and keeping undelivered data', () => {
    expect(AppConfig.parse({}).store).toEqual({ durability: 'process-crash', diskBudget: null, retentionDays: { raw: 30, minutes: 400, hours: 3650 }, keepUndelivered: true })
  })
  it('reads sizes with units', () => {
    expect(AppConfig.parse({ store: { diskBudget: '2 GiB' } }).store.diskBudget).toBe(2 * 1024 ** 3)
    expect(AppConfig.parse({ store: { diskBudget: '500MB' } }).store.diskBudget).toBe(500e6)
    expect(AppConfig.parse({ store: { diskBudget: 5_000_000 } }).store.diskBudget).toBe(5_000_000)
  })
  it('refuses bad sizes, tiny budgets, inverted retention and unknown keys, naming the field', () => {
    const at = (raw: unknown) => AppConfig.safeParse(raw).error?.issues.map((i) => i.path.join('.'))
    expect(at({ store: { diskBudget: 'lots' } })).toEqual(['store.diskBudget'])
    expect(at({ store: { diskBudget: 1000 } })).toEqual(['store.diskBudget'])
    expect(at({ store: { retentionDays: { raw: 90, minutes: 30 } } })).toEqual(['store.retentionDays.minutes'])
    expect(at({ store: { retentionDays: { raw: -1 } } })).toEqual(['store.retentionDays.raw'])
    expect(at({ store: { keepUndelivered: 'yes' } })).toEqual(['store.keepUndelivered'])
    expect(at({ store: { budget: 1 } })).toEqual(['store'])
  })
})

describe('sync sinks', () => {
  it('takes sinks with their kind options and refuses a duplicate id or a bad one', () => {
    const c = AppConfig.parse({ sync: { sinks: [{ id: 'vm', kind: 'line-protocol', endpoints: ['http://a:8428'] }] } })
    expect(c.sync.sinks[0]).toMatchObject({ id: 'vm', kind: 'line-protocol', enabled: true, batchSamples: 10_000, endpoints: ['http://a:8428'] })
    const dup = AppConfig.safeParse({ sync: { sinks: [{ id: 'vm', kind: 'x' }, { id: 'vm', kind: 'x' }] } })
    expect(dup.error?.issues[0]?.path).toEqual(['sync', 'sinks', 1, 'id'])
    expect(AppConfig.safeParse({ sync: { sinks: [{ id: 'a b', kind: 'x' }] } }).error?.issues[0]?.path).toEqual(['sync', 'sinks', 0, 'id'])
  })
})
