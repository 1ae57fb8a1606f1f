import { z } from 'zod'
import { method } from './define'

/**
 * Conditions (`conditions.*`), judged in the core from live values and connection states: per model attribute that
 * carries a signal, and per asset path the worst over its subtree (the asset's own attributes and every descendant's,
 * under primary parents). See docs/conditions.md.
 */

/**
 * What the operator must know about a value, worst last: `good`; `uncertain` quality; `nodata` (no value yet);
 * `stale` (no update within 3 × the attribute's expected interval, or — without one — a periodic source silent for
 * 3 × its learnt interval and at least 10 s; or its connection is lost); `bad` quality.
 */
export const Condition = z.enum(['good', 'uncertain', 'nodata', 'stale', 'bad'])
export type Condition = z.infer<typeof Condition>

/** Rank of each condition: higher is worse. */
export const CONDITION_RANK: Readonly<Record<Condition, number>> = { good: 0, uncertain: 1, nodata: 2, stale: 3, bad: 4 }
/** The conditions from best to worst (the order of `CONDITION_RANK`). */
export const CONDITIONS: readonly Condition[] = Condition.options

const Count = z.number().int().min(0)
/** How many attributes with a signal in the subtree are in each condition. */
export const ConditionCounts = z.object({ good: Count, uncertain: Count, nodata: Count, stale: Count, bad: Count })
export type ConditionCounts = z.infer<typeof ConditionCounts>

/** An asset path's condition: the worst over its subtree's attributes (`good` when it has none), with counts. */
export const PathCondition = z.object({ path: z.string(), condition: Condition, counts: ConditionCounts })
export type PathCondition = z.infer<typeof PathCondition>

export const conditions = {
  /**
   * The condition of each asset path in `paths` (an unknown path, or one with no signal below it: `good`, counts 0);
   * without `paths`, every path whose condition is not `good`.
   */
  'conditions.get': method(
    z.object({ paths: z.array(z.string().min(1).max(4000)).max(10_000).optional() }).strict(),
    z.object({ items: z.array(PathCondition) }),
    'viewer',
  ),
} as const

export const conditionsEvents = {
  /** Paths whose condition or counts changed (a path gone from the model: `good`, counts 0), batched: at most ~2 a second. */
  'conditions.changed': z.object({ items: z.array(PathCondition) }),
} as const
