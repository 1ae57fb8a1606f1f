import { z } from 'zod'

/** Roles, each including the ones before it: an engineer may do what an operator may, an admin what an engineer may. */
export const ROLES = ['viewer', 'operator', 'engineer', 'admin'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

/**
 * Who may call a method: `public` needs no session (ping, info, the login methods); `viewer` reads (the kiosk may
 * reach these without a login where configured); `operator` acts through commands and alarm actions; `engineer` changes
 * configuration and writes raw values; `admin` manages users. Anything that changes the plant or its configuration is
 * `operator` or above, so it is never anonymous.
 */
export const Access = z.enum(['public', ...ROLES])
export type Access = z.infer<typeof Access>

/** The identity a session acts as: bound by a login (or the kiosk, or the shared API token), carried to every handler. */
export interface Principal {
  /** `user`: a login; `kiosk`: the read-only kiosk without a login; `token`: an API client with the shared token. */
  readonly kind: 'user' | 'kiosk' | 'token'
  /** The user name (`kiosk` or `api-token` for those kinds). */
  readonly user: string
  readonly roles: readonly Role[]
  /**
   * Asset subtrees (model paths such as `Plant/Line 1`, as `model.resolve` takes them) where this principal may operate; absent means everywhere.
   * Reads are not limited by it; commands and alarm actions on assets outside are `auth.forbidden`.
   */
  readonly scopes?: readonly string[]
  /** Where the session comes from, for the audit trail: `ws 192.0.2.7`, `ipc`, `memory`. */
  readonly from: string
  /** The login session's id (not its secret), when there is one. */
  readonly sessionId?: string
}

const rank = (r: Access): number => (r === 'public' ? -1 : ROLES.indexOf(r))

/** True when one of the principal's roles reaches `access`. */
export function hasAccess(p: Principal | null | undefined, access: Access): boolean {
  if (access === 'public') return true
  if (!p) return false
  const need = rank(access)
  return p.roles.some((r) => rank(r) >= need)
}

/** True when `path` (a model path) is inside one of the principal's scopes (or it has none). */
export function inScope(p: Principal, path: string): boolean {
  if (!p.scopes) return true
  return p.scopes.some((s) => path === s || path.startsWith(s.endsWith('/') ? s : s + '/'))
}
