import type { auth, users } from '../../shared/contract/auth'
import type { LoginSessionView, PrincipalView, UserView } from '../../shared/contract/auth'
import { AppError } from '../../shared/model/errors'
import { hasAccess, type Principal } from '../../shared/model/principal'
import type { CallContext, HandlerMap, RpcAuthOptions, Session } from '../../shared/rpc/server'
import type { ErrorShape } from '../../shared/model/errors'
import type { UserRecord } from '../ports/users'
import type { Identity } from './identity'
import type { RefusalAudit } from '../audit/refusal-audit'

/** Where a session is on this machine: memory (tests), Electron IPC, or a loopback address. */
export function isLocalRemote(remote: string): boolean {
  if (remote === 'memory' || remote === 'ipc' || remote === 'console') return true
  const addr = remote.replace(/^(ws|http|https|wss) /, '').replace(/^::ffff:/, '')
  return addr === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(addr)
}

export const KIOSK_PRINCIPAL: Principal = { kind: 'kiosk', user: 'kiosk', roles: ['viewer'], from: 'kiosk' }

export const principalView = (p: Principal): PrincipalView => ({
  kind: p.kind,
  user: p.user,
  roles: [...p.roles],
  ...(p.scopes ? { scopes: [...p.scopes] } : {}),
  from: p.from,
  ...(p.sessionId ? { sessionId: p.sessionId } : {}),
})

/**
 * The RPC server's access hooks for a host with users: the kiosk (when on), each bound principal checked before
 * each call (expired, revoked, disabled, a new role), and `auth.setup_required` for a local caller before the first user.
 */
export function rpcAuth(identity: Identity | undefined, kiosk: () => boolean, refusals?: RefusalAudit): RpcAuthOptions {
  return {
    kiosk: () => (kiosk() ? KIOSK_PRINCIPAL : null),
    // refusals of methods above viewer before any handler: audited, one entry per user-or-address, method and code a minute
    ...(refusals
      ? {
          refused: (r) =>
            refusals.record({ action: 'rpc.refused', user: r.principal?.user ?? null, from: r.principal?.from ?? r.session.remote, target: r.method, code: r.code, message: r.message.slice(0, 300) }),
        }
      : {}),
    ...(identity
      ? {
          check: (p: Principal) => identity.check(p),
          unauthenticated: (session: Session, method: string): ErrorShape | undefined =>
            identity.setupRequired()
              ? isLocalRemote(session.remote)
                ? { code: 'auth.setup_required', message: `${method} needs a login; no user exists yet: create the first administrator (auth.setup)` }
                : { code: 'auth.required', message: `${method} needs a login; no user exists yet: create the administrator on the server's machine` }
              : undefined,
        }
      : {}),
  }
}

type AuthHandlers = HandlerMap<typeof auth & typeof users>

const sessionView = (current: string | undefined) => (s: { id: string; user: string; from: string; createdAt: number; lastSeenAt: number; expiresAt: number }): LoginSessionView => ({
  id: s.id,
  user: s.user,
  from: s.from,
  createdAt: s.createdAt,
  lastSeenAt: s.lastSeenAt,
  expiresAt: s.expiresAt,
  current: s.id === current,
})

/** A login (not the kiosk, not the API token) is needed. */
function loggedIn(ctx: CallContext): Principal {
  const p = ctx.session.principal
  if (!p || p.kind !== 'user') throw new AppError('auth.required', 'this needs a login')
  return p
}

function unavailable(): never {
  throw new AppError('auth.setup_closed', 'this host keeps no users')
}

/** `auth.*` and `users.*`. Without an identity (a host without users) they answer `auth.setup_closed`, status says nobody. */
export function authHandlers(identity: Identity | undefined, kiosk: () => boolean): AuthHandlers {
  if (!identity) {
    return {
      'auth.status': (_p, { session }) => ({ principal: session.principal ? principalView(session.principal) : null, kiosk: kiosk(), setupRequired: false, setupAllowed: false, minPasswordLength: 10 }),
      'auth.login': unavailable,
      'auth.logout': () => ({ ended: false }),
      'auth.setup': unavailable,
      'auth.changePassword': unavailable,
      'auth.sessions': () => [],
      'auth.revoke': unavailable,
      'users.list': () => [],
      'users.create': unavailable,
      'users.update': unavailable,
      'users.delete': unavailable,
      'users.resetPassword': unavailable,
    }
  }
  const view = (u: UserRecord): UserView => ({
    name: u.name,
    role: u.role,
    scopes: u.scopes,
    disabled: u.disabled,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    passwordChangedAt: u.passwordChangedAt,
    sessions: identity.sessionCount(u.name),
  })
  const login = (session: Session, r: { principal: Principal; session: { expiresAt: number } }) => {
    session.setPrincipal(r.principal)
    return { principal: principalView(r.principal), expiresAt: r.session.expiresAt, idleMs: identity.idleMs }
  }
  return {
    'auth.status': (_p, { session }) => {
      let p = session.principal
      if (p) {
        try {
          p = identity.check(p)
          if (p !== session.principal) session.setPrincipal(p)
        } catch {
          session.setPrincipal(null)
          p = null
        }
      }
      const setupRequired = identity.setupRequired()
      return { principal: p ? principalView(p) : null, kiosk: kiosk(), setupRequired, setupAllowed: setupRequired && isLocalRemote(session.remote), minPasswordLength: identity.minPasswordLength }
    },
    'auth.login': async ({ user, password }, { session }) => login(session, await identity.login(user, password, session.remote)),
    'auth.setup': async ({ user, password }, { session }) => login(session, await identity.setup(user, password, session.remote, isLocalRemote(session.remote))),
    'auth.logout': async (_p, { session }) => {
      const ended = await identity.logout(session.principal)
      session.setPrincipal(null)
      return { ended }
    },
    'auth.changePassword': async ({ oldPassword, newPassword }, ctx) => ({ endedSessions: await identity.changePassword(loggedIn(ctx), oldPassword, newPassword) }),
    'auth.sessions': ({ all }, ctx) => {
      const p = loggedIn(ctx)
      if (all && !hasAccess(p, 'admin')) throw new AppError('auth.forbidden', 'only an admin lists everyone\'s sessions')
      return identity.sessions(all ? undefined : p.user).map(sessionView(p.sessionId))
    },
    'auth.revoke': async ({ id }, ctx) => {
      const p = loggedIn(ctx)
      return { revoked: await identity.revoke(id, p, hasAccess(p, 'admin')) }
    },
    'users.list': () => identity.users().map(view),
    'users.create': async ({ name, password, role, scopes, disabled }, { principal }) => view(await identity.createUser(principal!, { name, password, role, scopes, disabled })),
    'users.update': async ({ name, role, scopes, disabled }, { principal }) => view(await identity.updateUser(principal!, name, { role, scopes, disabled })),
    'users.delete': async ({ name }, { principal }) => ({ deleted: await identity.deleteUser(principal!, name) }),
    'users.resetPassword': async ({ name, password }, { principal }) => ({ endedSessions: await identity.resetPassword(principal!, name, password, principal!.from) }),
  }
}
