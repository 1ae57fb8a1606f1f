import { AppError } from '../shared/model/errors'
import type { AuditEntryInput, AuditRecord, AuditTrail } from '../core/ports/audit'
import type { Logger } from '../core/ports/logger'

/**
 * INTERIM, until the audit trail in app.db lands (issue 13, the "audit" part): the hosts hand the core this trail when
 * none is given, so commands work. It keeps the newest entries in memory and writes each to the log; it is neither
 * durable nor hash-chained. The audit work replaces it with the app.db trail (`RuntimeOptions.audit`), which fails
 * closed on a full disk.
 */
export function interimAuditTrail(log: Logger, keep = 10_000): AuditTrail & { readonly records: readonly AuditRecord[] } {
  const records: AuditRecord[] = []
  let id = 0
  return {
    records,
    async append(e: AuditEntryInput): Promise<AuditRecord> {
      if (!e.action) throw new AppError('audit.write_failed', 'an audit entry needs an action')
      const r: AuditRecord = { ...e, id: ++id, at: Date.now(), prevHash: '', hash: '' }
      records.push(r)
      if (records.length > keep) records.splice(0, records.length - keep)
      log.info({ audit: r.action, user: r.user, from: r.from, target: r.target, result: r.result, old: r.oldValue, new: r.newValue, detail: r.detail }, 'audit')
      return r
    },
  }
}
