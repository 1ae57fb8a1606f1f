import { afterAll, describe, expect, it } from 'vitest'
import { loginAdmin, loginAs, TEST_PASSWORD, testIdentity } from '../../../test/helpers/login'
import { contract, events, type Contract, type Events, type MethodName } from '../../shared/contract'
import { ROLES } from '../../shared/model/principal'
import { createRpcClient, type RpcClient } from '../../shared/rpc/client'
import { createRpcServer } from '../../shared/rpc/server'
import { createMemoryPair } from '../../shared/rpc/transport'
import { createCore, type Core } from '../create-core'
import { startModelApi } from '../testing/model-api'

const cores: Core[] = []
afterAll(async () => {
  for (const c of cores) await c.stop()
})

/** A core with users behind the real RPC server; `client(remote)` connects another session from there. */
function start(kiosk = false) {
  const core = createCore({ plant: { connections: [] }, collectors: [], identity: testIdentity(), kiosk, info: { version: '1', host: 'test', demo: false } })
  cores.push(core)
  const rpc = createRpcServer({ contract, events, handlers: core.handlers, auth: core.auth })
  const client = (remote = 'memory'): RpcClient<Contract, Events> => {
    const [a, b] = createMemoryPair()
    rpc.connect(b, { remote })
    return createRpcClient<Contract, Events>(a, { timeoutMs: 5000 })
  }
  return { core, rpc, client }
}

/** Every method; auth.logout last (it ends the walking session's login). */
const names = (Object.keys(contract) as MethodName[]).sort((a, b) => Number(a === 'auth.logout') - Number(b === 'auth.logout'))
const rank = (a: string) => (a === 'public' ? -1 : ROLES.indexOf(a as (typeof ROLES)[number]))
/** The code a call answers (or 'ok'); params are minimal and mostly wrong: the access check runs before validation. */
const codeOf = (api: RpcClient<Contract, Events>, m: MethodName) =>
  api.call(m, {} as never).then(
    () => 'ok',
    (e: { code: string }) => e.code,
  )

describe('the whole contract, walked', () => {
  it('with no session every method but the public ones answers auth.required', async () => {
    const { client } = start()
    await loginAdmin(client()) // users exist: no setup_required
    const nobody = client()
    const refused: string[] = []
    for (const m of names) {
      const code = await codeOf(nobody, m)
      if (contract[m].access === 'public') expect(code, m).not.toBe('auth.required')
      else {
        expect(code, m).toBe('auth.required')
        refused.push(m)
      }
    }
    expect(refused.length).toBe(names.filter((m) => contract[m].access !== 'public').length)
    expect(refused).toContain('opcua.write')
  })

  it("with a viewer's session every method above viewer answers auth.forbidden; viewer methods are let through", async () => {
    const { client } = start()
    const admin = client()
    await loginAdmin(admin)
    const viewer = client('ws 192.0.2.50')
    await loginAs(viewer, 'viewer', { admin })
    for (const m of names) {
      const code = await codeOf(viewer, m)
      if (rank(contract[m].access) > rank('viewer')) expect(code, m).toBe('auth.forbidden')
      else expect(['auth.required', 'auth.forbidden'], m).not.toContain(code)
    }
  })

  it('the kiosk lets viewer methods through without a login, never more; a login takes precedence', async () => {
    const { client } = start(true)
    const admin = client()
    await loginAdmin(admin)
    const kiosk = client()
    for (const m of names) {
      const code = await codeOf(kiosk, m)
      const a = contract[m].access
      // the kiosk is nobody: its own sessions and password are a login's (those handlers answer auth.required)
      if (a === 'viewer' && ['auth.changePassword', 'auth.sessions', 'auth.revoke'].includes(m)) expect(['auth.required', 'rpc.bad_params'], m).toContain(code)
      else if (a === 'viewer' || a === 'public') expect(['auth.required', 'auth.forbidden'], m).not.toContain(code)
      else expect(code, m).toBe('auth.required')
    }
    expect((await kiosk.call('auth.status', {})).principal).toBeNull()
    expect((await kiosk.call('auth.status', {})).kiosk).toBe(true)
    await kiosk.call('auth.login', { user: 'admin', password: TEST_PASSWORD })
    expect((await kiosk.call('auth.status', {})).principal).toMatchObject({ kind: 'user', user: 'admin' })
    await expect(kiosk.call('auth.changePassword', { oldPassword: 'x', newPassword: 'y' })).rejects.toMatchObject({ code: 'auth.bad_credentials' })
  })
})

