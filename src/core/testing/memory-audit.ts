import { AppError } from '../../shared/model/errors'
import type { Principal, Role } from '../../shared/model/principal'
import type { AuditEntryInput, AuditRecord, AuditTrail } from '../ports/audit'
import type { CredentialCheck } from '../ports/identity'

/**
 * An audit trail in memory for unit and integration tests: keeps every entry (no hash chain), and with `fail` set
 * refuses every append with `audit.write_failed`, as a full disk would.
 */
export class MemoryAuditTrail implements AuditTrail {
  readonly records: AuditRecord[] = []
  fail = false
  constructor(private readonly now: () => number = () => Date.now()) {}
  async append(e: AuditEntryInput): Promise<AuditRecord> {
    if (this.fail) throw new AppError('audit.write_failed', 'the audit trail cannot take the entry (test: failing on purpose)')
    const r: AuditRecord = { ...e, id: this.records.length + 1, at: this.now(), prevHash: '', hash: '' }
    this.records.push(r)
    return r
  }
  /** The entries of one action (`command.operate`...). */
  of(action: string): AuditRecord[] {
    return this.records.filter((r) => r.action === action)
  }
}

/** Credentials for tests: user → password and role (and scopes). A wrong pair throws `auth.bad_credentials`. */
export class FakeCredentials implements CredentialCheck {
  readonly calls: { user: string; from: string }[] = []
  constructor(private readonly users: Record<string, { password: string; role: Role; scopes?: readonly string[] }>) {}
  async verify(user: string, password: string, from: string): Promise<Principal> {
    this.calls.push({ user, from })
    const u = this.users[user]
    if (!u || u.password !== password) throw new AppError('auth.bad_credentials', 'wrong user or password')
    return { kind: 'user', user, roles: [u.role], from, ...(u.scopes ? { scopes: u.scopes } : {}) }
  }
}
