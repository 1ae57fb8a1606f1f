import type { ConnectionHealth, Sample } from '../../shared/model'
import type { ViewNode } from './tree'

/**
 * What the operator must know about a value, worst last:
 * good, uncertain quality, no value yet, stale (old or its source is down), bad quality.
 */
export type Condition = 'good' | 'uncertain' | 'nodata' | 'stale' | 'bad'

const RANK: Record<Condition, number> = { good: 0, uncertain: 1, nodata: 2, stale: 3, bad: 4 }

export const STALE_MIN_MS = 10_000

export function conditionRank(c: Condition): number {
  return RANK[c]
}

export function worstOf(conds: Iterable<Condition>, empty: Condition = 'good'): Condition {
  let w: Condition | undefined
  for (const c of conds) if (w === undefined || RANK[c] > RANK[w]) w = c
  return w ?? empty
}

/** A value is stale after 3× its normal update interval, and never sooner than 10 s. */
export function staleAfterMs(intervalMs?: number): number {
  return intervalMs && Number.isFinite(intervalMs) ? Math.max(STALE_MIN_MS, 3 * intervalMs) : STALE_MIN_MS
}

export function isStale(sample: Pick<Sample, 'ts'>, now: number, intervalMs?: number): boolean {
  return now - sample.ts > staleAfterMs(intervalMs)
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
}

const SOURCE_DOWN: ReadonlySet<ConnectionHealth> = new Set(['error', 'stopped', 'connecting'])

/** Why a value is stale, or undefined when it is fresh. */
export function staleReason(sample: Sample, ctx: ConditionContext): string | undefined {
  if (!ctx.linkUp) return 'no link to the Plantdeck server'
  const h = ctx.healthOf?.(sample.signal)
  if (h && SOURCE_DOWN.has(h)) return `its connection is ${h}`
  if ((ctx.periodic?.(sample.signal) ?? true) && isStale(sample, ctx.now, ctx.intervals[sample.signal])) {
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

/**
 * Worst condition of every node over its own signals and all (loaded) descendants', so trouble in a collapsed
 * branch still shows on its ancestors. Nodes without any signal below them are `good` (nothing to worry about).
 * `roots`: one tree, or every loaded node of a partly loaded one; a node reached twice (by reference) counts once.
 */
export function nodeConditions(roots: ViewNode | Iterable<ViewNode>, latest: Record<string, Sample | undefined>, ctx: ConditionContext): Record<string, Condition> {
  const out: Record<string, Condition> = {}
  const visiting = new Set<string>()
  const visit = (n: ViewNode): Condition => {
    const done = out[n.id]
    if (done) return done
    if (visiting.has(n.id)) return 'good' // a loop of references
    visiting.add(n.id)
    let w: Condition = 'good'
    for (const s of n.signals) {
      const c = signalCondition(latest[s.signal], ctx)
      if (RANK[c] > RANK[w]) w = c
    }
    for (const ch of n.children) {
      const c = visit(ch)
      if (RANK[c] > RANK[w]) w = c
    }
    visiting.delete(n.id)
    out[n.id] = w
    return w
  }
  for (const n of Symbol.iterator in Object(roots) ? (roots as Iterable<ViewNode>) : [roots as ViewNode]) visit(n)
  return out
}

export const CONDITION_LABEL: Record<Condition, string> = {
  good: 'Good',
  uncertain: 'Uncertain',
  nodata: 'No data',
  stale: 'Stale',
  bad: 'Bad',
}

/** True when two condition maps say the same thing (so the tree need not re-render). */
export function sameConditions(a: Record<string, Condition>, b: Record<string, Condition>): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (a[k] !== b[k]) return false
  return true
}
