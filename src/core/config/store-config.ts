import { z } from 'zod'

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 }

/** `2 GiB`, `500MB`, `1e9` or a plain number of bytes; null when the text is none of those. */
export function parseBytes(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.floor(v) : null
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v)
  const unit = UNITS[(m?.[2] || 'b').toLowerCase()]
  if (!m || unit === undefined) return null
  return Math.floor(Number(m[1]) * unit)
}

/** At least 1 MiB: below that the store cannot hold even one compaction round's log. */
const MIN_BUDGET = 1024 * 1024

const Bytes = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = parseBytes(v)
  if (n === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a number of bytes or a size such as "2 GiB" or "500MB"' })
    return z.NEVER
  }
  if (n < MIN_BUDGET) {
    ctx.addIssue({ code: 'custom', message: `must be at least 1 MiB (${MIN_BUDGET} bytes), got ${n}` })
    return z.NEVER
  }
  return n
})

const Days = z.number().positive().max(36_500)

/**
 * The local store's policy. `durability`: what an acknowledged sample survives; `diskBudget`: bytes the store may
 * use (none by default), oldest data deleted first beyond it; `retentionDays`: how long raw samples, minute and hour
 * rollups are kept; `keepUndelivered`: keep what a sync sink has not delivered (beyond the age limits) until the
 * budget forces otherwise.
 */
export const StoreConfig = z
  .object({
    durability: z.enum(['process-crash', 'power-loss']).default('process-crash'),
    diskBudget: Bytes.nullable().default(null),
    retentionDays: z
      .object({ raw: Days.default(30), minutes: Days.default(400), hours: Days.default(3650) })
      .strict()
      .default({ raw: 30, minutes: 400, hours: 3650 })
      .superRefine((r, ctx) => {
        if (r.minutes < r.raw) ctx.addIssue({ code: 'custom', path: ['minutes'], message: `must be at least retentionDays.raw (${r.raw})` })
        if (r.hours < r.minutes) ctx.addIssue({ code: 'custom', path: ['hours'], message: `must be at least retentionDays.minutes (${r.minutes})` })
      }),
    keepUndelivered: z.boolean().default(true),
  })
  .strict()
export type StoreConfig = z.infer<typeof StoreConfig>

/**
 * A sync sink: the fields every kind has; the kind's own options (endpoints, database, credentials…) are checked
 * by its kind's schema where sink kinds are registered (src/app/sync-sinks.ts).
 */
export const SinkConfig = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, "_", "." or "-", at most 64, starting with a letter or digit'),
    kind: z.string().min(1),
    enabled: z.boolean().default(true),
    /** Samples per write (default 10,000). */
    batchSamples: z.number().int().min(1).max(1_000_000).default(10_000),
    /** The backlog (older than what arrives live) is drained at most this fast; null: as fast as the sink takes it. */
    drainSamplesPerSecond: z.number().positive().nullable().default(null),
  })
  .passthrough()
export type SinkConfig = z.infer<typeof SinkConfig>

export const SyncConfig = z
  .object({
    sinks: z.array(SinkConfig).max(16).default([]),
    /** Egress for the sinks that can use a proxy (`socks5://`, `socks5h://`, `http://` CONNECT, `direct`); a sink's own `proxy` wins. */
    proxy: z.string().min(1).optional(),
    /** Backoff after a failed write: from `minMs`, doubling, up to `maxMs`, with full jitter. */
    backoff: z
      .object({ minMs: z.number().int().min(1).default(500), maxMs: z.number().int().min(1).default(30_000) })
      .strict()
      .default({ minMs: 500, maxMs: 30_000 }),
  })
  .strict()
export type SyncConfig = z.infer<typeof SyncConfig>
