import type { CollectorRejection, CollectorState, Unsubscribe } from '../core/ports/collector'
import type { Logger } from '../core/ports/logger'
import type { SampleBatch } from '../shared/model'

/** Listener bookkeeping of a collector: callbacks never throw into the collector, nor leave a rejection unhandled. */
export class CollectorEvents {
  protected state: CollectorState = { health: 'stopped' }
  private readonly sampleCbs = new Set<(b: SampleBatch) => void | Promise<unknown>>()
  private readonly stateCbs = new Set<(s: CollectorState) => void>()
  private readonly rejectCbs = new Set<(r: readonly CollectorRejection[]) => void>()

  constructor(protected readonly log: Logger) {}

  onSamples(cb: (b: SampleBatch) => void | Promise<unknown>): Unsubscribe {
    this.sampleCbs.add(cb)
    return () => this.sampleCbs.delete(cb)
  }

  onState(cb: (s: CollectorState) => void): Unsubscribe {
    this.stateCbs.add(cb)
    return () => this.stateCbs.delete(cb)
  }

  onRejected(cb: (r: readonly CollectorRejection[]) => void): Unsubscribe {
    this.rejectCbs.add(cb)
    return () => this.rejectCbs.delete(cb)
  }

  protected emitRejected(r: readonly CollectorRejection[]): void {
    for (const cb of this.rejectCbs) {
      try {
        cb(r)
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'rejection listener failed')
      }
    }
  }

  /** For sources with nothing to acknowledge upstream: a listener's promise is not awaited; its failure is logged. */
  protected emit(batch: SampleBatch): void {
    const failed = (e: unknown) => this.log.error({ err: (e as Error)?.message ?? String(e) }, 'sample listener failed')
    for (const cb of this.sampleCbs) {
      try {
        const r = cb(batch)
        if (r instanceof Promise) r.catch(failed)
      } catch (e) {
        failed(e)
      }
    }
  }

  /** For sources that acknowledge upstream: resolves once every listener's promise did (the batch is durable), rejects if one failed. */
  protected async deliverAll(batch: SampleBatch): Promise<void> {
    const pending: unknown[] = []
    for (const cb of this.sampleCbs) {
      try {
        pending.push(cb(batch))
      } catch (e) {
        pending.push(Promise.reject(e))
      }
    }
    await Promise.all(pending)
  }

  protected setState(s: CollectorState): void {
    this.state = s
    for (const cb of this.stateCbs) {
      try {
        cb(s)
      } catch (e) {
        this.log.error({ err: (e as Error).message }, 'state listener failed')
      }
    }
  }
}
