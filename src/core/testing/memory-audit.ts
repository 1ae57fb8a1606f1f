import { AppError } from '../../shared/model/errors'
import type { Principal, Role } from '../../shared/model/principal'
import type { CredentialCheck } from '../ports/identity'

/** The core's memory trail (with its chain), for tests that import it from here. */
export { MemoryAuditTrail } from '../audit/memory-audit-trail'

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
