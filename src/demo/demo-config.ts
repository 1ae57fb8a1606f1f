import type { AttributeOverride, ConfigAssetNode } from '../core/config/asset-config'
import type { PlantConfig } from '../core/config/schema'
import type { OpcuaConnectionConfig } from '../core/opcua/opcua-config'
import type { MqttConnectionConfig } from '../core/mqtt/mqtt-config'
import type { AssetKind, AssetNode } from '../shared/model'
import type { PlantModel } from './plant-model'
import { DEMO_MQTT_CONNECTION_ID, DEMO_OPCUA_CONNECTION_ID, DEMO_SAMPLING_INTERVAL_MS, DEMO_TEMPLATE_IDS, demoTemplates } from './demo-templates'
import { MQTT_TOPIC_ROOT, mqttDevices } from './mqtt-points'
import { opcuaAssets, opcuaNodeId, pointPath } from './opcua-points'

export interface DemoConfigInput {
  model: PlantModel
  /** The OPC UA endpoint as a client reaches it, e.g. `opc.tcp://127.0.0.1:4840`. */
  opcuaEndpoint: string
  /** Index of the server's own namespace, the one that holds the plant's nodes. */
  namespaceIndex: number
  /** The broker as a client reaches it, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string
}

/**
 * The configuration that makes Plantdeck show the running demo: one OPC UA and one MQTT
 * connection whose signals cover every variable and payload field the demo produces, an
 * asset tree over them, and the equipment templates (demo-templates.ts) whose instances the tree's
 * equipment nodes are: each node names its template, and overrides only what differs per instance
 * (a pump's flow and current ranges, a tank's capacity). Signal ids: `demo-opcua/<Line>.<Asset>.<Attribute>`
 * and `demo-mqtt/<Device>.<payload path>`. Equipment is named by its tag (`Pump101`, `EM101`, `ES201`),
 * which the templates' binding patterns fill in. The result satisfies the `PlantConfig` schema as is.
 */
export function buildDemoConfig(input: DemoConfigInput): PlantConfig {
  const opcuaId = (path: string): string => `${DEMO_OPCUA_CONNECTION_ID}/${path}`
  const mqttId = (device: string, path: string): string => `${DEMO_MQTT_CONNECTION_ID}/${device}.${path}`
  const assets = opcuaAssets(input.model)
  const devices = mqttDevices(input.model)

  const opcua: OpcuaConnectionConfig = {
    id: DEMO_OPCUA_CONNECTION_ID,
    kind: 'opcua',
    name: 'Demo plant (OPC UA)',
    endpoint: input.opcuaEndpoint,
    samplingIntervalMs: DEMO_SAMPLING_INTERVAL_MS,
    signals: assets.flatMap((asset) =>
      asset.variables.map((v) => {
        const path = pointPath(asset, v.attribute)
        return {
          id: opcuaId(path),
          name: `${asset.id} ${v.attribute}`,
          dataType: v.dataType,
          ...(v.unit === undefined ? {} : { unit: v.unit }),
          ...(v.range === undefined ? {} : { range: v.range }),
          writable: v.write !== undefined,
          description: v.description,
          nodeId: opcuaNodeId(input.namespaceIndex, path),
        }
      }),
    ),
  }

  const mqtt: MqttConnectionConfig = {
    id: DEMO_MQTT_CONNECTION_ID,
    kind: 'mqtt',
    name: 'Demo field devices (MQTT)',
    url: input.mqttUrl,
    // the simulated plant's broker (aedes) speaks 3.1.1 only: say so, instead of being refused MQTT 5 at every start
    protocol: '3.1.1',
    subscriptions: [{ filter: `${MQTT_TOPIC_ROOT}/#`, qos: 0 }],
    signals: devices.flatMap((device) =>
      device.fields.map((f) => ({
        id: mqttId(device.id, f.path),
        name: `${device.id} ${f.path}`,
        dataType: 'number' as const,
        unit: f.unit,
        ...(f.range === undefined ? {} : { range: f.range }),
        writable: false,
        description: f.description,
        topic: device.topic,
        path: f.path,
      })),
    ),
  }

  const templates = demoTemplates(input.model, input.namespaceIndex)
  const templateOf = (kind: keyof typeof DEMO_TEMPLATE_IDS) => templates.find((t) => t.id === DEMO_TEMPLATE_IDS[kind])!
  /** Per instance, only what differs from its template: a point's range, and what `extra` adds. */
  const overrides = (kind: keyof typeof DEMO_TEMPLATE_IDS, points: readonly { attribute: string; range?: [number, number] | undefined }[], extra: AttributeOverride[] = []): AttributeOverride[] => {
    const t = templateOf(kind)
    const ranged = points.flatMap((p): AttributeOverride[] => {
      const a = t.attributes.find((x) => x.name === p.attribute)
      if (p.range === undefined || (a?.range?.min === p.range[0] && a.range.max === p.range[1])) return []
      return [{ name: p.attribute, range: { min: p.range[0], max: p.range[1] } }]
    })
    const out = [...ranged]
    for (const e of extra) {
      const same = out.findIndex((o) => o.name === e.name)
      if (same >= 0) out[same] = { ...out[same]!, ...e }
      else out.push(e)
    }
    return out
  }
  const round = (x: number) => Math.round(x * 100) / 100
  const extraFor = (id: string): AttributeOverride[] => {
    const tank = input.model.lines.flatMap((l) => l.tanks).find((t) => t.id === id)
    if (tank) return [{ name: 'Capacity', binding: { kind: 'constant', value: round(tank.capacityM3) } }, { name: 'Volume', range: { min: 0, max: round(tank.capacityM3) } }]
    const pump = input.model.lines.flatMap((l) => l.pumps).find((p) => p.id === id)
    if (pump) return [{ name: 'MotorCurrent', limits: { hihi: pump.ratedCurrentA, hi: Math.round(0.9 * pump.ratedCurrentA) } }]
    return []
  }
  const describe = (id: string): string => {
    for (const l of input.model.lines) {
      const tank = l.tanks.find((t) => t.id === id)
      if (tank) return `Buffer tank, ${round(tank.capacityM3)} m³`
      const pump = l.pumps.find((p) => p.id === id)
      if (pump) return `Centrifugal pump, ${pump.from} to ${pump.to ?? 'out of the line'}, ${pump.maxFlowM3h} m³/h`
      const valve = l.valves.find((v) => v.id === id)
      if (valve) return `Control valve feeding ${valve.feeds}`
    }
    return ''
  }
  const node = (id: string, name: string, kind: AssetKind, signals: AssetNode['signals'] = [], children: ConfigAssetNode[] = [], instance?: Pick<ConfigAssetNode, 'template' | 'attributes' | 'description'>): ConfigAssetNode =>
    ({ id, name, kind, ...(instance?.description ? { description: instance.description } : {}), ...(instance?.template ? { template: instance.template } : {}), ...(instance?.attributes?.length ? { attributes: instance.attributes } : {}), signals, children })
  const device = (parent: string, d: (typeof devices)[number]): ConfigAssetNode =>
    node(`${parent}.${d.id}`, d.id, d.kind, d.fields.map((f) => ({ attribute: f.attribute, signal: mqttId(d.id, f.path) })), [],
      { description: d.name, template: DEMO_TEMPLATE_IDS[d.kind], attributes: overrides(d.kind, d.fields) })
  const root = 'demo'
  const lines = input.model.lines.map((line) =>
    node(`${root}.${line.id}`, line.id, 'line', [], [
      ...assets
        .filter((a) => a.line === line.id)
        .map((a) => node(`${root}.${line.id}.${a.id}`, a.id, a.kind, a.variables.map((v) => ({ attribute: v.attribute, signal: opcuaId(pointPath(a, v.attribute)) })), [],
          { description: describe(a.id), template: DEMO_TEMPLATE_IDS[a.kind], attributes: overrides(a.kind, a.variables, extraFor(a.id)) })),
      ...devices.filter((d) => d.line === line.id).map((d) => device(`${root}.${line.id}`, d)),
    ]),
  )
  const environment = node(`${root}.Environment`, 'Environment', 'area', [], devices.filter((d) => d.line === null).map((d) => device(`${root}.Environment`, d)))

  return { connections: [opcua, mqtt], assets: node(root, input.model.name, 'site', [], [...lines, environment]), templates }
}
