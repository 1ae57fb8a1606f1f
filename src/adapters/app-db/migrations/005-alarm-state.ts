import type { Database } from 'better-sqlite3'

/**
 * Alarm states kept across a restart: one row per alarm key (`<asset id>/<attribute>/<definition id>`), replaced
 * whenever the alarm changes (acknowledged, shelved with its expiry, out of service, raised, cleared, latched or
 * returned unacknowledged). `value` is the value of the last transition as JSON. Read once at start.
 *
 * Written with IF NOT EXISTS, like 004, so it lands in either order beside another branch's migration of the same era.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS alarm_state (
      key TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      active INTEGER NOT NULL,
      acked INTEGER NOT NULL,
      latched_clear INTEGER NOT NULL,
      occurrence INTEGER NOT NULL,
      raised_at REAL,
      changed_at REAL NOT NULL,
      shelved_until REAL,
      shelve_reason TEXT,
      suppressed INTEGER NOT NULL,
      out_of_service INTEGER NOT NULL,
      value TEXT,
      message TEXT NOT NULL
    ) WITHOUT ROWID;
  `)
}
