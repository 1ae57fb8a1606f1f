import { describe, expect, it, vi } from 'vitest'
import type { Session } from '../../shared/rpc/server'
import type { Sample } from '../../shared/model'
import { LiveValues } from './live-values'
import { SessionStream } from './session-stream'

describe('a session’s live stream', () => {
  it('sends a busy flush as several bounded messages, every sample once and in order, only the subscribed signals', () => {
    vi.useFakeTimers()
    try {
      const sent: Sample[][] = []
      const session = { id: 1, emit: (_e: string, p: unknown) => void sent.push(p as Sample[]), onClose() {}, unsent: () => 0 } as unknown as Session
      const live = new LiveValues()
      const stream = new SessionStream(session, live, 200, 50_000, 4_000)
      const wanted = Array.from({ length: 5000 }, (_, i) => `s/${i}`)
      stream.set(wanted)
      const batch: Sample[] = []
      for (let i = 0; i < 10_000; i++) batch.push({ signal: `s/${i}`, ts: 1_700_000_000_000 + i, value: i, quality: 'good' })
      live.ingest(batch)
      vi.advanceTimersByTime(200)
      expect(sent.map((m) => m.length)).toEqual([4000, 1000])
      expect(sent.flat().map((s) => s.value)).toEqual(Array.from({ length: 5000 }, (_, i) => i))
      expect(JSON.stringify(sent[0]).length).toBeLessThan(1024 * 1024)
      stream.close()
    } finally {
      vi.useRealTimers()
    }
  })
})
