import { useEffect, useState } from 'react'
import { nodeConditions, sameConditions, type Condition } from '../../lib/condition'
import { currentConditionContext } from '../../stores/condition-context'
import { useAssetsStore } from '../../stores/assets-store'
import { useConnectionsStore } from '../../stores/connections-store'
import { useLiveStore } from '../../stores/live-store'
import { useSystemStore } from '../../stores/system-store'

/**
 * Worst condition per loaded tree node, recomputed once a second (and when the link or a connection changes).
 * Returns the same object while nothing changed, so the tree does not re-render at the sample rate.
 */
export function useNodeConditions(): Record<string, Condition> {
  const index = useAssetsStore((s) => s.index)
  const [map, setMap] = useState<Record<string, Condition>>({})
  useEffect(() => {
    if (!index) return
    const compute = () => {
      const next = nodeConditions(index.byId.values(), useLiveStore.getState().latest, currentConditionContext())
      setMap((prev) => (sameConditions(prev, next) ? prev : next))
    }
    compute()
    const timer = setInterval(compute, 1000)
    const offLink = useSystemStore.subscribe((s, p) => s.link.state !== p.link.state && compute())
    const offConn = useConnectionsStore.subscribe((s, p) => s.list !== p.list && compute())
    return () => {
      clearInterval(timer)
      offLink()
      offConn()
    }
  }, [index])
  return map
}
