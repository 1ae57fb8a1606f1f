import { UserName } from '../../shared/contract/auth'
import { AppError } from '../../shared/model/errors'
import type { Principal, Role } from '../../shared/model/principal'
import type { AuditEntryInput, AuditTrail } from '../ports/audit'
import type { Clock } from '../ports/clock'
import type { CredentialCheck } from '../ports/identity'
import type { Logger } from '../ports/logger'
import type { IdentityCrypto, LoginSessionRecord, UserRecord, UserStore } from '../ports/users'
import { LoginThrottle, type ThrottleOptions } from './login-throttle'
import type { Refusal } from '../audit/refusal-audit'
import type { AuditStore } from '../audit/audit-store'

export interface IdentityOptions {
  /** A login session ends after this long without a call (default 30 min). */
  idleMs?: number
  /** …and this long after the login in any case (default 12 h). */
  absoluteMs?: number
  /** Failed logins per user and per address (default: 5 free, then 1 s doubling up to 15 min). */
  throttle?: ThrottleOptions
  /** The password policy's minimum length (default 10). */
  minPasswordLength?: number
}

export interface IdentityDeps {
  users: UserStore
  crypto: IdentityCrypto
  audit: AuditTrail
  clock: Clock
  log: Logger
  options?: IdentityOptions
  /**
   * Refusals a flood could repeat without end (a locked login tried again, an unknown or forged session secret):
   * audited through the core's RefusalAudit (one entry per source and minute, with a count). Without it they are
   * appended one by one.
   */
  refused?: (r: Refusal) => void
}

export interface LoginOutcome {
  principal: Principal
  /** The session secret: a cookie's value (HTTP login); never stored, never sent over the RPC. */
  secret: string
  session: LoginSessionRecord
}

export interface NewUser {
  name: string
  password: string
  role: Role
  scopes?: string[] | null | undefined
  disabled?: boolean | undefined
}

const MIN_PASSWORD = 10
/** The throttle's keys for a try of `name` from `from`: the user name, and the address (one over ws and http alike). */
const throttleKeys = (name: string, from: string) => [`user ${name.toLowerCase()}`, `addr ${from.replace(/^[a-z]+ /, '')}`]
/** Audited failures of a password check (logins, password changes, a second person's credentials). */
const FAILED_CHECKS = new Set(['auth.login_failed', 'auth.password_change_failed', 'auth.verify_failed'])
/** Audited actions after which a user's failures no longer count: a login, a password change, a reset. */
const CLEARS_USER = new Set(['auth.login', 'auth.password_change', 'user.reset_password'])
/** Audit records read back at most when recalling failed logins (a flood's hour is bounded by the rate limits). */
const RECALL_MAX = 50_000
const RESERVED = new Set(['kiosk', 'api-token', 'console', 'system'])

/** Who acted, for the audit trail. */
const who = (p: Principal | null | undefined, from: string) => ({ user: p?.user ?? null, from: p?.from ?? from })

/**
 * Local users, their passwords and login sessions, and the login throttle. Every login, failed login, logout,
 * session end and user change is appended to the audit trail; a login or a change whose entry cannot be written
 * does not happen (`audit.write_failed`). Implements the two-person rule's CredentialCheck.
 */
export class Identity implements CredentialCheck {
  readonly idleMs: number
  readonly absoluteMs: number
  readonly minPasswordLength: number
  readonly throttle: LoginThrottle
  private dummyHash: Promise<string> | undefined

  constructor(private readonly d: IdentityDeps) {
    const o = d.options ?? {}
    this.idleMs = o.idleMs ?? 30 * 60_000
    this.absoluteMs = o.absoluteMs ?? 12 * 3_600_000
    this.minPasswordLength = o.minPasswordLength ?? MIN_PASSWORD
    this.throttle = new LoginThrottle(() => d.clock.now(), o.throttle)
  }

  private now = () => this.d.clock.now()

