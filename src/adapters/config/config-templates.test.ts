import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify } from 'yaml'
import { seedModel } from '../../core/assets-model/seed'
import { AppError } from '../../shared/model/errors'
import { openAppDb } from '../app-db/sqlite-asset-store'
import { parseConfigText } from './load-config'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-cfg-templates-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// A plant file declaring templates (one derived from another) and instances of them, with a per-node override.
const GOOD = `
connections:
  - { id: plc, kind: opcua, name: PLC, endpoint: "opc.tcp://10.0.0.5:4840", signals: [{ id: plc/FT1, name: Flow, nodeId: "ns=2;s=Filling.FT1" }] }
  - { id: meters, kind: mqtt, name: Meters, url: "mqtt://10.0.0.9" }
templates:
  - id: pump
    name: Pump
    attributes:
      - { name: Speed, dataType: number, unit: rpm, range: { min: 0, max: 3000 }, limits: { hi: 2800 }, binding: { kind: opcua, connection: plc, nodeId: "ns=2;s={line}.{asset}.Speed" } }
      - { name: Running, dataType: boolean, enumeration: { "0": Stopped, "1": Running }, binding: { kind: opcua, connection: plc, nodeId: "ns=2;s={line}.{asset}.Running" } }
  - id: metered-pump
    name: Metered pump
    description: a pump with its own energy meter
    base: pump
    attributes:
      - { name: Power, dataType: number, unit: kW, binding: { kind: mqtt, connection: meters, topic: "site/{line|lower}/{asset}", path: p } }
      - { name: Load, dataType: number, unit: "%", binding: { kind: calculated, expression: "Speed / 3000 * 100" } }
assets:
  id: site
  name: Site
  kind: site
  children:
    - id: line
      name: Filling
      kind: line
      signals: [{ attribute: Flow, signal: plc/FT1 }]
      children:
        - { id: p1, name: P-101, kind: pump, template: pump, description: Feed pump }
        - id: p2
          name: P-102
          kind: pump
          template: metered-pump
          attributes:
            - { name: Speed, range: { min: 0, max: 1500 } }
            - { name: Vibration, dataType: number, unit: mm/s, binding: { kind: opcua, connection: plc, nodeId: "ns=2;s={asset}.VT" } }
`

