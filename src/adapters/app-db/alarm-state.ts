import type { Database, Statement } from 'better-sqlite3'
import { AlarmState } from '../../shared/contract/alarms'
import type { AlarmStateRecord, AlarmStateStore } from '../../core/alarms/ports'
import { HandleStatements } from './handle-statements'

interface Row {
  key: string
  state: AlarmStateRecord['state']
  active: number
  acked: number
  latched_clear: number
  occurrence: number
  raised_at: number | null
  changed_at: number
  shelved_until: number | null
  shelve_reason: string | null
  suppressed: number
  out_of_service: number
  value: string | null
  message: string
}

/**
 * Alarm states in the application database (`alarm_state`, migration 005), one row per alarm key. `db` answers the
 * database in use now and is asked on every call, like the journal: after a restore while running swaps the file,
 * statements are prepared again and `needsAll()` answers true until the service wrote every alarm into the new file
 * (the backup's rows are older than the alarms running).
 */
export class SqliteAlarmStateStore implements AlarmStateStore {
  /** The handle the last save wrote to. */
  private written: Database | undefined

  private readonly statements: HandleStatements

  constructor(private readonly db: () => Database) {
    this.statements = new HandleStatements(db)
  }

  private stmt(sql: string): Statement {
    return this.statements.stmt(sql)
  }

  load(): AlarmStateRecord[] {
    const rows = this.stmt('SELECT * FROM alarm_state ORDER BY key').all() as Row[]
    this.written = this.statements.handle
    const out: AlarmStateRecord[] = []
    for (const r of rows) {
      if (!AlarmState.options.includes(r.state)) continue // not written by this build: that alarm starts normal
      const s: AlarmStateRecord = {
        key: r.key,
        state: r.state,
        active: r.active === 1,
        acked: r.acked === 1,
        latchedClear: r.latched_clear === 1,
        occurrence: r.occurrence,
        raisedAt: r.raised_at,
        changedAt: r.changed_at,
        suppressed: r.suppressed === 1,
        outOfService: r.out_of_service === 1,
        message: r.message,
      }
      if (r.shelved_until !== null) {
        s.shelvedUntil = r.shelved_until
        s.shelveReason = r.shelve_reason ?? ''
      }
      if (r.value !== null) s.value = JSON.parse(r.value) as AlarmStateRecord['value']
      out.push(s)
    }
    return out
  }

  save(states: readonly AlarmStateRecord[], removed: readonly string[]): void {
    const all = this.needsAll()
    const upsert = this.stmt(
      `INSERT OR REPLACE INTO alarm_state (key, state, active, acked, latched_clear, occurrence, raised_at, changed_at, shelved_until, shelve_reason, suppressed, out_of_service, value, message)
       VALUES (@key, @state, @active, @acked, @latchedClear, @occurrence, @raisedAt, @changedAt, @shelvedUntil, @shelveReason, @suppressed, @outOfService, @value, @message)`,
    )
    const del = this.stmt('DELETE FROM alarm_state WHERE key = ?')
    const clear = this.stmt('DELETE FROM alarm_state')
    const db = this.statements.handle!
    db.transaction(() => {
      if (all) clear.run() // the service hands every alarm after a swap: the file's rows are replaced whole
      for (const k of removed) del.run(k)
      for (const s of states) {
        upsert.run({
          key: s.key,
          state: s.state,
          active: s.active ? 1 : 0,
          acked: s.acked ? 1 : 0,
          latchedClear: s.latchedClear ? 1 : 0,
          occurrence: s.occurrence,
          raisedAt: s.raisedAt,
          changedAt: s.changedAt,
          shelvedUntil: s.shelvedUntil ?? null,
          shelveReason: s.shelvedUntil !== undefined ? (s.shelveReason ?? '') : null,
          suppressed: s.suppressed ? 1 : 0,
          outOfService: s.outOfService ? 1 : 0,
          value: s.value === undefined ? null : JSON.stringify(s.value),
          message: s.message,
        })
      }
    })()
    this.written = db
  }

  needsAll(): boolean {
    return this.written !== undefined && this.written !== this.db()
  }
}

export function createAlarmStateStore(db: () => Database): SqliteAlarmStateStore {
  return new SqliteAlarmStateStore(db)
}
