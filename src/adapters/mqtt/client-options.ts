import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { IClientOptions } from 'mqtt'
import type { MqttConnectionConfig } from '../../core/mqtt/mqtt-config'

const noLog = (): void => undefined

export const DEFAULT_RECONNECT = { minMs: 1000, maxMs: 30_000 }

/**
 * The Receive Maximum we announce at MQTT 5: how many QoS 1 messages the broker may have unacknowledged with us.
 * 65,535 is the protocol's maximum. Our PUBACKs wait for the store's commit, so a small window (mosquitto's default
 * for 3.1.1 clients is 20) caps the rate at window / commit time and the broker queues, then drops, the rest.
 */
export const RECEIVE_MAXIMUM = 65_535

/**
 * The client id of a connection without a configured one: stable across restarts and updates (the installation id
 * lives in the data folder), different per installation and per connection, and 23 characters, the most MQTT 3.1.1
 * obliges a broker to accept: `plantdeck-<8 hex of the installation>-<4 hex of installation and connection>`.
 */
export function derivedClientId(installationId: string, connectionId: string): string {
  const h = createHash('sha256').update(`${installationId}/${connectionId}`).digest('hex')
  return `plantdeck-${installationId.slice(0, 8)}-${h.slice(0, 4)}`
}

/**
 * Persistent when asked; by default whenever the client id is stable (configured, or derived from the installation):
 * a random id could never resume a session, so only then is the session clean.
 */
function persistentSession(c: MqttConnectionConfig, installationId?: string): boolean {
  return c.session === undefined ? c.clientId !== undefined || installationId !== undefined : c.session === 'persistent'
}

/** MQTT 5 unless the config says 3.1.1; `auto`: not configured, so a broker refusing 5 gets 3.1.1 (see the collector). */
export function protocolChoice(c: MqttConnectionConfig): { version: 4 | 5; auto: boolean } {
  return { version: c.protocol === '3.1.1' ? 4 : 5, auto: c.protocol === undefined }
}

/** CONNACK refusals of our protocol version: 3.1.1 return code 1, MQTT 5 reason code 132. */
const UNSUPPORTED_VERSION = new Set<unknown>([1, 132])

/** A broker refused MQTT 5 (`code` of mqtt.js's CONNACK error): switches `o` to 3.1.1 for the next attempt; false if not that. */
export function fallBackTo311(o: IClientOptions, code: unknown): boolean {
  if (o.protocolVersion !== 5 || !UNSUPPORTED_VERSION.has(code)) return false
  o.protocolVersion = 4
  delete o.properties
  return true
}

/** What a connection runs on, for its state's `detail`: `MQTT 5, Receive Maximum 65535; client id ...; persistent session`. */
export function connectionDetail(o: IClientOptions, chosen: 4 | 5): string {
  const v5 = o.protocolVersion === 5
  const version = v5 ? `5, Receive Maximum ${RECEIVE_MAXIMUM}` : `3.1.1${chosen === 5 ? ' (the broker refused MQTT 5)' : ''}`
  return `MQTT ${version}; client id ${o.clientId}; ${o.clean ? 'clean' : 'persistent'} session`
}

/** The MQTT 5 CONNECT properties; mqtt.js sends them only at protocol version 5. */
function v5Properties(c: MqttConnectionConfig, persistent: boolean): NonNullable<IClientOptions['properties']> {
  return { sessionExpiryInterval: persistent ? (c.sessionExpirySec ?? 7 * 86_400) : 0, requestResponseInformation: true, receiveMaximum: RECEIVE_MAXIMUM }
}

/**
 * mqtt.js options for one configured connection. TLS files are read here, once per start, so a renewed
 * certificate applies on the next start. Reconnect timing is driven by the collector (backoff), not mqtt.js.
 */
export function clientOptions(c: MqttConnectionConfig, installationId?: string): IClientOptions {
  const { version } = protocolChoice(c)
  const persistent = persistentSession(c, installationId)
  const o: IClientOptions = {
    clientId: c.clientId ?? (installationId ? derivedClientId(installationId, c.id) : `plantdeck-${Math.random().toString(16).slice(2, 10)}`),
    protocolVersion: version,
    clean: !persistent,
    keepalive: c.keepaliveSec ?? 30,
    reconnectPeriod: (c.reconnect ?? DEFAULT_RECONNECT).minMs,
    connectTimeout: 10_000,
    // we subscribe on every connect ourselves; mqtt.js re-subscribing too would double the SUBSCRIBEs
    resubscribe: false,
    // mqtt.js formats a debug line several times per packet even when nobody listens: that is ~10 % of a
    // message's cost at high rates. Ours logs through pino; DEBUG=mqttjs* still turns mqtt.js's own log on.
    ...(/mqttjs/.test(process.env.DEBUG ?? '') ? {} : { log: noLog }),
    ...(c.username === undefined ? {} : { username: c.username }),
    ...(c.password === undefined ? {} : { password: c.password }),
  }
  if (version === 5) o.properties = v5Properties(c, persistent)
  // mqtt.js's own SOCKS5 support (plain and TLS); '' is "none" on its plain path. `direct` over TLS cannot override
  // MQTTJS_SOCKS_PROXY there (mqtt.js tests `!== undefined`), so it stays unset and the environment decides.
  if (c.proxy && c.proxy !== 'direct') o.socksProxy = c.proxy
  else if (c.proxy === 'direct' && !/^(mqtts|ssl):/.test(c.url)) o.socksProxy = ''
  const t = c.tls
  if (t) {
    if (t.caFile) o.ca = readFileSync(t.caFile)
    if (t.certFile) o.cert = readFileSync(t.certFile)
    if (t.keyFile) o.key = readFileSync(t.keyFile)
    if (t.serverName) o.servername = t.serverName
    o.rejectUnauthorized = t.verify ?? true
  }
  return o
}
