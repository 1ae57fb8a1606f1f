import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { method } from '../contract/define'
import type { Principal } from '../model/principal'
import { createRpcClient } from './client'
import { createRpcServer, type RefusalInfo, type RpcAuthOptions, type Session } from './server'
import type { RateLimitOptions } from './rate-limit'
import { createMemoryPair } from './transport'

const contract = {
  'x.ping': method(z.object({}).strict(), z.string(), 'public'),
  'x.read': method(z.object({ n: z.number() }).strict(), z.string(), 'viewer'),
  'x.act': method(z.object({ n: z.number() }).strict(), z.string(), 'operator'),
  'x.edit': method(z.object({ n: z.number() }).strict(), z.string(), 'engineer'),
  'x.admin': method(z.object({}).strict(), z.string(), 'admin'),
  'x.login': method(z.object({ as: z.enum(['viewer', 'operator', 'engineer', 'admin']) }).strict(), z.literal(true), 'public'),
} as const

const kioskPrincipal: Principal = { kind: 'kiosk', user: 'kiosk', roles: ['viewer'], from: 'memory' }

function setup(kiosk = false, more: { auth?: Partial<RpcAuthOptions>; rateLimit?: RateLimitOptions } = {}) {
  let ran = 0
  const who = (p: Principal | null) => (ran++, p ? `${p.kind}:${p.user}` : 'nobody')
  const server = createRpcServer({
    contract,
    events: {},
    auth: { kiosk: () => (kiosk ? kioskPrincipal : null), ...more.auth },
    ...(more.rateLimit ? { rateLimit: more.rateLimit } : {}),
    handlers: {
      'x.ping': (_p, { principal }) => who(principal),
      'x.read': (_p, { principal }) => who(principal),
      'x.act': (_p, { principal }) => who(principal),
      'x.edit': (_p, { principal }) => who(principal),
      'x.admin': (_p, { principal }) => who(principal),
      'x.login': ({ as }, { session }) => {
        session.setPrincipal({ kind: 'user', user: as, roles: [as], from: session.remote })
        return true as const
      },
    },
  })
  const [a, b] = createMemoryPair()
  const session: Session = server.connect(b, { remote: 'test 192.0.2.1' })
  const api = createRpcClient<typeof contract, Record<string, never>>(a, { timeoutMs: 1000 })
  return { api, session, ran: () => ran }
}

describe('access in the RPC server', () => {
  it('without a session: public methods run, every other answers auth.required before its params are validated', async () => {
    const { api, ran } = setup()
    expect(await api.call('x.ping', {})).toBe('nobody')
    for (const m of ['x.read', 'x.act', 'x.edit', 'x.admin'] as const) {
      // bad params on purpose: the refusal must be auth.required, not rpc.bad_params
      await expect(api.call(m, { n: 'nope' } as never)).rejects.toMatchObject({ code: 'auth.required' })
    }
    expect(ran()).toBe(1)
  })

  it('a role reaches its level and those below, and is forbidden above it', async () => {
    const { api } = setup()
    await api.call('x.login', { as: 'operator' })
    expect(await api.call('x.read', { n: 1 })).toBe('user:operator')
    expect(await api.call('x.act', { n: 1 })).toBe('user:operator')
    await expect(api.call('x.edit', { n: 1 })).rejects.toMatchObject({ code: 'auth.forbidden' })
    await expect(api.call('x.admin', {})).rejects.toMatchObject({ code: 'auth.forbidden' })
    await expect(api.call('x.edit', { n: 'bad' } as never)).rejects.toMatchObject({ code: 'auth.forbidden' })
  })

  it('the kiosk lets viewer methods through, never more; a login takes precedence', async () => {
    const { api } = setup(true)
    expect(await api.call('x.read', { n: 1 })).toBe('kiosk:kiosk')
    await expect(api.call('x.act', { n: 1 })).rejects.toMatchObject({ code: 'auth.required' })
    await expect(api.call('x.edit', { n: 1 })).rejects.toMatchObject({ code: 'auth.required' })
    await api.call('x.login', { as: 'engineer' })
    expect(await api.call('x.read', { n: 1 })).toBe('user:engineer')
    expect(await api.call('x.edit', { n: 1 })).toBe('user:engineer')
  })

  it('a principal given at connect is the session\'s; the remote is kept', async () => {
    const { api, session } = setup()
    expect(session.remote).toBe('test 192.0.2.1')
    session.setPrincipal({ kind: 'user', user: 'ada', roles: ['admin'], from: session.remote })
    expect(await api.call('x.admin', {})).toBe('user:ada')
    session.setPrincipal(null)
    await expect(api.call('x.read', { n: 1 })).rejects.toMatchObject({ code: 'auth.required' })
  })

  it('tells `refused` of each refusal of a method above viewer (required, forbidden, rate limited, an ended session), after answering; never of reads', async () => {
    const seen: { r: Omit<RefusalInfo, 'session'> }[] = []
    let now = 0
    let ended = false
    const { api, session } = setup(true, {
      auth: {
        refused: ({ session: _s, ...r }) => void seen.push({ r }),
        check: (p) => {
          if (ended) throw new Error('the session store is gone') // not an AppError: auth.bad_session
          return p
        },
      },
      rateLimit: { perUser: { burst: 3, perSecond: 0.001 }, perAddress: { burst: 100, perSecond: 0.001 }, now: () => now },
    })
    await expect(api.call('x.act', { n: 1 })).rejects.toMatchObject({ code: 'auth.required' })
    await expect(api.call('x.read', { n: 'bad' } as never)).rejects.toMatchObject({ code: 'rpc.bad_params' }) // a read: not told
    await api.call('x.login', { as: 'operator' })
    await expect(api.call('x.edit', { n: 1 })).rejects.toMatchObject({ code: 'auth.forbidden' })
    expect(await api.call('x.act', { n: 1 })).toBe('user:operator')
    expect(await api.call('x.read', { n: 1 })).toBe('user:operator') // the user's bucket is empty now
    await expect(api.call('x.read', { n: 1 })).rejects.toMatchObject({ code: 'rpc.rate_limited' }) // a read: not told
    await expect(api.call('x.act', { n: 1 })).rejects.toMatchObject({ code: 'rpc.rate_limited' })
    now = 60_000_000
    ended = true
    await expect(api.call('x.admin', {})).rejects.toMatchObject({ code: 'auth.bad_session' })
    expect(session.principal).toBeNull()
    expect(seen.map(({ r }) => [r.method, r.access, r.code, r.principal?.user ?? null])).toEqual([
      ['x.act', 'operator', 'auth.required', null],
      ['x.edit', 'engineer', 'auth.forbidden', 'operator'],
      ['x.act', 'operator', 'rpc.rate_limited', 'operator'],
      ['x.admin', 'admin', 'auth.bad_session', 'operator'],
    ])
    expect(seen[0]!.r.message).toMatch(/x\.act needs a login/)
  })

  it('a `refused` hook that throws changes no answer', async () => {
    const { api } = setup(false, { auth: { refused: () => { throw new Error('audit down') } } })
    await expect(api.call('x.act', { n: 1 })).rejects.toMatchObject({ code: 'auth.required' })
    await api.call('x.login', { as: 'viewer' })
    await expect(api.call('x.act', { n: 1 })).rejects.toMatchObject({ code: 'auth.forbidden' })
    expect(await api.call('x.read', { n: 1 })).toBe('user:viewer')
  })
})
