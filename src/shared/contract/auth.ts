import { z } from 'zod'
import { Role } from '../model/principal'
import { method } from './define'

/** A user name: letters, digits and `._@-`, 1–64 characters, starting with a letter or digit. */
export const UserName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'user name: 1-64 letters, digits or ._@-, starting with a letter or digit')
/** Passwords are checked against the policy by the core (`auth.weak_password`); the schema only bounds them. */
const Password = z.string().min(1).max(1024)
/** Asset subtrees (model paths such as `Plant/Line 1`) a user may operate in; null: everywhere. */
export const Scopes = z.array(z.string().min(1).max(1024)).max(64).nullable()

/** Who a session acts as, as a client sees it. */
export const PrincipalView = z.object({
  kind: z.enum(['user', 'kiosk', 'token']),
  user: z.string(),
  roles: z.array(Role),
  scopes: z.array(z.string()).optional(),
  from: z.string(),
  /** The login session's id (not its secret). */
  sessionId: z.string().optional(),
})
export type PrincipalView = z.infer<typeof PrincipalView>

export const AuthStatus = z.object({
  /** Who this session is logged in as (null: nobody; the kiosk, when on, still lets viewer methods through). */
  principal: PrincipalView.nullable(),
  /** The read-only kiosk is on: viewer methods work without a login. */
  kiosk: z.boolean(),
  /** No user exists yet: the first administrator must be created (auth.setup, from this machine only). */
  setupRequired: z.boolean(),
  /** This session may call auth.setup (setup is required and the session is on this machine). */
  setupAllowed: z.boolean(),
  /** The password policy, for the forms. */
  minPasswordLength: z.number().int().positive(),
})
export type AuthStatus = z.infer<typeof AuthStatus>

export const LoginResult = z.object({
  principal: PrincipalView,
  /** The login session's absolute expiry (unix ms). */
  expiresAt: z.number().int(),
  /** Idle time after which the login session ends. */
  idleMs: z.number().int(),
})
export type LoginResult = z.infer<typeof LoginResult>

export const LoginSessionView = z.object({
  id: z.string(),
  user: z.string(),
  from: z.string(),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  expiresAt: z.number().int(),
  /** This is the caller's own login session. */
  current: z.boolean(),
})
export type LoginSessionView = z.infer<typeof LoginSessionView>

export const UserView = z.object({
  name: z.string(),
  role: Role,
  scopes: z.array(z.string()).nullable(),
  disabled: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  passwordChangedAt: z.number().int(),
  /** Login sessions open now. */
  sessions: z.number().int().nonnegative(),
})
export type UserView = z.infer<typeof UserView>

const Credentials = z.object({ user: UserName, password: Password }).strict()

export const auth = {
  /** Who am I, is the kiosk on, is the first-start setup needed (and allowed from here). */
  'auth.status': method(z.object({}).strict(), AuthStatus, 'public'),
  /** Log in: binds this session to the user. Throttled per user and per address (`auth.locked`); `auth.bad_credentials` never says which part was wrong. */
  'auth.login': method(Credentials, LoginResult, 'public'),
  /** End this session's login (nothing to do without one). */
  'auth.logout': method(z.object({}).strict(), z.object({ ended: z.boolean() }), 'public'),
  /** First start: create the first administrator and log in as it. Only while no user exists, only from this machine (`auth.setup_closed`). */
  'auth.setup': method(Credentials, LoginResult, 'public'),
  /** Change one's own password; ends one's other login sessions. Needs a login (not the kiosk). */
  'auth.changePassword': method(z.object({ oldPassword: Password, newPassword: Password }).strict(), z.object({ endedSessions: z.number().int().nonnegative() }), 'viewer'),
  /** One's own login sessions; `all` (admins): everyone's. */
  'auth.sessions': method(z.object({ all: z.boolean().optional() }).strict(), z.array(LoginSessionView), 'viewer'),
  /** End a login session: one's own, or (admins) anyone's. */
  'auth.revoke': method(z.object({ id: z.string().min(1).max(64) }).strict(), z.object({ revoked: z.boolean() }), 'viewer'),
} as const

const UserFields = { role: Role, scopes: Scopes.optional(), disabled: z.boolean().optional() }

export const users = {
  'users.list': method(z.object({}).strict(), z.array(UserView), 'admin'),
  'users.create': method(z.object({ name: UserName, password: Password, ...UserFields }).strict(), UserView, 'admin'),
  /** Change role, scopes (null: everywhere) or disabled (which ends the user's sessions); a new role or scope applies at the user's next call. Never leaves no enabled admin (`auth.last_admin`). */
  'users.update': method(z.object({ name: UserName, role: Role.optional(), scopes: Scopes.optional(), disabled: z.boolean().optional() }).strict(), UserView, 'admin'),
  /** Delete a user and its sessions (`auth.last_admin` for the last enabled admin). */
  'users.delete': method(z.object({ name: UserName }).strict(), z.object({ deleted: z.boolean() }), 'admin'),
  /** Set a new password; ends all the user's login sessions. */
  'users.resetPassword': method(z.object({ name: UserName, password: Password }).strict(), z.object({ endedSessions: z.number().int().nonnegative() }), 'admin'),
} as const
