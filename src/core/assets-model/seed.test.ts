import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../adapters/app-db/sqlite-asset-store'
import { PlantConfig } from '../config/schema'
import type { ConfigAssetNode } from '../config/asset-config'
import type { Asset, AttributeBinding } from '../../shared/contract/asset-model'
import { buildDemoConfig } from '../../demo/demo-config'
import { mqttDevices } from '../../demo/mqtt-points'
import { opcuaAssets, opcuaNodeId, pointPath } from '../../demo/opcua-points'
import { DEMO_PLANT } from '../../demo/plant-model'
import { expandPattern } from './binding-pattern'
import { compileExpression } from './expression'
import { seedModel } from './seed'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-seed-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const plant = PlantConfig.parse({
  connections: [
    { id: 'plc', kind: 'opcua', name: 'PLC', endpoint: 'opc.tcp://h:4840', signals: [
      { id: 'plc/P1.Speed', name: 'P1 speed', unit: '%', range: [0, 100], nodeId: 'ns=2;s=L1.P1.Speed', writable: true },
      { id: 'plc/P2.Speed', name: 'P2 speed', unit: '%', range: [0, 100], nodeId: 'ns=2;s=L1.P2.Speed' },
    ] },
    { id: 'm', kind: 'mqtt', name: 'Meters', url: 'mqtt://h', signals: [{ id: 'm/EM1.p', name: 'Power', unit: 'kW', topic: 'site/EM1', path: 'power.total' }] },
  ],
  assets: { id: 'plant', name: 'Plant', kind: 'site', signals: [], children: [
    { id: 'l1', name: 'Line1', kind: 'line', signals: [], children: [
      { id: 'p1', name: 'P1', kind: 'pump', signals: [{ attribute: 'Speed', signal: 'plc/P1.Speed' }], children: [] },
      { id: 'p2', name: 'P2', kind: 'pump', signals: [{ attribute: 'Speed', signal: 'plc/P2.Speed' }], children: [] },
      { id: 'em1', name: 'EM1 meter / feeder', kind: 'meter', signals: [{ attribute: 'Power', signal: 'm/EM1.p' }], children: [] },
    ] },
  ] },
})

