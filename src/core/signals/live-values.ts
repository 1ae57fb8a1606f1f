import type { Sample, SampleBatch } from '../../shared/model'

/** A signal's entry: its latest sample and the taps fed its every sample. */
interface Slot {
  sample: Sample | undefined
  taps: ((s: Sample) => void)[] | undefined
}

/**
 * Current value and quality of every signal, in memory. Later samples win; an older timestamp
 * never overwrites a newer one (collectors may deliver out of order after a reconnect).
 *
 * Besides the listeners of whole batches (`onSamples`), a consumer that follows particular signals (the alarms:
 * 50,000 definitions, each on one signal) puts a tap on each (`tap`): called with every sample of that signal, in
 * order, from the same lookup that keeps the latest value, so following a signal costs no second lookup per sample.
 * Taps run while the batch is taken in (a later sample of the same batch is not in `get` yet), before the listeners.
 */
export class LiveValues {
  private readonly latest = new Map<string, Slot>()
  private readonly listeners = new Set<(batch: SampleBatch) => void>()

  ingest(batch: SampleBatch): void {
    if (batch.length === 0) return
    const latest = this.latest
    for (let i = 0; i < batch.length; i++) {
      const s = batch[i]!
      const slot = latest.get(s.signal)
      if (slot === undefined) {
        latest.set(s.signal, { sample: s, taps: undefined })
        continue
      }
      const prev = slot.sample
      if (!prev || prev.ts <= s.ts) slot.sample = s
      const taps = slot.taps
      if (taps !== undefined) for (let t = 0; t < taps.length; t++) taps[t]!(s)
    }
    for (const cb of this.listeners) cb(batch)
  }

  get(signal: string): Sample | undefined {
    return this.latest.get(signal)?.sample
  }

  onSamples(cb: (batch: SampleBatch) => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  /** Calls `fn` with every sample of `signal` from now on; answers the function that removes it. */
  tap(signal: string, fn: (s: Sample) => void): () => void {
    let slot = this.latest.get(signal)
    if (slot === undefined) this.latest.set(signal, (slot = { sample: undefined, taps: undefined }))
    const s = slot
    s.taps = [...(s.taps ?? []), fn]
    return () => {
      const left = (s.taps ?? []).filter((f) => f !== fn)
      s.taps = left.length > 0 ? left : undefined
    }
  }
}
