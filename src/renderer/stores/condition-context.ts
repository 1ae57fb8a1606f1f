import type { ConnectionHealth, ConnectionKind } from '../../shared/model'
import { uiDriverOf } from '../drivers'
import { useAssetsStore } from './assets-store'
import type { ConditionContext } from '../lib/condition'
import { useConnectionsStore } from './connections-store'
import { useLiveStore } from './live-store'
import { useSystemStore } from './system-store'

/** Sources that publish on a cadence; some report by exception (OPC UA: see ConditionContext.periodic). */
export const isPeriodic = (kind: ConnectionKind | undefined): boolean => !(uiDriverOf(kind)?.reportsByException ?? false)

/** The facts staleness depends on, read from the stores right now (for timers, outside React renders). */
export function currentConditionContext(): ConditionContext {
  const live = useLiveStore.getState()
  const catalog = useAssetsStore.getState().catalog
  const list = useConnectionsStore.getState().list
  const health = new Map<string, ConnectionHealth>(list.map((c) => [c.id, c.health]))
  const kind = new Map<string, ConnectionKind>(list.map((c) => [c.id, c.kind]))
  return {
    now: live.now,
    intervals: live.intervals,
    linkUp: useSystemStore.getState().link.state === 'open',
    healthOf: (id) => {
      const conn = catalog[id]?.connection
      return conn ? health.get(conn) : undefined
    },
    periodic: (id) => {
      const conn = catalog[id]?.connection
      return isPeriodic(conn ? kind.get(conn) : undefined)
    },
  }
}
