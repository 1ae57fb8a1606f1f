import type { Sample, SignalId } from '../../shared/model'
import { type Clock, systemClock } from '../../core/ports/clock'
import type { Unsubscribe } from '../../core/ports/collector'
import {
  type AppendReceipt,
  type Backlog,
  type BucketQuery,
  type BucketSeries,
  DEFAULT_CURSOR,
  DEFAULT_MAX_FUTURE_MS,
  type LoggedBatch,
  type MaintenanceReport,
  type RawSeries,
  type SampleStore,
  type SignalDef,
  type SignalRejection,
  type SignalResolution,
  type StoreEvent,
  type StoreStats,
} from '../../core/ports/sample-store'
import { BucketAccumulator, planBuckets } from '../store-engine/buckets'
import { type Columns, ColumnsBuilder, qualityOf, sampleAt, valueAt } from '../store-engine/columns'
import { type Normalized, normalizeSample, normalized, zeroCounters } from '../store-engine/ingest-rules'

export interface MemorySampleStoreOptions {
  clock?: Clock
  maxFutureMs?: number
  /** Keep logged batches until the sync watermark passes them, as the SQLite store can. */
  keepUndelivered?: boolean
}

/**
 * SampleStore in memory, for unit tests of its users. Same validation, ordering and aggregation rules as
 * the real store (it passes the same contract suite); no rollups, retention or disk budget.
 */
export class MemorySampleStore implements SampleStore {
  durableSeq = 0
  private readonly defs = new Map<SignalId, SignalDef>()
  private readonly data = new Map<SignalId, Map<number, Normalized>>()
  private readonly newest = new Map<SignalId, number>()
  private log: LoggedBatch[] = []
  private readonly cursorSeqs = new Map<string, number>()
  private readonly counters = zeroCounters()
  private readonly durable = new Set<(seq: number) => void>()
  private closed = false
  private readonly events = new Set<(event: StoreEvent) => void>()

  constructor(private readonly options: MemorySampleStoreOptions = {}) {}

  async registerSignals(defs: readonly SignalDef[]): Promise<void> {
    this.check()
    // an update without an asset path keeps the one known (as the SQLite store does)
    for (const d of defs) {
      const assetPath = d.assetPath ?? this.defs.get(d.id)?.assetPath
      this.defs.set(d.id, { ...d, ...(assetPath === undefined ? {} : { assetPath }) })
    }
  }

  async listSignals(): Promise<SignalDef[]> {
    return [...this.defs.values()]
  }

  async append(batch: readonly Sample[]): Promise<AppendReceipt> {
    this.check()
    const now = (this.options.clock ?? systemClock).now()
    const kept: Sample[] = []
    let rejected = 0
    const rejections = new Map<string, SignalRejection>()
    const resolved = new Map<string, SignalResolution>()
    for (const s of batch) {
      const n = normalized()
      const maxFuture = this.options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS
      const why = normalizeSample(s, this.defs.get(s.signal)?.dataType, now, maxFuture, n)
      if (why !== null) {
        this.counters[why]++
        rejected++
        const key = `${why}\u0000${s.signal}`
        const r = rejections.get(key)
        if (r) r.count++
        else rejections.set(key, { signal: s.signal, reason: why, count: 1 })
        continue
      }
      if (n.nonFinite) this.counters.nonFinite++
      let series = this.data.get(s.signal)
      if (!series) this.data.set(s.signal, (series = new Map()))
      if (series.has(n.ts)) {
        this.counters.duplicates++
        const r = resolved.get(s.signal) ?? { signal: s.signal, duplicates: 0, expired: 0 }
        r.duplicates++
        resolved.set(s.signal, r)
      }
      series.delete(n.ts)
      series.set(n.ts, n)
      if (n.ts < (this.newest.get(s.signal) ?? -1)) this.counters.outOfOrder++
      else this.newest.set(s.signal, n.ts)
      kept.push(sampleAt(s.signal, columnsOf([n]), 0))
    }
    this.counters.accepted += kept.length
    if (kept.length > 0) {
      this.log.push({ seq: ++this.durableSeq, samples: kept })
      for (const cb of this.durable) cb(this.durableSeq)
    }
    // duplicates resolve at once here (the SQLite store finds them when it compacts)
    if (resolved.size > 0) queueMicrotask(() => this.events.forEach((cb) => cb({ type: 'resolved', signals: [...resolved.values()] })))
    return { seq: this.durableSeq, accepted: kept.length, rejected, ...(rejections.size > 0 ? { rejections: [...rejections.values()] } : {}) }
  }

  onDurable(cb: (seq: number) => void): Unsubscribe {
    this.durable.add(cb)
    return () => this.durable.delete(cb)
  }

