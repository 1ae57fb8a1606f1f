import { statSync } from 'node:fs'
import type { Sample } from '../../shared/model'
import type {
  AppendReceipt,
  Backlog,
  SignalRejection,
  SignalResolution,
  BucketQuery,
  BucketSeries,
  LoggedBatch,
  MaintenanceReport,
  RawSeries,
  SignalDef,
  StoreRecovery,
  StoreStats,
} from '../../core/ports/sample-store'
import { DEFAULT_CURSOR } from '../../core/ports/sample-store'
import { planBuckets } from '../store-engine/buckets'
import { emptyColumns, sampleAt } from '../store-engine/columns'
import { BLOCK_TARGET, Compactor, ceilHour } from './compactor'
import { Reader } from './reader'
import { Retention, type RetentionPolicy, type RetentionResult } from './retention'
import { type SignalRowDb, StoreDb, openDatabase } from './store-db'
import {
  type IngestCounts,
  type LogRow,
  type SignalRef,
  type WireBatch,
  batchColumns,
  countRejection,
  filterBatch,
  fromLogRow,
  toLogParams,
} from './wire-batch'

export interface EngineOptions {
  path: string
  synchronous: 'normal' | 'full'
  retention: RetentionPolicy
  /** Compact once this many samples wait, or once the oldest has waited `compactAfterMs`. */
  compactAtSamples: number
  compactAfterMs: number
  blockTarget?: number
  /** Tests: `PRAGMA max_page_count`, so the file is "full" at this many pages. */
  maxPageCount?: number
}

export interface AppendInput {
  batch: WireBatch
  counts: IngestCounts
}

/**
 * The whole store, synchronous (about 300 lines: the one place where appends, reads, compaction and retention
 * meet; each of those lives in its own file and this only sequences them): the worker thread drives it. Usable directly where blocking is fine
 * (tests, benchmarks, tools).
 */
export class StoreEngine {
  readonly s: StoreDb
  private readonly reader: Reader
  private readonly compactor: Compactor
  private readonly retention: Retention
  private readonly insertLog
  private readonly upsertSignal
  private readonly upsertCursor
  private readonly firstBlock

  constructor(
    private readonly opts: EngineOptions,
    readonly now: () => number = Date.now,
  ) {
    this.s = new StoreDb(openDatabase(opts.path, opts.synchronous))
    if (opts.maxPageCount !== undefined) this.setMaxPageCount(opts.maxPageCount)
    this.reader = new Reader(this.s)
    this.compactor = new Compactor(this.s, () => opts.retention.keepUndelivered, opts.blockTarget ?? BLOCK_TARGET)
    this.retention = new Retention(this.s, opts.retention)
    this.insertLog = this.s.db.prepare('INSERT INTO log (seq, n, sig, ts, num, flags, extra) VALUES (?, ?, ?, ?, ?, ?, ?)')
    this.upsertSignal = this.s.db.prepare(`INSERT INTO signal (key, name, data_type, unit, connection, binding, asset_path)
      VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name, data_type = excluded.data_type,
      unit = excluded.unit, connection = excluded.connection, binding = excluded.binding,
      asset_path = coalesce(excluded.asset_path, signal.asset_path) RETURNING *`)
    this.upsertCursor = this.s.db.prepare('INSERT INTO cursor (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq')
    this.firstBlock = this.s.db.prepare('SELECT t0 FROM block WHERE signal = ? ORDER BY t0 LIMIT 1').pluck()
    // 'open' stays 1 from here until a clean close: finding it set means the last run did not close the file
    const wasOpen = this.s.db.prepare("SELECT value FROM meta WHERE key = 'open'").pluck().get() === 1
    const replayed = this.replayLog()
    this.recovery = { unclean: wasOpen, ...replayed }
    this.s.db.prepare("INSERT INTO meta (key, value) VALUES ('open', 1) ON CONFLICT (key) DO UPDATE SET value = 1").run()
  }

