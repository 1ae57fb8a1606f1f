import type { Series } from '../../shared/contract/trends'
import type { BucketQuery, BucketSeries, SampleStore } from '../ports/sample-store'
import type { Logger } from '../ports/logger'
import { bucketSeries, type HistoryReader } from './history-reader'

/** Where older history comes from: the sync engine's first sink that can read (see SyncEngine.readBuckets). */
export interface BackendHistory {
  readonly canRead: boolean
  readBuckets(query: BucketQuery): Promise<BucketSeries[]>
}

/**
 * Trends that reach back before the local store's oldest sample of a signal: the buckets before the one holding that
 * sample come from the backend, the rest from the store, with the same widths and alignment (both plan buckets the
 * same way), so the series has no seam. Without a readable backend, or when it fails, the store answers alone.
 */
export class ReadThroughHistory implements HistoryReader {
  constructor(
    private readonly local: HistoryReader,
    private readonly store: SampleStore,
    private readonly backend: BackendHistory,
    private readonly log?: Logger,
  ) {}

  async query(signal: string, from: number, to: number, points: number): Promise<Series> {
    if (!this.backend.canRead) return this.local.query(signal, from, to, points)
    const first = await this.store.queryRaw(signal, 0, Number.MAX_SAFE_INTEGER, 1)
    const oldest = first.t[0]
    if (oldest !== undefined && oldest <= from) return this.local.query(signal, from, to, points)
    const q: BucketQuery = { signals: [signal], from, to, points: Math.max(2, Math.floor(points / 2)) }
    let remote: BucketSeries | undefined
    try {
      ;[remote] = await this.backend.readBuckets(q)
    } catch (e) {
      this.log?.warn({ signal, err: (e as Error).message }, 'trend read-through failed: only the local store answers')
      return this.local.query(signal, from, to, points)
    }
    const [local] = await this.store.queryBuckets(q)
    if (!remote || !local) return this.local.query(signal, from, to, points)
    const joined = joinBuckets(remote, local, oldest ?? Infinity)
    return bucketSeries(signal, joined.bucketMs, joined)
  }
}

/**
 * The backend's buckets up to the one holding `localOldest` (the store holds only part of that one, unless it starts
 * there; the backend has it whole), then the store's.
 */
export function joinBuckets(remote: BucketSeries, local: BucketSeries, localOldest: number): BucketSeries {
  const w = local.bucketMs
  const seam = Math.floor(localOldest / w) * w
  const cut = !Number.isFinite(localOldest) ? Infinity : seam < localOldest && remote.t.includes(seam) ? seam + w : seam
  const out: BucketSeries = { ...local, t: [], count: [], min: [], max: [], avg: [], first: [], last: [] }
  const take = (b: BucketSeries, keep: (t: number) => boolean) => {
    b.t.forEach((t, i) => {
      if (!keep(t)) return
      out.t.push(t)
      out.count.push(b.count[i] ?? 0)
      out.min.push(b.min[i] ?? null)
      out.max.push(b.max[i] ?? null)
      out.avg.push(b.avg[i] ?? null)
      out.first.push(b.first[i] ?? null)
      out.last.push(b.last[i] ?? null)
    })
  }
  take(remote, (t) => t < cut)
  take(local, (t) => t >= cut)
  return out
}
