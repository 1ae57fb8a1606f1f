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
