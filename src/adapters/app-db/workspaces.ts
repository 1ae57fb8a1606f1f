import type { Database, Statement } from 'better-sqlite3'
import type { WorkspaceRecord, WorkspaceStore } from '../../core/ports/workspaces'

/**
 * Users' workspaces in the application database (`workspace`, migration 007). `db` answers the database in use now
 * and is asked on every call (a restore while running swaps the file, like the user store).
 */
export class SqliteWorkspaceStore implements WorkspaceStore {
  private current: Database | undefined
  private getStmt: Statement<[string], { data: string; saved_at: number }> | undefined
  private putStmt: Statement<[string, string, number]> | undefined

  constructor(private readonly db: () => Database) {}

  private prepare(): void {
    const db = this.db()
    if (db === this.current) return
    this.current = db
    this.getStmt = db.prepare('SELECT data, saved_at FROM workspace WHERE user = ?')
    this.putStmt = db.prepare('INSERT INTO workspace (user, data, saved_at) VALUES (?, ?, ?) ON CONFLICT (user) DO UPDATE SET data = excluded.data, saved_at = excluded.saved_at')
  }

  get(user: string): WorkspaceRecord | undefined {
    this.prepare()
    const r = this.getStmt!.get(user)
    return r ? { json: r.data, savedAt: r.saved_at } : undefined
  }

  put(user: string, record: WorkspaceRecord): void {
    this.prepare()
    this.putStmt!.run(user, record.json, record.savedAt)
  }
}
