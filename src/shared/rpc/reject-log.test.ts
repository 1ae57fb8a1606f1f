import { describe, expect, it } from 'vitest'
import { createRejectLog } from './reject-log'

function setup() {
  let t = 0
  const lines: string[] = []
  const log = createRejectLog(
    { one: (code) => lines.push(`one ${code}`), summary: (code, n) => lines.push(`summary ${code} ${n}`) },
    { firstN: 3, intervalMs: 10_000, now: () => t },
  )
  return { log, lines, advance: (ms: number) => (t += ms) }
}

describe('sampled log of rejected RPC messages', () => {
  it('logs the first N per code and interval, then one summary with the count of the rest', () => {
    const { log, lines, advance } = setup()
    for (let i = 0; i < 100_000; i++) log.record('rpc.bad_json', 1, 'x')
    log.record('rpc.bad_params', 1, 'y')
    advance(10_000)
    log.record('rpc.bad_json', 1, 'x') // a new interval: closes the old one first
    expect(lines).toEqual(['one rpc.bad_json', 'one rpc.bad_json', 'one rpc.bad_json', 'one rpc.bad_params', 'summary rpc.bad_json 99997', 'one rpc.bad_json'])
  })

  it('writes a pending summary on flush (shutdown) and when the interval ends without more rejections', async () => {
    const { log, lines } = setup()
    for (let i = 0; i < 5; i++) log.record('rpc.busy', 2, 'z')
    log.flush()
    expect(lines.at(-1)).toBe('summary rpc.busy 2')
    const timed = createRejectLog({ one: () => {}, summary: (code, n) => lines.push(`timer ${code} ${n}`) }, { firstN: 1, intervalMs: 5 })
    timed.record('rpc.bad_json', 1, 'x')
    timed.record('rpc.bad_json', 1, 'x')
    await new Promise((r) => setTimeout(r, 50))
    expect(lines.at(-1)).toBe('timer rpc.bad_json 1')
  })
})
