import type { Database, Statement } from 'better-sqlite3'
import { DAY, HOUR, MINUTE, type RollupRow } from '../store-engine/rollup'
import { RECORD_BYTES, mergeNewer, packRollups, unpackRollups } from './codec/rollup-pack'

export type RollupLevel = '1m' | '1h'
export const ROLLUP_LEVELS: readonly RollupLevel[] = ['1m', '1h']

/** Row width and container span of each level (see rollup-pack). */
export const ROLLUP_GEOMETRY: Record<RollupLevel, { width: number; span: number }> = {
  '1m': { width: MINUTE, span: HOUR },
  '1h': { width: HOUR, span: DAY },
}

interface Container {
  t: number
  data: Uint8Array
  texts: string | null
}

/** Access to rollup_1m / rollup_1h: rows of one signal, packed per container. */
export class RollupTable {
  private readonly width: number
  private readonly span: number
  private readonly select: Statement
  private readonly put: Statement
  private readonly append: Statement
  private readonly remove: Statement
  private readonly countOld: Statement
  private readonly deleteOld: Statement
  private readonly oldestOf: Statement

  constructor(db: Database, level: RollupLevel) {
    const table = `rollup_${level}`
    ;({ width: this.width, span: this.span } = ROLLUP_GEOMETRY[level])
    this.select = db.prepare(`SELECT t, data, texts FROM ${table} WHERE signal = ? AND t BETWEEN ? AND ? ORDER BY t`)
    this.put = db.prepare(`INSERT INTO ${table} (signal, t, data, texts) VALUES (?, ?, ?, ?)
      ON CONFLICT (signal, t) DO UPDATE SET data = excluded.data, texts = excluded.texts`)
    // `||` yields TEXT; in a UTF-8 database the cast gives back the very bytes.
    this.append = db.prepare(`INSERT INTO ${table} (signal, t, data) VALUES (?, ?, ?)
      ON CONFLICT (signal, t) DO UPDATE SET data = CAST(data || excluded.data AS BLOB)`)
    this.remove = db.prepare(`DELETE FROM ${table} WHERE signal = ? AND t = ?`)
    this.countOld = db.prepare(`SELECT coalesce(sum(length(data)), 0) FROM ${table} WHERE signal = ? AND t <= ?`).pluck()
    this.deleteOld = db.prepare(`DELETE FROM ${table} WHERE signal = ? AND t <= ?`)
    this.oldestOf = db.prepare(`SELECT min(t) FROM ${table} WHERE signal = ?`).pluck()
  }

  /**
   * Adds aggregates of samples newer than any already counted (`newestBefore`: the newest timestamp
   * counted so far, -1 if none). Appends records in SQL without reading the container back, then tidies
   * the container the samples have moved on from.
   */
  addNewer(signal: number, rows: readonly RollupRow[], newestBefore: number): void {
    const groups = this.byContainer(rows)
    for (const [t, group] of groups) {
      if (group.some((r) => typeof r.first === 'string' || typeof r.last === 'string')) {
        // String indexes are per container: appending would break them.
        const old = this.containers(signal, t, t)[0]
        this.store(signal, t, old ? mergeNewer(this.unpack(old), group) : group)
      } else this.append.run(signal, t, packRollups(group, t, this.width).data)
    }
    const previous = newestBefore - (newestBefore % this.span)
    const [first] = groups.keys()
    if (newestBefore >= 0 && first !== undefined && first > previous) {
      const old = this.containers(signal, previous, previous)[0]
      if (old) this.store(signal, previous, this.unpack(old))
    }
  }

  /** Replaces every row in [from, to] by `rows`. */
  replace(signal: number, from: number, to: number, rows: readonly RollupRow[]): void {
    const fresh = this.byContainer(rows)
    for (const c of this.containers(signal, from, to)) {
      const kept = this.unpack(c).filter((r) => r.t < from || r.t > to)
      fresh.set(c.t, [...kept, ...(fresh.get(c.t) ?? [])].sort((a, b) => a.t - b.t))
    }
    for (const [t, group] of fresh) this.store(signal, t, group)
  }

  read(signal: number, from: number, to: number): RollupRow[] {
    return this.containers(signal, from, to).flatMap((c) => this.unpack(c).filter((r) => r.t >= from && r.t <= to))
  }

  /** Deletes whole containers older than `t`; returns how many rows they held. */
  deleteBefore(signal: number, t: number): number {
    const last = t - this.span
    const rows = (this.countOld.get(signal, last) as number) / RECORD_BYTES
    if (rows > 0) this.deleteOld.run(signal, last)
    return rows
  }

  oldest(signal: number): number | null {
    return this.oldestOf.get(signal) as number | null
  }

  private containers(signal: number, from: number, to: number): Container[] {
    return this.select.all(signal, from - (from % this.span), to) as Container[]
  }

  private unpack(c: Container): RollupRow[] {
    return unpackRollups(c.data, c.texts, c.t, this.width)
  }

  private store(signal: number, t: number, rows: readonly RollupRow[]): void {
    if (rows.length === 0) {
      this.remove.run(signal, t)
      return
    }
    const { data, texts } = packRollups(rows, t, this.width)
    this.put.run(signal, t, data, texts)
  }

  private byContainer(rows: readonly RollupRow[]): Map<number, RollupRow[]> {
    const out = new Map<number, RollupRow[]>()
    for (const r of rows) {
      const t = r.t - (r.t % this.span)
      const group = out.get(t)
      if (group) group.push(r)
      else out.set(t, [r])
    }
    return out
  }
}
