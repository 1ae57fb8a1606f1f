import { z } from 'zod'
import { MqttSignalFields } from '../../shared/contract/mqtt'
import { ConnectionBase, SignalBase } from '../config/connection-base'

/** The MQTT fields are defined once in shared/contract/mqtt (MqttMapping derives from them too); `dataType` keeps the config default. */
export const MqttSignalConfig = z.object({ ...SignalBase, ...MqttSignalFields.omit({ dataType: true }).shape }).strict()
export type MqttSignalConfig = z.infer<typeof MqttSignalConfig>

export const MqttConnectionConfig = z
  .object({
    ...ConnectionBase,
    kind: z.literal('mqtt'),
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
    /**
     * Egress through a SOCKS5 proxy (mqtt.js's own SOCKS support): `socks5://[user:pass@]host:port`, or `socks5h://…`
     * (the proxy resolves the broker's name), for mqtt:// and mqtts://; `direct` for no proxy. Without it, mqtt.js
     * takes `MQTTJS_SOCKS_PROXY` from the environment. HTTP CONNECT and ws:// through a proxy are not supported.
     */
    proxy: z
      .string()
      .max(1024)
      .regex(/^(socks5h?:\/\/\S+|direct)$/, 'must be socks5://host:port, socks5h://host:port or direct (MQTT goes through SOCKS5 proxies only)')
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.proxy && c.proxy !== 'direct' && /^wss?:/.test(c.url)) {
      ctx.addIssue({ code: 'custom', path: ['proxy'], message: 'a proxy is supported for mqtt:// and mqtts:// only, not for ws:// or wss://' })
    }
  })
export type MqttConnectionConfig = z.infer<typeof MqttConnectionConfig>