describe('logins over the RPC', () => {
  it('first start: auth.setup_required from here, auth.required and setup_closed from elsewhere; setup logs in', async () => {
    const { client } = start()
    const far = client('ws 192.0.2.7')
    expect(await codeOf(far, 'connections.list')).toBe('auth.required')
    expect(await far.call('auth.status', {})).toMatchObject({ setupRequired: true, setupAllowed: false })
    await expect(far.call('auth.setup', { user: 'admin', password: TEST_PASSWORD })).rejects.toMatchObject({ code: 'auth.setup_closed' })
    const near = client('ws 127.0.0.1')
    expect(await codeOf(near, 'connections.list')).toBe('auth.setup_required')
    expect(await near.call('auth.status', {})).toMatchObject({ setupRequired: true, setupAllowed: true, principal: null })
    const r = await near.call('auth.setup', { user: 'admin', password: TEST_PASSWORD })
    expect(r.principal).toMatchObject({ user: 'admin', roles: ['admin'], from: 'ws 127.0.0.1' })
    await expect(near.call('connections.list', {})).resolves.toEqual([])
  })

  it('revoked and logged-out sessions are refused at the next call; a viewer may not write; diagnostics count failures', async () => {
    const { client, core } = start()
    const admin = client()
    await loginAdmin(admin)
    const op = client('ws 192.0.2.8')
    await loginAs(op, 'operator', { admin })
    await expect(op.call('opcua.write', { connection: 'x', nodeId: 'ns=1;s=x', value: 1 } as never)).rejects.toMatchObject({ code: 'auth.forbidden' })
    const all = await admin.call('auth.sessions', { all: true })
    const opSession = all.find((s) => s.user === 'operator-user')!
    expect(all.find((s) => s.user === 'admin')!.current).toBe(true)
    await expect(op.call('auth.sessions', { all: true })).rejects.toMatchObject({ code: 'auth.forbidden' })
    expect(await admin.call('auth.revoke', { id: opSession.id })).toEqual({ revoked: true })
    await expect(op.call('connections.list', {})).rejects.toMatchObject({ code: 'auth.bad_session' })
    await expect(op.call('connections.list', {})).rejects.toMatchObject({ code: 'auth.required' }) // unbound now
    await expect(op.call('auth.login', { user: 'operator-user', password: 'wrong password' })).rejects.toMatchObject({ code: 'auth.bad_credentials' })
    await admin.call('auth.logout', {})
    await expect(admin.call('users.list', {})).rejects.toMatchObject({ code: 'auth.required' })
    expect(core.identity!.diagnostics().loginFailures).toBe(1)
    const entries = [...(core.audit as unknown as { records(): Iterable<{ action: string; target?: string; result: string }> }).records()]
    expect(entries.filter((e) => e.action !== 'rpc.refused').map((e) => e.action)).toEqual(['auth.setup', 'auth.login', 'user.create', 'auth.login', 'auth.session_end', 'auth.login_failed', 'auth.logout'])
    // the RPC layer's refusals of methods above viewer are audited too, written after their answer (not in order with the rest)
    await core.refusals.flush()
    const refused = [...(core.audit as unknown as { records(): Iterable<{ action: string; user: string | null; target?: string; result: string }> }).records()].filter((e) => e.action === 'rpc.refused')
    expect(refused.map((e) => [e.user, e.target, e.result])).toEqual([
      ['operator-user', 'opcua.write', 'auth.forbidden'],
      [null, 'users.list', 'auth.required'],
    ])
  })

  it('who in the model change log is the logged-in user', async () => {
    const cleanups: (() => Promise<void> | void)[] = []
    try {
      const { api } = await startModelApi(cleanups)
      await api.call('model.create', { parent: null, name: 'Line 9', kind: 'area' })
      expect((await api.call('model.changes', { limit: 1 })).items[0]!.who).toBe('admin')
    } finally {
      for (const c of cleanups.reverse()) await c()
    }
  })
})
