import { z } from 'zod'
import { AssetNode, DataType, SignalId } from '../../shared/model'

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (max 64)')

const SignalBase = {
  /** Globally unique id, conventionally `<connection>/<path>`. */
  id: SignalId,
  name: z.string().min(1).max(128),
  dataType: DataType.default('number'),
  unit: z.string().max(32).optional(),
  range: z.tuple([z.number(), z.number()]).optional(),
  writable: z.boolean().default(false),
  description: z.string().max(512).optional(),
}

export const OpcuaSignalConfig = z.object({ ...SignalBase, nodeId: z.string().min(1).max(512) }).strict()
export type OpcuaSignalConfig = z.infer<typeof OpcuaSignalConfig>

export const MqttSignalConfig = z
  .object({
    ...SignalBase,
    /** Exact topic the value arrives on. */
    topic: z.string().min(1).max(1024),
    /** Dotted path into a JSON payload (`power.l1`, `readings[0].value`); absent: the whole payload is the value. */
    path: z.string().max(256).optional(),
  })
  .strict()
export type MqttSignalConfig = z.infer<typeof MqttSignalConfig>

export const OpcuaConnectionConfig = z
  .object({
    id: Id,
    kind: z.literal('opcua'),
    name: z.string().min(1).max(128),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^\s]+$/, 'must look like opc.tcp://host:port/path'),
    samplingIntervalMs: z.number().int().min(0).max(3_600_000).default(500),
    signals: z.array(OpcuaSignalConfig).default([]),
  })
  .strict()
export type OpcuaConnectionConfig = z.infer<typeof OpcuaConnectionConfig>

export const MqttConnectionConfig = z
  .object({
    id: Id,
    kind: z.literal('mqtt'),
    name: z.string().min(1).max(128),
    url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/, 'must look like mqtt://host:port'),
    username: z.string().max(256).optional(),
    password: z.string().max(256).optional(),
    clientId: z.string().max(128).optional(),
    subscriptions: z.array(z.object({ filter: z.string().min(1).max(1024), qos: z.union([z.literal(0), z.literal(1)]).default(0) }).strict()).default([]),
    signals: z.array(MqttSignalConfig).default([]),
  })
  .strict()
export type MqttConnectionConfig = z.infer<typeof MqttConnectionConfig>

export const ConnectionConfig = z.discriminatedUnion('kind', [OpcuaConnectionConfig, MqttConnectionConfig])
export type ConnectionConfig = z.infer<typeof ConnectionConfig>

/** What a data source contributes: connections and the asset tree over their signals. */
export const PlantConfig = z.object({
  connections: z.array(ConnectionConfig),
  assets: AssetNode.optional(),
})
export type PlantConfig = z.infer<typeof PlantConfig>
