import { CONDITION_RANK as RANK, type Condition } from '../../shared/contract/conditions'
import type { ConnectionHealth, Sample } from '../../shared/model'

/**
 * What the operator must know about a value, worst last: good, uncertain quality, no value yet, stale (old or its
 * source is down), bad quality. The core judges every attribute and every asset path the same way
 * (core/conditions, `conditions.*`); the tree takes its marks from there, the rows on screen judge their own value.
 */
export type { Condition }

export const STALE_MIN_MS = 10_000

export function conditionRank(c: Condition): number {
  return RANK[c]
}

export function worstOf(conds: Iterable<Condition>, empty: Condition = 'good'): Condition {
  let w: Condition | undefined
  for (const c of conds) if (w === undefined || RANK[c] > RANK[w]) w = c
  return w ?? empty
}

/**
 * A value is stale after 3× its attribute's expected update interval when the model gives one; else after 3× its
 * learnt interval, and never sooner than 10 s (as the core judges it).
 */
export function staleAfterMs(intervalMs?: number, expectedMs?: number): number {
  if (expectedMs !== undefined) return 3 * expectedMs
  return intervalMs && Number.isFinite(intervalMs) ? Math.max(STALE_MIN_MS, 3 * intervalMs) : STALE_MIN_MS
}

export function isStale(sample: Pick<Sample, 'ts'>, now: number, intervalMs?: number, expectedMs?: number): boolean {
  return now - sample.ts > staleAfterMs(intervalMs, expectedMs)
}

export interface ConditionContext {
  now: number
  /** Typical update interval per signal, learnt from arrivals. */
  intervals: Record<string, number | undefined>
  /** False while the link to the server is down: every value on screen is then old news. */
  linkUp: boolean
  /** Health of the connection that produces a signal (absent: unknown, assumed up). */
  healthOf?: (signalId: string) => ConnectionHealth | undefined
  /**
   * Whether a signal's source sends values periodically (MQTT devices publish on a cadence), so silence means trouble.
   * OPC UA subscriptions report by exception: a pump that keeps running sends nothing for hours, and its freshness
   * is the health of its connection, not the age of its value. Absent: periodic.
   */
  periodic?: (signalId: string) => boolean
  /** The model attribute's expected update interval for a signal, when it has one: staleness by it, whatever the source. */
  expectedOf?: (signalId: string) => number | undefined
}

const SOURCE_DOWN: ReadonlySet<ConnectionHealth> = new Set(['error', 'stopped', 'connecting'])

/** Why a value is stale, or undefined when it is fresh. */
export function staleReason(sample: Sample, ctx: ConditionContext): string | undefined {
  if (!ctx.linkUp) return 'no link to the Plantdeck server'
  const h = ctx.healthOf?.(sample.signal)
  if (h && SOURCE_DOWN.has(h)) return `its connection is ${h}`
  const expected = ctx.expectedOf?.(sample.signal)
  if ((expected !== undefined || (ctx.periodic?.(sample.signal) ?? true)) && isStale(sample, ctx.now, ctx.intervals[sample.signal], expected)) {
    return 'no update within the expected interval'
  }
  return undefined
}

export function signalCondition(sample: Sample | undefined, ctx: ConditionContext): Condition {
  if (!sample) return 'nodata'
  if (sample.quality === 'bad') return 'bad'
  if (staleReason(sample, ctx)) return 'stale'
  return sample.quality === 'uncertain' ? 'uncertain' : 'good'
}

export const CONDITION_LABEL: Record<Condition, string> = {
  good: 'Good',
  uncertain: 'Uncertain',
  nodata: 'No data',
  stale: 'Stale',
  bad: 'Bad',
}
