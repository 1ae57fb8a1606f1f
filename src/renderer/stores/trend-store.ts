import { create } from 'zustand'
import type { ErrorShape, Sample } from '../../shared/model'
import { appendSamples, emptyBuffer, type TrendBuffer } from '../lib/trend-buffer'

export const TREND_WINDOW_MS = 10 * 60_000

interface TrendState {
  signal?: string
  status: 'idle' | 'loading' | 'ready' | 'error'
  error?: ErrorShape
  /**
   * Mutated in place by `append` (transient update): the chart reads it on its own timer, so live samples
   * never re-render React. `version` counts appends for whoever wants to know that something changed.
   */
  buffer: TrendBuffer
  version: number
  start(signal: string | undefined): void
  loaded(signal: string, buffer: TrendBuffer): void
  failed(signal: string, e: ErrorShape): void
  append(batch: readonly Sample[]): void
}

export const useTrendStore = create<TrendState>()((set, get) => ({
  status: 'idle',
  buffer: emptyBuffer(),
  version: 0,
  start(signal) {
    // Re-loading the same signal (after a reconnect) keeps what is drawn until fresh history replaces it.
    if (signal && signal === get().signal) return set({ status: 'loading', error: undefined })
    set({ signal, status: signal ? 'loading' : 'idle', error: undefined, buffer: emptyBuffer(), version: 0 })
  },
  loaded(signal, buffer) {
    const s = get()
    if (s.signal !== signal) return
    // Live samples that arrived while the query ran are newer than its last point: keep them.
    const t0 = buffer.t.length ? buffer.t[buffer.t.length - 1]! : -Infinity
    for (let i = 0; i < s.buffer.t.length; i++) {
      if (s.buffer.t[i]! > t0) {
        buffer.t.push(s.buffer.t[i]!)
        buffer.v.push(s.buffer.v[i]!)
      }
    }
    set({ status: 'ready', buffer, version: s.version + 1 })
  },
  failed(signal, error) {
    if (get().signal === signal) set({ status: 'error', error })
  },
  append(batch) {
    const s = get()
    if (!s.signal || s.status === 'idle') return
    // Mutate, and tell subscribers through `version` without creating a new buffer (no React work per sample).
    if (appendSamples(s.buffer, batch, s.signal) > 0) useTrendStore.setState({ version: s.version + 1 })
  },
}))