  async queryRaw(signal: SignalId, from: number, to: number, limit = 100_000): Promise<RawSeries> {
    const c = this.columns(signal, from, to)
    const n = Math.min(c.n, limit)
    const out: RawSeries = { signal, t: [], v: [], q: [], status: [], truncated: c.n > limit }
    for (let i = 0; i < n; i++) {
      out.t.push(c.ts[i] ?? 0)
      out.v.push(valueAt(c, i))
      out.q.push(qualityOf(c.flags[i] ?? 0))
      out.status.push(c.status?.[i])
    }
    return out
  }

  async queryBuckets(q: BucketQuery): Promise<BucketSeries[]> {
    const plan = planBuckets(q.from, q.to, q.points)
    return q.signals.map((signal) => {
      const acc = new BucketAccumulator(plan, this.defs.get(signal)?.dataType ?? 'number')
      acc.addColumns(this.columns(signal, plan.start, plan.end))
      return acc.toSeries(signal)
    })
  }

  async latest(signals: readonly SignalId[]): Promise<Sample[]> {
    const out: Sample[] = []
    for (const signal of signals) {
      const c = this.columns(signal, 0, Infinity)
      if (c.n > 0) out.push(sampleAt(signal, c, c.n - 1))
    }
    return out
  }

  async count(signal: SignalId, from: number, to: number): Promise<number> {
    return this.columns(signal, from, to).n
  }

  async setSyncWatermark(seq: number): Promise<void> {
    await this.setCursor(DEFAULT_CURSOR, seq)
  }

  async setCursor(name: string, seq: number): Promise<void> {
    this.check()
    this.cursorSeqs.set(name, Math.max(0, Math.min(Math.max(this.cursorSeqs.get(name) ?? 0, Math.floor(seq)), this.durableSeq)))
  }

  async cursors(): Promise<{ name: string; seq: number }[]> {
    return [...this.cursorSeqs].map(([name, seq]) => ({ name, seq }))
  }

  async backlog(afterSeq: number): Promise<Backlog> {
    const after = this.log.filter((b) => b.seq > afterSeq)
    const samples = after.reduce((n, b) => n + b.samples.length, 0)
    const first = after[0]?.samples.map((s) => s.ts)
    // about what the SQLite store logs per sample (id, time, value, flags)
    return { batches: after.length, samples, bytes: samples * 21, oldestTs: first && first.length > 0 ? Math.min(...first) : null }
  }

  async removeCursor(name: string): Promise<void> {
    this.cursorSeqs.delete(name)
  }

  /** The slowest cursor; 0 when there is none. */
  private get syncSeq(): number {
    const seqs = [...this.cursorSeqs.values()]
    return seqs.length === 0 ? 0 : Math.min(...seqs)
  }

  async readSince(afterSeq: number, maxSamples: number): Promise<LoggedBatch[]> {
    const out: LoggedBatch[] = []
    let total = 0
    for (const b of this.log) {
      if (b.seq <= afterSeq) continue
      if (total > 0 && total + b.samples.length > maxSamples) break
      out.push(b)
      total += b.samples.length
    }
    return out
  }

  async maintain(): Promise<MaintenanceReport> {
    this.check()
    const upTo = this.options.keepUndelivered ? this.syncSeq : this.durableSeq
    const before = this.log.reduce((n, b) => n + b.samples.length, 0)
    this.log = this.log.filter((b) => b.seq > upTo)
    return { compactedSamples: before, rawDeleted: 0, rollupsDeleted: 0, undeliveredDropped: 0 }
  }

  async stats(): Promise<StoreStats> {
    return {
      state: 'ok',
      counters: { ...this.counters },
      durableSeq: this.durableSeq,
      syncSeq: this.syncSeq,
      cursors: Object.fromEntries(this.cursorSeqs),
      oldestTs: this.oldestTs(),
      signals: this.defs.size,
      recentSamples: 0,
      diskBytes: 0,
      diskBudgetBytes: null,
    }
  }

  onEvent(cb: (event: StoreEvent) => void): Unsubscribe {
    this.events.add(cb)
    return () => this.events.delete(cb)
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private oldestTs(): number | null {
    let oldest = Infinity
    for (const series of this.data.values()) for (const ts of series.keys()) if (ts < oldest) oldest = ts
    return oldest === Infinity ? null : oldest
  }

  private check(): void {
    if (this.closed) throw new Error('store closed')
  }

  private columns(signal: SignalId, from: number, to: number): Columns {
    const series = [...(this.data.get(signal)?.values() ?? [])].filter((n) => n.ts >= from && n.ts <= to)
    return columnsOf(series.sort((a, b) => a.ts - b.ts))
  }
}

function columnsOf(rows: readonly Normalized[]): Columns {
  const b = new ColumnsBuilder(rows.length)
  for (const r of rows) b.push(r.ts, r.num, r.flags, r.text, r.status)
  return b.view()
}
