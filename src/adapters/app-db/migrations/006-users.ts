import type { Database } from 'better-sqlite3'

/**
 * Local users and their login sessions. A password is only its scrypt hash (with its parameters); a session
 * only the SHA-256 of its secret. Deleting a user deletes its sessions. Written with IF NOT EXISTS so it lands in
 * either order beside another branch's migration of the same era (005).
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      name TEXT PRIMARY KEY COLLATE NOCASE,
      role TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'engineer', 'admin')),
      scopes TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      password_changed_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS login_sessions (
      id TEXT PRIMARY KEY,
      user TEXT NOT NULL COLLATE NOCASE REFERENCES users (name) ON DELETE CASCADE,
      secret_hash TEXT NOT NULL UNIQUE,
      origin TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_seen_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS login_sessions_user ON login_sessions (user);
  `)
}