  private async audit(e: AuditEntryInput): Promise<void> {
    await this.d.audit.append(e)
  }

  /** Audit entries that may be lost without refusing anything (a failed login, an expiry noticed): logged when they fail. */
  private refusal(r: Refusal): void {
    if (this.d.refused) this.d.refused(r)
    else this.auditQuietly({ action: r.action, user: r.user, from: r.from, target: r.target, result: r.code, ...(r.message ? { detail: r.message } : {}) })
  }

  private auditQuietly(e: AuditEntryInput): void {
    this.d.audit.append(e).catch((err: unknown) => this.d.log.error({ action: e.action, target: e.target, err: (err as Error).message }, 'audit entry not written'))
  }

  /**
   * Reads the last `forget` window of failed and successful password checks back from the audit trail into the
   * throttle (at start): a restart does not lift a lock, nor give a guesser five fresh tries. Answers the failures
   * recalled.
   */
  recallFailures(trail: AuditStore): number {
    const since = this.now() - this.throttle.forget
    const found: { at: number; keys: string[]; ok: boolean }[] = []
    let before: number | undefined
    let read = 0
    do {
      const page = trail.query({ from: since }, { before, limit: 5000 })
      for (const r of page.items) {
        if (FAILED_CHECKS.has(r.action) && r.result === 'auth.bad_credentials' && r.target) found.push({ at: r.at, keys: throttleKeys(r.target, r.from), ok: false })
        else if (CLEARS_USER.has(r.action) && r.result === 'ok' && r.target) found.push({ at: r.at, keys: [throttleKeys(r.target, r.from)[0]!], ok: true })
      }
      read += page.items.length
      before = page.next ?? undefined
    } while (before !== undefined && read < RECALL_MAX)
    found.reverse() // the trail answers newest first
    this.throttle.recall(found)
    return found.filter((f) => !f.ok).length
  }

  setupRequired(): boolean {
    return this.d.users.countUsers() === 0
  }

  /** Problems with a password, or undefined when it passes the policy. */
  passwordProblem(password: string, user: string): string | undefined {
    if (password.length < this.minPasswordLength) return `a password needs at least ${this.minPasswordLength} characters`
    if (password.length > 1024) return 'a password has at most 1024 characters'
    if (password.toLowerCase() === user.toLowerCase()) return 'a password must not be the user name'
    if (new Set(password).size < 4) return 'a password needs at least 4 different characters'
    return undefined
  }

  private checkPassword(password: string, user: string): void {
    const p = this.passwordProblem(password, user)
    if (p) throw new AppError('auth.weak_password', p)
  }

  private checkName(name: string): void {
    if (!UserName.safeParse(name).success) throw new AppError('auth.unknown_user', `"${name.slice(0, 80)}" is not a valid user name`)
    if (RESERVED.has(name.toLowerCase())) throw new AppError('auth.user_exists', `"${name}" is reserved`)
  }

  principalOf(u: UserRecord, from: string, sessionId?: string): Principal {
    return { kind: 'user', user: u.name, roles: [u.role], ...(u.scopes ? { scopes: [...u.scopes] } : {}), from, ...(sessionId ? { sessionId } : {}) }
  }

  /** True when `password` is the user's (a missing or disabled user is checked against a dummy hash: same time). */
  private async passwordMatches(u: UserRecord | undefined, password: string): Promise<boolean> {
    if (!u || u.disabled) {
      this.dummyHash ??= this.d.crypto.hashPassword('not a password of anyone: ' + this.d.crypto.newId())
      await this.d.crypto.verifyPassword(password, await this.dummyHash)
      return false
    }
    return this.d.crypto.verifyPassword(password, u.passwordHash)
  }

