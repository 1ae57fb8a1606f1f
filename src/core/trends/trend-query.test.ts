import { describe, expect, it } from 'vitest'
import type { Series } from '../../shared/contract/trends'
import type { Session } from '../../shared/rpc/server'
import { testSession } from '../testing/call-context'
import type { HistoryReader } from './history-reader'
import { BYTES_PER_POINT, createTrendQuery, MAX_REPLY_BYTES } from './trend-query'

function fakeHistory() {
  const asked: { signal: string; points: number }[] = []
  const waiting: (() => void)[] = []
  const reader: HistoryReader = {
    query: (signal, _from, _to, points) => {
      asked.push({ signal, points })
      return new Promise<Series>((r) => waiting.push(() => r({ signal, t: [1, 2], v: [points, 0] })))
    },
  }
  return { reader, asked, release: () => waiting.splice(0).forEach((r) => r()) }
}

const session = (unsent = 0): Session => testSession(1, { unsent: () => unsent })
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('trends.query work bounds', () => {
  it('reads a signal asked many times once, and answers one series per signal asked, in order', async () => {
    const h = fakeHistory()
    const q = createTrendQuery(h.reader)
    const p = q({ signals: ['a', 'b', 'a', 'a', 'b'], from: 0, to: 10, points: 100 }, session())
    await tick()
    h.release()
    const r = await p
    expect(h.asked.map((a) => a.signal)).toEqual(['a', 'b'])
    expect(r.series.map((s) => s.signal)).toEqual(['a', 'b', 'a', 'a', 'b'])
    expect(r.points).toBe(100)
  })

  it('lowers points so signals × points fits the reply budget before the store is asked', async () => {
    const h = fakeHistory()
    const q = createTrendQuery(h.reader)
    const p = q({ signals: Array(64).fill('a'), from: 0, to: 10, points: 10_000 }, session())
    await tick()
    h.release()
    const r = await p
    const fit = Math.floor(MAX_REPLY_BYTES / (64 * BYTES_PER_POINT))
    expect(h.asked).toEqual([{ signal: 'a', points: fit }])
    expect(r.points).toBe(fit)
    expect(r.series).toHaveLength(64)
  })

  it('answers rpc.busy while the session already has its reply budget in progress or unsent', async () => {
    const h = fakeHistory()
    const q = createTrendQuery(h.reader, { maxReplyBytes: 1000 * BYTES_PER_POINT, sessionReplyBytes: 2500 * BYTES_PER_POINT })
    const s = session()
    const big = { signals: ['a'], from: 0, to: 10, points: 1000 }
    const first = [q(big, s), q(big, s)]
    await expect(q(big, s)).rejects.toMatchObject({ code: 'rpc.busy' })
    const other = q(big, session()) // another session has its own budget
    await expect(q(big, session(2000 * BYTES_PER_POINT))).rejects.toMatchObject({ code: 'rpc.busy' }) // unsent counts
    await tick()
    h.release()
    await Promise.all(first)
    await expect(other).resolves.toMatchObject({ points: 1000 })
    const again = q(big, s)
    await tick()
    h.release()
    await expect(again).resolves.toMatchObject({ points: 1000 })
  })

  it('answers rpc.busy when all sessions together have the total budget in progress', async () => {
    const h = fakeHistory()
    const q = createTrendQuery(h.reader, { maxReplyBytes: 1000 * BYTES_PER_POINT, totalReplyBytes: 2500 * BYTES_PER_POINT })
    const big = { signals: ['a'], from: 0, to: 10, points: 1000 }
    const first = [q(big, session()), q(big, session())]
    await expect(q(big, session())).rejects.toMatchObject({ code: 'rpc.busy' })
    await tick()
    h.release()
    await Promise.all(first)
    const again = q(big, session())
    await tick()
    h.release()
    await expect(again).resolves.toMatchObject({ points: 1000 })
  })
})