  /** What opening found: whether the last run stopped without closing the store, and what was replayed. */
  readonly recovery: StoreRecovery

  /** Rebuilds the memtable from batches committed but not compacted before the last close or crash. */
  private replayLog(): { batches: number; samples: number } {
    const s = this.s
    const rows = s.db.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq').all(s.compactedSeq) as LogRow[]
    let samples = 0
    for (const row of rows) {
      const b = fromLogRow(row)
      // A signal may have been compacted past this batch before a crash cut its compaction round short.
      filterBatch(b, (i) => row.seq > (s.byId[b.sig[i] ?? 0]?.compactedSeq ?? Infinity))
      for (let i = 0; i < b.n; i++) {
        const st = s.byId[b.sig[i] ?? 0]
        if (st && (b.ts[i] ?? 0) > st.lastSeen) st.lastSeen = b.ts[i] ?? 0
      }
      s.active.add(b, this.now())
      samples += b.n
    }
    return { batches: rows.length, samples }
  }

  registerSignals(defs: readonly SignalDef[]): void {
    this.s.write(() => {
      for (const d of defs) {
        const row = this.upsertSignal.get(d.id, d.name, d.dataType, d.unit ?? null, d.connection, d.binding ?? null, d.assetPath ?? null)
        this.s.track(row as SignalRowDb)
      }
    })
  }

  signalRefs(): [string, SignalRef][] {
    return [...this.s.signals.values()].map((st) => [st.def.id, { id: st.id, dataType: st.def.dataType }])
  }

  listSignals(): SignalDef[] {
    return [...this.s.signals.values()].map((st) => st.def)
  }

  /** Commits the batches in one transaction (group commit); returns per batch its seq and counts. */
  append(inputs: readonly AppendInput[]): AppendReceipt[] {
    const s = this.s
    const logged: WireBatch[] = []
    let seq = s.lastSeq
    const results = s.write(() => {
      const out = inputs.map(({ batch, counts }) => {
        for (const [name, n] of Object.entries(counts)) s.count(name as keyof IngestCounts, n)
        const before = batch.n
        const expired = this.markExpired(batch)
        let rejections: SignalRejection[] | undefined
        if (expired) {
          const bySignal = new Map<string, SignalRejection>()
          for (let i = 0; i < batch.n; i++) if (expired[i] === 1) countRejection(bySignal, this.keyOf(batch.sig[i] ?? 0), 'expired')
          rejections = [...bySignal.values()]
          filterBatch(batch, (i) => expired[i] === 0)
        }
        s.count('accepted', batch.n)
        if (batch.n > 0) {
          this.insertLog.run(++seq, ...toLogParams(batch))
          logged.push(batch)
        }
        return { seq, accepted: batch.n, rejected: before - batch.n, ...(rejections ? { rejections } : {}) }
      })
      if (logged.length > 0) s.setMeta('last_seq', seq)
      return out
    })
    s.lastSeq = seq
    for (const batch of logged) s.active.add(batch, this.now())
    return results
  }

  /**
   * Counts out-of-order samples, and finds the ones older than the raw data kept for their signal
   * (1 in the returned mask; null when there are none).
   */
  private markExpired(b: WireBatch): Uint8Array | null {
    const s = this.s
    let mask: Uint8Array | null = null
    let outOfOrder = 0
    for (let i = 0; i < b.n; i++) {
      const st = s.byId[b.sig[i] ?? 0]
      const ts = b.ts[i] ?? 0
      if (!st || (ts <= st.maxTs && ts < ceilHour(st.rawFrom))) {
        ;(mask ??= new Uint8Array(b.n))[i] = 1
        continue
      }
      if (ts < st.lastSeen) outOfOrder++
      else st.lastSeen = ts
    }
    s.count('outOfOrder', outOfOrder)
    if (mask) s.count('expired', mask.reduce((a, x) => a + x, 0))
    return mask
  }

