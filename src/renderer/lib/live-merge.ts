import type { Sample } from '../../shared/model'

export interface LiveData {
  latest: Record<string, Sample>
  /** Smoothed update interval per signal (ms), learnt from successive sample timestamps. */
  intervals: Record<string, number>
}

/** Weight of a new observation in the interval average. */
const ALPHA = 0.3

/**
 * Fold a batch into the latest values. Keeps the newest sample per signal (late or duplicate samples do not
 * overwrite), learns the update interval, and returns the same objects when nothing changed so React skips work.
 */
export function mergeSamples(data: LiveData, batch: readonly Sample[]): LiveData {
  let latest: Record<string, Sample> | undefined
  let intervals: Record<string, number> | undefined
  for (const s of batch) {
    const cur = (latest ?? data.latest)[s.signal]
    if (cur && s.ts < cur.ts) continue
    if (cur && s.ts === cur.ts && s.value === cur.value && s.quality === cur.quality && s.status === cur.status) continue
    latest ??= { ...data.latest }
    latest[s.signal] = s
    if (cur && s.ts > cur.ts) {
      const dt = s.ts - cur.ts
      const prev = (intervals ?? data.intervals)[s.signal]
      intervals ??= { ...data.intervals }
      intervals[s.signal] = prev === undefined ? dt : prev + ALPHA * (dt - prev)
    }
  }
  if (!latest) return data
  return { latest, intervals: intervals ?? data.intervals }
}
