import type { Database } from 'better-sqlite3'

/**
 * Each user's workspace (tabs, trends, theme) as one JSON document, validated before it is written and again when
 * read. Keyed by user name without case; it goes with its user (ON DELETE CASCADE). Bounded by the core
 * (`workspace.too_large`); the CHECK is a second fence against a writer that skips it.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS workspace (
      user TEXT PRIMARY KEY COLLATE NOCASE REFERENCES users (name) ON DELETE CASCADE,
      data TEXT NOT NULL CHECK (length(data) <= 1048576),
      saved_at INTEGER NOT NULL
    );
  `)
}
