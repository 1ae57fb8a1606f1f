import { decodeBlock } from './codec/block-codec'
import { TICK } from '../../core/ports/sample-store'
import { type Columns, lowerBound, sliceColumns, upperBound } from '../store-engine/columns'
import { concatColumns, mergeNewerWins, sortDedupe } from '../store-engine/merge'
import { HOUR, MINUTE, aggregate, coarsen } from '../store-engine/rollup'
import { SignalGrouper } from './group-by-signal'
import { type FrozenSet, Memtable } from './memtable'
import type { SignalState, StoreDb } from './store-db'

/** Samples per full block: big enough to pack well, small enough to decode one quickly. */
export const BLOCK_TARGET = 4096
/** Small blocks a signal may collect at its end before they are merged. */
const MAX_TAIL_BLOCKS = 8

/** Raw data of an hour that retention has started on is gone for good: late samples for it are refused. */
export const ceilHour = (t: number): number => Math.ceil(t / HOUR) * HOUR

/**
 * Moves recent samples into per-signal blocks and rollups. The active memtable is frozen, then its signals
 * are compacted a few at a time, one transaction per step, so appends are never held up for long.
 */
export class Compactor {
  private grouper: SignalGrouper | null = null
  private groups: FrozenSet | null = null
  private pending: number[] = []

  constructor(
    private readonly s: StoreDb,
    private readonly keepUndelivered: () => boolean,
    private readonly blockTarget = BLOCK_TARGET,
  ) {}

  /** Compacts for about `budgetMs`; returns the samples moved. A round is under way while `s.frozen` is set. */
  step(budgetMs: number): number {
    const s = this.s
    const deadline = performance.now() + budgetMs
    if (!s.frozen) {
      if (s.active.size === 0) return 0
      this.grouper = new SignalGrouper(s.active.batches)
      // Readers see the frozen batches as they are until they are grouped.
      s.frozen = s.active
      s.active = new Memtable()
      s.frozenSeq = s.lastSeq
    }
    if (this.grouper) {
      if (!this.grouper.step(deadline)) return 0
      this.groups = s.frozen = this.grouper.result()
      this.grouper = null
      this.pending = this.groups.signals()
    }
    const frozen = this.groups
    if (!frozen) return 0
    const done: number[] = []
    let moved = 0
    s.write(() => {
      for (const id of this.pending) {
        const state = s.signals.get(id)
        const rows = frozen.get(id)
        if (state && rows) moved += this.compactSignal(s.touch(state), rows)
        done.push(id)
        if (performance.now() >= deadline) break
      }
      if (done.length === this.pending.length) {
        s.setMeta('compacted_seq', s.frozenSeq)
        const upTo = this.keepUndelivered() ? Math.min(s.frozenSeq, s.syncSeq) : s.frozenSeq
        s.db.prepare('DELETE FROM log WHERE seq <= ?').run(upTo)
      }
    })
    for (const id of done) frozen.delete(id)
    this.pending = this.pending.slice(done.length)
    if (this.pending.length === 0) {
      s.compactedSeq = s.frozenSeq
      s.frozen = null
      this.groups = null
    }
    return moved
  }

  private compactSignal(st: SignalState, rows: Columns): number {
    const s = this.s
    const { cols, duplicates } = sortDedupe(rows)
    s.countResolved(st, 'duplicates', duplicates)
    // [0, late) are at or before data already in blocks; [0, expired) of those are older than raw kept.
    const late = upperBound(cols.ts, cols.n, st.maxTs)
    const expired = lowerBound(cols.ts, late, ceilHour(st.rawFrom))
    s.countResolved(st, 'expired', expired)
    if (late > expired) this.mergeLate(st, sliceColumns(cols, expired, late))
    if (late < cols.n) this.appendFresh(st, sliceColumns(cols, late, cols.n))
    st.compactedSeq = s.frozenSeq
    s.saveState(st)
    return cols.n - expired
  }

  /** Samples newer than anything in blocks: rollups grow in place, blocks append to the tail. */
  private appendFresh(st: SignalState, c: Columns): void {
    const { blocks, rollups } = this.s
    const minutes = aggregate(c, MINUTE)
    rollups['1m'].addNewer(st.id, minutes, st.maxTs)
    rollups['1h'].addNewer(st.id, coarsen(minutes, HOUR), st.maxTs)
    const target = this.blockTarget
    if (st.tailCount < MAX_TAIL_BLOCKS && st.tailN + c.n < target) {
      blocks.write(st.id, c)
      st.tailCount++
      st.tailN += c.n
    } else {
      const tail = blocks.startingAfter(st.id, st.sealedT)
      blocks.delete(tail.map((b) => b.id))
      const all = concatColumns([...tail.map((b) => decodeBlock(b.data)), c])
      const full = Math.floor(all.n / target)
      for (let i = 0; i < full; i++) blocks.write(st.id, sliceColumns(all, i * target, (i + 1) * target))
      if (full > 0) st.sealedT = all.ts[full * target - 1] ?? st.sealedT
      const rest = all.n - full * target
      if (rest > 0) blocks.write(st.id, sliceColumns(all, full * target, all.n))
      st.tailCount = rest > 0 ? 1 : 0
      st.tailN = rest
    }
    st.maxTs = c.ts[c.n - 1] ?? st.maxTs
  }

  /**
   * Samples at or before the newest compacted one: rewrite the blocks they fall in (they win over equal
   * timestamps) and recompute the rollups of the hours they touch from raw data.
   */
  private mergeLate(st: SignalState, late: Columns): void {
    const { blocks, rollups } = this.s
    const parts = blocks.overlapping(st.id, late.ts[0] ?? 0, late.ts[late.n - 1] ?? 0)
    const m = mergeNewerWins(concatColumns(parts.map((b) => decodeBlock(b.data))), late)
    this.s.countResolved(st, 'duplicates', m.duplicates)
    blocks.delete(parts.map((b) => b.id))
    const chunks = Math.ceil(m.cols.n / this.blockTarget)
    const size = Math.ceil(m.cols.n / chunks)
    for (let i = 0; i < m.cols.n; i += size) blocks.write(st.id, sliceColumns(m.cols, i, Math.min(m.cols.n, i + size)))
    const tail = blocks.tailStats(st.id, st.sealedT)
    st.tailCount = tail.count
    st.tailN = tail.n
    for (const [from, to] of hourRanges(late)) {
      const minutes = aggregate(blocks.read(st.id, from, to).cols, MINUTE)
      rollups['1m'].replace(st.id, from, to, minutes)
      rollups['1h'].replace(st.id, from, to, coarsen(minutes, HOUR))
    }
  }
}

/** Runs of consecutive hours holding the (sorted) samples, as inclusive ms ranges. */
function hourRanges(c: Columns): [number, number][] {
  const ranges: [number, number][] = []
  for (let i = 0; i < c.n; i++) {
    const h = Math.floor((c.ts[i] ?? 0) / HOUR) * HOUR
    const last = ranges[ranges.length - 1]
    if (last && h <= last[1] + TICK) last[1] = h + HOUR - TICK
    else ranges.push([h, h + HOUR - TICK])
  }
  return ranges
}
