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
  /** History of up to 64 signals over [from, to], at most `points` points each (fewer when the reply budget needs it). */
  'trends.query': method(TrendQuery, SeriesBatch),
} as const

export const trendsEvents = {} as const
