import type { Database } from 'better-sqlite3'
import { decodeBlock } from '../codec/block-codec'
import { DAY, HOUR, MINUTE, type RollupRow, aggregate, coarsen } from '../../store-engine/rollup'
import { packRollups } from '../codec/rollup-pack'

/**
 * 1-minute and 1-hour aggregates, packed per hour and per day (see rollup-pack), backfilled from the
 * blocks already stored.
 */
export function up(db: Database): void {
  for (const table of ['rollup_1m', 'rollup_1h']) {
    db.exec(`
      CREATE TABLE ${table} (
        id INTEGER PRIMARY KEY,
        signal INTEGER NOT NULL,
        t INTEGER NOT NULL,
        data BLOB NOT NULL,
        texts TEXT
      );
      CREATE UNIQUE INDEX ${table}_signal_t ON ${table} (signal, t);
    `)
  }
  const insert = (table: string) => db.prepare(`INSERT INTO ${table} (signal, t, data, texts) VALUES (?, ?, ?, ?)`)
  const levels = [
    { stmt: insert('rollup_1m'), width: MINUTE, span: HOUR },
    { stmt: insert('rollup_1h'), width: HOUR, span: DAY },
  ]
  const signals = db.prepare('SELECT id FROM signal').pluck().all() as number[]
  const blocks = db.prepare('SELECT data FROM block WHERE signal = ? ORDER BY t0').pluck()
  const write = (level: (typeof levels)[number], signal: number, rows: readonly RollupRow[]) => {
    const containers = new Map<number, RollupRow[]>()
    for (const r of rows) {
      const t = r.t - (r.t % level.span)
      containers.set(t, [...(containers.get(t) ?? []), r])
    }
    for (const [t, group] of containers) {
      const { data, texts } = packRollups(group, t, level.width)
      level.stmt.run(signal, t, data, texts)
    }
  }
  for (const signal of signals) {
    // Minutes and hours may straddle blocks: the last container of each level waits for the next block.
    const open = levels.map(() => [] as RollupRow[])
    const add = (k: number, rows: readonly RollupRow[]) => {
      const level = levels[k]
      if (!level) return
      const merged = coarsen([...(open[k] ?? []), ...rows], level.width)
      const last = merged[merged.length - 1]
      const lastSpan = last ? last.t - (last.t % level.span) : -Infinity
      write(level, signal, merged.filter((r) => r.t < lastSpan))
      open[k] = merged.filter((r) => r.t >= lastSpan)
    }
    // all(), not iterate(): the connection cannot run the inserts while a statement is being stepped.
    for (const data of blocks.all(signal) as Uint8Array[]) {
      const minutes = aggregate(decodeBlock(data), MINUTE)
      add(0, minutes)
      add(1, coarsen(minutes, HOUR))
    }
    levels.forEach((level, k) => write(level, signal, open[k] ?? []))
  }
}
