import type { Database, Statement } from 'better-sqlite3'
import { Role } from '../../shared/model/principal'
import { AppError } from '../../shared/model/errors'
import type { LoginSessionRecord, UserRecord, UserStore } from '../../core/ports/users'
import { HandleStatements } from './handle-statements'
import { withPrevious } from './previous-file'

interface UserRow {
  name: string
  role: string
  scopes: string | null
  disabled: number
  password_hash: string
  created_at: number
  updated_at: number
  password_changed_at: number
}
interface SessionRow {
  id: string
  user: string
  secret_hash: string
  origin: string
  created_at: number
  last_seen_at: number
  expires_at: number
}

const user = (r: UserRow): UserRecord => ({
  name: r.name,
  role: Role.parse(r.role),
  scopes: r.scopes === null ? null : (JSON.parse(r.scopes) as string[]),
  disabled: r.disabled !== 0,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  passwordChangedAt: r.password_changed_at,
})
const session = (r: SessionRow): LoginSessionRecord => ({ id: r.id, user: r.user, secretHash: r.secret_hash, from: r.origin, createdAt: r.created_at, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at })

/**
 * Users and login sessions in the application database (`users`, `login_sessions`, migration 006). `db` answers the
 * database in use now and is asked on every call (a restore while running swaps the file, like the alarm journal).
 * User names compare without case (`Alice` and `alice` are one user).
 */
export class SqliteUserStore implements UserStore {

  private readonly statements: HandleStatements

  constructor(private readonly db: () => Database) {
    this.statements = new HandleStatements(db)
  }

  private stmt(sql: string): Statement {
    return this.statements.stmt(sql)
  }

  listUsers(): UserRecord[] {
    return (this.stmt('SELECT * FROM users ORDER BY name').all() as UserRow[]).map(user)
  }
  getUser(name: string): UserRecord | undefined {
    const r = this.stmt('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined
    return r && user(r)
  }
  countUsers(): number {
    return (this.stmt('SELECT count(*) AS n FROM users').get() as { n: number }).n
  }
  createUser(u: UserRecord): void {
    try {
      this.stmt(
        `INSERT INTO users (name, role, scopes, disabled, password_hash, created_at, updated_at, password_changed_at)
         VALUES (@name, @role, @scopes, @disabled, @passwordHash, @createdAt, @updatedAt, @passwordChangedAt)`,
      ).run({ ...u, scopes: u.scopes === null ? null : JSON.stringify(u.scopes), disabled: u.disabled ? 1 : 0 })
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new AppError('auth.user_exists', `user "${u.name}" exists`, { user: u.name })
      throw e
    }
  }
  updateUser(name: string, patch: Partial<Omit<UserRecord, 'name' | 'createdAt'>>): void {
    const cur = this.getUser(name)
    if (!cur) return
    const u = { ...cur, ...patch }
    this.stmt(
      `UPDATE users SET role = @role, scopes = @scopes, disabled = @disabled, password_hash = @passwordHash, updated_at = @updatedAt,
       password_changed_at = @passwordChangedAt WHERE name = @name`,
    ).run({ ...u, name, scopes: u.scopes === null ? null : JSON.stringify(u.scopes), disabled: u.disabled ? 1 : 0 })
  }
  deleteUser(name: string): void {
    this.db().transaction(() => {
      this.stmt('DELETE FROM login_sessions WHERE user = ?').run(name)
      this.stmt('DELETE FROM users WHERE name = ?').run(name)
    })()
  }
  createSession(s: LoginSessionRecord): void {
    this.stmt(
      `INSERT INTO login_sessions (id, user, secret_hash, origin, created_at, last_seen_at, expires_at)
       VALUES (@id, @user, @secretHash, @from, @createdAt, @lastSeenAt, @expiresAt)`,
    ).run(s)
  }
  getSession(id: string): LoginSessionRecord | undefined {
    const r = this.stmt('SELECT * FROM login_sessions WHERE id = ?').get(id) as SessionRow | undefined
    return r && session(r)
  }
  sessionBySecretHash(hash: string): LoginSessionRecord | undefined {
    const r = this.stmt('SELECT * FROM login_sessions WHERE secret_hash = ?').get(hash) as SessionRow | undefined
    return r && session(r)
  }
  touchSession(id: string, at: number): void {
    this.stmt('UPDATE login_sessions SET last_seen_at = ? WHERE id = ?').run(at, id)
  }
  deleteSession(id: string): boolean {
    return this.stmt('DELETE FROM login_sessions WHERE id = ?').run(id).changes > 0
  }
  deleteSessionsOf(user: string, keep?: string): string[] {
    const ids = (this.stmt('SELECT id FROM login_sessions WHERE user = ? AND id IS NOT ?').all(user, keep ?? null) as { id: string }[]).map((r) => r.id)
    this.stmt('DELETE FROM login_sessions WHERE user = ? AND id IS NOT ?').run(user, keep ?? null)
    return ids
  }
  listSessions(user?: string): LoginSessionRecord[] {
    const rows = user === undefined ? this.stmt('SELECT * FROM login_sessions ORDER BY created_at DESC').all() : this.stmt('SELECT * FROM login_sessions WHERE user = ? ORDER BY created_at DESC').all(user)
    return (rows as SessionRow[]).map(session)
  }
  pruneSessions(now: number, idleBefore: number): number {
    return this.stmt('DELETE FROM login_sessions WHERE expires_at <= ? OR last_seen_at < ?').run(now, idleBefore).changes
  }
}

/**
 * After a restore: who may log in is the plant's present, not the model's past. A backup holds the users, their
 * password hashes and sessions of the day it was taken; restored as they are, a user deleted since would come back
 * with the old password, a changed password would revert and every live session would end. So the replaced file's
 * (`previous`, kept as `app.db.bak`) users, login sessions and workspaces replace the restored file's, in one
 * transaction. Only when the previous file has at least one user: restoring onto a fresh data dir (no user set up
 * yet) keeps the backup's users, which is how a workstation is rebuilt from a backup. Answers how many users were
 * carried over, or `undefined` when the backup's were kept.
 */
export function carryOverUsers(db: Database, previous: string): number | undefined {
  return withPrevious(db, previous, (has) => {
    if (!has('users')) return undefined
    const users = db.prepare('SELECT COUNT(*) FROM prev.users').pluck().get() as number
    if (users === 0) return undefined
    const cols = (t: string) => (db.prepare(`PRAGMA main.table_info(${t})`).all() as { name: string }[]).map((c) => c.name).join(', ')
    const copy = (t: string) => db.prepare(`INSERT INTO main.${t} (${cols(t)}) SELECT ${cols(t)} FROM prev.${t}`).run()
    db.transaction(() => {
      db.prepare('DELETE FROM main.workspace').run()
      db.prepare('DELETE FROM main.login_sessions').run()
      db.prepare('DELETE FROM main.users').run()
      copy('users')
      if (has('login_sessions')) copy('login_sessions')
      if (has('workspace')) copy('workspace')
    })()
    return users
  })
}
