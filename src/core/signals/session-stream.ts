import type { Session } from '../../shared/rpc/server'
import type { Sample, SampleBatch } from '../../shared/model'
import type { LiveValues } from './live-values'

/**
 * One client's live stream: samples of the signals it subscribed to, batched every `intervalMs`
 * so a fast plant never floods a slow client with one message per sample.
 */
export class SessionStream {
  private wanted = new Set<string>()
  private pending: Sample[] = []
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly off: () => void

  constructor(
    private readonly session: Session,
    live: LiveValues,
    private readonly intervalMs = 200,
    private readonly maxPending = 50_000,
    /** Samples per message at most: a flush of a busy subscription leaves as several messages, each far under the clients' 1 MiB limit. */
    private readonly perMessage = 4_000,
  ) {
    this.off = live.onSamples((batch) => this.accept(batch))
    session.onClose(() => this.close())
  }

  set(signals: string[]): void {
    this.wanted = new Set(signals)
    this.pending = []
    if (this.wanted.size > 0 && !this.timer) {
      this.timer = setInterval(() => this.flush(), this.intervalMs)
      this.timer.unref?.()
    } else if (this.wanted.size === 0) this.stopTimer()
  }

  private accept(batch: SampleBatch) {
    if (this.wanted.size === 0) return
    for (const s of batch) if (this.wanted.has(s.signal)) this.pending.push(s)
    // A client that cannot keep up loses the oldest live samples, never the server's memory.
    if (this.pending.length > this.maxPending) this.pending.splice(0, this.pending.length - this.maxPending)
  }

  private flush() {
    if (this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    for (let i = 0; i < batch.length; i += this.perMessage) this.session.emit('signals.samples', i === 0 && batch.length <= this.perMessage ? batch : batch.slice(i, i + this.perMessage))
  }

  private stopTimer() {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  close(): void {
    this.stopTimer()
    this.off()
  }
}
