import type { Database } from 'better-sqlite3'

/**
 * The alarm journal: every alarm transition in append order (`id`), kept until its own retention by age (never the
 * sample store's). `value` is the sample value as JSON. Indexes serve the journal's queries: time (`at`), an asset
 * and everything under it (`path`, newest first by `id`), priority, state and user (each with `id` for paging
 * newest first), the nuisance report (raises by time, and an occurrence's clear by key and occurrence). Words of
 * the message and path are in a contentless FTS5 table the journal keeps itself (no trigger: a trigger's FTS5
 * insert runs in a statement savepoint, where FTS5 flushes a segment per row).
 *
 * Written with IF NOT EXISTS so it lands in either order beside another branch's migration of the same era.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS alarm_journal (
      id INTEGER PRIMARY KEY,
      at REAL NOT NULL,
      key TEXT NOT NULL,
      asset_id TEXT NOT NULL,
      path TEXT NOT NULL,
      attribute TEXT NOT NULL,
      def_id TEXT NOT NULL,
      priority TEXT NOT NULL,
      event TEXT NOT NULL,
      state TEXT NOT NULL,
      value TEXT,
      message TEXT NOT NULL,
      who TEXT NOT NULL,
      note TEXT,
      occurrence INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alarm_journal_at ON alarm_journal (at);
    CREATE INDEX IF NOT EXISTS alarm_journal_path ON alarm_journal (path, id);
    CREATE INDEX IF NOT EXISTS alarm_journal_priority ON alarm_journal (priority, id);
    CREATE INDEX IF NOT EXISTS alarm_journal_state ON alarm_journal (state, id);
    CREATE INDEX IF NOT EXISTS alarm_journal_who ON alarm_journal (who, id);
    CREATE INDEX IF NOT EXISTS alarm_journal_event_at ON alarm_journal (event, at);
    CREATE INDEX IF NOT EXISTS alarm_journal_occurrence ON alarm_journal (key, occurrence, event);
    CREATE VIRTUAL TABLE IF NOT EXISTS alarm_journal_fts USING fts5(message, path, content='', contentless_delete=1);
  `)
}
