import type { Principal, Role } from '../../shared/model/principal'
import type { CallContext, Session } from '../../shared/rpc/server'

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

/** A principal of one role, as a login would bind it (for unit tests of handlers; RPC tests log in for real). */
export function testPrincipal(role: Role = 'engineer', user = `test-${role}`, scopes?: readonly string[]): Principal {
  return { kind: 'user', user, roles: [role], from: 'memory', ...(scopes ? { scopes } : {}) }
}

const boundByCallAs = new WeakSet<Principal>()

/**
 * The context a handler sees when `session` calls as a principal of `role`: the session is bound to that test
 * principal (as a login would bind it), unless it is bound to one of its own.
 */
export function callAs(session: Session, role: Role = 'engineer'): CallContext {
  const own = session.principal
  if (!own || (boundByCallAs.has(own) && !own.roles.includes(role))) {
    const p = testPrincipal(role)
    boundByCallAs.add(p)
    session.setPrincipal(p)
  }
  return { session, principal: session.principal }
}
