import type { Series } from '../../shared/contract/trends'
import { plotValue, type SampleBatch } from '../../shared/model'
import { seriesFrom, type HistoryReader } from './history-reader'

/**
 * Bounded per-signal ring of recent samples: the trend's history until the local store serves it.
 * Memory: `capacity` × 16 bytes per signal.
 */
export class MemoryHistory implements HistoryReader {
  private readonly rings = new Map<string, { t: Float64Array; v: Float64Array; start: number; len: number }>()
  constructor(private readonly capacity = 20_000) {}

  ingest(batch: SampleBatch): void {
    for (const s of batch) {
      let r = this.rings.get(s.signal)
      if (!r) this.rings.set(s.signal, (r = { t: new Float64Array(this.capacity), v: new Float64Array(this.capacity), start: 0, len: 0 }))
      const last = r.len > 0 ? r.t[(r.start + r.len - 1) % this.capacity]! : -Infinity
      if (s.ts < last) continue // the ring stays sorted; late samples are the store's business
      const pv = plotValue(s.value, s.quality)
      const idx = (r.start + r.len) % this.capacity
      r.t[idx] = s.ts
      r.v[idx] = pv === null ? Number.NaN : pv
      if (r.len < this.capacity) r.len++
      else r.start = (r.start + 1) % this.capacity
    }
  }

  async query(signal: string, from: number, to: number, points: number): Promise<Series> {
    const r = this.rings.get(signal)
    if (!r) return seriesFrom(signal, [], [], from, to, points)
    const t: number[] = new Array(r.len)
    const v: (number | null)[] = new Array(r.len)
    for (let k = 0; k < r.len; k++) {
      const idx = (r.start + k) % this.capacity
      t[k] = r.t[idx]!
      const x = r.v[idx]!
      v[k] = Number.isNaN(x) ? null : x
    }
    return seriesFrom(signal, t, v, from, to, points)
  }
}
