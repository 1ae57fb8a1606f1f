import type { Database, Statement } from 'better-sqlite3'
import { decodeBlock, encodeBlock } from './codec/block-codec'
import { type Columns, emptyColumns, lowerBound, sliceColumns, upperBound } from '../store-engine/columns'
import { concatColumns } from '../store-engine/merge'

export interface BlockRow {
  id: number
  t0: number
  t1: number
  n: number
  data: Uint8Array
}

/**
 * Access to `block`: per-signal runs of samples, sorted, unique timestamps. A signal's blocks never overlap
 * in time, so the block holding `from` is the last one starting at or before it.
 */
export class BlockTable {
  private readonly insert: Statement
  private readonly overlap: Statement
  private readonly after: Statement
  private readonly lastOf: Statement
  private readonly del: Statement
  private readonly tailStatsOf: Statement
  private readonly oldest: Statement

  constructor(db: Database) {
    this.insert = db.prepare('INSERT INTO block (signal, t0, t1, n, data) VALUES (?, ?, ?, ?, ?)')
    this.overlap = db.prepare(`SELECT id, t0, t1, n, data FROM block
      WHERE signal = $s AND t1 >= $from AND t0 BETWEEN
        coalesce((SELECT max(t0) FROM block WHERE signal = $s AND t0 <= $from), $from) AND $to
      ORDER BY t0`)
    this.after = db.prepare('SELECT id, t0, t1, n, data FROM block WHERE signal = ? AND t0 > ? ORDER BY t0')
    this.lastOf = db.prepare('SELECT id, t0, t1, n, data FROM block WHERE signal = ? ORDER BY t0 DESC LIMIT 1')
    this.del = db.prepare('DELETE FROM block WHERE id = ?')
    this.tailStatsOf = db.prepare(
      'SELECT count(*) AS count, coalesce(sum(n), 0) AS n FROM block WHERE signal = ? AND t0 > ?',
    )
    this.oldest = db.prepare('SELECT id, signal, t0, t1, n FROM block WHERE t1 < ? ORDER BY t1 LIMIT ?')
  }

  write(signal: number, c: Columns): void {
    if (c.n === 0) return
    this.insert.run(signal, c.ts[0], c.ts[c.n - 1], c.n, encodeBlock(c))
  }

  overlapping(signal: number, from: number, to: number): BlockRow[] {
    return this.overlap.all({ s: signal, from, to }) as BlockRow[]
  }

  /**
   * Samples in [from, to] from blocks, sorted. Stops after the block that reaches `limit` samples;
   * `complete` says whether it got to `to`.
   */
  read(signal: number, from: number, to: number, limit = Infinity): { cols: Columns; complete: boolean } {
    const runs: Columns[] = []
    let total = 0
    for (const b of this.overlap.iterate({ s: signal, from, to }) as IterableIterator<BlockRow>) {
      if (total >= limit) return { cols: concatColumns(runs), complete: false }
      const c = decodeBlock(b.data)
      const lo = b.t0 >= from ? 0 : lowerBound(c.ts, c.n, from)
      const hi = b.t1 <= to ? c.n : upperBound(c.ts, c.n, to)
      if (hi > lo) runs.push(sliceColumns(c, lo, hi))
      total += hi - lo
    }
    return { cols: runs.length === 0 ? emptyColumns() : concatColumns(runs), complete: true }
  }

  /** Samples in [from, to]; blocks fully inside are counted without decoding. */
  count(signal: number, from: number, to: number): number {
    let total = 0
    for (const b of this.overlapping(signal, from, to)) {
      if (b.t0 >= from && b.t1 <= to) total += b.n
      else {
        const c = decodeBlock(b.data)
        total += upperBound(c.ts, c.n, to) - lowerBound(c.ts, c.n, from)
      }
    }
    return total
  }

  startingAfter(signal: number, t: number): BlockRow[] {
    return this.after.all(signal, t) as BlockRow[]
  }

  last(signal: number): BlockRow | undefined {
    return this.lastOf.get(signal) as BlockRow | undefined
  }

  delete(ids: readonly number[]): void {
    for (const id of ids) this.del.run(id)
  }

  tailStats(signal: number, sealedT: number): { count: number; n: number } {
    return this.tailStatsOf.get(signal, sealedT) as { count: number; n: number }
  }

  /** Up to `limit` blocks ending before `t`, oldest first. */
  endingBefore(t: number, limit: number): (Omit<BlockRow, 'data'> & { signal: number })[] {
    return this.oldest.all(t, limit) as (Omit<BlockRow, 'data'> & { signal: number })[]
  }
}
