import { describe, expect, it } from 'vitest'
import { errorText } from '../testing/error-text'
import { instantiate, previewTemplateChange, resolveTemplate, type TemplateDef } from './templates'

const pumpBase: TemplateDef = {
  id: 'pump',
  name: 'Pump',
  attributes: [
    { name: 'Running', dataType: 'boolean', enumeration: { '0': 'Stopped', '1': 'Running' }, binding: { kind: 'opcua', connection: 'plc1', nodeId: 'ns=2;s={asset}.Running' } },
    { name: 'Speed', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, binding: { kind: 'opcua', connection: 'plc1', nodeId: 'ns=2;s={asset}.Speed' } },
  ],
}
const centrifugal: TemplateDef = {
  id: 'centrifugal',
  name: 'Centrifugal pump',
  base: 'pump',
  attributes: [
    { name: 'Flow', dataType: 'number', unit: 'm³/h', limits: { hi: 50, hihi: 60 }, expectedIntervalMs: 1000, binding: { kind: 'mqtt', connection: 'meters', topic: 'plant/{line}/{asset}/flow', path: 'v' } },
    { name: 'Speed', dataType: 'number', unit: 'rpm', range: { min: 0, max: 3000 }, binding: { kind: 'opcua', connection: 'plc1', nodeId: 'ns=2;s={asset}.Speed' } },
    { name: 'Flow per rpm', dataType: 'number', decimals: 4, binding: { kind: 'calculated', expression: 'Flow / Speed' } },
  ],
}
const templates = new Map([pumpBase, centrifugal].map((t) => [t.id, t]))
const lineage = (asset: string) => [
  { name: asset, kind: 'pump' },
  { name: 'Line2', kind: 'line' },
  { name: 'Plant', kind: 'site' },
]
const code = errorText

describe('templates', () => {
  it('derive from a base: base attributes first, overridden by name', () => {
    const r = resolveTemplate('centrifugal', templates)
    expect(r.chain).toEqual(['centrifugal', 'pump'])
    expect(r.attributes.map((a) => a.name)).toEqual(['Running', 'Speed', 'Flow', 'Flow per rpm'])
    expect(r.attributes.find((a) => a.name === 'Speed')?.unit).toBe('rpm')
  })

  it('refuse a missing template, a missing base and a cycle', () => {
    expect(code(() => resolveTemplate('nope', templates))).toBe('model.bad_template: no template "nope"')
    const broken = new Map(templates).set('x', { id: 'x', name: 'X', base: 'gone', attributes: [] })
    expect(code(() => resolveTemplate('x', broken))).toMatch(/"x" derives from "gone", which does not exist/)
    const cyclic = new Map(templates).set('pump', { ...pumpBase, base: 'centrifugal' })
    expect(code(() => resolveTemplate('centrifugal', cyclic))).toMatch(/derives from itself: centrifugal -> pump -> centrifugal/)
  })

  it('make 40 bound instances in one step, each with its own addresses', () => {
    const r = resolveTemplate('centrifugal', templates)
    const made = Array.from({ length: 40 }, (_, i) => instantiate(r, lineage(`P-2${String(i).padStart(2, '0')}`)))
    expect(made).toHaveLength(40)
    expect(made[7]!.find((a) => a.name === 'Flow')?.binding).toEqual({ kind: 'mqtt', connection: 'meters', topic: 'plant/Line2/P-207/flow', path: 'v' })
    expect(made[39]!.find((a) => a.name === 'Speed')?.binding).toEqual({ kind: 'opcua', connection: 'plc1', nodeId: 'ns=2;s=P-239.Speed' })
    expect(made[0]!.find((a) => a.name === 'Flow per rpm')?.binding).toEqual({ kind: 'calculated', expression: 'Flow / Speed' })
    expect(new Set(made.map((m) => m.find((a) => a.name === 'Running')?.binding?.['nodeId' as never])).size).toBe(40)
  })

  it('refuse at instantiation a pattern the asset cannot fill and a bad expression', () => {
    const r = resolveTemplate('centrifugal', templates)
    expect(code(() => instantiate(r, [{ name: 'P-1', kind: 'pump' }]))).toMatch(/^model\.bad_binding: .*\{line\}/)
    const bad = resolveTemplate('b', new Map([['b', { id: 'b', name: 'B', attributes: [{ name: 'C', dataType: 'number', binding: { kind: 'calculated', expression: 'Flow /' } }] }]]))
    expect(code(() => instantiate(bad, lineage('P-1')))).toMatch(/^model\.bad_expression/)
  })

  it('preview a template change per instance before it is applied', () => {
    const before = resolveTemplate('centrifugal', templates)
    const instances = ['P-201', 'P-202'].map((a) => ({ assetId: a, lineage: lineage(a), attributes: instantiate(before, lineage(a)) }))
    // the next version: a new attribute, one dropped, a limit and an address pattern changed
    const next = new Map(templates).set('centrifugal', {
      ...centrifugal,
      attributes: [
        { ...centrifugal.attributes[0]!, limits: { hi: 55, hihi: 60 }, binding: { kind: 'mqtt', connection: 'meters', topic: 'site/{line}/{asset}/flow', path: 'v' } },
        centrifugal.attributes[1]!,
        { name: 'Bearing temperature', dataType: 'number', unit: '°C' },
      ],
    })
    const preview = previewTemplateChange(resolveTemplate('centrifugal', next), instances)
    expect(preview).toEqual([
      { assetId: 'P-201', added: ['Bearing temperature'], removed: ['Flow per rpm'], changed: { Flow: ['limits', 'binding'] } },
      { assetId: 'P-202', added: ['Bearing temperature'], removed: ['Flow per rpm'], changed: { Flow: ['limits', 'binding'] } },
    ])
    expect(previewTemplateChange(before, instances)).toEqual([])
  })
})
