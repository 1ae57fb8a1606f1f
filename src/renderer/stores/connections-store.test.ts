import { describe, expect, it } from 'vitest'
import type { ConnectionState } from '../../shared/model'
import { upsertConnection } from './connections-store'
import { clockOffset } from './system-store'

const c = (id: string, health: ConnectionState['health'] = 'connected'): ConnectionState => ({
  id,
  kind: 'mqtt',
  name: id,
  target: 'mqtt://x',
  health,
  since: 0,
  samples: 0,
  stored: 0,
  duplicates: 0,
  rejected: 0,
})

describe('upsertConnection', () => {
  it('replaces in place and appends new ones, keeping the order', () => {
    const list = [c('a'), c('b')]
    const next = upsertConnection(list, c('a', 'error'))
    expect(next.map((x) => [x.id, x.health])).toEqual([
      ['a', 'error'],
      ['b', 'connected'],
    ])
    expect(list[0]!.health).toBe('connected')
    expect(upsertConnection(list, c('z')).map((x) => x.id)).toEqual(['a', 'b', 'z'])
  })
})

describe('clockOffset', () => {
  it('assumes the server stamped the ping halfway through the round trip', () => {
    expect(clockOffset(1000, 1200, 6100)).toBe(5000)
    expect(clockOffset(1000, 1000, 1000)).toBe(0)
  })
})
