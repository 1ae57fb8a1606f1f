import { z } from 'zod'

/** The trend's saved shapes (pens, range, axes): shared by view files (renderer) and the per-user workspace (server). */

/** Compare a pen with the same pen an earlier period back: none, a day, a week (same wall-clock time in the plant zone). */
export const Compare = z.enum(['none', '1d', '7d'])
export type Compare = z.infer<typeof Compare>
export const COMPARE_DAYS: Record<Compare, number> = { none: 0, '1d': 1, '7d': 7 }

/** One pen as saved: its signal, and what to show it as when the asset model is not loaded (label, unit, decimals, range). */
export const PenConfig = z.object({
  signal: z.string().min(1).max(512),
  label: z.string().max(300),
  unit: z.string().max(40).optional(),
  decimals: z.number().int().min(0).max(10).optional(),
  range: z.tuple([z.number(), z.number()]).optional(),
  dataType: z.enum(['number', 'boolean', 'string']).optional(),
  hidden: z.boolean().optional(),
  compare: Compare.optional(),
  color: z.string().max(40).optional(),
  /** Added with "+ trend" (or from a view): stays when the faceplate's selection moves on. */
  pinned: z.boolean().optional(),
  /** Follows the faceplate's selected row (not saved in views). */
  main: z.boolean().optional(),
})
export type PenConfig = z.infer<typeof PenConfig>

/** Live: the last `spanMs`, following now. Fixed: a zoomed, panned or picked stretch of history. */
export const TrendRange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live'), spanMs: z.number().int().min(10_000).max(366 * 86_400_000) }),
  z.object({ kind: z.literal('fixed'), from: z.number(), to: z.number() }).refine((r) => r.to > r.from, { message: '`to` must be after `from`' }),
])
export type TrendRange = z.infer<typeof TrendRange>

/** A y-axis fixed by the operator, per unit; units not listed scale to their engineering range or the data. */
export const AxisLimits = z.record(z.string().max(40), z.object({ min: z.number(), max: z.number() }).refine((a) => a.max > a.min, { message: 'max must be above min' }))
export type AxisLimits = z.infer<typeof AxisLimits>

export const MAX_PENS = 16

export const TrendView = z.object({
  pens: z.array(PenConfig).min(1).max(MAX_PENS),
  range: TrendRange,
  axes: AxisLimits.default({}),
})
export type TrendView = z.infer<typeof TrendView>