/** GOOD, changed by `edit` (on the parsed document), as a config file's text. */
const variant = (edit: (doc: Record<string, any>) => void): string => {
  const doc = parseYaml(GOOD) as Record<string, any>
  edit(doc)
  return stringify(doc)
}
const refusal = (text: string): AppError => {
  try {
    parseConfigText('plant.yaml', text)
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected the file to be refused')
}

describe('templates and instances in the configuration file', () => {
  it('loads, and seeds an empty model with the templates and each instance filled from its lineage, overrides applied', () => {
    const config = parseConfigText('plant.yaml', GOOD)
    expect(config.templates?.map((t) => [t.id, t.base, t.description])).toEqual([['pump', null, ''], ['metered-pump', 'pump', 'a pump with its own energy meter']])
    const store = openAppDb({ path: join(dir, 'good.db') })
    try {
      expect(seedModel(store, { connections: config.connections, assets: config.assets!, templates: config.templates! }, 'test')).toBe(4)
      expect(store.templates().map((t) => [t.id, t.instanceCount])).toEqual([['metered-pump', 1], ['pump', 1]])
      const p1 = store.byPath('Site/Filling/P-101')!
      expect(p1).toMatchObject({ templateId: 'pump', description: 'Feed pump' })
      expect(p1.attributes).toEqual([
        { name: 'Speed', dataType: 'number', unit: 'rpm', range: { min: 0, max: 3000 }, limits: { hi: 2800 }, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=Filling.P-101.Speed' } },
        { name: 'Running', dataType: 'boolean', enumeration: { 0: 'Stopped', 1: 'Running' }, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=Filling.P-101.Running' } },
      ])
      const p2 = store.byPath('Site/Filling/P-102')!
      expect(p2.templateId).toBe('metered-pump')
      expect(p2.attributes.map((a) => a.name)).toEqual(['Speed', 'Running', 'Power', 'Load', 'Vibration'])
      expect(p2.attributes[0]).toMatchObject({ range: { min: 0, max: 1500 }, limits: { hi: 2800 }, binding: { nodeId: 'ns=2;s=Filling.P-102.Speed' } })
      expect(p2.attributes[2]?.binding).toEqual({ kind: 'mqtt', connection: 'meters', topic: 'site/filling/P-102', path: 'p' })
      expect(p2.attributes[3]?.binding).toEqual({ kind: 'calculated', expression: 'Speed / 3000 * 100' })
      expect(p2.attributes[4]).toEqual({ name: 'Vibration', dataType: 'number', unit: 'mm/s', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=P-102.VT' } })
      // a plain node keeps today's seeding: its shown signals, bound one by one
      expect(store.byPath('Site/Filling')?.attributes).toEqual([{ name: 'Flow', dataType: 'number', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=Filling.FT1' } }])
    } finally {
      store.close()
    }
  })

  it('seeds templates without an asset tree too; a model holding a template (or an asset) is left alone', () => {
    const config = parseConfigText('plant.yaml', variant((d) => { delete d.assets }))
    const store = openAppDb({ path: join(dir, 'templates-only.db') })
    try {
      expect(seedModel(store, { connections: config.connections, templates: config.templates! }, 'test')).toBe(0)
      expect(store.templates().map((t) => t.id)).toEqual(['metered-pump', 'pump'])
      expect(store.changes({ limit: 5 })).toHaveLength(1)
      // the next start finds the templates: the database owns them now, the file is not read into it again
      const grown = parseConfigText('plant.yaml', GOOD)
      expect(seedModel(store, { connections: grown.connections, assets: grown.assets!, templates: grown.templates! }, 'test')).toBe(0)
      expect(store.changes({ limit: 5 })).toHaveLength(1)
      expect(store.byPath('Site')).toBeUndefined()
    } finally {
      store.close()
    }
  })

  const cases: [string, (doc: Record<string, any>) => void, string, string, RegExp][] = [
    ['an unknown template', (d) => { d.assets.children[0].children[0].template = 'pmup' }, 'assets.children.0.children.0.template', 'model.bad_template', /node "p1": no template "pmup"/],
    ['a pattern the lineage cannot fill', (d) => { d.templates[0].attributes[0].binding.nodeId = 'ns=2;s={area}.{asset}.Speed' }, 'assets.children.0.children.0.template', 'model.bad_binding', /\{area\} does not fit asset "P-101" \(no ancestor of kind "area"\)/],
    ['a cycle in bases', (d) => { d.templates[0].base = 'metered-pump' }, 'templates.0.base', 'model.bad_template', /derives from itself: pump -> metered-pump -> pump/],
    ['a missing base', (d) => { d.templates[1].base = 'pompe' }, 'templates.1.base', 'model.bad_template', /derives from "pompe", which does not exist/],
    ['a repeated template id', (d) => { d.templates[1].id = 'pump' }, 'templates.1.id', 'model.bad_template', /duplicate template id "pump"/],
    ['an expression that does not parse', (d) => { d.templates[1].attributes[1].binding.expression = 'Speed / ' }, 'templates.1.attributes.1.binding', 'model.bad_expression', /./],
    ['an unknown pattern filter', (d) => { d.templates[1].attributes[0].binding.topic = 'site/{line|shout}/{asset}' }, 'templates.1.attributes.0.binding', 'model.bad_binding', /unknown filter "\|shout"/],
    ['an attribute of its own without a data type', (d) => { delete d.assets.children[0].children[1].attributes[1].dataType }, 'assets.children.0.children.1.attributes.1', 'model.bad_template', /template "metered-pump" has no attribute "Vibration": an attribute of the node's own needs a dataType/],
    ['an override whose pattern the lineage cannot fill', (d) => { d.assets.children[0].children[1].attributes[1].binding.nodeId = '{unit}.VT' }, 'assets.children.0.children.1.attributes.1.binding', 'model.bad_binding', /\{unit\} does not fit/],
    ['overrides on a node without a template', (d) => { d.assets.children[0].attributes = [{ name: 'Flow', unit: 'm3/h' }] }, 'assets.children.0.attributes', 'model.bad_template', /overrides attributes but names no template/],
  ]
  it.each(cases)('refuses %s at load, naming the field and the code', (_, edit, path, code, why) => {
    const e = refusal(variant(edit))
    expect(e.code).toBe('config.invalid')
    const line = e.message.split('\n').find((l) => l.trim().startsWith(`${path}:`))
    expect(line, e.message).toBeDefined()
    expect(line).toContain(`${code}: `)
    expect(line).toMatch(why)
  })
})
