import type { Quality, Sample, SampleValue, SignalId, SignalInfo } from '../../shared/model'
import type { Unsubscribe } from './collector'

/**
 * The store's time resolution: one microsecond, in ms. Stored timestamps are ms since the epoch with at most
 * 3 decimals (`toTick` on ingest), so two samples a microsecond apart are distinct and equal times compare
 * exactly. Inclusive range ends are `end` itself (`upperBound`), never `end + 1`; the last instant before `t` is
 * `t - TICK`. Blocks encode the times as integer microseconds (block-codec).
 */
export const TICK = 0.001
/** Rounds a time in ms to the store's resolution (the microsecond). */
export const toTick = (ms: number): number => Math.round(ms * 1000) / 1000
/** Largest timestamp kept: integer microseconds must stay exact in a double (2^53 µs is year 2255). */
export const MAX_TS = 9_007_199_254_740

/** Default for how far ahead of the clock a timestamp may be: devices drift, but not by hours. */
export const DEFAULT_MAX_FUTURE_MS = 60 * 60_000

/** What the store keeps about a signal. `binding` is its address inside the connection (NodeId, topic + path). */
export type SignalDef = Pick<SignalInfo, 'id' | 'name' | 'dataType' | 'unit' | 'connection'> & {
  binding?: string
  /** Where the plant shows the signal (`Plant/Line2/Pump201/Speed`): history and the sync tag samples by equipment with it. */
  assetPath?: string
}

/** Why the store refused samples at append; the counter of the same name in StoreCounters counts them too. */
export type StoreRejection = 'unknownSignal' | 'wrongType' | 'badTimestamp' | 'futureTimestamp' | 'expired'

/** Samples of one signal the store refused in one append, and why. */
export interface SignalRejection {
  signal: SignalId
  reason: StoreRejection
  count: number
}

/** Answer to `append`: the batch is committed (it survives a crash of the process) once this resolves. */
export interface AppendReceipt {
  /** Sequence number of the commit that holds the batch; every sample at or below it is durable. */
  seq: number
  accepted: number
  rejected: number
  /** Per signal and reason, the `rejected` samples (absent when none were). */
  rejections?: SignalRejection[]
}

/**
 * Accepted samples that, once compaction resolved them, did not stay: `duplicates` replaced by a later sample of
 * the same signal and timestamp, `expired` older than the raw data kept for the signal.
 */
export interface SignalResolution {
  signal: SignalId
  duplicates: number
  expired: number
}

/** Raw samples of one signal, ascending time, as parallel arrays. */
export interface RawSeries {
  signal: SignalId
  t: number[]
  v: SampleValue[]
  q: Quality[]
  /** Raw status per sample; `undefined` where none was given. */
  status: (string | undefined)[]
  /** True when `limit` cut the series: more samples exist after the last one. */
  truncated: boolean
}

export interface BucketQuery {
  signals: SignalId[]
  from: number
  /** Inclusive. */
  to: number
  /** At most this many buckets per signal; at least 2. */
  points: number
}

/**
 * Aggregates of one signal per time bucket. Buckets are `bucketMs` wide, aligned on multiples of
 * `bucketMs` since the epoch, and cover every bucket that intersects [from, to] (so the first and last
 * may reach outside it). Only buckets holding samples are listed, ascending. Numbers and booleans (as 0/1)
 * feed min/max/avg; strings and nulls only count. `first`/`last` are the values of the bucket's first
 * and last samples, whatever their type.
 */
export interface BucketSeries {
  signal: SignalId
  bucketMs: number
  /** Where the aggregates came from; rollups are used when the bucket width is a multiple of theirs. */
  source: 'raw' | '1m' | '1h'
  t: number[]
  count: number[]
  min: (number | null)[]
  max: (number | null)[]
  avg: (number | null)[]
  first: SampleValue[]
  last: SampleValue[]
}

