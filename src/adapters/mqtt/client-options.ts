import { readFileSync } from 'node:fs'
import type { IClientOptions } from 'mqtt'
import type { MqttConnectionConfig } from '../../core/config/schema'

const noLog = (): void => undefined

export const DEFAULT_RECONNECT = { minMs: 1000, maxMs: 30_000 }

/** Persistent when asked, or by default when the client id is stable (a random id can never resume a session). */
export function persistentSession(c: MqttConnectionConfig): boolean {
  return c.session === undefined ? c.clientId !== undefined : c.session === 'persistent'
}

/**
 * mqtt.js options for one configured connection. TLS files are read here, once per start, so a renewed
 * certificate applies on the next start. Reconnect timing is driven by the collector (backoff), not mqtt.js.
 */
export function clientOptions(c: MqttConnectionConfig): IClientOptions {
  const v5 = c.protocol === '5'
  const persistent = persistentSession(c)
  const o: IClientOptions = {
    clientId: c.clientId ?? `plantdeck-${Math.random().toString(16).slice(2, 10)}`,
    protocolVersion: v5 ? 5 : 4,
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
  if (v5) o.properties = { sessionExpiryInterval: persistent ? (c.sessionExpirySec ?? 7 * 86_400) : 0, requestResponseInformation: true }
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
