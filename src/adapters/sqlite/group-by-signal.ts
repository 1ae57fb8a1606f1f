import type { Columns } from '../store-engine/columns'
import { FrozenSet } from './memtable'
import { type WireBatch, forEachSample } from './wire-batch'

/**
 * Groups batches by signal, keeping arrival order within a signal: a counting sort of sample positions
 * on the signal id, then a scatter of the columns, batch by batch. Resumable, because a compaction round
 * may hold millions of samples and the worker must keep answering meanwhile.
 */
export class SignalGrouper {
  private readonly start: Uint32Array
  private readonly next: Uint32Array
  private readonly ts: Float64Array
  private readonly num: Float64Array
  private readonly flags: Uint8Array
  private readonly texts = new Map<number, string>()
  private readonly statuses = new Map<number, string>()
  private done = 0

  constructor(private readonly batches: readonly WireBatch[]) {
    let n = 0
    let maxId = 0
    for (const b of batches) {
      n += b.n
      for (let i = 0; i < b.n; i++) if ((b.sig[i] ?? 0) > maxId) maxId = b.sig[i] ?? 0
    }
    const start = new Uint32Array(maxId + 2)
    for (const b of batches) {
      for (let i = 0; i < b.n; i++) {
        const id = (b.sig[i] ?? 0) + 1
        start[id] = (start[id] ?? 0) + 1
      }
    }
    for (let id = 1; id < start.length; id++) start[id] = (start[id] ?? 0) + (start[id - 1] ?? 0)
    this.start = start
    this.next = start.slice()
    this.ts = new Float64Array(n)
    this.num = new Float64Array(n)
    this.flags = new Uint8Array(n)
  }

  /** Scatters batches until `deadline` (performance.now()); true once all are placed. */
  step(deadline: number): boolean {
    while (this.done < this.batches.length) {
      const b = this.batches[this.done++]
      if (b) this.scatter(b)
      if (performance.now() >= deadline) break
    }
    return this.done === this.batches.length
  }

  private scatter(b: WireBatch): void {
    const { next, ts, num, flags } = this
    const place = (i: number): number => {
      const id = b.sig[i] ?? 0
      const j = next[id] ?? 0
      next[id] = j + 1
      ts[j] = b.ts[i] ?? 0
      num[j] = b.num[i] ?? 0
      flags[j] = b.flags[i] ?? 0
      return j
    }
    if (b.texts.length + b.statuses.length === 0) {
      for (let i = 0; i < b.n; i++) place(i)
      return
    }
    forEachSample(b, (i, text, status) => {
      const j = place(i)
      if (text !== undefined) this.texts.set(j, text)
      if (status !== undefined) this.statuses.set(j, status)
    })
  }

  /** The groups; call once `step` returned true. */
  result(): FrozenSet {
    const bySignal: (Columns | undefined)[] = []
    for (let id = 0; id + 1 < this.start.length; id++) {
      const a = this.start[id] ?? 0
      const z = this.start[id + 1] ?? 0
      if (z === a) continue
      bySignal[id] = {
        n: z - a,
        ts: this.ts.subarray(a, z),
        num: this.num.subarray(a, z),
        flags: this.flags.subarray(a, z),
        text: this.texts.size > 0 ? pick(this.texts, a, z) : null,
        status: this.statuses.size > 0 ? pick(this.statuses, a, z) : null,
      }
    }
    return new FrozenSet(bySignal)
  }
}

function pick(from: Map<number, string>, a: number, z: number): (string | undefined)[] | null {
  let out: (string | undefined)[] | null = null
  for (let j = a; j < z; j++) {
    const v = from.get(j)
    if (v !== undefined) (out ??= new Array<string | undefined>(z - a))[j - a] = v
  }
  return out
}
