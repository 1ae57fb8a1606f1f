import { z } from 'zod'
import { ConnectionBase, SignalBase } from '../config/connection-base'

export const OpcuaSignalConfig = z.object({ ...SignalBase, nodeId: z.string().min(1).max(512) }).strict()
export type OpcuaSignalConfig = z.infer<typeof OpcuaSignalConfig>

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
    ...ConnectionBase,
    kind: z.literal('opcua'),
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
