import type { z } from 'zod'
import type { Contract, MethodName } from '../../shared/contract'
import { sha256Hex } from './sha256'
import type { AuditSpec } from './audited'

/** An audit spec typed by its method's params and result. */
export type MethodAudit<M extends MethodName> = AuditSpec<z.output<Contract[M]['input']>, z.output<Contract[M]['output']>>
export type MethodAudits<K extends MethodName> = { readonly [M in K]?: MethodAudit<M> }

const pick = (o: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> | undefined =>
  o ? Object.fromEntries(keys.filter((k) => k !== 'id').map((k) => [k, o[k]])) : undefined
const keysOf = (o: object) => Object.keys(o).filter((k) => k !== 'id')
const counted = (r: { done: string[]; refused: unknown[] }) => `done ${r.done.length}, refused ${r.refused.length}`

/**
 * The generic methods that change something, audited by the core (each protocol's own are in its driver,
 * `CoreDriver.audited`): asset model edits, imports, undo and restore; alarm actions. Reads are not audited.
 */
export const genericAudits: MethodAudits<MethodName> = {
  'model.create': { action: 'model.create', target: (p) => `${p.parent ?? '(top)'} / ${p.name}`, newValue: (p) => p },
  'model.update': {
    action: 'model.update',
    target: (p) => p.id,
    newValue: (p) => pick(p as Record<string, unknown>, keysOf(p)),
    oldValue: (p, look) => pick(look.asset(p.id), keysOf(p)),
  },
  'model.move': { action: 'model.move', target: (p) => p.id, newValue: (p) => ({ parent: p.parent }), oldValue: (p, look) => pick(look.asset(p.id), ['parent']) },
  'model.delete': { action: 'model.delete', target: (p) => p.id, when: (p) => p.confirm === true, outcome: (r) => `${r.assetCount} asset(s) deleted, ${r.unlinkedCount} unlinked` },
  'model.bind': { action: 'model.bind', target: (p) => p.asset, newValue: (p) => ({ source: p.source, name: p.name, max: p.max }) },
  'model.undo': { action: 'model.undo', target: () => 'change log', newValue: (p) => ({ count: p.count ?? 1 }), outcome: (r) => `undid ${r.undone.join(', ') || 'nothing'}` },
  'model.import': {
    action: 'model.import',
    target: (p) => p.under ?? '(whole model)',
    when: (p) => p.dryRun !== true,
    // the document itself can be 16 MB: its size and hash say which one it was
    newValue: (p) => ({ format: p.format ?? 'json', mode: p.mode, chars: p.text.length, sha256: sha256Hex(p.text) }),
    outcome: (r) => `created ${r.create.length}, updated ${r.update.length}, deleted ${r.delete.length}`,
  },
  'model.backup': { action: 'model.backup', target: () => 'app.db', outcome: (r) => `${r.file} (${r.bytes} bytes)` },
  'model.restore': { action: 'model.restore', target: (p) => p.name, outcome: (r) => `schema ${r.from} → ${r.to}; previous kept as ${r.previous ?? 'none'}` },
  'model.instantiate': { action: 'model.instantiate', target: (p) => p.template, newValue: (p) => ({ parent: p.parent, names: p.names, kind: p.kind }) },
  'model.templates.create': { action: 'template.create', target: (p) => p.id ?? p.name, newValue: (p) => p },
  'model.templates.update': { action: 'template.update', target: (p) => p.id, newValue: (p) => p },
  'model.templates.delete': { action: 'template.delete', target: (p) => p.id, when: (p) => p.confirm === true, newValue: (p) => ({ detach: p.detach ?? false }) },
  'model.templates.apply': { action: 'template.apply', target: (p) => p.id, newValue: (p) => p, outcome: (r) => `${r.instances.length} instance(s)` },
  'alarms.ack': { action: 'alarm.ack', target: (p) => p.keys.join(', '), newValue: (p) => ({ note: p.note }), outcome: counted },
  'alarms.shelve': { action: 'alarm.shelve', target: (p) => p.keys.join(', '), newValue: (p) => ({ reason: p.reason, minutes: p.minutes }), outcome: counted },
  'alarms.unshelve': { action: 'alarm.unshelve', target: (p) => p.keys.join(', '), outcome: counted },
  'alarms.service': { action: 'alarm.service', target: (p) => p.keys.join(', '), newValue: (p) => ({ inService: p.inService, reason: p.reason }), outcome: counted },
}

/**
 * Methods above `viewer` that change nothing, so they are not audited: reads for engineers (browse, payloads, lists,
 * previews, exports) and the audit trail's own reading. Every other method above `viewer` is audited here, in its
 * driver, or by its own service (see SELF_AUDITED); audited-methods.test.ts walks the contract to keep it so.
 */
export const NOT_AUDITED: readonly MethodName[] = [
  'model.export',
  'model.backups',
  'model.templates.preview',
  'opcua.browse',
  'opcua.attributes',
  'opcua.search',
  'certificates.list',
  'mqtt.topics',
  'mqtt.payload',
  'mqtt.metrics',
  'mqtt.mappings.list',
  'audit.search',
  'audit.csv',
  'audit.verify',
]

/**
 * Method families whose services append their own, finer entries through the AuditTrail port (logins and failed
 * logins, session ends, user and role changes; each step of a command), rather than through the core's wrapper.
 */
export const SELF_AUDITED: readonly string[] = ['auth.', 'users.', 'commands.']
