import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createWsTransport } from './ws-transport'

/** Just enough of a browser WebSocket to drive the transport. */
class FakeSocket {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3
  static all: FakeSocket[] = []
  readyState = FakeSocket.CONNECTING
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: unknown }) => void) | null = null
  onclose: ((ev: { code: number; reason: string }) => void) | null = null
  onerror: (() => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(t: string) {
    this.sent.push(t)
  }
  close() {
    this.readyState = FakeSocket.CLOSED
  }
  open() {
    this.readyState = FakeSocket.OPEN
    this.onopen?.()
  }
  drop(code = 1006, reason = '') {
    this.readyState = FakeSocket.CLOSED
    this.onclose?.({ code, reason })
  }
}

const make = () => createWsTransport({ url: 'ws://h/api', WebSocketImpl: FakeSocket as unknown as typeof WebSocket, maxQueue: 3 })
const last = () => FakeSocket.all[FakeSocket.all.length - 1]!

describe('createWsTransport', () => {
  beforeEach(() => {
    FakeSocket.all = []
    vi.useFakeTimers()
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('queues messages until the socket opens, then flushes them in order (bounded)', () => {
    const t = make()
    ;['1', '2', '3', '4'].forEach((m) => t.send(m))
    last().open()
    expect(last().sent).toEqual(['2', '3', '4'])
    t.send('5')
    expect(last().sent).toEqual(['2', '3', '4', '5'])
    expect(t.status()).toMatchObject({ state: 'open', opens: 1, attempt: 0 })
  })

  it('delivers text messages only', () => {
    const t = make()
    const got: string[] = []
    t.onMessage((m) => got.push(m))
    last().open()
    last().onmessage?.({ data: 'hello' })
    last().onmessage?.({ data: new ArrayBuffer(2) })
    expect(got).toEqual(['hello'])
  })

  it('on a drop: fires onClose, reports reconnecting, dials again with backoff and counts the new open', () => {
    const t = make()
    const closes = vi.fn()
    const states: string[] = []
    t.onClose(closes)
    t.onStatus((s) => states.push(s.state))
    last().open()
    last().drop(1006)
    expect(closes).toHaveBeenCalledTimes(1)
    expect(t.status()).toMatchObject({ state: 'reconnecting', attempt: 1, lastError: 'server unreachable' })
    expect(FakeSocket.all).toHaveLength(1)
    vi.advanceTimersByTime(500)
    expect(FakeSocket.all).toHaveLength(2)
    last().drop(1006)
    expect(t.status().attempt).toBe(2)
    vi.advanceTimersByTime(999)
    expect(FakeSocket.all).toHaveLength(2)
    vi.advanceTimersByTime(1)
    last().open()
    expect(t.status()).toMatchObject({ state: 'open', attempt: 0, opens: 2 })
    expect(states).toEqual(['open', 'reconnecting', 'reconnecting', 'open'])
  })

  it('does not replay messages queued for a dead socket', () => {
    const t = make()
    t.send('lost')
    last().drop()
    vi.advanceTimersByTime(500)
    last().open()
    expect(last().sent).toEqual([])
  })

  it('reconnectNow drops a silent socket and dials at once', () => {
    const t = make()
    last().open()
    const first = last()
    t.reconnectNow()
    expect(first.onmessage).toBeNull()
    expect(FakeSocket.all).toHaveLength(2)
    expect(t.status().lastError).toBe('no answer from the server')
  })

  it('close stops for good', () => {
    const t = make()
    last().open()
    t.close()
    expect(t.status().state).toBe('closed')
    vi.advanceTimersByTime(60_000)
    expect(FakeSocket.all).toHaveLength(1)
    t.send('x')
    expect(FakeSocket.all[0]!.sent).toEqual([])
  })
})
