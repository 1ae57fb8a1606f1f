import type { Sample, SampleBatch } from '../../shared/model'

/**
 * Current value and quality of every signal, in memory. Later samples win; an older timestamp
 * never overwrites a newer one (collectors may deliver out of order after a reconnect).
 */
export class LiveValues {
  private readonly latest = new Map<string, Sample>()
  private readonly listeners = new Set<(batch: SampleBatch) => void>()

  ingest(batch: SampleBatch): void {
    if (batch.length === 0) return
    for (const s of batch) {
      const prev = this.latest.get(s.signal)
      if (!prev || prev.ts <= s.ts) this.latest.set(s.signal, s)
    }
    for (const cb of this.listeners) cb(batch)
  }

  get(signal: string): Sample | undefined {
    return this.latest.get(signal)
  }

  onSamples(cb: (batch: SampleBatch) => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }
}
