import type { Principal, Role } from '../../shared/model/principal'
import type { Session } from '../../shared/rpc/server'

/** A session for tests that call handlers directly (no transport): events go to `emit`, nothing is unsent. */
export function testSession(id = 1, o: { emit?: Session['emit']; unsent?: () => number; principal?: Principal | null } = {}): Session {
  let principal = o.principal ?? null
  return {
    id,
    emit: o.emit ?? (() => {}),
    onClose() {},
    unsent: o.unsent ?? (() => 0),
    remote: 'memory',
    get principal() {
      return principal
    },
    setPrincipal(p) {
      principal = p
    },
  }
}

/**
 * A principal of one role, as a login would bind it, for unit tests of a service or a handler alone. Tests through the
 * RPC server (integration and RPC-level tests) log in for real: test/helpers/login.ts.
 */
export function testPrincipal(role: Role = 'engineer', user = `test-${role}`, scopes?: readonly string[]): Principal {
  return { kind: 'user', user, roles: [role], from: 'memory', ...(scopes ? { scopes } : {}) }
}
