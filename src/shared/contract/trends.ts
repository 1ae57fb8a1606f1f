import { z } from 'zod'
import { Epoch, SignalId } from '../model'
import { method } from './define'

/** One signal's series: parallel arrays, `t` ascending. Non-numeric values are mapped to null. */
export const Series = z.object({
  signal: SignalId,
  t: z.array(z.number()),
  v: z.array(z.number().nullable()),
})
export type Series = z.infer<typeof Series>

export const SeriesBatch = z.object({ series: z.array(Series) })
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
  /** History of up to 64 signals over [from, to], at most `points` points each. */
  'trends.query': method(TrendQuery, SeriesBatch),
} as const

export const trendsEvents = {} as const
