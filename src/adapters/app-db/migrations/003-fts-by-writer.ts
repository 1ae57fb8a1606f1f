import type { Database } from 'better-sqlite3'

/**
 * The FTS5 index is kept by the writer (`writer.ts`) instead of triggers. A trigger's insert into FTS5 runs in a
 * statement savepoint, and FTS5 flushes its pending terms at every savepoint (`fts5SavepointMethod`): one index
 * segment per asset written, merged again and again; 5,000 assets' inserts took 185 ms with the triggers and 66 ms
 * with the index written directly. The index itself is unchanged (what the triggers wrote is what the writer writes).
 */
export function up(db: Database): void {
  db.exec(`
    DROP TRIGGER asset_fts_insert;
    DROP TRIGGER asset_fts_delete;
    DROP TRIGGER asset_fts_update;
  `)
}
