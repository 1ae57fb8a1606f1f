import type { AuditRecord, AuditTrail } from '../ports/audit'
import type { AuditAnchor } from './chain'

/** What `audit.search` and `audit.csv` select. Every field narrows; none: everything. */
export interface AuditFilter {
  /** Unix ms, inclusive. */
  from?: number | undefined
  to?: number | undefined
  /** The user, exactly. */
  user?: string | undefined
  /** An action or the start of one (`raw.` selects every raw engineering write). */
  action?: string | undefined
  /** Text anywhere in the target, case-insensitive. */
  target?: string | undefined
  /** The result, exactly (`ok`, `pending`, an error code). */
  result?: string | undefined
  /** Only entries that did not succeed: any result other than `ok`, `success` and `pending`. */
  failed?: boolean | undefined
}

/** Results that are not a failure: done, a command's verified success, and the entry made before the action. */
export const NOT_FAILED = ['ok', 'success', 'pending'] as const

/** The audit trail with its reading side: the audit service's port (the memory trail and the SQLite adapter). */
export interface AuditStore extends AuditTrail {
  /** Newest first, a page at a time: `next` is the `before` of the next page (null: no more). */
  query(filter: AuditFilter, page: { before?: number | undefined; limit: number }): { items: AuditRecord[]; next: number | null }
  /** Every record in id order, one at a time (verification). */
  records(): Iterable<AuditRecord>
  /** The last record's id and hash as kept in the second place (null: none kept). */
  anchor(): AuditAnchor | null
}

/** True when `r` passes `f` (the memory trail's filter; the SQLite adapter says the same in SQL). */
export function matches(r: AuditRecord, f: AuditFilter): boolean {
  if (f.from !== undefined && r.at < f.from) return false
  if (f.to !== undefined && r.at > f.to) return false
  if (f.user !== undefined && r.user !== f.user) return false
  if (f.action !== undefined && !r.action.startsWith(f.action)) return false
  if (f.target !== undefined && !(r.target ?? '').toLowerCase().includes(f.target.toLowerCase())) return false
  if (f.result !== undefined && r.result !== f.result) return false
  if (f.failed && (NOT_FAILED as readonly string[]).includes(r.result)) return false
  return true
}
