import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import Database, { type Statement } from 'better-sqlite3'
import { AppError } from '../../shared/model/errors'
import type { AuditEntryInput, AuditRecord } from '../../core/ports/audit'
import type { Logger } from '../../core/ports/logger'
import { type AuditAnchor, seal } from '../../core/audit/chain'
import { type AuditFilter, type AuditStore, NOT_FAILED } from '../../core/audit/audit-store'

/**
 * The audit trail's schema, in its own file (`<dataDir>/audit.db`), not in app.db: a restore of the asset model
 * swaps app.db for a backup and must not take the trail back in time with it, and a backup of the model (a file
 * that travels) does not carry who did what. Version 1. Append-only by triggers: an UPDATE or DELETE is refused
 * (RAISE(ABORT)), and an INSERT must take the next id. Nothing prunes it.
 */
export const AUDIT_SCHEMA_VERSION = 1
const TRIGGERS: Record<string, string> = {
  audit_no_update: "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows are never changed'); END;",
  audit_no_delete: "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only: rows are never deleted'); END;",
  audit_in_order: `CREATE TRIGGER IF NOT EXISTS audit_in_order BEFORE INSERT ON audit
    WHEN NEW.id IS NOT (SELECT COALESCE(MAX(id), 0) + 1 FROM audit)
    BEGIN SELECT RAISE(ABORT, 'audit is append-only: a row takes the next id'); END;`,
}

