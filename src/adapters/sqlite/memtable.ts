import { type Columns, ColumnsBuilder } from '../store-engine/columns'
import { type WireBatch, forEachSample } from './wire-batch'

/**
 * Samples appended but not yet compacted, kept as the batches arrived: appending costs nothing per sample.
 * (Sorting them per signal as they come costs a cache miss or more per sample once thousands of signals
 * interleave; compaction does it in bulk instead.) Everything here is also in the `log` table, which
 * rebuilds it after a restart.
 */
export class Memtable {
  readonly batches: WireBatch[] = []
  size = 0
  /** Wall time of the first sample added, for age-based compaction. */
  since = 0

  add(b: WireBatch, now: number): void {
    if (b.n === 0) return
    if (this.size === 0) this.since = now
    this.batches.push(b)
    this.size += b.n
  }

  /**
   * Rows in [from, to] of the signals in `out` (by id), in arrival order, appended to their builders.
   * One pass whatever the number of signals: a trend asks for many at once.
   */
  collect(out: ReadonlyMap<number, ColumnsBuilder>, from: number, to: number): void {
    if (this.size === 0 || out.size === 0) return
    const wanted: (ColumnsBuilder | undefined)[] = []
    for (const [id, b] of out) wanted[id] = b
    for (const b of this.batches) {
      const { sig, ts, num, flags } = b
      if (b.texts.length + b.statuses.length > 0) {
        forEachSample(b, (i, text, status) => {
          const t = ts[i] ?? 0
          if (t >= from && t <= to) wanted[sig[i] ?? 0]?.push(t, num[i] ?? 0, flags[i] ?? 0, text, status)
        })
        continue
      }
      for (let i = 0; i < b.n; i++) {
        const target = wanted[sig[i] ?? 0]
        const t = ts[i] ?? 0
        if (target && t >= from && t <= to) target.push(t, num[i] ?? 0, flags[i] ?? 0)
      }
    }
  }
}

/** A frozen memtable, grouped by signal for compaction. */
export class FrozenSet {
  size = 0

  constructor(private readonly bySignal: (Columns | undefined)[]) {
    for (const c of bySignal) if (c) this.size += c.n
  }

  get(signal: number): Columns | undefined {
    return this.bySignal[signal]
  }

  signals(): number[] {
    const ids: number[] = []
    this.bySignal.forEach((c, id) => c && ids.push(id))
    return ids
  }

  delete(signal: number): void {
    const c = this.bySignal[signal]
    if (!c) return
    this.size -= c.n
    this.bySignal[signal] = undefined
  }

  collect(out: ReadonlyMap<number, ColumnsBuilder>, from: number, to: number): void {
    for (const [id, b] of out) {
      const c = this.bySignal[id]
      if (!c) continue
      for (let i = 0; i < c.n; i++) {
        const t = c.ts[i] ?? 0
        if (t >= from && t <= to) b.pushFrom(c, i)
      }
    }
  }
}
