import { AppError } from '../../shared/model/errors'
import type { LoginSessionRecord, UserRecord, UserStore } from '../ports/users'

/** Users and login sessions in memory, with the port's semantics (names compare without case; unit tests; nothing survives a restart). */
const k = (name: string) => name.toLowerCase()

export class MemoryUserStore implements UserStore {
  private readonly users = new Map<string, UserRecord>()
  private readonly sessions = new Map<string, LoginSessionRecord>()

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((u) => ({ ...u })).sort((a, b) => a.name.localeCompare(b.name))
  }
  getUser(name: string): UserRecord | undefined {
    const u = this.users.get(k(name))
    return u && { ...u, scopes: u.scopes && [...u.scopes] }
  }
  countUsers(): number {
    return this.users.size
  }
  createUser(u: UserRecord): void {
    if (this.users.has(k(u.name))) throw new AppError('auth.user_exists', `user "${u.name}" exists`, { user: u.name })
    this.users.set(k(u.name), { ...u })
  }
  updateUser(name: string, patch: Partial<Omit<UserRecord, 'name' | 'createdAt'>>): void {
    const u = this.users.get(k(name))
    if (u) this.users.set(k(name), { ...u, ...patch })
  }
  deleteUser(name: string): void {
    this.users.delete(k(name))
    this.deleteSessionsOf(name)
  }
  createSession(s: LoginSessionRecord): void {
    this.sessions.set(s.id, { ...s })
  }
  getSession(id: string): LoginSessionRecord | undefined {
    const s = this.sessions.get(id)
    return s && { ...s }
  }
  sessionBySecretHash(hash: string): LoginSessionRecord | undefined {
    for (const s of this.sessions.values()) if (s.secretHash === hash) return { ...s }
    return undefined
  }
  touchSession(id: string, at: number): void {
    const s = this.sessions.get(id)
    if (s) s.lastSeenAt = at
  }
  deleteSession(id: string): boolean {
    return this.sessions.delete(id)
  }
  deleteSessionsOf(user: string, keep?: string): string[] {
    const gone: string[] = []
    for (const s of this.sessions.values()) if (k(s.user) === k(user) && s.id !== keep) gone.push(s.id)
    gone.forEach((id) => this.sessions.delete(id))
    return gone
  }
  listSessions(user?: string): LoginSessionRecord[] {
    return [...this.sessions.values()].filter((s) => user === undefined || k(s.user) === k(user)).sort((a, b) => b.createdAt - a.createdAt).map((s) => ({ ...s }))
  }
  pruneSessions(now: number, idleBefore: number): number {
    let n = 0
    for (const s of [...this.sessions.values()]) {
      if (s.expiresAt <= now || s.lastSeenAt < idleBefore) {
        this.sessions.delete(s.id)
        n++
      }
    }
    return n
  }
}
