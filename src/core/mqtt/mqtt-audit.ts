import type { MethodAudits } from '../audit/audited-methods'

const status = (r: { ok: boolean; status: string }) => (r.ok ? 'ok' : r.status)
const saved = (r: { persisted: boolean }) => (r.persisted ? undefined : 'not saved')

/** MQTT's audited methods (see CoreDriver.audited): raw publishes and requests, mapping edits. */
export const mqttAudits: MethodAudits<'mqtt.publish' | 'mqtt.request' | 'mqtt.mappings.add' | 'mqtt.mappings.update' | 'mqtt.mappings.remove'> = {
  'mqtt.publish': { action: 'raw.publish', target: (p) => `${p.connection} ${p.topic}`, newValue: (p) => ({ payload: p.payload, values: p.values, qos: p.qos, retain: p.retain }), resultOf: status },
  'mqtt.request': { action: 'raw.request', target: (p) => `${p.connection} ${p.topic}`, newValue: (p) => ({ payload: p.payload, values: p.values, responseTopic: p.responseTopic }), outcome: (r) => `answer of ${r.bytes} bytes` },
  'mqtt.mappings.add': { action: 'config.mapping.add', target: (p) => `${p.connection} ${p.mapping.topic}`, newValue: (p) => p.mapping, outcome: saved },
  'mqtt.mappings.update': { action: 'config.mapping.update', target: (p) => `${p.connection} ${p.signal}`, newValue: (p) => p.changes, outcome: saved },
  'mqtt.mappings.remove': { action: 'config.mapping.remove', target: (p) => `${p.connection} ${p.signal}`, outcome: saved },
}