  /** Credentials checked with the throttle; throws `auth.locked` or `auth.bad_credentials`, audits a failure. */
  private async credentials(name: string, password: string, from: string, action: string): Promise<UserRecord> {
    const keys = throttleKeys(name, from)
    const lockedMs = this.throttle.check(keys)
    if (lockedMs > 0) {
      // a lock tried again and again: one entry per source and minute with the count (a lock is never lifted by trying)
      this.refusal({ action, user: null, from, target: name, code: 'auth.locked', message: `locked for ${Math.ceil(lockedMs / 1000)} s more` })
      throw new AppError('auth.locked', `too many failed logins: try again in ${Math.ceil(lockedMs / 1000)} s`, { retryAfterMs: lockedMs })
    }
    const u = this.d.users.getUser(name)
    if (!(await this.passwordMatches(u, password))) {
      this.throttle.failed(keys)
      this.auditQuietly({ action, user: null, from, target: name, result: 'auth.bad_credentials' })
      throw new AppError('auth.bad_credentials', 'wrong user name or password')
    }
    this.throttle.succeeded([keys[0]!])
    if (this.d.crypto.needsRehash(u!.passwordHash)) {
      this.d.users.updateUser(u!.name, { passwordHash: await this.d.crypto.hashPassword(password) })
    }
    return u!
  }

  private async openSession(u: UserRecord, from: string, action: string): Promise<LoginOutcome> {
    const now = this.now()
    const secret = this.d.crypto.newSecret()
    const session: LoginSessionRecord = { id: this.d.crypto.newId(), user: u.name, secretHash: this.d.crypto.digest(secret), from, createdAt: now, lastSeenAt: now, expiresAt: now + this.absoluteMs }
    this.d.users.createSession(session)
    try {
      await this.audit({ action, user: u.name, from, target: u.name, result: 'ok', detail: `session ${session.id}` })
    } catch (e) {
      this.d.users.deleteSession(session.id) // a login that cannot be audited does not happen
      throw e instanceof AppError ? e : new AppError('audit.write_failed', `login not audited: ${(e as Error).message}`)
    }
    this.d.users.pruneSessions(now, now - this.idleMs)
    return { principal: this.principalOf(u, from, session.id), secret, session }
  }

  async login(name: string, password: string, from: string): Promise<LoginOutcome> {
    const u = await this.credentials(name, password, from, 'auth.login_failed')
    return this.openSession(u, from, 'auth.login')
  }

  /** The first administrator (first start, from this machine only), logged in at once. */
  async setup(name: string, password: string, from: string, local: boolean): Promise<LoginOutcome> {
    if (!local) throw new AppError('auth.setup_closed', 'the first administrator is created from this machine only (or with --admin-user on the command line)')
    if (!this.setupRequired()) throw new AppError('auth.setup_closed', 'setup is done: users exist')
    const u = await this.newUser({ name, password, role: 'admin' }, null, from, 'auth.setup')
    return this.openSession(u, from, 'auth.login')
  }

  /** The command line's `--admin-user`: creates the first administrator when no user exists yet. */
  async ensureAdmin(name: string, password: string): Promise<'created' | 'exists' | 'users-exist'> {
    if (this.d.users.getUser(name)) return 'exists'
    if (!this.setupRequired()) return 'users-exist'
    await this.newUser({ name, password, role: 'admin' }, null, 'console', 'auth.setup')
    return 'created'
  }

  /** The secret of a cookie, checked: the session's principal, or `auth.bad_session` (unknown, forged) / `auth.expired`. */
  resolve(secret: string, from: string): Principal {
    const s = secret.length > 0 && secret.length <= 128 ? this.d.users.sessionBySecretHash(this.d.crypto.digest(secret)) : undefined
    if (!s) {
      this.refusal({ action: 'auth.bad_session', user: null, from, target: 'session secret', code: 'auth.bad_session', message: 'an unknown, ended or forged session secret was presented' })
      throw new AppError('auth.bad_session', 'unknown session')
    }
    return this.live(s, from)
  }