  private keyOf(id: number): string {
    return this.s.byId[id]?.def.id ?? `#${id}`
  }

  /** Per-signal duplicates and late expiries resolved by compaction since the last call (for accounting). */
  takeResolved(): SignalResolution[] {
    return this.s.takeResolved()
  }

  queryRaw(key: string, from: number, to: number, limit: number): RawSeries {
    const st = this.s.byKey.get(key)
    if (!st) return { signal: key, t: [], v: [], q: [], status: [], truncated: false }
    return this.reader.raw(st, from, to, limit)
  }

  queryBuckets(q: BucketQuery): BucketSeries[] {
    const plan = planBuckets(q.from, q.to, q.points)
    const known = q.signals.flatMap((key) => this.s.byKey.get(key) ?? [])
    const recent = this.s.recentOf(known.map((st) => st.id), plan.start, plan.end)
    return q.signals.map((key) => {
      const st = this.s.byKey.get(key)
      if (st) return this.reader.buckets(st, plan, recent.get(st.id) ?? emptyColumns())
      const { bucketMs, source } = plan
      return { signal: key, bucketMs, source, t: [], count: [], min: [], max: [], avg: [], first: [], last: [] }
    })
  }

  latest(keys: readonly string[]): Sample[] {
    const known = keys.flatMap((key) => this.s.byKey.get(key) ?? [])
    const recent = this.s.recentOf(known.map((st) => st.id))
    return known.flatMap((st) => this.reader.latest(st, recent.get(st.id) ?? emptyColumns()) ?? [])
  }

  count(key: string, from: number, to: number): number {
    const st = this.s.byKey.get(key)
    return st ? this.reader.count(st, from, to) : 0
  }

  setSyncWatermark(seq: number): void {
    this.setCursor(DEFAULT_CURSOR, seq)
  }

  /** Creates or moves a named cursor forward (never back, never past the last commit). */
  setCursor(name: string, seq: number): void {
    const s = this.s
    const known = s.cursors.get(name)
    const next = Math.max(0, Math.min(Math.max(known ?? 0, Math.floor(seq)), s.lastSeq))
    if (next === known) return
    s.write(() => this.upsertCursor.run(name, next))
    s.cursors.set(name, next)
  }

  cursors(): { name: string; seq: number }[] {
    return [...this.s.cursors].map(([name, seq]) => ({ name, seq }))
  }

  backlog(afterSeq: number): Backlog {
    const r = this.s.db
      .prepare(`SELECT count(*) AS batches, coalesce(sum(n), 0) AS samples,
        coalesce(sum(length(sig) + length(ts) + length(num) + length(flags) + coalesce(length(extra), 0)), 0) AS bytes
        FROM log WHERE seq > ?`)
      .get(afterSeq) as Omit<Backlog, 'oldestTs'>
    const first = this.s.db.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq LIMIT 1').get(afterSeq) as LogRow | undefined
    let oldestTs: number | null = null
    if (first) {
      const b = fromLogRow(first)
      for (let i = 0; i < b.n; i++) oldestTs = Math.min(oldestTs ?? Infinity, b.ts[i] ?? Infinity)
    }
    return { ...r, oldestTs }
  }

  removeCursor(name: string): void {
    if (!this.s.cursors.has(name)) return
    this.s.write(() => this.s.db.prepare('DELETE FROM cursor WHERE name = ?').run(name))
    this.s.cursors.delete(name)
  }

  /** The oldest raw sample kept: each signal's first block (an index lookup), else the oldest uncompacted one. */
  oldestTs(): number | null {
    let oldest = Infinity
    for (const st of this.s.signals.values()) {
      const t = this.firstBlock.get(st.id) as number | undefined
      if (t !== undefined && t < oldest) oldest = t
    }
    if (oldest === Infinity) {
      for (const m of [this.s.frozen, this.s.active]) {
        if (!(m && 'batches' in m)) continue
        for (const b of m.batches) for (let i = 0; i < b.n; i++) oldest = Math.min(oldest, b.ts[i] ?? Infinity)
      }
    }
    return oldest === Infinity ? null : oldest
  }

