import type { Database } from 'better-sqlite3'

/** True when schema `schema` of `db` (`main`, or an attached one) has the table `name`. */
export const hasTable = (db: Database, name: string, schema = 'main'): boolean =>
  db.prepare(`SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined

/**
 * Runs `fn` with the file a restore replaced (`app.db.bak`) attached as schema `prev`, and detaches it after: what the
 * restore carries over from it (the alarm journal, the users) reads it there. `has` asks whether `prev` has a table.
 */
export function withPrevious<T>(db: Database, previous: string, fn: (has: (table: string) => boolean) => T): T {
  db.prepare('ATTACH DATABASE ? AS prev').run(previous)
  try {
    return fn((table) => hasTable(db, table, 'prev'))
  } finally {
    db.prepare('DETACH DATABASE prev').run()
  }
}
