import type { MethodAudits } from '../audit/audited-methods'
import type { AuditLookups } from '../audit/audited'
import { opcuaAccessOf } from './opcua-port'

/** The live value of the signal the connection collects from `nodeId` (the old value of a raw write), when known. */
function liveOf(look: AuditLookups, connection: string, nodeId: string): unknown {
  const signal = opcuaAccessOf(look.collector(connection))?.signals().find((s) => s.nodeId === nodeId)?.signal
  return signal === undefined ? undefined : look.live(signal)
}

const status = (r: { ok: boolean; status: string }) => (r.ok ? 'ok' : r.status)

/** OPC UA's audited methods (see CoreDriver.audited): raw writes and calls, signal edits, discovery, certificate decisions. */
export const opcuaAudits: MethodAudits<'opcua.write' | 'opcua.call' | 'opcua.add' | 'opcua.remove' | 'opcua.endpoints' | 'certificates.trust' | 'certificates.reject'> = {
  'opcua.write': {
    action: 'raw.write',
    target: (p) => `${p.connection} ${p.nodeId}`,
    newValue: (p) => p.value,
    oldValue: (p, look) => liveOf(look, p.connection, p.nodeId),
    resultOf: status,
    outcome: (r) => r.message,
  },
  'opcua.call': { action: 'raw.call', target: (p) => `${p.connection} ${p.objectId} ${p.methodId}`, newValue: (p) => ({ args: p.args }), resultOf: status, outcome: (r) => r.message },
  'opcua.add': { action: 'config.signals.add', target: (p) => `${p.connection} ${p.root}`, newValue: (p) => ({ max: p.max }), outcome: (r) => `added ${r.added.length}, failed ${r.failed.length}${r.persisted === false ? ', not saved' : ''}` },
  'opcua.remove': { action: 'config.signals.remove', target: (p) => p.connection, newValue: (p) => ({ signals: p.signals }), outcome: (r) => `removed ${r.removed.length}, unknown ${r.unknown.length}` },
  'opcua.endpoints': { action: 'discovery.endpoints', target: (p) => p.url, outcome: (r) => `${r.endpoints.length} endpoint(s)` },
  'certificates.trust': { action: 'certificate.trust', target: (p) => p.thumbprint.toLowerCase(), outcome: (r) => r.subject },
  'certificates.reject': { action: 'certificate.reject', target: (p) => p.thumbprint.toLowerCase(), outcome: (r) => r.subject },
}
