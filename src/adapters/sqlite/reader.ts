import type { Sample } from '../../shared/model'
import { type BucketSeries, type RawSeries, TICK } from '../../core/ports/sample-store'
import { decodeBlock } from './codec/block-codec'
import { BucketAccumulator, type BucketPlan } from '../store-engine/buckets'
import { type Columns, ColumnsBuilder, qualityOf, sampleAt, valueAt } from '../store-engine/columns'
import { overlay, sortDedupe } from '../store-engine/merge'
import type { SignalState, StoreDb } from './store-db'

/** Queries over blocks, rollups and not yet compacted samples, merged with last-write-wins. */
export class Reader {
  constructor(private readonly s: StoreDb) {}

  /**
   * Every sample of [from, to], sorted; with `limit`, at least `limit` of the earliest (or all).
   * `recent`, if given, holds the signal's uncompacted rows for a range that covers [from, to].
   */
  columns(
    st: SignalState,
    from: number,
    to: number,
    limit = Infinity,
    recent?: Columns,
  ): { cols: Columns; complete: boolean } {
    const base = this.s.blocks.read(st.id, from, to, limit)
    // If blocks stopped early, recent samples past the last block sample belong to a later page.
    const until = base.complete ? to : (base.cols.ts[base.cols.n - 1] ?? to)
    const rows = recent ? within(recent, from, until) : this.s.recentRows(st.id, from, until)
    return { cols: overlay(base.cols, rows).cols, complete: base.complete }
  }

  raw(st: SignalState, from: number, to: number, limit: number): RawSeries {
    const { cols, complete } = this.columns(st, from, to, limit)
    const n = Math.min(cols.n, limit)
    const series: RawSeries = { signal: st.def.id, t: [], v: [], q: [], status: [], truncated: !complete || cols.n > limit }
    for (let i = 0; i < n; i++) {
      series.t.push(cols.ts[i] ?? 0)
      series.v.push(valueAt(cols, i))
      series.q.push(qualityOf(cols.flags[i] ?? 0))
      series.status.push(cols.status?.[i])
    }
    return series
  }

  /** `recent`: the signal's uncompacted rows in the plan's range. */
  buckets(st: SignalState, plan: BucketPlan, recent: Columns): BucketSeries {
    const acc = new BucketAccumulator(plan, st.def.dataType)
    if (plan.source === 'raw') {
      acc.addColumns(this.columns(st, plan.start, plan.end, Infinity, recent).cols)
      return acc.toSeries(st.def.id)
    }
    for (const row of this.s.rollups[plan.source].read(st.id, plan.start, plan.end)) acc.addRollup(row)
    if (recent.n === 0) return acc.toSeries(st.def.id)
    let late = false
    for (let i = 0; i < recent.n && !late; i++) late = (recent.ts[i] ?? 0) <= st.maxTs
    if (!late) {
      // Newer than everything in the rollups: they extend the buckets in time order.
      acc.addColumns(sortDedupe(recent).cols)
      return acc.toSeries(st.def.id)
    }
    // A late sample may replace one already counted in a rollup: redo its buckets from raw data.
    const redo = new Set<number>()
    for (let i = 0; i < recent.n; i++) redo.add(acc.indexOf(recent.ts[i] ?? 0))
    for (const b of redo) {
      acc.clear(b)
      const start = plan.start + b * plan.bucketMs
      acc.addColumns(this.columns(st, start, start + plan.bucketMs - TICK, Infinity, recent).cols)
    }
    return acc.toSeries(st.def.id)
  }

  /** `recent`: all of the signal's uncompacted rows. */
  latest(st: SignalState, recent: Columns): Sample | undefined {
    let best = -1
    for (let i = 0; i < recent.n; i++) if (best < 0 || (recent.ts[i] ?? 0) >= (recent.ts[best] ?? 0)) best = i
    if (best >= 0 && (recent.ts[best] ?? 0) >= st.maxTs) return sampleAt(st.def.id, recent, best)
    const last = this.s.blocks.last(st.id)
    if (!last) return best >= 0 ? sampleAt(st.def.id, recent, best) : undefined
    const c = decodeBlock(last.data)
    const fromBlock = sampleAt(st.def.id, c, c.n - 1)
    return best >= 0 && (recent.ts[best] ?? 0) >= fromBlock.ts ? sampleAt(st.def.id, recent, best) : fromBlock
  }

  count(st: SignalState, from: number, to: number): number {
    const recent = this.s.recentRows(st.id, from, to)
    if (recent.n === 0) return this.s.blocks.count(st.id, from, to)
    let late = false
    for (let i = 0; i < recent.n && !late; i++) late = (recent.ts[i] ?? 0) <= st.maxTs
    if (!late) return this.s.blocks.count(st.id, from, to) + sortDedupe(recent).cols.n
    return this.columns(st, from, to).cols.n
  }
}

function within(c: Columns, from: number, to: number): Columns {
  const out = new ColumnsBuilder(0)
  for (let i = 0; i < c.n; i++) {
    const t = c.ts[i] ?? 0
    if (t >= from && t <= to) out.pushFrom(c, i)
  }
  return out.view()
}
