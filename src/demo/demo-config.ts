import type { MqttConnectionConfig, OpcuaConnectionConfig, PlantConfig } from '../core/config/schema'
import type { AssetKind, AssetNode } from '../shared/model'
import type { PlantModel } from './plant-model'
import { MQTT_TOPIC_ROOT, mqttDevices } from './mqtt-points'
import { opcuaAssets, opcuaNodeId, pointPath } from './opcua-points'

export const DEMO_OPCUA_CONNECTION_ID = 'demo-opcua'
export const DEMO_MQTT_CONNECTION_ID = 'demo-mqtt'

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
 * connection whose signals cover every variable and payload field the demo produces, and an
 * asset tree over them. Signal ids: `demo-opcua/<Line>.<Asset>.<Attribute>` and
 * `demo-mqtt/<Device>.<payload path>`. The result satisfies the `PlantConfig` schema as is.
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
    samplingIntervalMs: 500,
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

  const node = (id: string, name: string, kind: AssetKind, signals: AssetNode['signals'] = [], children: AssetNode[] = []): AssetNode =>
    ({ id, name, kind, signals, children })
  const root = 'demo'
  const lines = input.model.lines.map((line) =>
    node(`${root}.${line.id}`, line.id, 'line', [], [
      ...assets
        .filter((a) => a.line === line.id)
        .map((a) => node(`${root}.${line.id}.${a.id}`, a.id, a.kind, a.variables.map((v) => ({ attribute: v.attribute, signal: opcuaId(pointPath(a, v.attribute)) })))),
      ...devices
        .filter((d) => d.line === line.id)
        .map((d) => node(`${root}.${line.id}.${d.id}`, d.name, d.kind, d.fields.map((f) => ({ attribute: f.attribute, signal: mqttId(d.id, f.path) })))),
    ]),
  )
  const environment = node(`${root}.Environment`, 'Environment', 'area', [],
    devices
      .filter((d) => d.line === null)
      .map((d) => node(`${root}.Environment.${d.id}`, d.name, d.kind, d.fields.map((f) => ({ attribute: f.attribute, signal: mqttId(d.id, f.path) })))),
  )

  return { connections: [opcua, mqtt], assets: node(root, input.model.name, 'site', [], [...lines, environment]) }
}
