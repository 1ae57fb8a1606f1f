import { describe, expect, it } from 'vitest'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import { driverBindings } from '../drivers'
import { checkBindings } from './bindings'

const connections = [
  { id: 'ua', kind: 'opcua' },
  { id: 'broker', kind: 'mqtt' },
]
const attr = (binding: unknown, dataType: AssetAttribute['dataType'] = 'number'): AssetAttribute[] => [{ name: 'Flow', dataType, binding: binding as AssetAttribute['binding'] }]
const code = (f: () => void): string | undefined => {
  try {
    f()
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`
  }
  return undefined
}

describe('attribute bindings, checked by the kind their driver registers', () => {
  const schemas = driverBindings()

  it('knows the protocols from their drivers and accepts their bindings', () => {
    expect([...schemas.keys()].sort()).toEqual(['mqtt', 'opcua'])
    expect(code(() => checkBindings(attr({ kind: 'opcua', connection: 'ua', nodeId: 'ns=2;s=P201.Flow' }), schemas, connections))).toBeUndefined()
    expect(code(() => checkBindings(attr({ kind: 'mqtt', connection: 'broker', topic: 'plant/l2/p201', path: 'flow' }), schemas, connections))).toBeUndefined()
    expect(code(() => checkBindings(attr({ kind: 'constant', value: 3 }), schemas, connections))).toBeUndefined()
  })

  it('accepts a calculated binding whose expression parses (names are checked live), refuses one that does not', () => {
    expect(code(() => checkBindings(attr({ kind: 'calculated', expression: 'Speed * 2 + Missing' }), schemas, connections))).toBeUndefined()
    expect(code(() => checkBindings(attr({ kind: 'calculated', expression: 'Speed *' }), schemas, connections))).toMatch(/^model\.bad_expression: attributes\[0\] \(Flow\)/)
    expect(code(() => checkBindings(attr({ kind: 'calculated' }), schemas, connections))).toMatch(/^model\.bad_binding/)
  })

  it.each([
    ['an unknown kind', { kind: 'modbus', connection: 'ua' }, 'number', /unknown binding kind "modbus"/],
    ['a missing node id', { kind: 'opcua', connection: 'ua' }, 'number', /binding nodeId/],
    ['an extra field', { kind: 'mqtt', connection: 'broker', topic: 't', nodeId: 'x' }, 'number', /binding/],
    ['a connection that does not exist', { kind: 'opcua', connection: 'nope', nodeId: 'i=1' }, 'number', /no opcua connection "nope"/],
    ['a connection of another kind', { kind: 'mqtt', connection: 'ua', topic: 't' }, 'number', /no mqtt connection "ua"/],
    ['a constant of the wrong type', { kind: 'constant', value: 'on' }, 'boolean', /a constant string for a boolean attribute/],
  ] as const)('refuses %s with model.bad_binding, naming the attribute', (_what, binding, dataType, message) => {
    const got = code(() => checkBindings(attr(binding, dataType), schemas, connections))
    expect(got).toMatch(/^model\.bad_binding: attributes\[0\] \(Flow\)/)
    expect(got).toMatch(message)
  })
})
