import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { method } from '../contract/define'
import type { Principal } from '../model/principal'
import { createRpcClient } from './client'
import { createRpcServer, type Session } from './server'
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

function setup(kiosk = false) {
  let ran = 0
  const who = (p: Principal | null) => (ran++, p ? `${p.kind}:${p.user}` : 'nobody')
  const server = createRpcServer({
    contract,
    events: {},
    auth: { kiosk: () => (kiosk ? kioskPrincipal : null) },
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
})
