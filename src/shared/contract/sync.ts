import { z } from 'zod'
import { method } from './define'

const Count = z.number().int().nonnegative()

/**
 * One sync sink's state. `live`: caught up, delivering what arrives; `draining`: a backlog is being delivered
 * (live data first, the backlog at the configured rate); `backoff`: the last write failed and is retried at
 * `nextAttemptAt`; `error`: a failure that retrying does not cure by itself (wrong credentials, a refused
 * configuration), still retried slowly; `stopped`: not running.
 */
export const SinkState = z.enum(['starting', 'live', 'draining', 'backoff', 'error', 'stopped'])
export type SinkState = z.infer<typeof SinkState>

export const SinkStatus = z.object({
  id: z.string(),
  kind: z.string(),
  state: SinkState,
  /** The endpoint in use now (null before the first contact). */
  endpoint: z.string().nullable(),
  /** Every logged batch up to this store seq is delivered (the sink's cursor in the store). */
  cursorSeq: Count,
  /** What the store has committed. */
  headSeq: Count,
  /** Samples and bytes (as logged in the store) after the cursor; the oldest sample's timestamp among them. */
  backlog: z.object({ samples: Count, bytes: Count, oldestTs: z.number().nullable() }),
  /** Samples delivered per second, over the last few seconds. */
  drainRate: z.number().nonnegative(),
  /** Since start: samples written, and samples the backend refused for good (older than its retention…). */
  delivered: Count,
  dropped: Count,
  /** Writes that failed since start (each retried). */
  failures: Count,
  lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
  nextAttemptAt: z.number().nullable(),
  lastDeliveredAt: z.number().nullable(),
})
export type SinkStatus = z.infer<typeof SinkStatus>

export const SyncStatus = z.object({
  at: z.number(),
  sinks: z.array(SinkStatus),
  /** The local store: bytes on disk, the budget (null: none), the oldest raw sample kept, and samples the budget deleted before every sink had them. */
  store: z.object({
    diskBytes: z.number().int().nullable(),
    diskBudgetBytes: z.number().int().nullable(),
    oldestTs: z.number().nullable(),
    undeliveredDropped: Count,
  }),
})
export type SyncStatus = z.infer<typeof SyncStatus>

export const sync = {
  /** Every configured sink's state, backlog and last error, and the store's size, budget and oldest sample. */
  'sync.status': method(z.object({}).strict(), SyncStatus, 'viewer'),
} as const

export const syncEvents = {
  /** The same as `sync.status`, pushed to every client about once a second. */
  'sync.status': SyncStatus,
} as const