/** One committed append, as the sync engine reads it back. */
export interface LoggedBatch {
  seq: number
  samples: Sample[]
}

/**
 * Per-cause counters since the store file was created. Every bad input has one:
 * rejected samples are not stored; flagged ones are stored in a defined form.
 */
export interface StoreCounters {
  accepted: number
  /** Rejected: signal never registered. */
  unknownSignal: number
  /** Rejected: value type differs from the signal's data type (null is always allowed). */
  wrongType: number
  /** Rejected: timestamp not an integer number of ms, or before 1970. */
  badTimestamp: number
  /** Rejected: timestamp further ahead of the clock than `maxFutureMs`. */
  futureTimestamp: number
  /** Rejected: older than the raw data the store still keeps for that signal (its hour was already expired). */
  expired: number
  /** Stored as value null, quality bad, status 'NaN' / 'Infinity' / '-Infinity'. */
  nonFinite: number
  /** Stored: timestamp older than the newest already received for that signal. */
  outOfOrder: number
  /** Replaced by a later sample with the same signal and timestamp (last write wins); counted when resolved. */
  duplicates: number
  /** Raw samples deleted by retention (age or budget). */
  rawDeleted: number
  /** Rollup rows deleted by retention. */
  rollupsDeleted: number
  /** Samples deleted before the sync delivered them, because the disk budget forced it. */
  undeliveredDropped: number
}

/**
 * 'full': the last write failed for want of space (a full disk, or the file's page limit); appends reject
 * with code `store.disk_full` and nothing of theirs is stored, reads keep answering. Each later append
 * is tried again as it comes; the first that commits makes the state 'ok' again, without a restart.
 */
export type StoreState = 'ok' | 'full'

/** Code of the error an append rejects with while the store has no room. */
export const STORE_DISK_FULL = 'store.disk_full'

/** A store call that failed with a stable code (`store.disk_full`, …). */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Logged batches after a cursor (see `backlog`). */
export interface Backlog {
  batches: number
  samples: number
  bytes: number
  /** The oldest timestamp in the first batch after the cursor (null: nothing after it). */
  oldestTs: number | null
}

/** The cursor `setSyncWatermark` moves. */
export const DEFAULT_CURSOR = 'default'

export interface StoreStats {
  state: StoreState
  counters: StoreCounters
  durableSeq: number
  /** The slowest cursor's seq (0 when there is none): what retention may delete up to when keeping undelivered data. */
  syncSeq: number
  /** Every named cursor (see `setCursor`), by name. */
  cursors?: Record<string, number>
  /** Timestamp of the oldest raw sample kept (null: none yet), for the status bar. */
  oldestTs?: number | null
  signals: number
  /** Samples received but not yet compacted into blocks. */
  recentSamples: number
  /** Bytes of the store on disk, and the budget (null: none). */
  diskBytes: number
  diskBudgetBytes: number | null
  /** What an acknowledged sample survives: a crash of the process, or also a power loss (an fsync per commit). */
  durability?: 'process-crash' | 'power-loss'
}

/**
 * What opening the store found. `unclean`: the last run stopped without closing it (a crash, a kill, a power cut);
 * `batches`/`samples`: committed appends not yet compacted, replayed from the log — after an unclean stop,
 * the samples recovered.
 */
export interface StoreRecovery {
  unclean: boolean
  batches: number
  samples: number
}

export interface MaintenanceReport {
  compactedSamples: number
  rawDeleted: number
  rollupsDeleted: number
  undeliveredDropped: number
}

export type StoreEvent =
  /** The disk budget forced deletions; `undeliveredSamples` were lost before the sync delivered them. */
  | { type: 'budget-deleted'; rawSamples: number; rollupRows: number; undeliveredSamples: number }
  /**
   * Background work (compaction, retention) failed and will be retried; the store keeps accepting writes.
   * Also sent if the store's thread dies, after which every call rejects.
   */
  | { type: 'error'; message: string }
  /** The state changed (see StoreState); `message` says why (the failure entering 'full'). */
  | { type: 'state'; state: StoreState; message: string }
  /** Compaction resolved accepted samples that do not stay (see SignalResolution); for per-signal accounting. */
  | { type: 'resolved'; signals: SignalResolution[] }

