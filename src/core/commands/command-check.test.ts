import { describe, expect, it } from 'vitest'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import type { CommandDef } from '../../shared/contract/command-def'
import { driverCommands } from '../drivers'
import { instantiate } from '../assets-model/templates'
import { checkCommands } from './command-check'

const drivers = driverCommands()
const ua = { kind: 'opcua', connection: 'plc', nodeId: 'ns=1;s=P1.SP' }
const mq = { kind: 'mqtt', connection: 'broker', topic: 'site/p1/state', path: 'sp' }
const sp = (c: Partial<CommandDef>, at: Partial<AssetAttribute> = {}): AssetAttribute[] => [
  { name: 'SP', dataType: 'number', range: { min: 0, max: 100 }, binding: ua, ...at, commands: [{ id: 'c', label: 'C', kind: 'setpoint', ...c } as CommandDef] },
  { name: 'Run', dataType: 'boolean', enumeration: { '0': 'Off', '1': 'On' }, binding: ua },
]
const refusal = (attrs: AssetAttribute[]) => {
  try {
    checkCommands(attrs, drivers)
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`
  }
  return 'accepted'
}

describe('command definitions', () => {
  it('accepts the kinds the drivers register and the service\'s own', () => {
    expect(refusal(sp({ maxStep: 10 }))).toBe('accepted')
    expect(refusal(sp({ kind: 'method', target: { objectId: 'ns=1;s=P1', methodId: 'ns=1;s=P1.Start', args: [{ value: 3 }] } }))).toBe('accepted')
    expect(refusal(sp({ kind: 'publish', input: 'number', target: { topic: 'site/p1/cmd', payload: '{"sp":{value}}', request: {} } }, { binding: mq }))).toBe('accepted')
    expect(refusal([{ name: 'Run', dataType: 'boolean', enumeration: { '0': 'Off', '1': 'On' }, binding: ua, commands: [{ id: 's', label: 'S', kind: 'state', states: ['1'], interlocks: [{ when: 'Run == 0', message: 'm' }] }] }])).toBe('accepted')
  })

  it('refuses with command.bad_definition, the path and the reason', () => {
    const cases: [AssetAttribute[], RegExp][] = [
      [sp({ kind: 'jump' }), /attributes\[0\] \(SP\)\.commands\[0\] \(c\): unknown command kind "jump" \(known: setpoint, state, method, publish\)/],
      [sp({}, { binding: undefined }), /the attribute has no binding/],
      [sp({}, { binding: mq }), /the mqtt driver cannot write a setpoint: use one of its own kinds \(publish\)/],
      [sp({}, { range: undefined }), /needs limits/],
      [sp({ limits: { lo: -5, hi: 50 } }), /reach outside the attribute's range 0\.\.100/],
      [sp({ limits: { lo: 50, hi: 50 } }), /lo must be below hi/],
      [sp({ maxStep: 500 }), /maxStep 500 is larger than the limits/],
      [sp({}, { dataType: 'string' }), /needs a number attribute, not string/],
      [sp({ kind: 'state' }), /a state input needs the attribute's enumeration/],
      [sp({ kind: 'method', target: { objectId: 'ns=1;s=P1' } }), /target methodId: /],
      [sp({ kind: 'publish', target: { topic: 'a/#', payload: 'x' } }, { binding: mq }), /a command topic has no wildcards/],
      [sp({ interlocks: [{ when: 'Suction ==', message: 'm' }] }), /interlocks\[0\]: /],
      [sp({ interlocks: [{ when: 'Suction == 1', message: 'm' }] }), /interlocks\[0\] names no attribute "Suction"/],
      [sp({ kind: 'method', target: { objectId: 'a', methodId: 'b' }, states: ['1'] }), /states belong to a state input/],
      [[{ name: 'Run', dataType: 'boolean', enumeration: { '0': 'Off', '1': 'On' }, binding: ua, commands: [{ id: 's', label: 'S', kind: 'state', states: ['2'] }] }], /state "2" is not in the attribute's enumeration/],
      [[{ ...sp({})[0]!, commands: [{ id: 'c', label: 'A', kind: 'setpoint' }, { id: 'c', label: 'B', kind: 'setpoint' }] }], /another command of this attribute has the id "c"/],
    ]
    for (const [attrs, why] of cases) {
      const got = refusal(attrs)
      expect(got, why.source).toMatch(/^command\.bad_definition: attributes\[0\] \((SP|Run)\)\.commands\[\d\] \(\w+\): /)
      expect(got).toMatch(why)
    }
  })

  it('a template\'s command targets are patterns, filled per instance like bindings', () => {
    const [at] = instantiate(
      { id: 'pump', chain: ['pump'], attributes: [{ name: 'Running', dataType: 'boolean', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=1;s={line}.{asset}.Running' }, commands: [{ id: 'start', label: 'Start', kind: 'method', target: { objectId: 'ns=1;s={line}.{asset}', methodId: 'ns=1;s={line}.{asset}.Start' } }] }] },
      [{ name: 'Pump101', kind: 'pump' }, { name: 'Line1', kind: 'line' }],
    )
    expect(at!.commands![0]!.target).toEqual({ objectId: 'ns=1;s=Line1.Pump101', methodId: 'ns=1;s=Line1.Pump101.Start' })
  })
})
