import type { Database, Statement } from 'better-sqlite3'
import { AlarmPriority, AlarmState, JournalEntry } from '../../shared/contract/alarms'
import { AppError } from '../../shared/model/errors'
import type { AlarmJournal, JournalFilter, JournalRecord, NuisanceRow } from '../../core/alarms/ports'
import { ftsQuery } from './rows'
import { HandleStatements } from './handle-statements'
import { withPrevious } from './previous-file'

/** Within this many ms, three or more activations of one alarm are chattering (inclusive: 0 s and 60 s are one window). */
export const CHATTER_WINDOW_MS = 60_000
/** An occurrence cleared within this many ms of its raise (inclusive) is fleeting. */
export const FLEETING_MS = 1_000
/** Activations within the window that make them chattering. */
export const CHATTER_COUNT = 3

interface Row {
  id: number
  at: number
  key: string
  asset_id: string
  path: string
  attribute: string
  def_id: string
  priority: JournalEntry['priority']
  event: JournalEntry['event']
  state: JournalEntry['state']
  value: string | null
  message: string
  who: string
  note: string | null
  occurrence: number
}

const Event = JournalEntry.shape.event

/**
 * The alarm journal in the application database (`alarm_journal`, migration 004). `db` answers the database to use
 * now and is asked on every call, so the journal keeps working when the file is swapped under it (a restore while
 * running reopens the file: statements are prepared again on the new handle). Synchronous, like the asset store:
 * an append of a batch is one transaction (one fsync under `synchronous=FULL`), a query one indexed page.
 */
export class SqliteAlarmJournal implements AlarmJournal {

  private readonly statements: HandleStatements

  constructor(db: () => Database) {
    this.statements = new HandleStatements(db)
  }

  private stmt(sql: string): Statement {
    return this.statements.stmt(sql)
  }

  append(entries: readonly JournalRecord[]): void {
    if (entries.length === 0) return
    entries.forEach(check)
    const insert = this.stmt(
      `INSERT INTO alarm_journal (at, key, asset_id, path, attribute, def_id, priority, event, state, value, message, who, note, occurrence)
       VALUES (@at, @key, @assetId, @path, @attribute, @defId, @priority, @event, @state, @value, @message, @who, @note, @occurrence)`,
    )
    const fts = this.stmt('INSERT INTO alarm_journal_fts (rowid, message, path) VALUES (?, ?, ?)')
    this.statements.handle!.transaction(() => {
      for (const e of entries) {
        const r = insert.run({ ...e, value: e.value === undefined ? null : JSON.stringify(e.value), note: e.note ?? null })
        fts.run(r.lastInsertRowid, e.message, e.path)
      }
    })()
  }

  query(filter: JournalFilter, page: { before?: number | undefined; limit: number }): { items: JournalEntry[]; next: number | null } {
    const { where, params } = conditions(filter)
    if (page.before !== undefined) {
      where.push('id < @before')
      params.before = page.before
    }
    const limit = Math.max(1, Math.min(Math.floor(page.limit), 10_000))
    params.limit = limit + 1
    const sql = `SELECT * FROM alarm_journal ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`
    const rows = this.stmt(sql).all(params) as Row[]
    const items = rows.slice(0, limit).map(toEntry)
    return { items, next: rows.length > limit ? items[items.length - 1]!.id : null }
  }

  /** Every entry the filter matches, oldest first, one at a time (for CSV export without holding them all). */
  *scan(filter: JournalFilter): Generator<JournalEntry> {
    const { where, params } = conditions(filter)
    const sql = `SELECT * FROM alarm_journal ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`
    for (const r of this.stmt(sql).iterate(params) as IterableIterator<Row>) yield toEntry(r)
  }

