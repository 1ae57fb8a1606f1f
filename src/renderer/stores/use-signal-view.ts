import type { Sample } from '../../shared/model'
import { useAssetsStore } from './assets-store'
import { signalCondition, staleReason, type Condition, type ConditionContext } from '../lib/condition'
import { isPeriodic } from './condition-context'
import { useConnectionsStore } from './connections-store'
import { useLiveStore } from './live-store'
import { useSystemStore } from './system-store'

export interface SignalView {
  sample?: Sample
  condition: Condition
  /** Why the value is stale, or undefined when it is fresh. */
  stale?: string
  /** Value age on the server clock (ms); NaN without a value. */
  age: number
}

/**
 * A signal's latest value with its condition, for any component that shows a value (it is on screen, so its live value
 * streams and it is judged here, by the rules the core uses). Re-renders on its own signal only.
 */
export function useSignalView(signalId: string): SignalView {
  const sample = useLiveStore((s) => s.latest[signalId])
  const now = useLiveStore((s) => s.now)
  const interval = useLiveStore((s) => s.intervals[signalId])
  const connection = useAssetsStore((s) => s.catalog[signalId]?.connection)
  const expected = useAssetsStore((s) => s.catalog[signalId]?.expectedIntervalMs)
  const linkUp = useSystemStore((s) => s.link.state === 'open')
  const health = useConnectionsStore((s) => s.list.find((c) => c.id === connection)?.health)
  const kind = useConnectionsStore((s) => s.list.find((c) => c.id === connection)?.kind)
  const ctx: ConditionContext = { now, intervals: { [signalId]: interval }, linkUp, healthOf: () => health, periodic: () => isPeriodic(kind), expectedOf: () => expected }
  return {
    sample,
    condition: signalCondition(sample, ctx),
    stale: sample ? staleReason(sample, ctx) : undefined,
    age: sample ? now - sample.ts : Number.NaN,
  }
}
