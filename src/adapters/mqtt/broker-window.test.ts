import { describe, expect, it } from 'vitest'
import { BrokerWindow } from './broker-window'

function clocked() {
  let t = 1000
  const w = new BrokerWindow(() => t)
  return { w, at: (ms: number) => (t = ms), step: (ms: number) => (t += ms) }
}

describe('BrokerWindow', () => {
  it('a window of 20 that sits full while the store commits: capped at the ack rate', () => {
    const { w, step } = clocked()
    w.reset(500)
    // 1 s of: 20 arrive at once, 10 ms until their commit, 20 acks
    for (let cycle = 0; cycle < 100; cycle++) {
      for (let i = 0; i < 20; i++) w.received()
      step(10)
      for (let i = 0; i < 20; i++) w.acked()
    }
    expect(w.report()).toMatchObject({ capped: true, rate: 2000, peak: 20 })
  })

  it('messages that trickle in and are acked within moments: not capped', () => {
    const { w, step } = clocked()
    w.reset(500)
    for (let i = 0; i < 100; i++) {
      w.received()
      step(1)
      w.acked()
      step(9)
    }
    expect(w.report()).toMatchObject({ capped: false, rate: 100, peak: 1 })
  })

  it('a deep backlog at 3.1.1: capped at what a stock mosquitto holds over the slowest ack; not at MQTT 5', () => {
    for (const [deep, capped] of [[500, true], [Infinity, false]] as const) {
      const { w, step } = clocked()
      w.reset(deep)
      // the peak grows for a while (no full window: the count keeps rising), then a 51 ms commit holds 600
      for (let i = 0; i < 600; i++) w.received()
      step(51)
      for (let i = 0; i < 600; i++) w.acked()
      for (let i = 0; i < 10; i++) {
        w.received()
        step(50)
        w.acked()
      }
      const r = w.report()
      expect(r.capped).toBe(capped)
      if (capped) expect(r.rate).toBe(Math.round((1020 * 1000) / 51))
    }
  })

  it('a reconnect forgets what the old connection left unacknowledged', () => {
    const { w, step } = clocked()
    for (let i = 0; i < 30; i++) w.received()
    w.reset(500)
    w.received()
    step(2)
    w.acked()
    w.acked() // nothing more outstanding: ignored
    expect(w.report()).toMatchObject({ peak: 1, maxAckMs: 2 })
  })
})
