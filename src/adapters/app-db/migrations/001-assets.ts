import type { Database } from 'better-sqlite3'

/**
 * Assets (attributes as JSON on their asset), second parents, the FTS5 index kept by triggers (003 hands it to the
 * writer), and the change log. `parent` is '' at the top level, so one (parent, name) index both keeps sibling
 * names unique and pages children in name order. `path` is derived (names under the primary parent) and kept for
 * resolve and search.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE asset (
      rid INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      parent TEXT NOT NULL,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      kind TEXT NOT NULL,
      template TEXT,
      attributes TEXT NOT NULL,
      attribute_count INTEGER NOT NULL,
      attribute_names TEXT NOT NULL,
      units TEXT NOT NULL,
      path TEXT NOT NULL
    );
    CREATE UNIQUE INDEX asset_sibling ON asset (parent, name);
    CREATE INDEX asset_path ON asset (path);

    CREATE TABLE asset_ref (parent TEXT NOT NULL, asset TEXT NOT NULL, PRIMARY KEY (parent, asset)) WITHOUT ROWID;
    CREATE INDEX asset_ref_asset ON asset_ref (asset);

    CREATE VIRTUAL TABLE asset_fts USING fts5(name, path, attribute_names, units, template, content='asset', content_rowid='rid');
    CREATE TRIGGER asset_fts_insert AFTER INSERT ON asset BEGIN
      INSERT INTO asset_fts (rowid, name, path, attribute_names, units, template) VALUES (new.rid, new.name, new.path, new.attribute_names, new.units, new.template);
    END;
    CREATE TRIGGER asset_fts_delete AFTER DELETE ON asset BEGIN
      INSERT INTO asset_fts (asset_fts, rowid, name, path, attribute_names, units, template) VALUES ('delete', old.rid, old.name, old.path, old.attribute_names, old.units, old.template);
    END;
    CREATE TRIGGER asset_fts_update AFTER UPDATE OF name, path, attribute_names, units, template ON asset BEGIN
      INSERT INTO asset_fts (asset_fts, rowid, name, path, attribute_names, units, template) VALUES ('delete', old.rid, old.name, old.path, old.attribute_names, old.units, old.template);
      INSERT INTO asset_fts (rowid, name, path, attribute_names, units, template) VALUES (new.rid, new.name, new.path, new.attribute_names, new.units, new.template);
    END;

    -- before/after: JSON arrays of whole assets, so any change can be shown and reverted.
    CREATE TABLE change (
      id INTEGER PRIMARY KEY,
      at INTEGER NOT NULL,
      who TEXT NOT NULL,
      op TEXT NOT NULL,
      summary TEXT NOT NULL,
      before TEXT NOT NULL,
      after TEXT NOT NULL,
      undone INTEGER NOT NULL DEFAULT 0
    );
  `)
}
