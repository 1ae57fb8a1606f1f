import type { Sample } from '../../shared/model'
import { SinkError, type SinkProbe, type SinkSignal, type SinkWriteResult, type SyncSink } from '../ports/sync-sink'

/** A sink driven by the test: keeps what it was given, fails while `failWith` is set, holds writes while `hold` is set. */
export class FakeSink implements SyncSink {
  readonly kind = 'fake'
  readonly endpoint = 'fake://one'
  /** Every write that resolved, in order. */
  readonly writes: Sample[][] = []
  readonly signalsSeen = new Map<string, SinkSignal>()
  failWith: SinkError | null = null
  failures = 0
  /** Samples of these signals are reported dropped for good. */
  dropSignals = new Set<string>()
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null

  constructor(readonly id: string) {}

  hold(): void {
    this.gate ??= new Promise((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open?.()
    this.gate = null
  }

  async write(samples: readonly Sample[], signals: ReadonlyMap<string, SinkSignal>): Promise<SinkWriteResult> {
    if (this.gate) await this.gate
    if (this.failWith) {
      this.failures++
      throw this.failWith
    }
    for (const s of samples) {
      const d = signals.get(s.signal)
      if (d) this.signalsSeen.set(s.signal, d)
    }
    const kept = samples.filter((s) => !this.dropSignals.has(s.signal))
    this.writes.push([...kept])
    const dropped = samples.length - kept.length
    return { written: kept.length, dropped: dropped > 0 ? [{ signal: [...this.dropSignals][0] ?? '', count: dropped, code: 'sync.too_old', reason: 'older than KEEP' }] : [] }
  }

  /** Every sample delivered, in delivery order. */
  get delivered(): Sample[] {
    return this.writes.flat()
  }

  async probe(): Promise<SinkProbe> {
    return this.failWith ? { ok: false, endpoint: this.endpoint, code: this.failWith.code } : { ok: true, endpoint: this.endpoint }
  }

  async close(): Promise<void> {}
}

export const unreachable = (): SinkError => new SinkError('sync.unreachable', 'connection refused', true)