  /** A bound principal, checked before each call: still a live session of an enabled user (with its role now). */
  check(p: Principal): Principal {
    if (p.kind !== 'user' || !p.sessionId) return p
    const s = this.d.users.getSession(p.sessionId)
    if (!s) throw new AppError('auth.bad_session', 'the login session was ended')
    return this.live(s, p.from)
  }

  private live(s: LoginSessionRecord, from: string): Principal {
    const now = this.now()
    if (s.expiresAt <= now || now - s.lastSeenAt > this.idleMs) {
      this.d.users.deleteSession(s.id)
      this.auditQuietly({ action: 'auth.session_end', user: s.user, from, target: s.user, result: 'auth.expired', detail: `session ${s.id} ${s.expiresAt <= now ? 'reached its absolute expiry' : 'was idle too long'}` })
      throw new AppError('auth.expired', 'the login session expired: log in again')
    }
    const u = this.d.users.getUser(s.user)
    if (!u || u.disabled) {
      this.d.users.deleteSession(s.id)
      throw new AppError('auth.bad_session', 'the user is disabled or gone')
    }
    if (now - s.lastSeenAt > Math.min(30_000, this.idleMs / 10)) this.d.users.touchSession(s.id, now)
    return this.principalOf(u, from, s.id)
  }

  async logout(p: Principal | null): Promise<boolean> {
    if (!p || p.kind !== 'user' || !p.sessionId) return false
    const gone = this.d.users.deleteSession(p.sessionId)
    if (gone) this.auditQuietly({ action: 'auth.logout', user: p.user, from: p.from, target: p.user, result: 'ok', detail: `session ${p.sessionId}` })
    return gone
  }

  /** Logout by the cookie's secret (the HTTP endpoint). */
  async logoutSecret(secret: string, from: string): Promise<boolean> {
    const s = secret.length > 0 && secret.length <= 128 ? this.d.users.sessionBySecretHash(this.d.crypto.digest(secret)) : undefined
    if (!s) return false
    return this.logout({ kind: 'user', user: s.user, roles: [], from, sessionId: s.id })
  }

  sessions(user?: string): LoginSessionRecord[] {
    const now = this.now()
    this.d.users.pruneSessions(now, now - this.idleMs)
    return this.d.users.listSessions(user)
  }

  async revoke(id: string, by: Principal, admin: boolean): Promise<boolean> {
    const s = this.d.users.getSession(id)
    if (!s) return false
    if (s.user.toLowerCase() !== by.user.toLowerCase() && !admin) throw new AppError('auth.forbidden', 'only an admin ends another user\'s sessions')
    await this.audit({ action: 'auth.session_end', ...who(by, 'memory'), target: s.user, result: 'ok', detail: `session ${id} revoked` })
    return this.d.users.deleteSession(id)
  }

  async changePassword(p: Principal, oldPassword: string, newPassword: string): Promise<number> {
    const u = await this.credentials(p.user, oldPassword, p.from, 'auth.password_change_failed')
    this.checkPassword(newPassword, u.name)
    const hash = await this.d.crypto.hashPassword(newPassword)
    await this.audit({ action: 'auth.password_change', ...who(p, 'memory'), target: u.name, result: 'ok' })
    this.d.users.updateUser(u.name, { passwordHash: hash, passwordChangedAt: this.now(), updatedAt: this.now() })
    return this.d.users.deleteSessionsOf(u.name, p.sessionId).length
  }

  /** CredentialCheck (the two-person rule): a second person's credentials, throttled and audited like a login; binds nothing. */
  async verify(user: string, password: string, from: string): Promise<Principal> {
    const u = await this.credentials(user, password, from, 'auth.verify_failed')
    return this.principalOf(u, from)
  }

  // --- administration ---

  users(): UserRecord[] {
    return this.d.users.listUsers()
  }

  sessionCount(user: string): number {
    return this.d.users.listSessions(user).length
  }

  private enabledAdmins(except?: string): number {
    return this.d.users.listUsers().filter((u) => u.role === 'admin' && !u.disabled && u.name.toLowerCase() !== except?.toLowerCase()).length
  }

