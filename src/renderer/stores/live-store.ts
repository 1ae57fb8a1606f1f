import { create } from 'zustand'
import type { ErrorShape, Sample } from '../../shared/model'
import { mergeSamples } from '../lib/live-merge'

interface LiveState {
  latest: Record<string, Sample>
  intervals: Record<string, number>
  /** Server-clock time of the last tick (1 Hz): ages and staleness are computed against it. */
  now: number
  /** Why the live stream could not be set up, if it could not. */
  liveError?: ErrorShape
  ingest(batch: readonly Sample[]): void
  tick(now: number): void
}

/**
 * Latest value per signal. One store update per batch (not per sample); rows subscribe to their own signal,
 * so only rows whose value changed re-render.
 */
export const useLiveStore = create<LiveState>()((set, get) => ({
  latest: {},
  intervals: {},
  now: Date.now(),
  ingest(batch) {
    if (batch.length === 0) return
    const cur = get()
    const next = mergeSamples(cur, batch)
    if (next.latest !== cur.latest) set(next)
  },
  tick: (now) => set({ now }),
}))
