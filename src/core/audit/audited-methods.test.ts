import { describe, expect, it } from 'vitest'
import { contract } from '../../shared/contract'
import { driverAudits } from '../drivers'
import { genericAudits, NOT_AUDITED, SELF_AUDITED } from './audited-methods'

const audited = { ...genericAudits, ...driverAudits() }

describe('what is audited (walks the contract)', () => {
  it('audits every method above viewer that changes something, or names it as a read or as audited by its own service', () => {
    const missing = Object.entries(contract)
      .filter(([, s]) => s.access !== 'public' && s.access !== 'viewer')
      .map(([m]) => m)
      .filter((m) => !(m in audited) && !(NOT_AUDITED as readonly string[]).includes(m) && !SELF_AUDITED.some((p) => m.startsWith(p)))
    expect(missing).toEqual([])
  })

  it('names only methods that exist, never a public or viewer one, and never one both audited and exempt', () => {
    for (const m of [...Object.keys(audited), ...NOT_AUDITED]) expect(Object.hasOwn(contract, m), m).toBe(true)
    for (const m of Object.keys(audited)) expect(['public', 'viewer'], m).not.toContain(contract[m as keyof typeof contract].access)
    expect(Object.keys(audited).filter((m) => (NOT_AUDITED as readonly string[]).includes(m))).toEqual([])
  })

  it('covers the raw engineering writes, edits, certificate decisions, discovery, model changes and alarm actions the issue names', () => {
    const actions = Object.fromEntries(Object.entries(audited).map(([m, s]) => [m, s!.action]))
    expect(actions).toMatchObject({
      'opcua.write': 'raw.write',
      'opcua.call': 'raw.call',
      'mqtt.publish': 'raw.publish',
      'mqtt.request': 'raw.request',
      'opcua.add': 'config.signals.add',
      'opcua.remove': 'config.signals.remove',
      'mqtt.mappings.add': 'config.mapping.add',
      'certificates.trust': 'certificate.trust',
      'certificates.reject': 'certificate.reject',
      'opcua.endpoints': 'discovery.endpoints',
      'model.import': 'model.import',
      'model.restore': 'model.restore',
      'alarms.ack': 'alarm.ack',
    })
  })
})
