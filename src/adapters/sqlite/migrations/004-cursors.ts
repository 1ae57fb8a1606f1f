import type { Database } from 'better-sqlite3'

/**
 * Named sync cursors, one per sink: every logged batch up to `seq` is delivered to that sink. The single sync
 * watermark of earlier versions (`meta.sync_seq`) becomes the cursor named `default`.
 */
export function up(db: Database): void {
  db.exec('CREATE TABLE cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID')
  db.exec("INSERT INTO cursor (name, seq) SELECT 'default', value FROM meta WHERE key = 'sync_seq' AND value > 0")
}
