import { Worker } from 'node:worker_threads'
import { type Clock, systemClock } from '../../core/ports/clock'
import { DEFAULT_MAX_FUTURE_MS, type SampleStore } from '../../core/ports/sample-store'
import { BLOCK_TARGET } from './compactor'
import type { WorkerData } from './protocol'
import { WorkerSampleStore } from './store-client'

const DAY = 24 * 3_600_000

export interface SqliteSampleStoreOptions {
  /** Database file; created (and migrated) if needed. */
  path: string
  clock?: Clock
  /** Raw samples are kept this long (default 30 days), then only rollups. */
  rawMaxAgeMs?: number
  /** Default 400 days; at least `rawMaxAgeMs`. */
  rollup1mMaxAgeMs?: number
  /** Default 10 years; at least `rollup1mMaxAgeMs`. */
  rollup1hMaxAgeMs?: number
  /** Bytes the file may use; default none. Over it, retention deletes oldest data first (see docs/store.md). */
  diskBudgetBytes?: number | null
  /** Keep appended batches for the sync engine until `setSyncWatermark` passes them (default false). */
  keepUndelivered?: boolean
  /** Default 1 hour. */
  maxFutureMs?: number
  /** 'normal' (default) survives a crash of the process; 'full' also a power loss, at an fsync per commit. */
  synchronous?: 'normal' | 'full'
  /**
   * Compact when this many samples wait (default 2,000,000) or the oldest waited `compactAfterMs` (default
   * 30 s). Big rounds amortise the per-signal cost of a round (a block and a few rollup rows per signal).
   */
  compactAtSamples?: number
  compactAfterMs?: number
  /** Appends wait for compaction above this many uncompacted samples (default 4,000,000). */
  maxRecentSamples?: number
  /** Default 60 s. */
  retentionIntervalMs?: number
  /** Samples per full block (default 4096). Tests set it small to exercise block merging on little data. */
  blockTarget?: number
  /** Tests: the file's page limit (`PRAGMA max_page_count`), to make it full on little data. */
  maxPageCount?: number
  /** Worker entry for bundled builds; default: this folder's TypeScript worker, loaded through tsx. */
  workerEntry?: URL
}

/** Opens the SQLite sample store in its own worker thread. */
export function openSqliteSampleStore(o: SqliteSampleStoreOptions): Promise<SampleStore> {
  const rawMaxAgeMs = o.rawMaxAgeMs ?? 30 * DAY
  const rollup1mMaxAgeMs = Math.max(o.rollup1mMaxAgeMs ?? 400 * DAY, rawMaxAgeMs)
  const data: WorkerData = {
    entry: (o.workerEntry ?? new URL('./worker.ts', import.meta.url)).href,
    options: {
      engine: {
        path: o.path,
        synchronous: o.synchronous ?? 'normal',
        retention: {
          rawMaxAgeMs,
          rollup1mMaxAgeMs,
          rollup1hMaxAgeMs: Math.max(o.rollup1hMaxAgeMs ?? 3650 * DAY, rollup1mMaxAgeMs),
          diskBudgetBytes: o.diskBudgetBytes ?? null,
          keepUndelivered: o.keepUndelivered ?? false,
        },
        compactAtSamples: o.compactAtSamples ?? 2_000_000,
        compactAfterMs: o.compactAfterMs ?? 30_000,
        blockTarget: o.blockTarget ?? BLOCK_TARGET,
        ...(o.maxPageCount !== undefined ? { maxPageCount: o.maxPageCount } : {}),
      },
      maxRecentSamples: o.maxRecentSamples ?? 4_000_000,
      retentionIntervalMs: o.retentionIntervalMs ?? 60_000,
    },
  }
  const worker = new Worker(new URL('./worker-bootstrap.mjs', import.meta.url), { workerData: data })
  return WorkerSampleStore.start(worker, o.clock ?? systemClock, o.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS)
}