  private async newUser(n: NewUser, by: Principal | null, from: string, action = 'user.create'): Promise<UserRecord> {
    this.checkName(n.name)
    if (this.d.users.getUser(n.name)) throw new AppError('auth.user_exists', `user "${n.name}" exists`, { user: n.name })
    this.checkPassword(n.password, n.name)
    const now = this.now()
    const u: UserRecord = { name: n.name, role: n.role, scopes: n.scopes ?? null, disabled: n.disabled ?? false, passwordHash: await this.d.crypto.hashPassword(n.password), createdAt: now, updatedAt: now, passwordChangedAt: now }
    await this.audit({ action, ...who(by, from), target: n.name, newValue: { role: u.role, scopes: u.scopes, disabled: u.disabled }, result: 'ok' })
    this.d.users.createUser(u)
    return u
  }

  createUser(by: Principal, n: NewUser): Promise<UserRecord> {
    return this.newUser(n, by, by.from)
  }

  private existing(name: string): UserRecord {
    const u = this.d.users.getUser(name)
    if (!u) throw new AppError('auth.unknown_user', `no user "${name}"`, { user: name })
    return u
  }

  async updateUser(by: Principal, name: string, patch: { role?: Role | undefined; scopes?: string[] | null | undefined; disabled?: boolean | undefined }): Promise<UserRecord> {
    const u = this.existing(name)
    const next: UserRecord = { ...u, ...(patch.role ? { role: patch.role } : {}), ...(patch.scopes !== undefined ? { scopes: patch.scopes } : {}), ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}), updatedAt: this.now() }
    const wasAdmin = u.role === 'admin' && !u.disabled
    const isAdmin = next.role === 'admin' && !next.disabled
    if (wasAdmin && !isAdmin && this.enabledAdmins(name) === 0) throw new AppError('auth.last_admin', `"${name}" is the last enabled administrator`)
    await this.audit({ action: 'user.update', ...who(by, 'memory'), target: name, oldValue: { role: u.role, scopes: u.scopes, disabled: u.disabled }, newValue: { role: next.role, scopes: next.scopes, disabled: next.disabled }, result: 'ok' })
    this.d.users.updateUser(name, { role: next.role, scopes: next.scopes, disabled: next.disabled, updatedAt: next.updatedAt })
    if (next.disabled && !u.disabled) this.d.users.deleteSessionsOf(name)
    return next
  }

  async deleteUser(by: Principal, name: string): Promise<boolean> {
    const u = this.d.users.getUser(name)
    if (!u) return false
    if (u.role === 'admin' && !u.disabled && this.enabledAdmins(name) === 0) throw new AppError('auth.last_admin', `"${name}" is the last enabled administrator`)
    await this.audit({ action: 'user.delete', ...who(by, 'memory'), target: name, oldValue: { role: u.role, scopes: u.scopes, disabled: u.disabled }, result: 'ok' })
    this.d.users.deleteUser(name)
    return true
  }

  async resetPassword(by: Principal | null, name: string, password: string, from = 'console'): Promise<number> {
    const u = this.existing(name)
    this.checkPassword(password, name)
    const hash = await this.d.crypto.hashPassword(password)
    await this.audit({ action: 'user.reset_password', ...who(by, from), target: name, result: 'ok' })
    this.d.users.updateUser(name, { passwordHash: hash, passwordChangedAt: this.now(), updatedAt: this.now() })
    this.throttle.succeeded([`user ${name.toLowerCase()}`])
    return this.d.users.deleteSessionsOf(name).length
  }

  diagnostics() {
    return {
      loginFailures: this.throttle.counts.failures,
      locks: this.throttle.counts.locks,
      refusedLocked: this.throttle.counts.refusedLocked,
      recalledFailures: this.throttle.counts.recalled,
      lockedNow: this.throttle.locked(),
      sessions: this.d.users.listSessions().length,
    }
  }
}
