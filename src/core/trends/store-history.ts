import type { Series } from '../../shared/contract/trends'
import type { SampleStore } from '../ports/sample-store'
import { bucketSeries, rawSeries, type HistoryReader } from './history-reader'
import { plotValue } from '../../shared/model'

/**
 * Trend history from the local store. Few samples in range: the raw samples with their exact times (bad quality as
 * null). Many: up to `points / 2` buckets with mean, min, max and count (the store's rollups where they fit), so a chart
 * draws a min/max band and a spike inside a bucket never vanishes. Both with the expected interval and the gaps.
 */
export class StoreHistory implements HistoryReader {
  constructor(private readonly store: SampleStore) {}

  async query(signal: string, from: number, to: number, points: number): Promise<Series> {
    const raw = await this.store.queryRaw(signal, from, to, points)
    if (!raw.truncated) return rawSeries(signal, raw.t, raw.v.map((v, i) => plotValue(v, raw.q[i]!)))
    const [b] = await this.store.queryBuckets({ signals: [signal], from, to, points: Math.max(2, Math.floor(points / 2)) })
    if (!b) return rawSeries(signal, [], [])
    return bucketSeries(signal, b.bucketMs, b)
  }
}
