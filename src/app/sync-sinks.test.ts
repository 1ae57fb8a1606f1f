import { describe, expect, it } from 'vitest'
import { AppConfig } from '../core/config/app-config'
import { silentLogger } from '../core/ports/logger'
import { createSinks, parseSinks, sinkKinds } from './sync-sinks'

const ctx = { dataDir: '/tmp', logger: silentLogger }
const sinks = (list: unknown[]) => AppConfig.parse({ sync: { sinks: list } }).sync.sinks

describe('sink kinds', () => {
  it('registers line-protocol and tdengine, and makes the enabled sinks with their kind options', () => {
    expect(Object.keys(sinkKinds).sort()).toEqual(['line-protocol', 'tdengine'])
    const made = createSinks(
      sinks([
        { id: 'vm', kind: 'line-protocol', endpoints: ['http://vm:8428'] },
        { id: 'td', kind: 'tdengine', endpoints: ['http://td:6041'], auth: { user: 'root', password: 'taosdata' } },
        { id: 'off', kind: 'line-protocol', enabled: false, endpoints: ['http://vm2:8428'] },
      ]),
      ctx,
    )
    expect(made.map((s) => [s.sink.id, s.sink.kind])).toEqual([
      ['vm', 'line-protocol'],
      ['td', 'tdengine'],
    ])
  })
  it('refuses bad kind options with the field path', () => {
    const at = (list: unknown[]) => {
      try {
        parseSinks(sinks(list), 'plant.yaml')
        return ''
      } catch (e) {
        return (e as Error).message
      }
    }
    expect(at([{ id: 'td', kind: 'tdengine', endpoints: ['http://td:6041'] }])).toMatch(/plant\.yaml: invalid configuration\n {2}sync\.sinks\.0\.auth: /)
    expect(at([{ id: 'vm', kind: 'line-protocol', endpoints: [] }])).toMatch(/sync\.sinks\.0\.endpoints: /)
    expect(at([{ id: 'x', kind: 'kafka' }])).toMatch(/sync\.sinks\.0\.kind: unknown sink kind "kafka" \(known: line-protocol, tdengine\)/)
  })
})
