import type { Sample } from '../../shared/model'
import type { BucketQuery, BucketSeries, SignalDef } from './sample-store'

/**
 * A shared backend the sync engine delivers the local store's samples to (TDengine over taosAdapter's REST API,
 * InfluxDB line protocol for VictoriaMetrics / InfluxDB / taosAdapter's `/influxdb/v1/write`). One adapter per
 * backend kind under `src/adapters/sync/`; the engine (core/sync) never names one. Writes are idempotent: a
 * sample with the same signal and timestamp replaces the stored one, so a replayed batch is harmless.
 */
export interface SyncSink {
  readonly id: string
  readonly kind: string
  /** The endpoint in use now, for the status (optional: the engine otherwise shows the last probe's). */
  readonly endpoint?: string
  /**
   * Writes every sample of `samples` (ascending seq; any signals). Resolves once the backend has them, with what it
   * dropped on purpose (e.g. rows older than the database's KEEP) — those are not retried. Rejects with a SinkError
   * for anything to retry or to show (auth, unreachable, overloaded, garbage answers).
   */
  write(samples: readonly Sample[], signals: ReadonlyMap<string, SinkSignal>): Promise<SinkWriteResult>
  /** Cheap liveness probe of the endpoint in use (fails over to the next endpoint when it is down). */
  probe(): Promise<SinkProbe>
  /** History read-through: buckets from the backend for a range the local store no longer holds; absent when the kind cannot read. */
  readBuckets?(query: BucketQuery, signals: ReadonlyMap<string, SinkSignal>): Promise<BucketSeries[]>
  close(): Promise<void>
}

/** What a sink needs to know of a signal to name and tag it (asset path, attribute, unit, connection, source). */
export type SinkSignal = Pick<SignalDef, 'id' | 'dataType' | 'connection'> & {
  unit?: string | undefined
  assetPath?: string | undefined
  /** The source address (node id, topic), when known. */
  source?: string | undefined
}

export interface SinkWriteResult {
  written: number
  /** Samples the backend refused for good (older than its retention, a value it cannot hold), with why; counted, never retried. */
  dropped: { signal: string; count: number; code: string; reason: string }[]
}

export interface SinkProbe {
  ok: boolean
  /** The endpoint in use now. */
  endpoint: string
  code?: string
  reason?: string
}

/**
 * A failure a sink reports: `code` is stable (`sync.auth`, `sync.unreachable`, `sync.overloaded`, `sync.bad_answer`,
 * `sync.rejected`, `sync.proxy`…), `retryable` says whether the engine should back off and try again (it always does
 * for the whole batch; a permanent failure leaves the sink in error until its configuration changes).
 */
export class SinkError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'SinkError'
  }
}