  nuisance(since: number, limit: number): NuisanceRow[] {
    // chattering: `ahead` counts a raise's key's raises in [at, at + window]; a raise is chattering when some window
    // that holds it (one starting at a raise in [at - window, at]) holds CHATTER_COUNT or more
    return this.stmt(
      `WITH r AS (
         SELECT id, key, occurrence, at,
           COUNT(*) OVER (PARTITION BY key ORDER BY at RANGE BETWEEN CURRENT ROW AND ${CHATTER_WINDOW_MS} FOLLOWING) AS ahead
         FROM alarm_journal WHERE event = 'raise' AND at >= @since
       ), c AS (
         SELECT id, key, occurrence, at,
           MAX(ahead) OVER (PARTITION BY key ORDER BY at RANGE BETWEEN ${CHATTER_WINDOW_MS} PRECEDING AND CURRENT ROW) AS best
         FROM r
       ), k AS (
         SELECT key, MAX(id) AS last, COUNT(*) AS activations, SUM(best >= ${CHATTER_COUNT}) AS chattering,
           SUM(EXISTS (SELECT 1 FROM alarm_journal x WHERE x.key = c.key AND x.occurrence = c.occurrence AND x.event = 'clear'
                       AND x.at >= c.at AND x.at <= c.at + ${FLEETING_MS})) AS fleeting
         FROM c GROUP BY key
       )
       SELECT k.key, j.path, j.attribute, j.def_id AS defId, k.activations, k.chattering, k.fleeting
       FROM k JOIN alarm_journal j ON j.id = k.last
       ORDER BY k.activations DESC, k.chattering DESC, k.fleeting DESC, k.key
       LIMIT @limit`,
    ).all({ since, limit: Math.max(0, Math.floor(limit)) }) as NuisanceRow[]
  }

  prune(before: number): number {
    const fts = this.stmt('DELETE FROM alarm_journal_fts WHERE rowid IN (SELECT id FROM alarm_journal WHERE at < ?)')
    const del = this.stmt('DELETE FROM alarm_journal WHERE at < ?')
    return this.statements.handle!.transaction(() => {
      fts.run(before)
      return del.run(before).changes
    })()
  }

  /** Entries kept now (diagnostics and tests). */
  count(): number {
    return this.stmt('SELECT COUNT(*) FROM alarm_journal').pluck().get() as number
  }
}

/**
 * After a restore: the restored file's journal ends when its backup was taken, the file it replaced (`previous`,
 * kept as `app.db.bak`) holds the transitions since. Copies those across, so a restore of the asset model never
 * loses alarm history. When the restored journal is a prefix of the previous one (a backup of this file: the
 * entry of its last id is the same in both), the entries after it keep their ids; otherwise the previous file's
 * entries newer than the restored journal's newest are appended with new ids. Answers how many were copied.
 */
export function carryOverJournal(db: Database, previous: string): number {
  return withPrevious(db, previous, (has) => {
    if (!has('alarm_journal')) return 0
    const last = db.prepare('SELECT id, at, key, event FROM main.alarm_journal ORDER BY id DESC LIMIT 1').get() as { id: number; at: number; key: string; event: string } | undefined
    const same = last && db.prepare('SELECT 1 FROM prev.alarm_journal WHERE id = ? AND at = ? AND key = ? AND event = ?').get(last.id, last.at, last.key, last.event)
    const cols = 'at, key, asset_id, path, attribute, def_id, priority, event, state, value, message, who, note, occurrence'
    return db.transaction(() => {
      const before = (db.prepare('SELECT COALESCE(MAX(id), 0) FROM main.alarm_journal').pluck().get() as number)
      const copied = !last
        ? db.prepare(`INSERT INTO main.alarm_journal (id, ${cols}) SELECT id, ${cols} FROM prev.alarm_journal ORDER BY id`).run().changes
        : same
          ? db.prepare(`INSERT INTO main.alarm_journal (id, ${cols}) SELECT id, ${cols} FROM prev.alarm_journal WHERE id > ? ORDER BY id`).run(last.id).changes
          : db.prepare(`INSERT INTO main.alarm_journal (${cols}) SELECT ${cols} FROM prev.alarm_journal WHERE at > (SELECT MAX(at) FROM main.alarm_journal) ORDER BY id`).run().changes
      db.prepare('INSERT INTO main.alarm_journal_fts (rowid, message, path) SELECT id, message, path FROM main.alarm_journal WHERE id > ?').run(before)
      return copied
    })()
  })
}

