import { z } from 'zod'
import { Epoch, SignalId } from '../model'
import { method } from './define'

/** A stretch without samples longer than the series' expected interval (an outage, a stopped source): draw a break. */
export const SeriesGap = z.object({ from: Epoch, to: Epoch })
export type SeriesGap = z.infer<typeof SeriesGap>

/**
 * One signal's series: parallel arrays, `t` ascending. Non-numeric values and bad quality are mapped to null.
 * The same shape whichever reader answered (the in-memory ring, the local store, later the backend), so readers can be joined.
 *
 * - `mode: 'raw'` (or absent): `t`/`v` are the samples themselves.
 * - `mode: 'buckets'`: the range held more samples than `points`; `t` is each bucket's middle, `v` its mean, and
 *   `min`/`max`/`count` (parallel to `t`) its extremes and sample count, so a chart draws a min/max band and no spike vanishes.
 *   Buckets without samples are not listed.
 *
 * `intervalMs`: the typical time between samples the reader saw (the median), and `gaps` the stretches without any sample
 * for clearly longer than that (and than a bucket): a chart breaks the line there instead of drawing straight across.
 * A source that reports by exception (OPC UA) is silent while nothing changes: its "gaps" are not outages, the client decides.
 */
export const Series = z.object({
  signal: SignalId,
  t: z.array(z.number()),
  v: z.array(z.number().nullable()),
  mode: z.enum(['raw', 'buckets']).optional(),
  bucketMs: z.number().optional(),
  min: z.array(z.number().nullable()).optional(),
  max: z.array(z.number().nullable()).optional(),
  count: z.array(z.number().int()).optional(),
  intervalMs: z.number().optional(),
  gaps: z.array(SeriesGap).optional(),
})
export type Series = z.infer<typeof Series>

export const SeriesBatch = z.object({
  /** One per requested signal, in the order asked (a signal asked twice is read once and listed twice). */
  series: z.array(Series),
  /** The per-signal cap applied: the `points` asked, or fewer when the reply would have passed its size budget. */
  points: z.number().int().optional(),
})
export type SeriesBatch = z.infer<typeof SeriesBatch>

export const TrendQuery = z
  .object({
    signals: z.array(SignalId).min(1).max(64),
    from: Epoch,
    to: Epoch,
    points: z.number().int().min(2).max(10_000),
  })
  .strict()
  .refine((q) => q.to > q.from, { message: '`to` must be after `from`', path: ['to'] })

export const trends = {
  /** History of up to 64 signals over [from, to], at most `points` points (or buckets) each (fewer when the reply budget needs it). */
  'trends.query': method(TrendQuery, SeriesBatch, 'viewer'),
} as const

export const trendsEvents = {} as const
