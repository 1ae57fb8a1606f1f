import type { Role } from '../../shared/model/principal'

/** A local user as the users store keeps it. The password is only ever its hash (see IdentityCrypto). */
export interface UserRecord {
  name: string
  /** One role; roles include the ones before (an engineer may do what an operator may). */
  role: Role
  /** Asset subtrees (model paths) where this user may operate; null: everywhere. */
  scopes: string[] | null
  disabled: boolean
  /** `scrypt$N$r$p$salt$hash` (the parameters travel with the hash, so they can be raised later). */
  passwordHash: string
  createdAt: number
  updatedAt: number
  passwordChangedAt: number
}

/** A login session. The secret itself is never stored: `secretHash` is its SHA-256. */
export interface LoginSessionRecord {
  /** Public id (for listing and revoking); not the secret. */
  id: string
  user: string
  secretHash: string
  /** Where the login came from (`ws 192.0.2.7`, `ipc`, `http 127.0.0.1`). */
  from: string
  createdAt: number
  lastSeenAt: number
  /** The absolute expiry (unix ms); the idle expiry is `lastSeenAt` + the configured idle time. */
  expiresAt: number
}

/**
 * Where users and login sessions live (the application database, or memory in tests). Synchronous, like the asset
 * store. `createUser` throws `auth.user_exists` for a name taken; the others ignore unknown names and ids.
 */
export interface UserStore {
  listUsers(): UserRecord[]
  getUser(name: string): UserRecord | undefined
  countUsers(): number
  createUser(u: UserRecord): void
  updateUser(name: string, patch: Partial<Omit<UserRecord, 'name' | 'createdAt'>>): void
  /** Deletes the user and all its sessions. */
  deleteUser(name: string): void

  createSession(s: LoginSessionRecord): void
  getSession(id: string): LoginSessionRecord | undefined
  sessionBySecretHash(hash: string): LoginSessionRecord | undefined
  touchSession(id: string, at: number): void
  deleteSession(id: string): boolean
  /** Deletes the user's sessions except `keep`; answers the ids deleted. */
  deleteSessionsOf(user: string, keep?: string): string[]
  /** Every session (of `user` when given), newest first. */
  listSessions(user?: string): LoginSessionRecord[]
  /** Deletes sessions past their absolute expiry or idle since before `idleBefore`; answers how many. */
  pruneSessions(now: number, idleBefore: number): number
}

/**
 * Hashing and secrets for identity, done by the host (the core has no crypto of its own): passwords with a slow,
 * salted hash (`crypto.scrypt`), session secrets as random 256-bit values stored only as their digest.
 */
export interface IdentityCrypto {
  hashPassword(password: string): Promise<string>
  /** Constant-time compare; false (never a throw) for a malformed stored hash. */
  verifyPassword(password: string, stored: string): Promise<boolean>
  /** True when `stored` was made with weaker parameters than the current ones (rehash at the next login). */
  needsRehash(stored: string): boolean
  /** 32 random bytes, base64url. */
  newSecret(): string
  /** A random public id (16 bytes, base64url). */
  newId(): string
  /** SHA-256 hex of a secret, for storing and looking it up. */
  digest(secret: string): string
}
