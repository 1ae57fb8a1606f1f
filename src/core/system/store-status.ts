import type { StoreDiagnostics, StoreStatus } from '../../shared/contract'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { SampleStore } from '../ports/sample-store'

/**
 * Follows the store's state ('full' while writes fail for want of space) for the screen and `system.diagnostics`,
 * and logs each change once: a full disk must not log a line per refused append.
 */
export class StoreStatusTracker {
  private status: StoreStatus

  constructor(
    private readonly store: SampleStore | undefined,
    clock: Clock,
    log: Logger,
    onChange: (s: StoreStatus) => void,
  ) {
    this.status = { state: 'ok', since: clock.now(), reason: null }
    store?.onEvent((e) => {
      if (e.type !== 'state') return
      this.status = { state: e.state, since: clock.now(), reason: e.state === 'full' ? e.message : null }
      if (e.state === 'full') log.error({ store: e }, 'store full: writing paused (reads still work; retried with each append)')
      else log.info({ store: e }, 'store writing again')
      onChange(this.status)
    })
  }

  get current(): StoreStatus {
    return this.status
  }

  async diagnostics(): Promise<StoreDiagnostics | null> {
    if (!this.store) return null
    // a dead store thread must not break the diagnostics that would show it
    const stats = await this.store.stats().catch(() => null)
    return { ...this.status, diskBytes: stats?.diskBytes ?? null, diskBudgetBytes: stats?.diskBudgetBytes ?? null, oldestTs: stats?.oldestTs ?? null }
  }
}
