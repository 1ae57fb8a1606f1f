import type { Database } from 'better-sqlite3'

/** Each signal's asset path (`Plant/Line2/Pump201/Speed`), so history and the sync can tag samples by equipment. */
export function up(db: Database): void {
  db.exec('ALTER TABLE signal ADD COLUMN asset_path TEXT')
}
