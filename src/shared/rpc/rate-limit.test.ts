import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { method } from '../contract/define'
import { createRpcClient } from './client'
import { createRateLimiter, TokenBuckets } from './rate-limit'
import { createRpcServer } from './server'
import { createMemoryPair } from './transport'

describe('token buckets', () => {
  it('gives the burst at once, then refills at the rate (fake clock)', () => {
    let now = 0
    const b = new TokenBuckets({ burst: 3, perSecond: 2 }, () => now)
    expect([b.take('k'), b.take('k'), b.take('k'), b.take('k')]).toEqual([true, true, true, false])
    now += 499
    expect(b.take('k')).toBe(false)
    now += 1
    expect(b.take('k')).toBe(true) // 500 ms at 2/s: one token
    now += 10_000
    expect([b.take('k'), b.take('k'), b.take('k'), b.take('k')]).toEqual([true, true, true, false]) // never more than the burst
    expect(b.take('other')).toBe(true)
    expect(b.refused).toBe(3)
  })

  it('limits per user and per address; a call needs both', () => {
    const now = 0
    const l = createRateLimiter({ perUser: { burst: 2, perSecond: 1 }, perAddress: { burst: 3, perSecond: 1 }, now: () => now })
    expect(l.take('alice', 'ws 1')).toBeUndefined()
    expect(l.take('alice', 'ws 2')).toBeUndefined()
    expect(l.take('alice', 'ws 3')).toBe('user')
    expect(l.take('bob', 'ws 1')).toBeUndefined()
    expect(l.take(undefined, 'ws 1')).toBeUndefined()
    expect(l.take('carol', 'ws 1')).toBe('address')
    expect(l.stats()).toEqual({ byUser: 1, byAddress: 1 })
  })
})

describe('the RPC server with rate limits', () => {
  it('answers rpc.rate_limited over the bucket, counts it in stats, and serves again once refilled', async () => {
    let now = 0
    const contract = { 'x.ping': method(z.object({}).strict(), z.literal('pong'), 'public') } as const
    const server = createRpcServer({ contract, events: {}, handlers: { 'x.ping': () => 'pong' as const }, rateLimit: { perAddress: { burst: 2, perSecond: 1 }, now: () => now } })
    const [a, b] = createMemoryPair()
    server.connect(b, { remote: 'ws 192.0.2.9' })
    const api = createRpcClient<typeof contract, Record<string, never>>(a)
    await api.call('x.ping', {})
    await api.call('x.ping', {})
    await expect(api.call('x.ping', {})).rejects.toMatchObject({ code: 'rpc.rate_limited' })
    expect(server.stats().rateLimited).toEqual({ byUser: 0, byAddress: 1 })
    expect(server.stats().rejected['rpc.rate_limited']).toBe(1)
    now += 1000
    await expect(api.call('x.ping', {})).resolves.toBe('pong')
  })
})