  /** `readSince` as packed batches (signal ids, typed arrays): the caller's thread makes the samples. */
  readSinceWire(afterSeq: number, maxSamples: number): { seq: number; batch: WireBatch }[] {
    const out: { seq: number; batch: WireBatch }[] = []
    let total = 0
    const rows = this.s.db.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq').iterate(afterSeq)
    for (const row of rows as IterableIterator<LogRow>) {
      if (total > 0 && total + row.n > maxSamples) break
      out.push({ seq: row.seq, batch: fromLogRow(row) })
      total += row.n
    }
    return out
  }

  readSince(afterSeq: number, maxSamples: number): LoggedBatch[] {
    const out: LoggedBatch[] = []
    let total = 0
    const rows = this.s.db.prepare('SELECT * FROM log WHERE seq > ? ORDER BY seq').iterate(afterSeq)
    for (const row of rows as IterableIterator<LogRow>) {
      if (total > 0 && total + row.n > maxSamples) break
      const b = fromLogRow(row)
      const cols = batchColumns(b)
      const samples: Sample[] = []
      for (let i = 0; i < b.n; i++) {
        const st = this.s.byId[b.sig[i] ?? 0]
        if (st) samples.push(sampleAt(st.def.id, cols, i))
      }
      out.push({ seq: row.seq, samples })
      total += row.n
    }
    return out
  }

  compactionDue(): boolean {
    const { active, frozen } = this.s
    if (frozen) return true
    if (active.size >= this.opts.compactAtSamples) return true
    return active.size > 0 && this.now() - active.since >= this.opts.compactAfterMs
  }

  get recentSamples(): number {
    return this.s.active.size + (this.s.frozen?.size ?? 0)
  }

  /** One bounded compaction step; returns the samples moved. */
  compactStep(budgetMs: number): number {
    return this.compactor.step(budgetMs)
  }

  enforceRetention(): RetentionResult {
    return this.retention.run(this.now())
  }

  maintain(): { report: MaintenanceReport; retention: RetentionResult } {
    let compactedSamples = 0
    for (let moved = this.compactStep(Infinity); moved > 0 || this.s.frozen; moved = this.compactStep(Infinity)) {
      compactedSamples += moved
    }
    const r = this.enforceRetention()
    const { rawDeleted, rollupsDeleted, undeliveredDropped } = r
    return { report: { compactedSamples, rawDeleted, rollupsDeleted, undeliveredDropped }, retention: r }
  }

  stats(): StoreStats {
    const s = this.s
    const diskBytes =
      this.opts.path === ':memory:'
        ? this.retention.usedBytes()
        : fileSize(this.opts.path) + fileSize(`${this.opts.path}-wal`)
    return {
      state: 'ok', // the worker, which sees the failures, overrides it
      counters: { ...s.counters },
      durableSeq: s.lastSeq,
      syncSeq: s.syncSeq,
      cursors: Object.fromEntries(s.cursors),
      oldestTs: this.oldestTs(),
      signals: s.signals.size,
      recentSamples: this.recentSamples,
      diskBytes,
      diskBudgetBytes: this.opts.retention.diskBudgetBytes,
      // read back from SQLite, not from the options: what the connection really does (2 = FULL, 3 = EXTRA)
      durability: (s.db.pragma('synchronous', { simple: true }) as number) >= 2 ? 'power-loss' : 'process-crash',
    }
  }

  /** SQLite keeps the limit at least at the pages in use; returns the limit now in force. */
  setMaxPageCount(pages: number): number {
    return Number(this.s.db.pragma(`max_page_count = ${Math.floor(pages)}`, { simple: true }))
  }

  close(): void {
    this.s.db.prepare("UPDATE meta SET value = 0 WHERE key = 'open'").run()
    this.s.db.close()
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}
