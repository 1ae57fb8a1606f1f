import type { Sample } from '../../shared/model'
import type {
  AppendReceipt,
  Backlog,
  BucketQuery,
  BucketSeries,
  LoggedBatch,
  MaintenanceReport,
  RawSeries,
  SignalDef,
  StoreEvent,
  StoreRecovery,
  StoreStats,
} from '../../core/ports/sample-store'
import type { AppendInput, EngineOptions } from './engine'
import type { SignalRef, WireBatch } from './wire-batch'

/** What the worker thread answers, method by method. */
export interface WorkerApi {
  append(input: AppendInput): AppendReceipt
  registerSignals(defs: SignalDef[]): [string, SignalRef][]
  listSignals(): SignalDef[]
  queryRaw(signal: string, from: number, to: number, limit: number): RawSeries
  queryBuckets(query: BucketQuery): BucketSeries[]
  latest(signals: string[]): Sample[]
  count(signal: string, from: number, to: number): number
  setSyncWatermark(seq: number): void
  setCursor(name: string, seq: number): void
  cursors(): { name: string; seq: number }[]
  removeCursor(name: string): void
  backlog(afterSeq: number): Backlog
  readSince(afterSeq: number, maxSamples: number): LoggedBatch[]
  readSinceWire(afterSeq: number, maxSamples: number): { seq: number; batch: WireBatch }[]
  maintain(): MaintenanceReport
  stats(): StoreStats
  /** Tests: the file's page limit (`PRAGMA max_page_count`), to make the store full or give it room again. */
  setMaxPageCount(pages: number): number
  close(): void
}

export type Method = keyof WorkerApi

/** `now` carries the caller's clock, so that a test clock drives retention and compaction age too. */
export type Request = { [M in Method]: { id: number; now: number; method: M; args: Parameters<WorkerApi[M]> } }[Method]

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; code?: string }

export type Notice =
  | { type: 'ready'; signals: [string, SignalRef][]; durableSeq: number; recovery: StoreRecovery }
  | { type: 'fatal'; error: string }
  | { type: 'durable'; seq: number }
  | { type: 'event'; event: StoreEvent }

export interface WorkerOptions {
  engine: EngineOptions
  /** Above this many uncompacted samples, appends wait for compaction: back-pressure. */
  maxRecentSamples: number
  retentionIntervalMs: number
}

export interface WorkerData {
  /** Module the bootstrap loads (the worker's TypeScript source in development, built JS otherwise). */
  entry: string
  options: WorkerOptions
}
