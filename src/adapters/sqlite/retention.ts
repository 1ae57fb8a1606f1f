import type { StoreDb } from './store-db'
import { TICK } from '../../core/ports/sample-store'
import { HOUR } from '../store-engine/rollup'
import { ROLLUP_LEVELS, type RollupLevel } from './rollup-table'

export interface RetentionPolicy {
  rawMaxAgeMs: number
  rollup1mMaxAgeMs: number
  rollup1hMaxAgeMs: number
  /** Bytes the file may use; null: no budget. */
  diskBudgetBytes: number | null
  /** Keep logged batches until the sync watermark passes them. */
  keepUndelivered: boolean
}

export interface RetentionResult {
  rawDeleted: number
  rollupsDeleted: number
  undeliveredDropped: number
  /** What the disk budget alone forced. */
  budget: { rawSamples: number; rollupRows: number; undeliveredSamples: number } | null
}

const CHUNK = 256
const KEEP_FREE_BYTES = 64 * 1024 * 1024
/** Once over budget, delete down to this share of it, so that the next few writes do not trip it again. */
const LOW_WATER = 0.9
const ROLLUP_STEP: Record<RollupLevel, number> = { '1m': 24 * HOUR, '1h': 30 * 24 * HOUR }

/**
 * Age limits first, then the disk budget: raw blocks, then minute and hour rollups, oldest first; only
 * then logged batches the sync has not delivered (counted, and reported as an event by the caller).
 */
export class Retention {
  constructor(
    private readonly s: StoreDb,
    private readonly policy: RetentionPolicy,
  ) {}

  run(now: number): RetentionResult {
    const p = this.policy
    const result: RetentionResult = { rawDeleted: 0, rollupsDeleted: 0, undeliveredDropped: 0, budget: null }
    while (this.deleteRaw(now - p.rawMaxAgeMs, result) === CHUNK);
    result.rollupsDeleted += this.deleteRollups('1m', now - p.rollup1mMaxAgeMs)
    result.rollupsDeleted += this.deleteRollups('1h', now - p.rollup1hMaxAgeMs)
    this.s.write(() => {
      const upTo = p.keepUndelivered ? Math.min(this.s.compactedSeq, this.s.syncSeq) : this.s.compactedSeq
      this.s.db.prepare('DELETE FROM log WHERE seq <= ?').run(upTo)
    })
    this.releaseFreePages()
    if (p.diskBudgetBytes !== null && this.usedBytes() > p.diskBudgetBytes) {
      this.enforceBudget(p.diskBudgetBytes, result)
      this.s.db.pragma('incremental_vacuum')
    }
    // Hands the write-ahead log back to the file system too: it is part of what the store occupies.
    this.s.db.pragma('wal_checkpoint(TRUNCATE)')
    return result
  }

  /**
   * Gives free pages back to the file system when they are many, or when the file is over budget. Some
   * are left alone: every compaction round frees its log rows, and the next round's appends reuse them.
   */
  private releaseFreePages(): void {
    const budget = this.policy.diskBudgetBytes
    const pragma = (name: string) => this.s.db.pragma(name, { simple: true }) as number
    const size = pragma('page_size')
    const fileBytes = pragma('page_count') * size
    if ((budget !== null && fileBytes > budget) || pragma('freelist_count') * size > KEEP_FREE_BYTES) {
      this.s.db.pragma('incremental_vacuum')
    }
  }

  usedBytes(): number {
    const pragma = (name: string) => this.s.db.pragma(name, { simple: true }) as number
    return (pragma('page_count') - pragma('freelist_count')) * pragma('page_size')
  }

  private enforceBudget(budget: number, result: RetentionResult): void {
    const goal = budget * LOW_WATER
    const before = { ...result }
    const over = () => this.usedBytes() > goal
    while (over() && this.deleteRaw(Infinity, result) > 0);
    for (const level of ROLLUP_LEVELS) {
      while (over()) {
        const oldest = this.oldestRollup(level)
        if (oldest === null) break
        result.rollupsDeleted += this.deleteRollups(level, oldest + ROLLUP_STEP[level])
      }
    }
    while (over() && this.dropUndelivered(result) > 0);
    result.budget = {
      rawSamples: result.rawDeleted - before.rawDeleted,
      rollupRows: result.rollupsDeleted - before.rollupsDeleted,
      undeliveredSamples: result.undeliveredDropped - before.undeliveredDropped,
    }
  }

  /** Deletes up to CHUNK blocks ending before `t`, oldest first; returns how many. */
  private deleteRaw(t: number, result: RetentionResult): number {
    const s = this.s
    const rows = s.blocks.endingBefore(t, CHUNK)
    if (rows.length === 0) return 0
    s.write(() => {
      s.blocks.delete(rows.map((r) => r.id))
      for (const r of rows) {
        const st = s.signals.get(r.signal)
        if (!st) continue
        s.touch(st).rawFrom = Math.max(st.rawFrom, r.t1 + TICK)
        if (r.t0 > st.sealedT) {
          const tail = s.blocks.tailStats(st.id, st.sealedT)
          st.tailCount = tail.count
          st.tailN = tail.n
        }
        s.saveState(st)
        s.count('rawDeleted', r.n)
        result.rawDeleted += r.n
      }
    })
    return rows.length
  }

  private deleteRollups(level: RollupLevel, before: number): number {
    const s = this.s
    return s.write(() => {
      let n = 0
      for (const id of s.signals.keys()) n += s.rollups[level].deleteBefore(id, before)
      s.count('rollupsDeleted', n)
      return n
    })
  }

  private oldestRollup(level: RollupLevel): number | null {
    let oldest: number | null = null
    for (const id of this.s.signals.keys()) {
      const t = this.s.rollups[level].oldest(id)
      if (t !== null && (oldest === null || t < oldest)) oldest = t
    }
    return oldest
  }

  /** Deletes the oldest compacted log batches; returns samples dropped. Uncompacted ones are the only copy. */
  private dropUndelivered(result: RetentionResult): number {
    const s = this.s
    return s.write(() => {
      const rows = s.db
        .prepare('SELECT seq, n FROM log WHERE seq <= ? ORDER BY seq LIMIT ?')
        .all(s.compactedSeq, CHUNK) as { seq: number; n: number }[]
      let n = 0
      for (const r of rows) n += r.n
      if (rows.length > 0) s.db.prepare('DELETE FROM log WHERE seq <= ?').run(rows[rows.length - 1]?.seq)
      s.count('undeliveredDropped', n)
      result.undeliveredDropped += n
      return n
    })
  }
}