describe('seeding the asset model from a configured tree', () => {
  it('makes assets by kind, attributes bound to the signals’ sources, a template per equipment kind; once only', () => {
    const store = openAppDb({ path: join(dir, 'a.db') })
    expect(seedModel(store, plant, 'test')).toBe(5)
    const p1 = store.byPath('Plant/Line1/P1')!
    expect(p1).toMatchObject({ kind: 'pump', templateId: 'seed.pump' })
    expect(p1.attributes).toEqual([{ name: 'Speed', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, writable: true, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=L1.P1.Speed' } }])
    expect(store.byPath('Plant/Line1/EM1 meter ∕ feeder')?.attributes[0]?.binding).toEqual({ kind: 'mqtt', connection: 'm', topic: 'site/EM1', path: 'power.total' })
    expect(store.templates().map((t) => [t.id, t.instanceCount])).toEqual([['seed.meter', 1], ['seed.pump', 2]])
    expect(store.template('seed.pump')?.attributes[0]).not.toHaveProperty('binding')
    expect(store.changes({ limit: 5 })).toHaveLength(1)
    // a model that holds anything is the database's: a second start seeds nothing
    expect(seedModel(store, plant, 'test')).toBe(0)
    store.close()
  })
})

describe('seeding the simulated plant: its equipment as template instances', () => {
  const config = buildDemoConfig({ model: DEMO_PLANT, opcuaEndpoint: 'opc.tcp://127.0.0.1:4840', namespaceIndex: 1, mqttUrl: 'mqtt://127.0.0.1:1883' })
  const store = openAppDb({ path: join(dir, 'demo.db') })
  afterAll(() => store.close())
  const seeded = seedModel(store, PlantConfig.parse(config), 'test')
  const all = (parent: string | null): Asset[] =>
    store.children(parent, { limit: 1000 }).items.flatMap((s) => [store.get(s.id)!, ...all(s.id)])
  const assets = all(null)
  const byKind = (kind: string) => assets.filter((a) => a.kind === kind)
  const attr = (a: Asset | undefined, name: string) => a?.attributes.find((x) => x.name === name)
  // what the demo serves, from its own point lists: OPC UA node ids and MQTT topic + payload path, by asset and attribute
  const served = new Map<string, string>()
  for (const a of opcuaAssets(DEMO_PLANT)) for (const v of a.variables) served.set(`${a.id}/${v.attribute}`, `opcua demo-opcua ${opcuaNodeId(1, pointPath(a, v.attribute))}`)
  for (const d of mqttDevices(DEMO_PLANT)) for (const f of d.fields) served.set(`${d.id}/${f.attribute}`, `mqtt demo-mqtt ${d.topic} ${f.path}`)
  const address = (b: AttributeBinding) => [b.kind, b['connection'], b['nodeId'] ?? b['topic'], b['path']].filter((x) => x !== undefined).join(' ')

  it('stores the five templates with units, ranges, limits, state labels, intervals and writable setpoints', () => {
    expect(seeded).toBe(assets.length)
    const t = new Map(store.templates().map((x) => [x.id, x]))
    expect([...t.values()].map((x) => [x.id, x.name, x.instanceCount])).toEqual([
      ['centrifugal-pump', 'Centrifugal pump', 4], ['energy-meter', 'Energy meter', 4], ['environment-sensor', 'Environment sensor', 3], ['tank', 'Tank', 4], ['valve', 'Valve', 4],
    ])
    const a = (tid: string, name: string) => t.get(tid)?.attributes.find((x) => x.name === name)
    expect(a('tank', 'Level')).toMatchObject({ unit: '%', range: { min: 0, max: 100 }, decimals: 1, limits: { hihi: 95, hi: 80, lo: 20, lolo: 5 }, expectedIntervalMs: 500, binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s={line}.{asset}.Level' } })
    expect(a('tank', 'Volume')?.binding).toEqual({ kind: 'calculated', expression: 'Level / 100 * Capacity' })
    expect(a('centrifugal-pump', 'Running')).toMatchObject({ dataType: 'boolean', enumeration: { 0: 'Stopped', 1: 'Running' } })
    expect(a('centrifugal-pump', 'SpeedSetpoint')).toMatchObject({ unit: '%', writable: true })
    expect(t.get('centrifugal-pump')?.attributes.filter((x) => x.writable).map((x) => x.name)).toEqual(['SpeedSetpoint'])
    expect(a('valve', 'State')).toMatchObject({ enumeration: { 0: 'Closed', 1: 'Throttling', 2: 'Open' }, binding: { kind: 'calculated' } })
    expect(a('energy-meter', 'VoltageL2')).toMatchObject({ unit: 'V', limits: { hihi: 253, hi: 244, lo: 216, lolo: 207 }, expectedIntervalMs: 1000, binding: { topic: 'plantdeck/demo/{line|lower}/meters/{asset}', path: 'voltage.l2' } })
    expect(a('energy-meter', 'ApparentPower')).toMatchObject({ unit: 'kVA', binding: { kind: 'calculated' } })
    expect(a('environment-sensor', 'CO2')).toMatchObject({ unit: 'ppm', limits: { hi: 1000, hihi: 1500 }, binding: { topic: 'plantdeck/demo/env/{asset}', path: 'co2' } })
    // every calculated attribute parses and reads only its template's other attributes
    for (const tpl of t.values()) {
      for (const x of tpl.attributes.filter((y) => y.binding?.kind === 'calculated')) {
        const refs = compileExpression(String(x.binding!['expression'])).refs
        expect(refs.filter((r) => r === x.name || !tpl.attributes.some((y) => y.name === r)), `${tpl.id}.${x.name}`).toEqual([])
      }
    }
  })

  it("binds every instance by its template's patterns, filled from its place in the model, to what the demo really serves", () => {
    const bound = new Set<string>()
    for (const kind of ['tank', 'pump', 'valve', 'meter', 'sensor']) {
      const instances = byKind(kind)
      expect(instances.length, kind).toBeGreaterThan(0)
      for (const asset of instances) {
        const template = store.template(asset.templateId ?? '')!
        expect(template, asset.path).toBeDefined()
        // the lineage from the stored model itself: the asset, then its parents up to the top
        const lineage: { name: string; kind: string }[] = []
        for (let cur: Asset | undefined = asset; cur; cur = cur.parent ? store.get(cur.parent) : undefined) lineage.push({ name: cur.name, kind: cur.kind })
        const overridden = new Set((findNode(config.assets!, asset.name)?.attributes ?? []).filter((o) => o.binding).map((o) => o.name))
        expect(asset.attributes.map((x) => x.name), asset.path).toEqual(template.attributes.map((x) => x.name))
        for (const ta of template.attributes) {
          const got = attr(asset, ta.name)!
          const b = ta.binding
          if (!b || overridden.has(ta.name)) continue
          if (b.kind === 'calculated') {
            expect(got.binding, `${asset.path}/${ta.name}`).toEqual(b)
            continue
          }
          const filled = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, k !== 'kind' && typeof v === 'string' ? expandPattern(v, lineage) : v]))
          expect(got.binding, `${asset.path}/${ta.name}`).toEqual(filled)
          const key = `${asset.name}/${ta.name}`
          expect(address(got.binding!), key).toBe(served.get(key))
          bound.add(key)
        }
      }
    }
    // every variable and payload field the demo serves is some instance's attribute
    expect([...served.keys()].filter((k) => !bound.has(k))).toEqual([])
  })

  it('bound like the configured signals, with their ranges; overrides only where an instance differs', () => {
    const signals = new Map(config.connections.flatMap((c) => c.signals.map((s) => [s.id, s] as const)))
    const walk = (n: ConfigAssetNode, path: string[]): void => {
      const here = [...path, n.name]
      const asset = store.byPath(here.join('/'))
      expect(asset, here.join('/')).toBeDefined()
      for (const { attribute, signal } of n.signals) {
        const s = signals.get(signal)!
        const a = attr(asset, attribute)!
        expect(address(a.binding!), signal).toBe('nodeId' in s ? `opcua demo-opcua ${s.nodeId}` : `mqtt demo-mqtt ${(s as { topic: string }).topic} ${(s as { path: string }).path}`)
        expect(a.range, signal).toEqual(s.range ? { min: s.range[0], max: s.range[1] } : undefined)
        expect(a.unit, signal).toBe(s.unit)
        expect(a.writable ?? false, signal).toBe(s.writable)
      }
      for (const c of n.children) walk(c, here)
    }
    walk(config.assets!, [])
    const tank = store.byPath('Demo plant/Line2/Tank202')!
    expect(tank).toMatchObject({ templateId: 'tank', description: 'Buffer tank, 7.8 m³' })
    expect(attr(tank, 'Capacity')?.binding).toEqual({ kind: 'constant', value: 7.8 })
    const pump = store.byPath('Demo plant/Line1/Pump102')!
    expect(attr(pump, 'MotorCurrent')).toMatchObject({ range: { min: 0, max: 41 }, limits: { hihi: 41, hi: 37 } })
    expect(attr(pump, 'Flow')?.range).toEqual({ min: 0, max: 80 })
    expect(store.byPath('Demo plant/Environment/ES203')?.description).toBe('ES203 Outdoor')
  })
})

function findNode(n: ConfigAssetNode, name: string): ConfigAssetNode | undefined {
  return n.name === name ? n : n.children.map((c) => findNode(c, name)).find((x) => x !== undefined)
}
