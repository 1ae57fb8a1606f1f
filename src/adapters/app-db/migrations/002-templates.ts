import type { Database } from 'better-sqlite3'

/**
 * Templates, and the asset's template id made a real reference. Before this, a template id was a plain string:
 * each one an asset holds becomes a template of that id and name, without attributes, so nothing is lost and
 * every asset's template exists. The store checks the reference (not a foreign key: an undo puts templates and
 * assets back in the order the change needs). The change log gains the templates a change touched.
 */
export function up(db: Database): void {
  db.exec(`
    CREATE TABLE template (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      base TEXT,
      attributes TEXT NOT NULL,
      description TEXT NOT NULL
    );
    CREATE INDEX template_base ON template (base);
    CREATE INDEX asset_template ON asset (template);
    INSERT INTO template (id, name, base, attributes, description)
      SELECT DISTINCT template, template, NULL, '[]', 'made from an earlier plain template id (migration 002)' FROM asset WHERE template IS NOT NULL;
    ALTER TABLE change ADD COLUMN templates_before TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE change ADD COLUMN templates_after TEXT NOT NULL DEFAULT '[]';
  `)
}