/** Creates the schema, or checks it: triggers found missing (dropped behind Plantdeck's back) are put back and named. */
function migrate(db: Database.Database): string[] {
  const v = db.pragma('user_version', { simple: true }) as number
  if (v > AUDIT_SCHEMA_VERSION) throw new Error(`audit database has schema version ${v}, newer than this build (${AUDIT_SCHEMA_VERSION}): update Plantdeck`)
  const have = new Set(db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all())
  const missing = v === AUDIT_SCHEMA_VERSION ? Object.keys(TRIGGERS).filter((t) => !have.has(t)) : []
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        action TEXT NOT NULL,
        user TEXT,
        "from" TEXT NOT NULL,
        target TEXT,
        old_value TEXT,
        new_value TEXT,
        result TEXT NOT NULL,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
      CREATE INDEX IF NOT EXISTS audit_user ON audit (user, id);
      CREATE INDEX IF NOT EXISTS audit_action ON audit (action, id);
      CREATE INDEX IF NOT EXISTS audit_result ON audit (result, id);
      ${Object.values(TRIGGERS).join('\n')}
    `)
    if (v !== AUDIT_SCHEMA_VERSION) db.pragma(`user_version = ${AUDIT_SCHEMA_VERSION}`)
  })()
  return missing
}

interface Row {
  id: number
  at: number
  action: string
  user: string | null
  from: string
  target: string | null
  old_value: string | null
  new_value: string | null
  result: string
  detail: string | null
  prev_hash: string
  hash: string
}

const toRecord = (r: Row): AuditRecord => {
  const out: AuditRecord = { id: r.id, at: r.at, action: r.action, user: r.user, from: r.from, result: r.result, prevHash: r.prev_hash, hash: r.hash }
  if (r.target !== null) out.target = r.target
  if (r.old_value !== null) out.oldValue = JSON.parse(r.old_value) as unknown
  if (r.new_value !== null) out.newValue = JSON.parse(r.new_value) as unknown
  if (r.detail !== null) out.detail = r.detail
  return out
}

export interface AuditDbOptions {
  /** `<dataDir>/audit.db`; the anchor is kept beside it as `<path>.anchor`. */
  path: string
  logger?: Logger
  now?: () => number
  /** How long an append waits for another writer's lock before it fails (closed); default 2000 ms. */
  busyTimeoutMs?: number
}

/**
 * The audit trail in SQLite. Durable: WAL with `synchronous=FULL`, so an entry is on disk (through a power cut) when
 * `append` resolves; entries are few, and each one guards an action, so an fsync each is the right price. Serialized:
 * better-sqlite3 runs on the calling thread, and each append reads the previous hash and inserts in one IMMEDIATE
 * transaction (the file's write lock also keeps another process out). Fails closed: a full disk, a read-only file,
 * a lock held too long — the insert fails, `append` logs it and throws `audit.write_failed`, and the caller does
 * not act. The anchor (the last id and hash) is written to `<path>.anchor` after each commit (temp file + rename):
 * it may lag after a crash (harmless), never lead; `audit.verify` reports a table that ends before it as cut.
 */
export class SqliteAuditTrail implements AuditStore {
  readonly db: Database.Database
  private readonly log: Logger | undefined
  private readonly now: () => number
  private readonly anchorFile: string
  private readonly last: Statement<[], { id: number; hash: string }>
  private readonly insert: Statement
  private readonly appendTx: (e: AuditEntryInput) => AuditRecord

  constructor(o: AuditDbOptions) {
    this.log = o.logger
    this.now = o.now ?? Date.now
    this.anchorFile = `${o.path}.anchor`
    this.db = new Database(o.path)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = FULL')
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(o.busyTimeoutMs ?? 2000))}`)
    const missing = migrate(this.db)
    if (missing.length) this.log?.warn({ file: o.path, triggers: missing }, 'audit: append-only triggers were missing (dropped behind Plantdeck\'s back?) and are restored; run audit.verify')
    this.last = this.db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1')
    this.insert = this.db.prepare(
      `INSERT INTO audit (id, at, action, user, "from", target, old_value, new_value, result, detail, prev_hash, hash)
       VALUES (@id, @at, @action, @user, @from, @target, @old_value, @new_value, @result, @detail, @prevHash, @hash)`,
    )
    const tx = this.db.transaction((e: AuditEntryInput) => {
      const r = seal(this.last.get() ?? null, e, this.now())
      this.insert.run({
        ...r,
        target: r.target ?? null,
        old_value: r.oldValue === undefined ? null : JSON.stringify(r.oldValue),
        new_value: r.newValue === undefined ? null : JSON.stringify(r.newValue),
        detail: r.detail ?? null,
      })
      return r
    })
    this.appendTx = (e) => tx.immediate(e)
  }

  append(e: AuditEntryInput): Promise<AuditRecord> {
    let r: AuditRecord
    try {
      r = this.appendTx(e)
    } catch (err) {
      const code = (err as { code?: string }).code
      this.log?.error({ err: (err as Error).message, sqlite: code, action: e.action, target: e.target }, 'audit entry not written')
      return Promise.reject(new AppError('audit.write_failed', `the audit entry could not be written: ${(err as Error).message}`, { sqlite: code ?? null }))
    }
    try {
      const tmp = `${this.anchorFile}.tmp`
      writeFileSync(tmp, JSON.stringify({ id: r.id, hash: r.hash }))
      renameSync(tmp, this.anchorFile)
    } catch (err) {
      // the entry is committed; an anchor that lags only weakens the check for a cut tail
      this.log?.warn({ err: (err as Error).message, file: this.anchorFile }, 'audit anchor not updated')
    }
    return Promise.resolve(r)
  }

  query(f: AuditFilter, page: { before?: number | undefined; limit: number }): { items: AuditRecord[]; next: number | null } {
    const where: string[] = []
    const params: Record<string, unknown> = {}
    const add = (sql: string, k: string, v: unknown) => {
      where.push(sql)
      params[k] = v
    }
    if (f.from !== undefined) add('at >= @from', 'from', f.from)
    if (f.to !== undefined) add('at <= @to', 'to', f.to)
    if (f.user !== undefined) add('user = @user', 'user', f.user)
    if (f.action !== undefined) add('substr(action, 1, length(@action)) = @action', 'action', f.action)
    if (f.target !== undefined) add('instr(lower(target), lower(@target)) > 0', 'target', f.target)
    if (f.result !== undefined) add('result = @result', 'result', f.result)
    if (f.failed) where.push(`result NOT IN (${NOT_FAILED.map((r) => `'${r}'`).join(', ')})`)
    if (page.before !== undefined) add('id < @before', 'before', page.before)
    const limit = Math.max(1, Math.min(Math.floor(page.limit), 10_000))
    params.limit = limit + 1
    const rows = this.db.prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`).all(params) as Row[]
    const items = rows.slice(0, limit).map(toRecord)
    return { items, next: rows.length > limit ? items[items.length - 1]!.id : null }
  }

  *records(): Generator<AuditRecord> {
    for (const r of this.db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<Row>) yield toRecord(r)
  }

  anchor(): AuditAnchor | null {
    let text: string
    try {
      text = readFileSync(this.anchorFile, 'utf8')
    } catch {
      return null
    }
    try {
      const a = JSON.parse(text) as Partial<AuditAnchor>
      if (Number.isInteger(a.id) && typeof a.hash === 'string') return { id: a.id!, hash: a.hash }
    } catch {
      /* below */
    }
    this.log?.warn({ file: this.anchorFile }, 'audit anchor unreadable: a cut tail cannot be checked')
    return null
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM audit').pluck().get() as number
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}

export const openAuditTrail = (o: AuditDbOptions): SqliteAuditTrail => new SqliteAuditTrail(o)
