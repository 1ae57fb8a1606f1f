import { AppError } from '../../shared/model/errors'
import type { AuditEntryInput, AuditRecord, AuditTrail } from '../ports/audit'

/**
 * A tiny in-memory audit trail for hosts and tests without the application database's: entries in order, a
 * placeholder chain (the real trail hashes each entry with the previous one). `failing` makes `append` throw
 * `audit.write_failed`, to test that callers fail closed.
 */
export class MemoryAuditTrail implements AuditTrail {
  readonly entries: AuditRecord[] = []
  failing = false

  constructor(private readonly now: () => number = Date.now) {}

  append(e: AuditEntryInput): Promise<AuditRecord> {
    if (this.failing) return Promise.reject(new AppError('audit.write_failed', 'the audit trail cannot be written'))
    const prev = this.entries.at(-1)
    const id = this.entries.length + 1
    const rec: AuditRecord = { ...e, id, at: this.now(), prevHash: prev?.hash ?? '', hash: `mem-${id}` }
    this.entries.push(rec)
    return Promise.resolve(rec)
  }
}