/** The journal over `db()` (asked on every call: the database in use now, e.g. the application database's current handle). */
export function createAlarmJournal(db: () => Database): SqliteAlarmJournal {
  return new SqliteAlarmJournal(db)
}

function conditions(f: JournalFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = []
  const params: Record<string, unknown> = {}
  if (f.from !== undefined) {
    where.push('at >= @from')
    params.from = f.from
  }
  if (f.to !== undefined) {
    where.push('at <= @to')
    params.to = f.to
  }
  if (f.pathPrefix !== undefined && f.pathPrefix !== '') {
    // the asset and everything under it: paths in [p + '/', p + '0'), '0' being the character after '/'
    const p = f.pathPrefix.replace(/\/+$/, '')
    where.push("(path = @prefix OR (path >= @prefix || '/' AND path < @prefix || '0'))")
    params.prefix = p
  }
  const list = (column: string, values: readonly string[] | undefined, allowed: readonly string[]) => {
    if (values === undefined) return
    const known = [...new Set(values)].filter((v) => allowed.includes(v))
    if (known.length === 0) {
      where.push('0')
      return
    }
    where.push(`${column} IN (${known.map((_, i) => `@${column}${i}`).join(', ')})`)
    known.forEach((v, i) => (params[`${column}${i}`] = v))
  }
  list('priority', f.priority, AlarmPriority.options)
  list('state', f.state, AlarmState.options)
  if (f.who !== undefined) {
    where.push('who = @who')
    params.who = f.who
  }
  if (f.text !== undefined && f.text.trim() !== '') {
    const q = ftsQuery(f.text)
    if (q === '') where.push('0')
    else {
      where.push('id IN (SELECT rowid FROM alarm_journal_fts WHERE alarm_journal_fts MATCH @text)')
      params.text = q
    }
  }
  return { where, params }
}

function toEntry(r: Row): JournalEntry {
  const e: JournalEntry = {
    id: r.id,
    at: r.at,
    key: r.key,
    assetId: r.asset_id,
    path: r.path,
    attribute: r.attribute,
    defId: r.def_id,
    priority: r.priority,
    event: r.event,
    state: r.state,
    message: r.message,
    who: r.who,
    occurrence: r.occurrence,
  }
  if (r.value !== null) e.value = JSON.parse(r.value) as JournalEntry['value']
  if (r.note !== null) e.note = r.note
  return e
}

/** A record the journal cannot keep is refused whole (the batch is not written): `alarms.bad_entry`, naming the field. */
function check(e: JournalRecord, i: number): void {
  const bad = (field: string, why: string): never => {
    throw new AppError('alarms.bad_entry', `journal entry ${i}: ${field} ${why}`, { index: i, field })
  }
  if (typeof e.at !== 'number' || !Number.isFinite(e.at)) bad('at', 'must be a finite number of ms')
  for (const f of ['key', 'assetId', 'path', 'attribute', 'defId', 'message', 'who'] as const) if (typeof e[f] !== 'string') bad(f, 'must be a string')
  if (!AlarmPriority.options.includes(e.priority)) bad('priority', `"${String(e.priority)}" is not a priority`)
  if (!Event.options.includes(e.event)) bad('event', `"${String(e.event)}" is not an event`)
  if (!AlarmState.options.includes(e.state)) bad('state', `"${String(e.state)}" is not a state`)
  if (!Number.isInteger(e.occurrence)) bad('occurrence', 'must be an integer')
  if (e.value !== undefined && e.value !== null && !['number', 'boolean', 'string'].includes(typeof e.value)) bad('value', 'must be a number, boolean, string or null')
  if (e.note !== undefined && typeof e.note !== 'string') bad('note', 'must be a string')
}
