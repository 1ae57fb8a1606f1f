import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { method } from '../contract/define'
import { createRpcClient } from './client'
import { createRpcServer } from './server'
import { createMemoryPair } from './transport'

const contract = {
  'gate.wait': method(z.object({}).strict(), z.number(), 'public'),
  'gate.now': method(z.object({}).strict(), z.number(), 'public'),
} as const

function setup() {
  const waiting: (() => void)[] = []
  const server = createRpcServer({
    contract,
    events: {},
    handlers: {
      'gate.wait': () => new Promise<number>((r) => waiting.push(() => r(1))),
      'gate.now': () => 2,
    },
  })
  const open = () => {
    const [c, s] = createMemoryPair()
    server.connect(s)
    return createRpcClient<typeof contract, Record<string, never>>(c, { timeoutMs: 5000 })
  }
  return { server, open, release: () => waiting.splice(0).forEach((r) => r()) }
}

describe('per-session limit of calls in progress', () => {
  it('answers calls over 16 in progress with rpc.busy at once, for any method; other sessions are not affected', async () => {
    const { server, open, release } = setup()
    const a = open()
    const b = open()
    const calls = Array.from({ length: 20 }, () => a.call('gate.wait', {}).then(() => 'ok', (e) => e.code as string))
    const over = await Promise.all(calls.slice(16)) // answered while the first 16 still wait
    expect(over).toEqual(['rpc.busy', 'rpc.busy', 'rpc.busy', 'rpc.busy'])
    await expect(a.call('gate.now', {})).rejects.toMatchObject({ code: 'rpc.busy' })
    await expect(b.call('gate.now', {})).resolves.toBe(2)
    expect(server.stats()).toMatchObject({ sessions: 2, inFlight: 16, maxInFlightPerSession: 16, rejected: { 'rpc.busy': 5 } })
    release()
    expect(await Promise.all(calls.slice(0, 16))).toEqual(Array(16).fill('ok'))
    await expect(a.call('gate.now', {})).resolves.toBe(2)
    expect(server.stats().inFlight).toBe(0)
  })

  it('forgets a closed session and its calls', async () => {
    const { server, open, release } = setup()
    const a = open()
    const pending = Array.from({ length: 16 }, () => a.call('gate.wait', {}).catch((e) => e.code))
    await new Promise((r) => setTimeout(r, 0))
    a.close()
    expect(await Promise.all(pending)).toEqual(Array(16).fill('rpc.closed'))
    release()
    await new Promise((r) => setTimeout(r, 0))
    expect(server.stats()).toMatchObject({ sessions: 0, inFlight: 0 })
  })
})
