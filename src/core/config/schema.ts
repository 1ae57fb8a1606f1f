import { z } from 'zod'
import { MqttSignalFields } from '../../shared/contract/mqtt'
import { AssetNode, ConnectionId, DataType, SignalId } from '../../shared/model'

const Id = ConnectionId

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

/** The MQTT fields are defined once in shared/contract/mqtt (MqttMapping derives from them too); `dataType` keeps the config default. */
export const MqttSignalConfig = z.object({ ...SignalBase, ...MqttSignalFields.omit({ dataType: true }).shape }).strict()
export type MqttSignalConfig = z.infer<typeof MqttSignalConfig>

/** Who the client is to the server. Passwords and key files stay on this machine; they are never sent to a renderer. */
export const OpcuaIdentity = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('anonymous') }).strict(),
  z.object({ kind: z.literal('username'), username: z.string().min(1).max(256), password: z.string().max(256) }).strict(),
  z.object({ kind: z.literal('certificate'), certificateFile: z.string().min(1).max(1024), privateKeyFile: z.string().min(1).max(1024) }).strict(),
])
export type OpcuaIdentity = z.infer<typeof OpcuaIdentity>

/** How values are sampled and queued on the server, for every monitored item of a connection. */
export const OpcuaMonitoring = z
  .object({
    publishingIntervalMs: z.number().int().min(10).max(3_600_000).default(250),
    queueSize: z.number().int().min(1).max(10_000).default(10),
    discardOldest: z.boolean().default(true),
    deadband: z.object({ type: z.enum(['absolute', 'percent']), value: z.number().min(0) }).strict().optional(),
  })
  .strict()
export type OpcuaMonitoring = z.infer<typeof OpcuaMonitoring>

export const OpcuaConnectionConfig = z
  .object({
    id: Id,
    kind: z.literal('opcua'),
    name: z.string().min(1).max(128),
    endpoint: z.string().regex(/^opc\.tcp:\/\/[^\s]+$/, 'must look like opc.tcp://host:port/path'),
    samplingIntervalMs: z.number().int().min(0).max(3_600_000).default(500),
    /**
     * Absent or `auto`: the most secure endpoint the server offers. `None` is only ever used when written here.
     * The following fields are optional (not defaulted) so configs built in code stay valid; the adapter applies defaults.
     */
    securityMode: z.enum(['auto', 'None', 'Sign', 'SignAndEncrypt']).optional(),
    securityPolicy: z.enum(['auto', 'None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).optional(),
    /** Absent: anonymous. */
    identity: OpcuaIdentity.optional(),
    monitoring: OpcuaMonitoring.optional(),
    /** After an outage, read the missed samples with HistoryRead when the server keeps history. */
    backfill: z.boolean().optional(),
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
    /** Default (host): `plantdeck-<8 hex of the installation id>-<4 hex hash>`, stable per installation and connection. */
    clientId: z.string().max(128).optional(),
    subscriptions: z.array(z.object({ filter: z.string().min(1).max(1024), qos: z.union([z.literal(0), z.literal(1)]).default(0) }).strict()).default([]),
    signals: z.array(MqttSignalConfig).default([]),
    /* The following fields are optional (not defaulted) so configs built in code stay valid; the adapter applies the defaults named here. */
    /** Default 5 (Receive Maximum 65535), falling back to 3.1.1 when the broker refuses 5; set, it is kept. */
    protocol: z.enum(['3.1.1', '5']).optional(),
    /** Default `persistent` (the broker keeps QoS 1 messages while we are away) whenever the client id is stable: configured or derived. */
    session: z.enum(['clean', 'persistent']).optional(),
    /** MQTT 5 session expiry of a persistent session; default one week. */
    sessionExpirySec: z.number().int().min(0).max(4_294_967_295).optional(),
    /** Default 30. */
    keepaliveSec: z.number().int().min(0).max(65_535).optional(),
    /** Reconnect delay doubles from `minMs` (default 1000) up to `maxMs` (default 30000). */
    reconnect: z.object({ minMs: z.number().int().min(100).max(600_000), maxMs: z.number().int().min(100).max(600_000) }).strict().optional(),
    /** For mqtts:// and wss://. Files stay on this machine. `serverName` overrides the name checked against the certificate. */
    tls: z
      .object({
        caFile: z.string().min(1).max(1024).optional(),
        certFile: z.string().min(1).max(1024).optional(),
        keyFile: z.string().min(1).max(1024).optional(),
        serverName: z.string().min(1).max(253).optional(),
        /** Default true. False accepts any server certificate: for a lab only. */
        verify: z.boolean().optional(),
      })
      .strict()
      .optional(),
    /** Payloads above this are rejected unread; default 1 MiB. */
    maxPayloadBytes: z.number().int().min(16).max(256 * 1024 * 1024).optional(),
    /** Ask an edge node to rebirth (NCMD `Node Control/Rebirth`) when its sequence breaks or a birth is missing; default true. */
    sparkplugRebirth: z.boolean().optional(),
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
