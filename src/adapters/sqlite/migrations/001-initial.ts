import type { Database } from 'better-sqlite3'

/** Signals, the arrival-order log of appended batches, and per-signal compacted blocks. */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO meta (key, value) VALUES ('last_seq', 0), ('compacted_seq', 0), ('sync_seq', 0);
    CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

    CREATE TABLE signal (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      name TEXT NOT NULL,
      data_type TEXT NOT NULL CHECK (data_type IN ('number', 'boolean', 'string')),
      unit TEXT,
      connection TEXT NOT NULL,
      binding TEXT,
      -- compaction state: see docs/store.md
      compacted_seq INTEGER NOT NULL DEFAULT 0,
      max_ts INTEGER NOT NULL DEFAULT -1,
      raw_from INTEGER NOT NULL DEFAULT 0,
      sealed_t INTEGER NOT NULL DEFAULT -1,
      tail_count INTEGER NOT NULL DEFAULT 0,
      tail_n INTEGER NOT NULL DEFAULT 0
    );

    -- One row per committed append, columns packed as little-endian typed arrays.
    CREATE TABLE log (
      seq INTEGER PRIMARY KEY,
      n INTEGER NOT NULL,
      sig BLOB NOT NULL,
      ts BLOB NOT NULL,
      num BLOB NOT NULL,
      flags BLOB NOT NULL,
      extra TEXT
    );

    CREATE TABLE block (
      id INTEGER PRIMARY KEY,
      signal INTEGER NOT NULL,
      t0 INTEGER NOT NULL,
      t1 INTEGER NOT NULL,
      n INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE UNIQUE INDEX block_signal_t0 ON block (signal, t0);
    CREATE INDEX block_t1 ON block (t1);
  `)
}
