import { AppError } from '../../shared/model/errors'
import type { Clock } from '../ports/clock'
import type { AuditEntryInput, AuditRecord } from '../ports/audit'
import { type AuditAnchor, seal } from './chain'
import { type AuditFilter, type AuditStore, matches } from './audit-store'

/**
 * The audit trail in memory, with the same chain as the database's: for tests and a core without a database (it is
 * lost at exit and unbounded, so hosts use the SQLite trail). `failing`: every append throws `audit.write_failed`
 * (as a full disk would), for tests of failing closed.
 */
export class MemoryAuditTrail implements AuditStore {
  readonly list: AuditRecord[] = []
  failing = false
  /** The anchor, kept apart from `list`: a test that cuts the list's tail is caught like a cut table. */
  private last: AuditAnchor | null = null

  constructor(private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() }) {}

  append(e: AuditEntryInput): Promise<AuditRecord> {
    if (this.failing) return Promise.reject(new AppError('audit.write_failed', 'audit trail: the entry could not be written (refused for a test)'))
    const last = this.list[this.list.length - 1]
    // sealed synchronously: appends are serialized by the event loop, each on the one before
    const r = seal(last ? { id: last.id, hash: last.hash } : null, e, this.clock.now())
    this.list.push(r)
    this.last = { id: r.id, hash: r.hash }
    return Promise.resolve(r)
  }

  query(f: AuditFilter, page: { before?: number | undefined; limit: number }): { items: AuditRecord[]; next: number | null } {
    const limit = Math.max(1, Math.floor(page.limit))
    const items: AuditRecord[] = []
    for (let i = this.list.length - 1; i >= 0 && items.length <= limit; i--) {
      const r = this.list[i]!
      if (page.before !== undefined && r.id >= page.before) continue
      if (matches(r, f)) items.push(r)
    }
    const more = items.length > limit
    const out = items.slice(0, limit)
    return { items: out, next: more ? out[out.length - 1]!.id : null }
  }

  records(): Iterable<AuditRecord> {
    return this.list
  }

  /** The entries of one action (`command.operate`...), oldest first: for tests. */
  of(action: string): AuditRecord[] {
    return this.list.filter((r) => r.action === action)
  }

  anchor(): AuditAnchor | null {
    return this.last
  }
}

/**
 * A trail that takes nothing (the audit database did not open): every append throws `audit.unavailable`, so every
 * audited action is refused (fail closed) while reads go on.
 */
export class UnavailableAuditTrail {
  constructor(private readonly why: string) {}
  append(): Promise<AuditRecord> {
    return Promise.reject(new AppError('audit.unavailable', `the audit trail is unavailable (${this.why}): actions that must be audited are refused`))
  }
}
