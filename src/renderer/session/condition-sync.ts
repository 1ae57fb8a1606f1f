import type { Api } from '../api/client'
import { useConditionsStore } from '../stores/conditions-store'

/**
 * Keeps the tree's condition marks in step with the core: every abnormal path at each (re)connect
 * (`conditions.get`), then `conditions.changed` batches. Nothing is polled.
 */
export function startConditionSync(api: Api): { reload(): Promise<void>; stop(): void } {
  const off = api.rpc.on('conditions.changed', (e) => useConditionsStore.getState().apply(e.items))
  return {
    async reload() {
      try {
        const r = await api.rpc.call('conditions.get', {})
        useConditionsStore.getState().setAll(r.items)
      } catch {
        /* the marks stay as they were; the next resync asks again and link trouble shows in the banner */
      }
    },
    stop: off,
  }
}