/**
 * Local history of samples: crash-safe, bounded, with rollups.
 *
 * Contract:
 * - `append` validates every sample (see StoreCounters for what happens to bad input), and resolves once
 *   the accepted ones are committed; the receipt's `seq` then is at or below `durableSeq`.
 *   Receipts resolve in call order. Callers should await them: that is the store's back-pressure.
 * - Reads see every acknowledged sample, compacted or not, with last-write-wins on equal timestamps.
 * - Time ranges are inclusive, in ms since the epoch.
 * - `maintain` runs compaction and retention now; they also run on their own. It never changes query
 *   results except by deleting what retention deletes.
 * - Nothing blocks the caller's event loop for more than a few milliseconds.
 */
export interface SampleStore {
  /** Adds signals or updates their definition (a type change applies to new samples only). */
  registerSignals(defs: readonly SignalDef[]): Promise<void>
  listSignals(): Promise<SignalDef[]>

  append(batch: readonly Sample[]): Promise<AppendReceipt>
  /** Highest seq known committed. */
  readonly durableSeq: number
  /** What opening found (stores that persist nothing leave it out). */
  readonly recovery?: StoreRecovery
  onDurable(cb: (seq: number) => void): Unsubscribe

  /** Samples in [from, to], ascending; at most `limit` (default 100,000). */
  queryRaw(signal: SignalId, from: number, to: number, limit?: number): Promise<RawSeries>
  /** Decimated series for a trend: raw data or rollups, whichever fits the bucket width. Unknown signals: empty. */
  queryBuckets(query: BucketQuery): Promise<BucketSeries[]>
  /** Newest sample (greatest timestamp) of each signal that has one. */
  latest(signals: readonly SignalId[]): Promise<Sample[]>
  /** Number of samples of a signal in [from, to]. */
  count(signal: SignalId, from: number, to: number): Promise<number>

  /** The sync has delivered every sample up to `seq`; retention may now delete them. Never moves back. The cursor named `default`. */
  setSyncWatermark(seq: number): Promise<void>
  /**
   * One named cursor per sync sink: every batch up to `seq` is delivered to it. Never moves back (a lower seq is
   * ignored), never past `durableSeq`; created at `seq` when new. With `keepUndelivered`, retention keeps what the
   * slowest cursor has not passed, until the disk budget forces otherwise (counted in `undeliveredDropped`).
   * Persisted with the data.
   */
  setCursor(name: string, seq: number): Promise<void>
  /** Every cursor and its seq. */
  cursors(): Promise<{ name: string; seq: number }[]>
  /** What the log holds after `afterSeq`: samples, their bytes as logged, and the oldest timestamp of the first batch there. */
  backlog(afterSeq: number): Promise<Backlog>
  /** Forgets a cursor (a sink removed or disabled): it no longer holds back retention. */
  removeCursor(name: string): Promise<void>
  /**
   * Committed batches after `afterSeq`, oldest first, up to about `maxSamples` samples (whole batches),
   * holding the accepted samples as stored (NaN already turned into a bad null, and so on).
   * A store that keeps undelivered data holds every batch after the sync watermark until the disk budget
   * forces otherwise; otherwise batches leave this log once compacted.
   */
  readSince(afterSeq: number, maxSamples: number): Promise<LoggedBatch[]>

  maintain(): Promise<MaintenanceReport>
  stats(): Promise<StoreStats>
  onEvent(cb: (event: StoreEvent) => void): Unsubscribe
  /** Finishes the calls already made, then releases the file. Further calls reject. */
  close(): Promise<void>
}
