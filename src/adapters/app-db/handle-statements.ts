import type { Database, Statement } from 'better-sqlite3'

/**
 * Prepared statements on the application database in use now. `db` is asked on every call: a restore while running
 * swaps the file under the adapters (`AppDbHandle`), and the statements of the old handle are dropped and prepared
 * again on the new one. Shared by the adapters that live beside the asset store (alarm journal, alarm states, users).
 */
export class HandleStatements {
  private current: Database | undefined
  private readonly stmts = new Map<string, Statement>()

  constructor(private readonly db: () => Database) {}

  /** A statement of the database in use now (prepared once per database handle). */
  stmt(sql: string): Statement {
    const db = this.db()
    if (db !== this.current) {
      this.current = db
      this.stmts.clear()
    }
    let s = this.stmts.get(sql)
    if (!s) this.stmts.set(sql, (s = db.prepare(sql)))
    return s
  }

  /** The handle the last `stmt` was prepared on (for a transaction over those statements). */
  get handle(): Database | undefined {
    return this.current
  }
}
