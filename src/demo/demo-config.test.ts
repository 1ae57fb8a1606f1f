import { describe, expect, it } from 'vitest'
import { PlantConfig } from '../core/config/schema'
import type { ConfigAssetNode } from '../core/config/asset-config'
import { buildDemoConfig } from './demo-config'
import { mqttDevices } from './mqtt-points'
import { DEMO_PLANT } from './plant-model'
import { initialState, step } from './simulation'

const config = buildDemoConfig({ model: DEMO_PLANT, opcuaEndpoint: 'opc.tcp://127.0.0.1:4840', namespaceIndex: 1, mqttUrl: 'mqtt://127.0.0.1:1883' })
const [opcua, mqtt] = config.connections

function walk(node: ConfigAssetNode): ConfigAssetNode[] {
  return [node, ...node.children.flatMap(walk)]
}

/** Same dotted-path semantics the MQTT collector applies (`power.l1`). */
function resolve(payload: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), payload)
}

describe('buildDemoConfig', () => {
  it('is a complete PlantConfig: the schema accepts it and adds nothing', () => {
    expect(PlantConfig.parse(structuredClone(config))).toEqual(config)
  })

  it('has one OPC UA and one MQTT connection with unique signal ids', () => {
    expect(opcua).toMatchObject({ id: 'demo-opcua', kind: 'opcua', name: 'Demo plant (OPC UA)', endpoint: 'opc.tcp://127.0.0.1:4840' })
    expect(mqtt).toMatchObject({ id: 'demo-mqtt', kind: 'mqtt', name: 'Demo field devices (MQTT)', url: 'mqtt://127.0.0.1:1883', subscriptions: [{ filter: 'plantdeck/demo/#', qos: 0 }] })
    const ids = config.connections.flatMap((c) => c.signals.map((s) => s.id))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('names every OPC UA node as a client addresses it', () => {
    if (opcua?.kind !== 'opcua') throw new Error('expected the OPC UA connection first')
    // 2 lines x (2 tanks x 2 + 2 pumps x 7 + 2 valves x 2)
    expect(opcua.signals).toHaveLength(44)
    for (const s of opcua.signals) expect(s.nodeId).toBe(`ns=1;s=${s.id.slice('demo-opcua/'.length)}`)
    expect(opcua.signals.find((s) => s.id === 'demo-opcua/Line1.Pump101.Speed')).toMatchObject({ nodeId: 'ns=1;s=Line1.Pump101.Speed', unit: '%', range: [0, 100], writable: false })
    expect(opcua.signals.filter((s) => s.writable).map((s) => s.id)).toEqual([
      'demo-opcua/Line1.Pump101.SpeedSetpoint', 'demo-opcua/Line1.Pump102.SpeedSetpoint',
      'demo-opcua/Line2.Pump201.SpeedSetpoint', 'demo-opcua/Line2.Pump202.SpeedSetpoint',
    ])
    expect(opcua.signals.find((s) => s.id === 'demo-opcua/Line2.Pump201.Running')?.dataType).toBe('boolean')
    expect(opcua.signals.find((s) => s.id === 'demo-opcua/Line2.Pump201.State')).toMatchObject({ dataType: 'number', writable: false })
  })

  it('points every MQTT signal at a number its device actually publishes', () => {
    if (mqtt?.kind !== 'mqtt') throw new Error('expected the MQTT connection second')
    const state = step(initialState(), 1)
    const payloads = new Map(mqttDevices(DEMO_PLANT).map((d) => [d.topic, JSON.parse(JSON.stringify(d.payload(state, 1_700_000_000_000))) as unknown]))
    expect(mqtt.signals.length).toBeGreaterThanOrEqual(4 * 11 + 3 * 3)
    for (const s of mqtt.signals) {
      expect(s.path, s.id).toBeDefined()
      expect(typeof resolve(payloads.get(s.topic), s.path ?? ''), s.id).toBe('number')
    }
    expect(mqtt.signals.find((s) => s.id === 'demo-mqtt/EM101.power.total')).toMatchObject({ topic: 'plantdeck/demo/line1/meters/EM101', path: 'power.total', unit: 'kW' })
    expect(mqtt.signals.find((s) => s.id === 'demo-mqtt/ES201.co2')).toMatchObject({ topic: 'plantdeck/demo/env/ES201', path: 'co2', unit: 'ppm' })
  })

  it('builds an asset tree that references every signal exactly once, and only real ones', () => {
    const root = config.assets
    if (root === undefined) throw new Error('no asset tree')
    expect(root).toMatchObject({ name: 'Demo plant', kind: 'site' })
    expect(root.children.map((c) => [c.name, c.kind])).toEqual([['Line1', 'line'], ['Line2', 'line'], ['Environment', 'area']])
    const nodes = walk(root)
    expect(new Set(nodes.map((n) => n.id)).size).toBe(nodes.length)
    const referenced = nodes.flatMap((n) => n.signals.map((s) => s.signal))
    expect(referenced.sort()).toEqual(config.connections.flatMap((c) => c.signals.map((s) => s.id)).sort())
    const line1 = root.children[0]
    expect(line1?.children.map((c) => c.kind)).toEqual(['tank', 'tank', 'pump', 'pump', 'valve', 'valve', 'meter', 'meter'])
    expect(line1?.children[0]?.signals).toContainEqual({ attribute: 'Level', signal: 'demo-opcua/Line1.Tank101.Level' })
    expect(root.children[2]?.children.map((c) => c.kind)).toEqual(['sensor', 'sensor', 'sensor'])
  })

  it('makes every equipment node, named by its tag, an instance of its kind\'s template', () => {
    const equipment = walk(config.assets!).filter((n) => !['site', 'line', 'area'].includes(n.kind))
    expect(equipment).toHaveLength(19)
    const templateOf = { tank: 'tank', pump: 'centrifugal-pump', valve: 'valve', meter: 'energy-meter', sensor: 'environment-sensor' } as Record<string, string>
    for (const n of equipment) expect([n.name, n.template], n.id).toEqual([n.id.split('.').pop(), templateOf[n.kind]])
    expect(config.templates?.map((t) => t.id).sort()).toEqual(Object.values(templateOf).sort())
    // every template attribute bound to the demo names a member the node shows as a signal
    for (const n of equipment) {
      const t = config.templates!.find((x) => x.id === n.template)!
      const bound = t.attributes.filter((a) => a.binding && a.binding.kind !== 'calculated' && a.binding.kind !== 'constant').map((a) => a.name)
      expect(bound.sort(), n.id).toEqual(n.signals.map((s) => s.attribute).sort())
    }
  })

  it('carries the namespace index and endpoint it is given', () => {
    const other = buildDemoConfig({ model: DEMO_PLANT, opcuaEndpoint: 'opc.tcp://[::1]:50000', namespaceIndex: 3, mqttUrl: 'mqtt://[::1]:50001' })
    expect(other.connections[0]).toMatchObject({ endpoint: 'opc.tcp://[::1]:50000', signals: expect.arrayContaining([expect.objectContaining({ nodeId: 'ns=3;s=Line1.Tank101.Level' })]) })
    expect(PlantConfig.safeParse(other).success).toBe(true)
  })
})
